# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["credit.collection.policy"]._create_default_tiers(companies)
        self.env["credit.collectability.curve"]._create_default_curves(companies)
        return companies

    def _credit_seed_missing(self, model_name, values):
        """Create the records ``values(company)`` of ``model_name`` for the
        companies of ``self`` that have none (archived ones count)."""
        Model = self.env[model_name].sudo()
        existing = set(
            Model.with_context(active_test=False)
            .search([("company_id", "in", self.ids)])
            .company_id.ids
        )
        return Model.create(
            [
                vals
                for company in self
                if company.id not in existing
                for vals in values(company)
            ]
        )
