# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from .models.credit_exposure_entry import DROP_SQL


def post_init_hook(env):
    """Seed the standard credit tiers and collectability curves of every
    existing company (companies created later get theirs on creation)."""
    companies = env["res.company"].with_context(active_test=False).search([])
    env["credit.collection.policy"]._create_default_tiers(companies)
    env["credit.collectability.curve"]._create_default_curves(companies)
    env["credit.application.criterion"]._create_default_criteria(companies)


def uninstall_hook(env):
    """Delete the collection cases before Odoo removes the addon's data: a
    case's stage may not be deleted under it (ondelete restrict), and the
    seeded stages go with the addon's other data records, before its tables.
    The cases' table is dropped by the uninstall anyway."""
    env["credit.collection.case"].with_context(active_test=False).search([]).unlink()
    # the exposure ledger's triggers live on Odoo's accounting tables: they go
    # before the ledger's table does
    env.cr.execute(DROP_SQL)
