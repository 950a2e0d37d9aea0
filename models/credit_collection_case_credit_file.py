# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's credit file on its collection case: the payment habits in
the case's company and the customer's contact roles and preferences."""

from odoo import api, fields, models

HABIT_FIELDS = (
    "avg_days_to_pay",
    "days_beyond_terms",
    "days_beyond_terms_3m",
    "days_beyond_terms_6m",
    "days_beyond_terms_12m",
    "trend",
    "late_share",
    "largest_balance",
    "broken_promises",
    "suggested_policy_id",
    "suggestion_reason",
)


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    habit_id = fields.Many2one(
        "credit.payment.habit",
        string="Payment Habits",
        compute="_compute_habit_id",
        compute_sudo=True,
    )
    habit_avg_days_to_pay = fields.Float(compute="_compute_habit_id", compute_sudo=True)
    habit_days_beyond_terms = fields.Float(
        compute="_compute_habit_id", compute_sudo=True
    )
    habit_days_beyond_terms_3m = fields.Float(
        compute="_compute_habit_id", compute_sudo=True
    )
    habit_days_beyond_terms_6m = fields.Float(
        compute="_compute_habit_id", compute_sudo=True
    )
    habit_days_beyond_terms_12m = fields.Float(
        compute="_compute_habit_id", compute_sudo=True
    )
    habit_trend = fields.Selection(
        selection=lambda self: self.env["credit.payment.habit"]
        ._fields["trend"]
        ._description_selection(self.env),
        compute="_compute_habit_id",
        compute_sudo=True,
    )
    habit_late_share = fields.Float(compute="_compute_habit_id", compute_sudo=True)
    habit_largest_balance = fields.Monetary(
        compute="_compute_habit_id", compute_sudo=True
    )
    habit_broken_promises = fields.Integer(
        compute="_compute_habit_id", compute_sudo=True
    )
    habit_suggested_policy_id = fields.Many2one(
        "credit.collection.policy",
        string="Suggested Tier",
        compute="_compute_habit_id",
        compute_sudo=True,
    )
    habit_suggestion_reason = fields.Char(
        compute="_compute_habit_id", compute_sudo=True
    )
    credit_ap_contact_id = fields.Many2one(related="partner_id.credit_ap_contact_id")
    credit_decision_maker_id = fields.Many2one(
        related="partner_id.credit_decision_maker_id"
    )
    credit_preferred_channel = fields.Selection(
        related="partner_id.credit_preferred_channel"
    )
    credit_file_note = fields.Text(related="partner_id.credit_file_note")

    @api.depends("partner_id", "company_id")
    def _compute_habit_id(self):
        habits = self.env["credit.payment.habit"].search(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
            ]
        )
        by_key = {(h.partner_id, h.company_id): h for h in habits}
        for case in self:
            habit = by_key.get((case.partner_id, case.company_id), habits[:0])
            case.habit_id = habit
            for name in HABIT_FIELDS:
                case[f"habit_{name}"] = habit[name]

    def action_apply_tier_suggestion(self):
        self.ensure_one()
        return self.habit_id.action_apply_suggestion()

    def action_dismiss_tier_suggestion(self):
        self.ensure_one()
        return self.habit_id.action_dismiss_suggestion()
