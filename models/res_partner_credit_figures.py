# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A customer's figures for the hold rules: gathered for one customer in one
round trip (``credit_check_figures``, the confirmation path) or for a batch in
a few queries, then handed to the rule engine (``credit_rules.py``)."""

import json
from datetime import timedelta

from odoo import models

from . import credit_rules
from .clock import credit_today
from .credit_exposure import (
    check_figures,
    customer_exposures,
    empty_exposure,
    exposure_from_row,
)
from .money import money_formatter


class ResPartner(models.Model):
    _inherit = "res.partner"

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
        payment_term_days=None,
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
        :param payment_term_days: the document's payment term in days (a
            callable, read only when the tier has the payment-term rule)
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
            batch.get("overdue"),
        )
        params = partner._credit_batch_params(company, batch)
        figures = partner._credit_figures(company, batch, exposure, order_amount)
        figures.payment_term_days = payment_term_days
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
                    ("origin", "in", ("manual", "stop")),
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
