# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.1.0 (escalation engine): the credit tiers created by the first
release get the late-payment fee product the new tiers get by default (the
product is created by this version's data, after the new column was filled)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    product = env.ref(
        "account_credit_collection.product_late_payment_fee", raise_if_not_found=False
    )
    if not product:
        return
    env["credit.collection.policy"].with_context(active_test=False).search(
        [("fee_product_id", "=", False)]
    ).write({"fee_product_id": product.id})
