# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, format_date

from .clock import credit_today
from .credit_exposure import (
    check_figures,
    customer_exposures,
    empty_exposure,
    exposure_from_row,
    flush_exposure_sources,
    open_documents_sql,
)
from .money import money_formatter
from .open_items import item_domain

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
                self._credit_over_limit_sql(company),
            )
        ]

    @api.model
    def _credit_over_limit_sql(self, company):
        """``SELECT partner_id`` of the commercial partners whose exposure in
        ``company`` is above their limit (the credit-limit rule)."""
        env = self.env
        flush_exposure_sources(env)
        env["res.partner"].flush_model(["credit_policy_id", "credit_limit"])
        env["credit.collection.policy"].flush_model()
        partner = self.with_company(company)
        fallback_policy = partner._fields[
            "credit_policy_id"
        ].get_company_dependent_fallback(partner)
        fallback_limit = partner._fields["credit_limit"].get_company_dependent_fallback(
            partner
        )
        key = str(company.id)
        documents = open_documents_sql(
            company=SQL("%s", company.id),
            partner_is=SQL("IS NOT NULL"),
            exclude=SQL("%s", []),
        )
        return SQL(
            """
        WITH exposure AS (
            SELECT parts.partner_id,
                   ROUND(SUM(parts.amount), %(digits)s) AS total,
                   SUM(parts.disputed) AS disputed
              FROM (
                SELECT entry.partner_id,
                       entry.residual_pos + entry.residual_neg AS amount,
                       entry.disputed
                  FROM credit_exposure_entry entry
                 WHERE entry.company_id = %(company)s
             UNION ALL
                SELECT documents.partner_id, documents.amount, 0
                  FROM (%(documents)s) documents
              ) parts
          GROUP BY parts.partner_id
        ), default_tier AS (
            SELECT policy.id
              FROM credit_collection_policy policy
             WHERE policy.company_id = %(company)s
               AND policy.is_default
               AND policy.active
          ORDER BY policy.sequence, policy.id
             LIMIT 1
        ), customer AS (
            SELECT exposure.*,
                   -- Odoo's company-dependent fallback when not set
                   CASE WHEN partner.credit_policy_id ? %(key)s
                        THEN (partner.credit_policy_id ->> %(key)s)::integer
                        ELSE %(fallback_policy)s END AS own_tier_id,
                   CASE WHEN partner.credit_limit ? %(key)s
                        THEN COALESCE((partner.credit_limit ->> %(key)s)::numeric, 0)
                        ELSE %(fallback_limit)s END AS own_limit
              FROM exposure
              JOIN res_partner partner ON partner.id = exposure.partner_id
        ), rule AS (
            SELECT customer.partner_id,
                   customer.total
                   - CASE WHEN tier.count_disputed THEN 0
                          ELSE COALESCE(customer.disputed, 0) END AS total,
                   customer.own_limit <> %(fallback_limit)s AS use_own,
                   CASE WHEN customer.own_limit <> %(fallback_limit)s
                        THEN customer.own_limit
                        ELSE COALESCE(tier.default_credit_limit, 0) END AS lim
              FROM customer
              LEFT JOIN credit_collection_policy own_tier
                ON own_tier.id = customer.own_tier_id
              JOIN credit_collection_policy tier
                ON tier.id = COALESCE(own_tier.id, (SELECT id FROM default_tier))
             WHERE tier.use_credit_limit
        )
        SELECT rule.partner_id
          FROM rule
         WHERE (rule.use_own OR rule.lim > 0)
           AND ROUND(rule.total - rule.lim, %(digits)s) > 0
            """,
            documents=documents,
            company=company.id,
            key=key,
            digits=company.currency_id.decimal_places,
            fallback_policy=fallback_policy.id or None,
            fallback_limit=fallback_limit or 0.0,
        )

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
        """The hold rules that fire for this commercial partner in ``company``.

        :param order: the sale order being confirmed (its amount counts in the
            exposure for the credit-limit rule)
        :param hints: compute "what would release it" (lists the overdue
            invoices: one more query); the confirmation path skips them unless
            it refuses the order
        :param batch: figures read once for many partners by
            ``_credit_batch_data`` (default policy, cases, manual holds, broken
            promises), so that a batch costs no query per partner
        :return: list of reason dicts (rule, mode, name, measured, threshold,
            is_amount, hint), blocking ones first
        """
        self.ensure_one()
        if batch is not None and self.id in (batch.get("partner_values") or {}):
            partner = self.with_company(company).sudo()  # a commercial partner
        else:
            partner = self.commercial_partner_id.with_company(company).sudo()
        if batch is None:
            # one partner (confirmation, posting): one round trip
            _partner, data_exposure, batch = partner._credit_check_data(company)
            if exposure is None:
                exposure = data_exposure
        policy = (batch.get("params") or {}).get(partner.id)
        if policy is None:
            # the tier's rule settings (a named tuple, cached per write date)
            policy = partner._credit_policy(
                company, batch["default_policy"]
            )._credit_params()
        values = (batch.get("partner_values") or {}).get(
            partner.id
        ) or partner._credit_partner_values(company)
        if exposure is None:
            exposure = (
                partner._credit_exposure(company).get(partner.id) or empty_exposure()
            )
        currency = company.currency_id
        today = credit_today(self.env, company)
        if not policy.count_disputed and exposure["disputed"]:
            exposure = dict(
                exposure,
                total=exposure["total"] - exposure["disputed"],
                overdue=exposure["overdue"] - exposure["disputed_overdue"],
            )

        formatter = batch.get("money")

        def money(amount):
            # the formatter reads the language: only when a rule fires
            nonlocal formatter
            if formatter is None:
                formatter = money_formatter(self.env, currency)
            return formatter(amount)

        reasons = []
        if policy.is_prepayment_only or values["prepayment"]:
            reasons.append(
                {
                    "rule": "prepayment",
                    "mode": "block",
                    "name": self.env._("Customer is on prepayment only"),
                    "is_amount": False,
                    "hint": self.env._(
                        "get the order paid in advance (online payment on the "
                        "quotation)"
                    ),
                }
            )
        if policy.use_credit_limit:
            if values["use_limit"]:
                limit = values["limit"]
            else:
                limit = policy.default_credit_limit or 0.0
            has_limit = values["use_limit"] or limit > 0
            total = exposure["total"] + order_amount
            if has_limit and currency.compare_amounts(total, limit) > 0:
                excess = total - limit
                reasons.append(
                    {
                        "rule": "limit",
                        "mode": policy.credit_limit_mode,
                        "name": self.env._(
                            "Credit limit %(limit)s — exposure %(exposure)s",
                            limit=money(limit),
                            exposure=money(total),
                        ),
                        "measured": total,
                        "threshold": limit,
                        "hint": self.env._(
                            "reduce the exposure by %(excess)s (payments, smaller "
                            "order) or get the limit raised",
                            excess=money(excess),
                        ),
                    }
                )
        overdue_items = None
        if policy.use_overdue_amount and (
            currency.compare_amounts(
                exposure["overdue"], policy.overdue_amount_threshold
            )
            > 0
        ):
            overdue_items = (
                partner._credit_overdue_items(company, today) if hints else []
            )
            excess = exposure["overdue"] - policy.overdue_amount_threshold
            reasons.append(
                {
                    "rule": "overdue_amount",
                    "mode": policy.overdue_amount_mode,
                    "name": self.env._(
                        "Overdue %(overdue)s — allowed %(threshold)s",
                        overdue=money(exposure["overdue"]),
                        threshold=money(policy.overdue_amount_threshold),
                    ),
                    "measured": exposure["overdue"],
                    "threshold": policy.overdue_amount_threshold,
                    "hint": partner._credit_pay_hint(overdue_items, excess, currency),
                }
            )
        if (
            policy.use_overdue_days
            and exposure["oldest_overdue_days"] > policy.overdue_days_threshold
        ):
            if overdue_items is None:
                overdue_items = (
                    partner._credit_overdue_items(company, today) if hints else []
                )
            late = [
                item
                for item in overdue_items
                if (today - item["due"]).days > policy.overdue_days_threshold
            ]
            reasons.append(
                {
                    "rule": "overdue_days",
                    "mode": policy.overdue_days_mode,
                    "name": self.env._(
                        "Oldest overdue item %(days)s days — allowed %(threshold)s",
                        days=exposure["oldest_overdue_days"],
                        threshold=policy.overdue_days_threshold,
                    ),
                    "measured": exposure["oldest_overdue_days"],
                    "threshold": policy.overdue_days_threshold,
                    "is_amount": False,
                    "hint": partner._credit_pay_hint(late, None, currency),
                }
            )
        reasons += partner._credit_standing_reasons(company, policy, batch)
        reasons.sort(key=lambda r: r["mode"] != "block")
        return reasons

    def _credit_standing_reasons(self, company, policy, batch):
        """Reasons that come from the customer's history rather than its
        figures: broken promises, a hold stage, manual holds."""
        partner = self
        reasons = []
        if policy.use_broken_promises:
            counts = batch["broken_promises"]
            if counts is None:
                counts = partner._credit_broken_promise_counts(company)
            broken = counts.get(partner.id, 0)
            if broken > policy.broken_promises_threshold:
                reasons.append(
                    {
                        "rule": "broken_promises",
                        "mode": policy.broken_promises_mode,
                        "name": self.env._(
                            "%(count)s broken promises to pay in 12 months — allowed "
                            "%(threshold)s",
                            count=broken,
                            threshold=policy.broken_promises_threshold,
                        ),
                        "measured": broken,
                        "threshold": policy.broken_promises_threshold,
                        "is_amount": False,
                        "hint": self.env._(
                            "pay the overdue items, or ask a credit manager to release "
                            "the hold"
                        ),
                    }
                )
        case = batch["cases"].get(partner.id, self.env["credit.collection.case"])
        if policy.use_amount_at_risk and case:
            # the case's figures on the collectability curve (kept up to date
            # with the stage): no query
            currency = company.currency_id
            at_risk = case.amount_residual - case.amount_expected
            threshold = policy.amount_at_risk_threshold
            if currency.compare_amounts(at_risk, threshold) > 0:
                reasons.append(
                    {
                        "rule": "amount_at_risk",
                        "mode": policy.amount_at_risk_mode,
                        "name": self.env._(
                            "Amount at risk %(at_risk)s (of %(residual)s due, by "
                            "age) — allowed %(threshold)s",
                            at_risk=format_amount(self.env, at_risk, currency),
                            residual=format_amount(
                                self.env, case.amount_residual, currency
                            ),
                            threshold=format_amount(self.env, threshold, currency),
                        ),
                        "measured": at_risk,
                        "threshold": threshold,
                        "hint": self.env._(
                            "pay the oldest items first: they carry the risk"
                        ),
                    }
                )
        if case.stage_id.is_hold:
            reasons.append(
                {
                    "rule": "stage",
                    "mode": "block",
                    "name": self.env._(
                        "Collection stage %(stage)s (worst item %(days)s days overdue)",
                        stage=case.stage_id.name,
                        days=case.worst_days_overdue,
                    ),
                    "measured": case.worst_days_overdue,
                    "threshold": case.stage_id.min_days_overdue,
                    "is_amount": False,
                    "hint": self.env._(
                        "pay the items more than %(days)s days overdue",
                        days=case.stage_id.min_days_overdue,
                    )
                    if not case.stage_id.is_manual
                    else self.env._("ask a credit manager to move the case"),
                }
            )
        manual = batch["manual_holds"].get(partner.id, self.env["credit.hold"])
        for hold in manual:
            reasons.append(
                {
                    "rule": "manual",
                    "mode": "block",
                    "name": self.env._(
                        "Manual hold by %(user)s: %(reason)s",
                        user=hold.user_id.name,
                        reason=hold.note,
                    ),
                    "is_amount": False,
                    "hint": self.env._("ask a credit manager to release the hold"),
                    "hold_id": hold.id,
                }
            )
        return reasons

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

    def _credit_overdue_items(self, company, today, limit=20):
        """Overdue open invoices of the partner, oldest first (for the hints)."""
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                item_domain(company, self.commercial_partner_id)
                & Domain("amount_residual", ">", 0)
                & Domain("date_maturity", "<", today),
                order="date_maturity, id",
                limit=limit,
            )
        )
        return [
            {
                "name": line.move_id.name,
                "due": line.date_maturity,
                "amount": line.amount_residual,
            }
            for line in lines
        ]

    def _credit_pay_hint(self, items, amount, currency):
        """ "pay 1,200.00 € overdue on INV/2026/0042, …"."""
        if not items:
            return ""
        if amount is not None:
            chosen, covered = [], 0.0
            for item in items:
                chosen.append(item)
                covered += item["amount"]
                if currency.compare_amounts(covered, amount) >= 0:
                    break
        else:
            chosen = items
        parts = [
            self.env._(
                "%(amount)s on %(invoice)s (due %(date)s)",
                amount=format_amount(self.env, item["amount"], currency),
                invoice=item["name"],
                date=format_date(self.env, item["due"]),
            )
            for item in chosen[:3]
        ]
        more = len(chosen) - 3
        text = self.env._("pay %(items)s", items=", ".join(parts))
        if more > 0:
            text += self.env._(" and %(count)s more overdue invoices", count=more)
        return text

    def _credit_unmatched_payments(self, company):
        """{commercial partner id: "PAY/…, BNK/…"} of the incoming customer
        payments and bank statement lines of ``company`` not matched to
        invoices yet: a reminder waits until they are."""
        partner_ids = self.commercial_partner_id.ids
        if not partner_ids:
            return {}
        self.env["account.payment"].flush_model(
            ["partner_id", "state", "is_reconciled", "payment_type", "partner_type"]
        )
        self.env["account.bank.statement.line"].flush_model(
            ["partner_id", "is_reconciled", "amount"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT partner.commercial_partner_id, move.name
              FROM account_payment pay
              JOIN res_partner partner ON partner.id = pay.partner_id
              LEFT JOIN account_move move ON move.id = pay.move_id
             WHERE pay.company_id = %(company)s
               AND partner.commercial_partner_id = ANY(%(partners)s)
               AND pay.payment_type = 'inbound'
               AND pay.partner_type = 'customer'
               AND pay.state IN ('in_process', 'paid')
               AND pay.is_reconciled IS NOT TRUE
               AND NOT EXISTS (SELECT 1 FROM account_move__account_payment rel
                                WHERE rel.payment_id = pay.id)
               AND (move.id IS NULL OR EXISTS (
                        SELECT 1 FROM account_move_line line
                          JOIN account_account account ON account.id = line.account_id
                         WHERE line.move_id = move.id
                           AND account.account_type = 'asset_receivable'
                           AND line.reconciled IS NOT TRUE))
             UNION ALL
            SELECT partner.commercial_partner_id, move.name
              FROM account_bank_statement_line st
              JOIN account_move move ON move.id = st.move_id
              JOIN res_partner partner ON partner.id = st.partner_id
             WHERE st.company_id = %(company)s
               AND partner.commercial_partner_id = ANY(%(partners)s)
               AND st.amount > 0
               AND st.is_reconciled IS NOT TRUE
               AND move.state = 'posted'
                """,
                company=company.id,
                partners=partner_ids,
            )
        )
        found = defaultdict(list)
        for partner_id, name in rows:
            found[partner_id].append(name or self.env._("(draft)"))
        return {
            partner_id: ", ".join(sorted(names)[:5])
            for partner_id, names in found.items()
        }

    # ----------------------------------------------------------------- holds
    def _credit_sync_holds(self, company):
        """Create, update or release the automatic holds of the commercial
        partners ``self`` in ``company`` from their blocking rules."""
        partners = self.commercial_partner_id
        if not partners:
            return
        Hold = self.env["credit.hold"].sudo()
        exposures = partners._credit_exposure(company)
        batch = partners.with_company(company)._credit_batch_data(company)
        open_holds = Hold.search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("origin", "in", ("rule", "order")),
                ("state", "in", ("active", "overridden")),
            ]
        )
        holds_by_partner = open_holds.grouped("partner_id")
        open_holds.reason_ids.mapped("rule")  # prefetch the reasons of the batch
        root = self.env.ref("base.user_root")

        def blocking(partner, hints):
            return [
                r
                for r in partner._credit_evaluate(
                    company,
                    exposure=exposures.get(partner.id) or empty_exposure(),
                    batch=batch,
                    hints=hints,
                )
                if r["mode"] == "block" and r["rule"] != "manual"
            ]

        for partner in partners:
            # hints (one query) only where the reason lines are (re)written
            reasons = blocking(partner, hints=False)
            holds = holds_by_partner.get(partner, Hold)
            rule_holds = holds.filtered(lambda h: h.origin == "rule")
            if reasons:
                if not rule_holds:
                    hold = Hold.create(
                        {
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "origin": "rule",
                            "user_id": root.id,
                        }
                    )
                    hold._set_reasons(blocking(partner, hints=True))
                    hold.message_post(
                        body=self.env._("Credit hold set by the hold rules.")
                    )
                    continue
                # the reason lines are rewritten when the rules that fire
                # change, not for every new day overdue
                signature = sorted(r["rule"] for r in reasons)
                for hold in rule_holds:
                    if sorted(hold.reason_ids.mapped("rule")) != signature:
                        hold._set_reasons(blocking(partner, hints=True))
            else:
                # nothing blocks any more: the customer paid, the limit was raised…
                holds._release(
                    self.env._(
                        "Released automatically: no hold rule applies any more."
                    ),
                    user=root,
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


