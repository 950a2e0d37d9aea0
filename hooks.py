# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from .models.credit_exposure_entry import DROP_SQL


def post_init_hook(env):
    """Seed the standard credit tiers and collectability curves of every
    existing company (companies created later get theirs on creation)."""
    companies = env["res.company"].with_context(active_test=False).search([])
    env["credit.collection.policy"]._create_default_tiers(companies)
    env["credit.collectability.curve"]._create_default_curves(companies)
    env["credit.application.criterion"]._create_default_criteria(companies)


def uninstall_hook(env):
    """Delete the escalation actions, then the collection cases, before Odoo
    removes the addon's data: an action may not lose its case, nor a case its
    stage (ondelete restrict), and the seeded stages go with the addon's other
    data records, before its tables. The actions are the audit trail, kept
    while the addon is installed (the uninstall flag lifts that); their fee
    invoices are Odoo's own journal entries and stay. The tables are dropped
    by the uninstall anyway."""
    env = env(
        context=dict(env.context, active_test=False, **{MODULE_UNINSTALL_FLAG: True})
    )
    env["credit.collection.action"].search([]).unlink()
    env["credit.collection.case"].search([]).unlink()
    keep_fee_product(env)
    # the exposure ledger's triggers live on Odoo's accounting tables: they go
    # before the ledger's table does
    env.cr.execute(DROP_SQL)


def keep_fee_product(env):
    """The late payment fee product stays when fee invoices use it (posted
    journal items may not lose their product): archived and no longer the
    addon's record, so the uninstall does not try to delete it."""
    product = env.ref(
        "account_credit_collection.product_late_payment_fee",
        raise_if_not_found=False,
    )
    if not product or not env["account.move.line"].search_count(
        [("product_id", "=", product.id)], limit=1
    ):
        return
    product.product_tmpl_id.active = False
    env["ir.model.data"].search(
        [
            ("module", "=", "account_credit_collection"),
            (
                "name",
                "in",
                (
                    "product_late_payment_fee",
                    "product_late_payment_fee_product_template",
                ),
            ),
        ]
    ).unlink()
