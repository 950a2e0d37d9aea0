# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.3.0 (cash first): the shipped Prepayment only tier's customers are
invoiced normally (money received pays in advance); customers created from
now on without an approved credit application get the New customer tier.
Existing customers keep their tier: nobody is blocked overnight. The shipped
Legal / agency and Written off stages now stop credit.

No step without notice (#17): the shipped Final notice stage is marked as the
customer's final notice (the steps that need prior notice wait for it)."""

from odoo import SUPERUSER_ID, api

from odoo.addons.account_credit_collection.models.credit_collection_policy_seed import (
    NEW_CUSTOMER_SEQUENCE,
)

OLD_PREPAYMENT_DESCRIPTION = (
    "No credit: orders are confirmed only when paid in advance."
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    companies = env["res.company"].with_context(active_test=False).search([])
    env["credit.application.criterion"]._create_default_criteria(companies)
    Policy = env["credit.collection.policy"].with_context(active_test=False)
    seeded = Policy._default_tier_values(env.company)
    new_description = next(
        vals["description"] for vals in seeded if vals.get("is_prepayment_only")
    )
    for tier in Policy.search([("is_prepayment_only", "=", True)]):
        # a description the user did not change
        if (tier.with_context(lang="en_US").description or "").strip() == (
            OLD_PREPAYMENT_DESCRIPTION
        ):
            tier.with_context(lang="en_US").description = new_description
    # the tier of unvetted customers: each company's seeded New customer tier
    for company in env["res.company"].search(
        [("credit_unvetted_policy_id", "=", False)]
    ):
        tier = Policy.search(
            [
                ("company_id", "=", company.id),
                ("sequence", "=", NEW_CUSTOMER_SEQUENCE),
                ("is_default", "=", False),
                ("is_prepayment_only", "=", False),
                ("active", "=", True),
            ],
            limit=1,
        )
        if tier:
            company.credit_unvetted_policy_id = tier
    _stop_credit_stages(env)
    _mark_final_notice_stage(env)


def _stop_credit_stages(env):
    """The shipped Legal / agency and Written off stages stop credit (#17);
    the customers already there get their credit stop at the next hold
    synchronisation (``credit.hold._cron_credit_stops``)."""
    for xmlid in ("stage_legal", "stage_written_off"):
        stage = env.ref(f"account_credit_collection.{xmlid}", raise_if_not_found=False)
        if stage:
            stage.stops_credit = True


def _mark_final_notice_stage(env):
    """The shipped Final notice stage is the customer's final notice."""
    stage = env.ref(
        "account_credit_collection.stage_final_notice", raise_if_not_found=False
    )
    if stage:
        stage.is_final_notice = True
