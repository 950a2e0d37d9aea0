# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shipped tier suggestion rules for the companies that had their tiers
before 19.0.1.3.0 (new companies get them with their tiers)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    companies = env["res.company"].with_context(active_test=False).search([])
    env["credit.tier.suggestion.rule"]._create_default_rules(companies)
