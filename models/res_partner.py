# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_amount

from . import credit_rules
from .clock import credit_today
from .credit_exposure import (
    check_figures,
    customer_exposures,
    empty_exposure,
    exposure_from_row,
)
from .money import money_formatter
from .unmatched_payments import unmatched_payments


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
    credit_last_contact_date = fields.Datetime(
        string="Last Contact", compute="_compute_credit_case_id", compute_sudo=True
    )
    credit_open_promise_count = fields.Integer(
        string="Open Promises to Pay",
        compute="_compute_credit_case_id",
        compute_sudo=True,
    )

    def write(self, vals):
        if {"credit_policy_id", "credit_prepayment_only"} & set(vals):
            self.env["credit.hold"]._check_manager()
        return super().write(vals)

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

    # --------------------------------------------------------------- exposure
    def _credit_exposure(self, company, exclude_order=None):
        """Exposure of the commercial partners ``self`` in ``company``
        (``credit_exposure.customer_exposures``): {partner_id: figures}."""
        return customer_exposures(
            self.env,
            self.commercial_partner_id.ids,
            company,
            credit_today(self.env, company),
            exclude_order.ids if exclude_order else (),
        )

    # ----------------------------------------------------------------- rules
    def _credit_policy(self, company, default=None):
        """The customer's tier in ``company``: its own, else ``default`` (the
        company's default tier, looked up when not given)."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(company).sudo()
        return (
            partner.credit_policy_id
            or default
            or self.env["credit.collection.policy"]._get_default(company)
        )

    def _credit_evaluate(
        self,
        company,
        exposure=None,
        order=None,
        order_amount=0.0,
        hints=True,
        batch=None,
    ):
        """The hold rules that fire for this commercial partner in ``company``
        (``credit_rules.evaluate``).

        :param order: the sale order being confirmed (its amount counts in the
            exposure for the credit-limit rule)
        :param hints: compute "what would release it" (lists the overdue
            invoices: one more query); the confirmation path skips them unless
            it refuses the order
        :param batch: figures read once for many partners by
            ``_credit_batch_data`` (default policy, cases, manual holds, broken
            promises), so that a batch costs no query per partner
        :return: list of reason dicts, blocking ones first
        """
        self.ensure_one()
        if batch is not None and self.id in (batch.get("partner_values") or {}):
            partner = self.with_company(company).sudo()  # a commercial partner
        else:
            partner = self.commercial_partner_id.with_company(company).sudo()
        if batch is None:
            # one partner (confirmation, posting): one round trip
            _partner, data_exposure, batch = partner._credit_check_data(company)
            exposure = data_exposure if exposure is None else exposure
        ctx = credit_rules.RuleContext(
            self.env,
            company,
            credit_today(self.env, company),
            hints,
            batch.get("money"),
        )
        params = partner._credit_batch_params(company, batch)
        figures = partner._credit_figures(company, batch, exposure, order_amount)
        if params.use_broken_promises:
            broken = batch["broken_promises"]
            if broken is None:  # a lazy batch: read when the tier needs it
                broken = partner._credit_broken_promise_counts(company)
            figures.broken_promises = broken.get(partner.id, 0)
        return credit_rules.evaluate(ctx, params, figures)

    def _credit_batch_params(self, company, batch):
        """The rule settings of this commercial partner's tier, from the batch
        when read there (a named tuple, cached per write date)."""
        params = (batch.get("params") or {}).get(self.id)
        if params is None:
            tier = self._credit_policy(company, batch["default_policy"])
            params = tier._credit_params()
        return params

    def _credit_figures(self, company, batch, exposure, order_amount):
        """This commercial partner's ``credit_rules.Figures`` from the batch."""
        values = (batch.get("partner_values") or {}).get(self.id)
        if exposure is None:
            exposure = self._credit_exposure(company).get(self.id) or empty_exposure()
        return credit_rules.Figures(
            partner=self,
            exposure=exposure,
            values=values or self._credit_partner_values(company),
            order_amount=order_amount,
            case=batch["cases"].get(self.id, self.env["credit.collection.case"]),
            manual_holds=batch["manual_holds"].get(self.id, self.env["credit.hold"]),
        )

    def _credit_batch_data(self, company, lazy=False):
        """What the hold rules read besides the exposure, for the commercial
        partners ``self`` in ``company``: a few queries for the whole batch.
        ``lazy`` (one partner being confirmed): the default tier and the broken
        promises are looked up only if the partner's tier needs them."""
        partners = self.commercial_partner_id
        if lazy and len(partners) == 1:
            return partners._credit_check_data(company)[2]
        cases = (
            self.env["credit.collection.case"]
            .sudo()
            .search(
                [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
            )
        )
        holds = (
            self.env["credit.hold"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "=", company.id),
                    ("origin", "=", "manual"),
                    ("state", "in", ("active", "overridden")),
                ]
            )
        )
        return {
            "default_policy": (
                None
                if lazy
                else self.env["credit.collection.policy"]._get_default(company)
            ),
            "cases": {case.partner_id.id: case for case in cases},
            "manual_holds": {
                partner.id: records
                for partner, records in holds.grouped("partner_id").items()
            },
            "broken_promises": (
                None if lazy else partners._credit_broken_promise_counts(company)
            ),
            "money": money_formatter(self.env, company.currency_id),
        }

    def _credit_check_data(self, company, exclude_order=None, lock=False):
        """The commercial partner of ``self``, its exposure and its
        ``_credit_batch_data`` in one round trip (the confirmation path):
        PL/pgSQL function ``credit_check_figures``
        (models/credit_exposure_entry.py), whose plan is cached for the
        session. ``lock`` first takes the customer's confirmation lock.
        Returns (commercial partner, exposure, batch)."""
        self.ensure_one()
        env = self.env
        today = credit_today(env, company)
        row = check_figures(
            env,
            self.id,
            company,
            today,
            today - timedelta(days=365),
            exclude_order.ids if exclude_order else (),
            lock,
        )
        partner = self.browse(row["partner_id"])
        exposure = exposure_from_row(row, today, company)
        # only a case in a hold stage (or read by the amount-at-risk rule)
        # gives a reason: the others are not read
        Case = env["credit.collection.case"].sudo()
        Hold = env["credit.hold"].sudo()
        Policy = env["credit.collection.policy"]
        case_id, hold_ids, broken = row["case_id"], row["hold_ids"], row["broken"]
        values = partner._credit_partner_values(company, row)
        params = Policy._credit_rule_params(
            values["policy_id"],
            # None: a tier given by a default value (checked, not cached)
            row["policy_stamp"] if row["raw_policy"] is not None else None,
        )
        if not params.id:  # no tier of its own: the company's default
            params = Policy._credit_rule_params(
                row["default_policy_id"], row["default_policy_stamp"]
            )
        batch = {
            "default_policy": Policy.sudo().browse(row["default_policy_id"] or []),
            "params": {partner.id: params},
            "partner_values": {partner.id: values},
            "cases": {partner.id: Case.browse(case_id)} if case_id else {},
            "manual_holds": {partner.id: Hold.browse(hold_ids)} if hold_ids else {},
            "broken_promises": {partner.id: broken} if broken else {},
        }
        return partner, exposure, batch

    def _credit_partner_values(self, company, row=None):
        """The customer's own credit settings in ``company``: tier id,
        prepayment only, credit limit and whether it has its own limit. From
        the raw JSON of ``credit_check_figures`` when ``row`` is given (Odoo's
        fallback applied as the ORM does), else through the ORM."""
        self.ensure_one()
        partner = self.with_company(company).sudo()
        if row is None:
            return {
                "policy_id": partner.credit_policy_id.id,
                "prepayment": partner.credit_prepayment_only,
                "limit": partner.credit_limit,
                "use_limit": partner.use_partner_credit_limit,
            }
        fields_ = partner._fields

        def value(name, raw):
            if raw is None:  # not set for this company: Odoo's fallback
                fallback = fields_[name].get_company_dependent_fallback(partner)
                return fallback.id if name == "credit_policy_id" else fallback
            return json.loads(raw)

        # the fallback is also what tells an own limit from none (as Odoo's
        # use_partner_credit_limit): looked up once
        limit_fallback = fields_["credit_limit"].get_company_dependent_fallback(partner)
        raw_limit = row["raw_limit"]
        limit = (
            json.loads(raw_limit) if raw_limit is not None else limit_fallback
        ) or 0.0
        return {
            "policy_id": value("credit_policy_id", row["raw_policy"]) or False,
            "prepayment": bool(value("credit_prepayment_only", row["raw_prepayment"])),
            "limit": limit,
            "use_limit": limit != limit_fallback,
        }

    def _credit_broken_promise_counts(self, company):
        """{partner id: promises to pay broken in the last 12 months}"""
        today = credit_today(self.env, company)
        groups = (
            self.env["credit.promise"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "broken"),
                    ("date", ">=", today - timedelta(days=365)),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        return {partner.id: count for partner, count in groups}

    def _credit_unmatched_payments(self, company):
        """{commercial partner id: "PAY/…, BNK/…"} of the incoming payments
        and bank statement lines of these customers not matched to invoices
        yet (``unmatched_payments.py``): a reminder waits until they are."""
        return unmatched_payments(self.env, self.commercial_partner_id.ids, company)

    # ----------------------------------------------------------------- holds
    def _credit_sync_holds(self, company):
        """Sync the automatic holds of these customers (``credit.hold``)."""
        self.env["credit.hold"]._sync_partners(self, company)

    # ---------------------------------------------------------------- actions
    def action_view_credit_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_credit_collection.credit_hold_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_filter_open": 1}
        return action
