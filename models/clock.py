# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One clock: every "today" the collection rules reason on comes from here."""

from odoo import fields


def credit_today(env, company=None):
    """The date the collection rules reason on: the date of a dry run when one
    sets it (context ``credit_collection_date``), else today in the time zone
    of ``company`` (default: the environment's), the one of its address; the
    user's when the company has none. The cron's user and a user abroad see
    the company's day: an invoice falls due at the company's midnight."""
    date = env.context.get("credit_collection_date")
    if date:
        return fields.Date.to_date(date)
    company = company or env.company
    partner = env["res.partner"]
    # cached per company for the registry (the confirmation path reads it)
    tz = env["res.company"]._credit_timezone(company.id)
    if tz:
        partner = partner.with_context(tz=tz)
    return fields.Date.context_today(partner)
