# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_amount

from . import credit_rules
from .credit_exposure import (
    empty_exposure,
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_policy_id = fields.Many2one(
        "credit.collection.policy",
        string="Credit Tier",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Hold rules for this customer in the current company. Empty: the "
        "company's default tier.",
    )
    credit_prepayment_only = fields.Boolean(
        string="Prepayment Only",
        company_dependent=True,
        help="This customer gets no credit in the current company: orders are "
        "confirmed only when paid in advance.",
    )
    credit_hold_ids = fields.One2many(
        "credit.hold", "partner_id", string="Credit Holds"
    )
    credit_hold_count = fields.Integer(
        compute="_compute_credit_hold_state", compute_sudo=True
    )
    credit_on_hold = fields.Boolean(
        string="On Credit Hold",
        compute="_compute_credit_hold_state",
        compute_sudo=True,
        search="_search_credit_on_hold",
    )
    credit_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_credit_over_limit",
        compute_sudo=True,
        search="_search_credit_over_limit",
        help="The credit-limit rule of the customer's tier fires in the current "
        "company: its exposure is above its own limit, or the tier's default "
        "limit when it has none.",
    )
    credit_exposure = fields.Monetary(
        compute="_compute_credit_overview",
        compute_sudo=True,
        currency_field="credit_currency_id",
        help="Posted receivables (due and not yet due), draft invoices and "
        "confirmed orders not yet invoiced, less unapplied credits and payments, "
        "in the current company's currency.",
    )
    credit_exposure_overdue = fields.Monetary(
        string="Overdue",
        compute="_compute_credit_overview",
        compute_sudo=True,
        currency_field="credit_currency_id",
    )
    credit_oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (days)",
        compute="_compute_credit_overview",
        compute_sudo=True,
    )
    credit_overview_html = fields.Html(
        compute="_compute_credit_overview", compute_sudo=True, sanitize=False
    )
    credit_currency_id = fields.Many2one(
        "res.currency", compute="_compute_credit_currency"
    )
    credit_case_id = fields.Many2one(
        "credit.collection.case",
        string="Collection Case",
        compute="_compute_credit_case_id",
        compute_sudo=True,
    )
    credit_case_stage_id = fields.Many2one(
        "credit.collection.stage",
        string="Collection Stage",
        compute="_compute_credit_case_id",
        compute_sudo=True,
    )
    credit_case_aging_html = fields.Html(
        string="Open Items by Age",
        compute="_compute_credit_case_id",
        compute_sudo=True,
        sanitize=False,
    )
    credit_last_contact_date = fields.Date(
        string="Last Human Contact",
        compute="_compute_credit_case_id",
        compute_sudo=True,
    )
    credit_open_promise_count = fields.Integer(
        string="Open Promises to Pay",
        compute="_compute_credit_case_id",
        compute_sudo=True,
    )

    # ------------------------------------------------------------------ computes
    @api.depends_context("company")
    def _compute_credit_currency(self):
        self.credit_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_credit_case_id(self):
        cases = (
            self.env["credit.collection.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ]
            )
        )
        by_partner = {case.partner_id: case for case in cases}
        for partner in self:
            case = by_partner.get(partner.commercial_partner_id, cases.browse())
            partner.credit_case_id = case
            partner.credit_case_stage_id = case.stage_id
            partner.credit_case_aging_html = case.open_items_html if case else False
            partner.credit_last_contact_date = case.last_contact_date if case else False
            partner.credit_open_promise_count = len(
                case.promise_ids.filtered(lambda p: p.state == "open")
            )

    @api.depends_context("company")
    def _compute_credit_hold_state(self):
        company = self.env.company
        commercial = self.commercial_partner_id
        groups = dict(
            self.env["credit.hold"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", commercial.ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "active"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            count = groups.get(partner.commercial_partner_id, 0)
            partner.credit_hold_count = count
            partner.credit_on_hold = bool(count)

    def _search_credit_on_hold(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        holds = (
            self.env["credit.hold"]
            .sudo()
            ._search(
                [("company_id", "=", self.env.company.id), ("state", "=", "active")]
            )
        )
        positive = (operator == "=") == value
        return [
            (
                "commercial_partner_id",
                "in" if positive else "not in",
                holds.select("partner_id"),
            )
        ]

    @api.depends_context("company")
    def _compute_credit_over_limit(self):
        company = self.env.company
        partners = self.commercial_partner_id.with_company(company)
        exposures = partners._credit_exposure(company)
        batch = partners._credit_batch_data(company)
        over = {
            partner.id
            for partner in partners
            if any(
                r["rule"] == "limit"
                for r in partner._credit_evaluate(
                    company,
                    exposure=exposures.get(partner.id) or empty_exposure(),
                    batch=batch,
                    hints=False,
                )
            )
        }
        for partner in self:
            partner.credit_over_limit = partner.commercial_partner_id.id in over

    def _search_credit_over_limit(self, operator, value):
        """The customers over their credit limit in the current company, in
        one SQL statement (the "who is over the limit" question on a whole
        book): the credit-limit rule of ``_credit_evaluate``, written in SQL
        over the exposure ledger. Same answer as the compute (tested)."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        company = self.env.company
        positive = (operator == "=") == value
        return [
            (
                "commercial_partner_id",
                "in" if positive else "not in",
                credit_rules.over_limit_sql(self.env, company),
            )
        ]

    @api.depends_context("company")
    def _compute_credit_overview(self):
        company = self.env.company
        exposures = self.commercial_partner_id._credit_exposure(company)
        for partner in self:
            exp = exposures.get(partner.commercial_partner_id.id) or empty_exposure()
            partner.credit_exposure = exp["total"]
            partner.credit_exposure_overdue = exp["overdue"]
            partner.credit_oldest_overdue_days = exp["oldest_overdue_days"]
            partner.credit_overview_html = partner._credit_overview_html(exp, company)

    def _credit_overview_html(self, exp, company):
        currency = company.currency_id
        rows = [
            (self.env._("Not yet due"), exp["not_due"]),
            (self.env._("Overdue"), exp["overdue"]),
            (self.env._("Unapplied credits and payments"), exp["credits"]),
            (self.env._("Payments being processed"), exp["in_payment"]),
            (self.env._("Draft invoices"), exp["draft"]),
            (self.env._("Orders not yet invoiced"), exp["orders"]),
            (self.env._("of which disputed"), exp["disputed"]),
        ]
        body = Markup("").join(
            Markup('<tr><td>%s</td><td class="text-end">%s</td></tr>')
            % (label, format_amount(self.env, amount, currency))
            for label, amount in rows
        )
        total = Markup(
            '<tr class="fw-bold"><td>%s</td><td class="text-end">%s</td></tr>'
        ) % (
            self.env._("Exposure"),
            format_amount(self.env, exp["total"], currency),
        )
        return Markup(
            '<table class="table table-sm o_credit_overview">%s%s</table>'
        ) % (
            body,
            total,
        )

    # ---------------------------------------------------------------- actions
    def action_view_credit_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_credit_collection.credit_hold_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_filter_open": 1}
        return action
