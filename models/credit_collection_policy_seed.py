# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The credit tiers every company starts with: Standard (the default),
Strategic, New customer and Prepayment only."""

from odoo import api, models

# the seeded New customer tier (the tier of unvetted customers)
NEW_CUSTOMER_SEQUENCE = 30


class CreditCollectionPolicy(models.Model):
    _inherit = "credit.collection.policy"

    @api.model
    def _create_default_tiers(self, companies):
        """Seed the standard tiers for companies that have none; their New
        customer tier is the tier of customers created without an approved
        credit application (``credit_unvetted_policy_id``)."""
        tiers = companies._credit_seed_missing(self._name, self._default_tier_values)
        for tier in tiers.filtered(lambda t: t.sequence == NEW_CUSTOMER_SEQUENCE):
            if not tier.company_id.credit_unvetted_policy_id:
                tier.company_id.sudo().credit_unvetted_policy_id = tier
        return tiers

    @api.model
    def _default_tier_values(self, company):
        return [
            {
                "name": self.env._("Standard"),
                "sequence": 10,
                "company_id": company.id,
                "is_default": True,
                "description": self.env._(
                    "Credit limit enforced; hold when an item is more than 60 days "
                    "overdue; warn from 1,000 overdue."
                ),
                "use_credit_limit": True,
                "credit_limit_mode": "block",
                "use_overdue_days": True,
                "overdue_days_threshold": 60,
                "overdue_days_mode": "block",
                "use_overdue_amount": True,
                "overdue_amount_threshold": 1000.0,
                "overdue_amount_mode": "warn",
                "use_broken_promises": True,
                "broken_promises_threshold": 1,
                "broken_promises_mode": "block",
            },
            {
                "name": self.env._("Strategic"),
                "sequence": 20,
                "company_id": company.id,
                "description": self.env._(
                    "Key accounts: every rule only warns; the credit team follows "
                    "up personally."
                ),
                "use_credit_limit": True,
                "credit_limit_mode": "warn",
                "use_overdue_days": True,
                "overdue_days_threshold": 90,
                "overdue_days_mode": "warn",
            },
            {
                "name": self.env._("New customer"),
                "sequence": NEW_CUSTOMER_SEQUENCE,
                "company_id": company.id,
                "description": self.env._(
                    "Customers without an approved credit application: a low "
                    "default limit, payment terms of 30 days at most and no "
                    "overdue item older than 15 days."
                ),
                "use_credit_limit": True,
                "credit_limit_mode": "block",
                "default_credit_limit": 5000.0,
                "use_payment_term": True,
                "max_payment_term_days": 30,
                "payment_term_mode": "block",
                "use_overdue_days": True,
                "overdue_days_threshold": 15,
                "overdue_days_mode": "block",
            },
            {
                "name": self.env._("Prepayment only"),
                "sequence": 40,
                "company_id": company.id,
                "description": self.env._(
                    "No credit: orders are confirmed only when paid in advance "
                    "(online, or by money received: a transfer, a credit note); "
                    "their invoices are posted, other invoices only when paid."
                ),
                "is_prepayment_only": True,
                "use_credit_limit": False,
                "block_invoice_posting": True,
            },
        ]
