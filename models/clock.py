# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One clock: every "today" the collection rules reason on comes from here."""

from odoo import fields


def credit_today(env, company=None):
    """The date the collection rules reason on: the date of a dry run when one
    sets it (context ``credit_collection_date``), else today in the user's
    time zone."""
    date = env.context.get("credit_collection_date")
    if date:
        return fields.Date.to_date(date)
    partner = env["res.partner"]
    return fields.Date.context_today(
        partner.with_company(company) if company else partner
    )
