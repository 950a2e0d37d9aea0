# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's credit file: its payment habits and tier suggestion in the
current company (credit_payment_habit.py), its contact roles, preferred
channel and notes."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# the partner's fields showing the current company's habits
HABIT_FIELDS = {
    "credit_habit_avg_days_to_pay": "avg_days_to_pay",
    "credit_habit_days_beyond_terms": "days_beyond_terms",
    "credit_habit_days_beyond_terms_3m": "days_beyond_terms_3m",
    "credit_habit_days_beyond_terms_6m": "days_beyond_terms_6m",
    "credit_habit_days_beyond_terms_12m": "days_beyond_terms_12m",
    "credit_habit_trend": "trend",
    "credit_habit_late_share": "late_share",
    "credit_habit_largest_balance": "largest_balance",
    "credit_habit_broken_promises": "broken_promises",
    "credit_habit_date": "date_computed",
    "credit_suggested_policy_id": "suggested_policy_id",
    "credit_suggestion_reason": "suggestion_reason",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_ap_contact_id = fields.Many2one(
        "res.partner",
        string="Accounts Payable Contact",
        domain="[('id', 'child_of', commercial_partner_id), "
        "('id', '!=', commercial_partner_id)]",
        help="The contact of the customer who pays the invoices.",
    )
    credit_decision_maker_id = fields.Many2one(
        "res.partner",
        string="Decision Maker",
        domain="[('id', 'child_of', commercial_partner_id), "
        "('id', '!=', commercial_partner_id)]",
        help="The contact of the customer who decides on payments and disputes.",
    )
    credit_preferred_channel = fields.Selection(
        [
            ("email", "Email"),
            ("phone", "Phone"),
            ("letter", "Letter"),
            ("portal", "Portal"),
        ],
        string="Preferred Channel",
    )
    credit_file_note = fields.Text(string="Credit File Notes")
    credit_habit_id = fields.Many2one(
        "credit.payment.habit",
        string="Payment Habits",
        compute="_compute_credit_habit_id",
        compute_sudo=True,
    )
    credit_habit_avg_days_to_pay = fields.Float(
        string="Average Days to Pay",
        compute="_compute_credit_habit_id",
        compute_sudo=True,
    )
    credit_habit_days_beyond_terms = fields.Float(
        compute="_compute_credit_habit_id", compute_sudo=True
    )
    credit_habit_days_beyond_terms_3m = fields.Float(
        compute="_compute_credit_habit_id", compute_sudo=True
    )
    credit_habit_days_beyond_terms_6m = fields.Float(
        compute="_compute_credit_habit_id", compute_sudo=True
    )
    credit_habit_days_beyond_terms_12m = fields.Float(
        compute="_compute_credit_habit_id", compute_sudo=True
    )
    credit_habit_trend = fields.Selection(
        selection=lambda self: self.env["credit.payment.habit"]
        ._fields["trend"]
        ._description_selection(self.env),
        compute="_compute_credit_habit_id",
        compute_sudo=True,
    )
    credit_habit_late_share = fields.Float(
        compute="_compute_credit_habit_id", compute_sudo=True
    )
    credit_habit_largest_balance = fields.Monetary(
        compute="_compute_credit_habit_id",
        compute_sudo=True,
        currency_field="credit_currency_id",
    )
    credit_habit_broken_promises = fields.Integer(
        compute="_compute_credit_habit_id", compute_sudo=True
    )
    credit_habit_date = fields.Date(
        compute="_compute_credit_habit_id", compute_sudo=True
    )
    credit_suggested_policy_id = fields.Many2one(
        "credit.collection.policy",
        string="Suggested Tier",
        compute="_compute_credit_habit_id",
        compute_sudo=True,
    )
    credit_suggestion_reason = fields.Char(
        compute="_compute_credit_habit_id", compute_sudo=True, string="Why"
    )
    credit_tier_suggested = fields.Boolean(
        string="Tier Suggestion",
        compute="_compute_credit_habit_id",
        compute_sudo=True,
        search="_search_credit_tier_suggested",
    )

    @api.depends_context("company")
    def _compute_credit_habit_id(self):
        habits = self.env["credit.payment.habit"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ]
        )
        by_partner = {habit.partner_id: habit for habit in habits}
        for partner in self:
            habit = by_partner.get(partner.commercial_partner_id, habits.browse())
            partner.credit_habit_id = habit
            partner.credit_tier_suggested = bool(habit.suggested_policy_id)
            for name, habit_name in HABIT_FIELDS.items():
                partner[name] = habit[habit_name]

    def _search_credit_tier_suggested(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        habits = (
            self.env["credit.payment.habit"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.env.company.id),
                    ("suggested_policy_id", "!=", False),
                ]
            )
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", habits.partner_id.ids)]

    @api.constrains("credit_ap_contact_id", "credit_decision_maker_id")
    def _check_credit_contact_roles(self):
        for partner in self:
            for contact in (
                partner.credit_ap_contact_id | partner.credit_decision_maker_id
            ):
                if (
                    contact == partner.commercial_partner_id
                    or contact.commercial_partner_id != partner.commercial_partner_id
                ):
                    raise ValidationError(
                        self.env._(
                            "%(contact)s is not a contact of %(customer)s: the "
                            "accounts-payable contact and the decision maker are "
                            "contacts (children) of the customer.",
                            contact=contact.display_name,
                            customer=partner.commercial_partner_id.display_name,
                        )
                    )

    def action_credit_apply_tier_suggestion(self):
        self.ensure_one()
        return self.commercial_partner_id.credit_habit_id.action_apply_suggestion()

    def action_credit_dismiss_tier_suggestion(self):
        self.ensure_one()
        return self.commercial_partner_id.credit_habit_id.action_dismiss_suggestion()
