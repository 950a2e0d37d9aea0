# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models, tools


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_unvetted_policy_id = fields.Many2one(
        "credit.collection.policy",
        string="Tier of Unvetted Customers",
        domain="[('company_id', '=', id)]",
        help="The credit tier of customers created without an approved credit "
        "application (New customer: a low default limit; Prepayment only: no "
        "credit at all). Customers that existed before the setting keep "
        "theirs. Empty: new customers get the default tier.",
    )
    credit_application_threshold = fields.Monetary(
        string="Second Approval Above",
        currency_field="currency_id",
        default=50000.0,
        help="A credit application for a limit above this amount needs a "
        "second approver from the group below, after a Collections Manager.",
    )
    credit_application_group_id = fields.Many2one(
        "res.groups",
        string="Second Approvers",
        help="Who gives the second approval of large credit applications "
        "(empty: Collections Managers; never the first approver or the "
        "requester).",
    )
    credit_review_months = fields.Integer(
        string="Credit Review (months)",
        default=12,
        help="An approved credit application sets the customer's next credit "
        "review this many months later; 0: no review date.",
    )
    credit_review_lapse_reset = fields.Boolean(
        string="Lapsed Review Resets the Limit",
        help="When a customer's credit review date has passed by a month "
        "without a new approved application, the customer goes back to its "
        "tier's default limit.",
    )
    credit_worklist_horizon_days = fields.Integer(
        string="Worklist Horizon (days)",
        default=30,
        help="The collectors' worklist ranks every case on what its chaseable "
        "items (past due, not disputed, not under an open promise) lose on the "
        "collectability curve over this many days, the same for every case.",
    )

    # write-off (models/credit_writeoff.py)
    credit_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        domain="[('account_type', 'in', ('expense', 'asset_current')), "
        "('company_ids', 'in', id)]",
        help="Where written-off receivables are booked: the bad-debt expense "
        "account, or the allowance for doubtful accounts. The write-off "
        "wizard proposes it.",
    )
    credit_writeoff_journal_id = fields.Many2one(
        "account.journal",
        string="Write-off Journal",
        domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="The miscellaneous journal of the write-off entries (empty: the "
        "company's first miscellaneous journal).",
    )
    credit_writeoff_threshold = fields.Monetary(
        string="Second Approval of Write-offs Above",
        currency_field="currency_id",
        default=5000.0,
        help="A write-off of more than this amount (company currency) is a "
        "request until a second Collections Manager, not the requester, "
        "approves it.",
    )
    credit_recovery_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Recovery Account",
        domain="[('account_type', 'in', ('income', 'income_other')), "
        "('company_ids', 'in', id)]",
        help="The income account credited when money comes in on written-off debt.",
    )

    _credit_worklist_horizon_positive = models.Constraint(
        "CHECK (credit_worklist_horizon_days > 0)",
        "The worklist horizon is at least one day.",
    )
    _credit_writeoff_threshold_positive = models.Constraint(
        "CHECK (credit_writeoff_threshold >= 0)",
        "The write-off approval threshold cannot be negative.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["credit.collection.policy"]._create_default_tiers(companies)
        self.env["credit.collectability.curve"]._create_default_curves(companies)
        self.env["credit.application.criterion"]._create_default_criteria(companies)
        return companies

    @api.model
    @tools.ormcache("company_id")
    def _credit_timezone(self, company_id):
        """The time zone of the company's address (``clock.credit_today``),
        cached: a partner's time zone written clears it."""
        return self.sudo().browse(company_id).partner_id.tz or False

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


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        if "tz" in vals:
            # a company's time zone is its rules' today (_credit_timezone)
            self.env.registry.clear_cache()
        return super().write(vals)
