# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The hold rules: a tier's settings and a customer's figures in, reasons out.

``evaluate`` runs every rule of a tier (``RuleParams``, see
credit_collection_policy.py) on one customer's ``Figures`` and returns the
reasons that fire, blocking ones first. A reason is a dict: ``rule``, ``mode``
(block/warn), ``name``, ``measured``, ``threshold``, ``is_amount``, ``hint``
(what would release it) and, for a manual hold, ``hold_id``.

The credit-limit rule also has a SQL twin (``over_limit_sql``: who is over the
limit on a whole book), written right below its Python twin. Gathering the
figures is the caller's business (res_partner.py, one round trip for one
customer or a few queries for a batch); this module runs no query except the
overdue items a hint lists.
"""

from dataclasses import dataclass, field
from typing import Any

from odoo.fields import Domain
from odoo.tools import SQL, format_date

from .credit_exposure import (
    consolidated_companies,
    flush_exposure_sources,
    open_documents_sql,
)
from .money import money_formatter
from .open_items import item_domain


def blocking(reasons):
    """The reasons that block (the others only warn)."""
    return [reason for reason in reasons if reason["mode"] == "block"]


@dataclass
class Figures:
    """One customer's figures, as the rules read them."""

    partner: Any  # the commercial partner (sudo, in the company)
    exposure: dict  # credit_exposure.empty_exposure() keys
    values: (
        dict  # the customer's own settings (policy_id, prepayment, limit, use_limit)
    )
    order_amount: float = 0.0  # the order being confirmed, in company currency
    broken_promises: int = 0  # broken in the last 12 months
    case: Any = None  # its collection case (credit.collection.case), or empty
    manual_holds: Any = None  # its manual holds and credit stop (credit.hold)
    # the payment term the document gives, in days (a callable, read only
    # when the tier has the rule), or None (no document)
    payment_term_days: Any = None


@dataclass
class RuleContext:
    """What the rules need besides the figures: the company, the day, the
    money formatter (built on first use: it reads the language) and whether
    to write the hints (they list overdue invoices: one query)."""

    env: Any
    company: Any
    today: Any
    hints: bool = True
    money_format: Any = None
    # {commercial partner id: overdue items} read for a batch of customers
    # (``overdue_items_by_partner``): no query per customer
    overdue: dict | None = field(default=None, repr=False)
    _overdue: list | None = field(default=None, repr=False)

    @property
    def currency(self):
        return self.company.currency_id

    def money(self, amount):
        if self.money_format is None:
            self.money_format = money_formatter(self.env, self.currency)
        return self.money_format(amount)

    def overdue_items(self, partner, limit=20):
        """The overdue open invoices of ``partner``, oldest first, for the
        hints: read once, and only when hints are asked for."""
        if not self.hints:
            return []
        if self._overdue is None and self.overdue is not None:
            self._overdue = self.overdue.get(partner.id)
        if self._overdue is None:
            lines = (
                self.env["account.move.line"]
                .sudo()
                .search(
                    _overdue_domain(self.company, partner, self.today),
                    order="date_maturity, id",
                    limit=limit,
                )
            )
            self._overdue = [_overdue_item(line) for line in lines]
        return self._overdue

    def pay_hint(self, items, amount=None):
        """ "pay 1,200.00 € on INV/2026/0042 (due …), …": the first overdue
        ``items`` that cover ``amount`` (all of them when None)."""
        if not items:
            return ""
        chosen, covered = [], 0.0
        for item in items:
            chosen.append(item)
            covered += item["amount"]
            if (
                amount is not None
                and self.currency.compare_amounts(covered, amount) >= 0
            ):
                break
        parts = [
            self.env._(
                "%(amount)s on %(invoice)s (due %(date)s)",
                amount=self.money(item["amount"]),
                invoice=item["name"],
                date=format_date(self.env, item["due"]),
            )
            for item in chosen[:3]
        ]
        text = self.env._("pay %(items)s", items=", ".join(parts))
        if len(chosen) > 3:
            text += self.env._(
                " and %(count)s more overdue invoices", count=len(chosen) - 3
            )
        return text


def _overdue_domain(company, partners, today):
    return (
        item_domain(company, partners)
        & Domain("amount_residual", ">", 0)
        & Domain("date_maturity", "<", today)
    )


def _overdue_item(line):
    return {
        "name": line.move_id.name,
        "due": line.date_maturity,
        "amount": line.amount_residual,
    }


def overdue_items_by_partner(env, company, today, partner_ids, limit=20):
    """{commercial partner id: what ``RuleContext.overdue_items`` reads for
    it} for many customers in one query (the hints of a batch of holds, passed
    to the rules as ``RuleContext(overdue=...)``)."""
    result = {partner_id: [] for partner_id in partner_ids}
    if not partner_ids:
        return result
    Line = env["account.move.line"].sudo()
    Line.flush_model(["partner_id", "date_maturity", "amount_residual", "move_id"])
    env["account.move"].flush_model(["name"])
    env["res.partner"].flush_model(["commercial_partner_id"])
    query = Line._search(_overdue_domain(company, list(partner_ids), today))
    rows = env.execute_query(
        SQL(
            """SELECT ranked.customer, move.name, ranked.date_maturity,
                      ranked.amount_residual
                 FROM (SELECT line.id, line.move_id, line.date_maturity,
                              line.amount_residual,
                              customer.commercial_partner_id AS customer,
                              row_number() OVER (
                                  PARTITION BY customer.commercial_partner_id
                                  ORDER BY line.date_maturity, line.id
                              ) AS position
                         FROM account_move_line line
                         JOIN res_partner customer ON customer.id = line.partner_id
                        WHERE line.id IN %s) ranked
                 JOIN account_move move ON move.id = ranked.move_id
                WHERE ranked.position <= %s
                ORDER BY ranked.customer, ranked.date_maturity, ranked.id""",
            query.subselect(),
            limit,
        )
    )
    for customer, name, due, amount in rows:
        result[customer].append({"name": name, "due": due, "amount": amount})
    return result


def _reason(rule, mode, name, hint, measured=None, threshold=None, is_amount=True):
    reason = {"rule": rule, "mode": mode, "name": name, "hint": hint}
    if measured is not None:
        reason.update(measured=measured, threshold=threshold)
    if not is_amount:
        reason["is_amount"] = False
    return reason


def _above(ctx, measured, threshold, is_amount=True):
    if is_amount:
        return ctx.currency.compare_amounts(measured, threshold) > 0
    return measured > threshold


def without_disputes(params, exposure):
    """The exposure as the tier counts it: without the disputed part unless
    the tier counts disputes."""
    if params.count_disputed or not exposure["disputed"]:
        return exposure
    return dict(
        exposure,
        total=exposure["total"] - exposure["disputed"],
        overdue=exposure["overdue"] - exposure["disputed_overdue"],
    )


# ----------------------------------------------------------------- the rules
def rule_prepayment(ctx, params, figures):
    if not (params.is_prepayment_only or figures.values["prepayment"]):
        return []
    return [
        _reason(
            "prepayment",
            "block",
            ctx.env._("Customer is on prepayment only"),
            ctx.env._(
                "get the order paid in advance: an online payment on the "
                "quotation, or a transfer registered as a customer payment"
            ),
            is_amount=False,
        )
    ]


def credit_limit(params, values):
    """(limit, has a limit) of a customer: its own limit when it has one,
    else the tier's default limit (0: no limit)."""
    limit = values["limit"] if values["use_limit"] else params.default_credit_limit
    limit = limit or 0.0
    return limit, values["use_limit"] or limit > 0


def rule_limit(ctx, params, figures):
    if not params.use_credit_limit:
        return []
    limit, has_limit = credit_limit(params, figures.values)
    total = figures.exposure["total"] + figures.order_amount
    if not (has_limit and _above(ctx, total, limit)):
        return []
    return [
        _reason(
            "limit",
            params.credit_limit_mode,
            ctx.env._(
                "Credit limit %(limit)s — exposure %(exposure)s",
                limit=ctx.money(limit),
                exposure=ctx.money(total),
            ),
            ctx.env._(
                "reduce the exposure by %(excess)s (payments, smaller order) or "
                "get the limit raised",
                excess=ctx.money(total - limit),
            ),
            measured=total,
            threshold=limit,
        )
    ]


# who is over the limit (``over_limit_sql``)
OVER_LIMIT_QUERY = """
    WITH exposure AS (
        SELECT parts.partner_id,
               ROUND(SUM(parts.amount), %(digits)s) AS total,
               SUM(parts.disputed) AS disputed
          FROM (
            SELECT entry.partner_id,
                   entry.residual_pos + entry.residual_neg AS amount,
                   entry.disputed
              FROM credit_exposure_entry entry
             WHERE entry.company_id = ANY(%(companies)s)
         UNION ALL
            SELECT documents.partner_id, documents.amount, 0
              FROM (%(documents)s) documents
          ) parts
      GROUP BY parts.partner_id
    ), default_tier AS (%(default_tier)s
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
"""


def over_limit_sql(env, company):
    """The SQL twin of ``rule_limit`` for a whole book: ``SELECT partner_id``
    of the commercial partners of ``company`` whose exposure (ledger and open
    documents, without disputes unless the tier counts them) is above their
    limit (``credit_limit``: own limit, else the tier's default, 0 = none).
    Same answer as the Python twin (tests/test_exposure_ledger.py)."""
    flush_exposure_sources(env)
    env["res.partner"].flush_model(["credit_policy_id", "credit_limit"])
    env["credit.collection.policy"].flush_model()
    partner = env["res.partner"].with_company(company)
    fallback_policy = partner._fields[
        "credit_policy_id"
    ].get_company_dependent_fallback(partner)
    fallback_limit = partner._fields["credit_limit"].get_company_dependent_fallback(
        partner
    )
    return SQL(
        OVER_LIMIT_QUERY,
        documents=open_documents_sql(
            company=SQL("%s", company.id),
            partner_is=SQL("IS NOT NULL"),
            exclude=SQL("%s", []),
        ),
        default_tier=default_tier_sql(SQL("%s", company.id)),
        company=company.id,
        companies=consolidated_companies(company).ids,
        key=str(company.id),
        digits=company.currency_id.decimal_places,
        fallback_policy=fallback_policy.id or None,
        fallback_limit=fallback_limit or 0.0,
    )


def default_tier_sql(company):
    """``SELECT id`` of the default tier of ``company`` (SQL): the SQL twin of
    ``credit.collection.policy._get_default``."""
    return SQL(
        """
            SELECT policy.id
              FROM credit_collection_policy policy
             WHERE policy.company_id = %s
               AND policy.is_default
               AND policy.active
          ORDER BY policy.sequence, policy.id
             LIMIT 1""",
        company,
    )


def rule_overdue_amount(ctx, params, figures):
    overdue = figures.exposure["overdue"]
    threshold = params.overdue_amount_threshold
    if not (params.use_overdue_amount and _above(ctx, overdue, threshold)):
        return []
    hint = ctx.pay_hint(ctx.overdue_items(figures.partner), overdue - threshold)
    return [
        _reason(
            "overdue_amount",
            params.overdue_amount_mode,
            ctx.env._(
                "Overdue %(overdue)s — allowed %(threshold)s",
                overdue=ctx.money(overdue),
                threshold=ctx.money(threshold),
            ),
            hint,
            measured=overdue,
            threshold=threshold,
        )
    ]


def rule_overdue_days(ctx, params, figures):
    days = figures.exposure["oldest_overdue_days"]
    threshold = params.overdue_days_threshold
    if not (params.use_overdue_days and days > threshold):
        return []
    late = [
        item
        for item in ctx.overdue_items(figures.partner)
        if (ctx.today - item["due"]).days > threshold
    ]
    return [
        _reason(
            "overdue_days",
            params.overdue_days_mode,
            ctx.env._(
                "Oldest overdue item %(days)s days — allowed %(threshold)s",
                days=days,
                threshold=threshold,
            ),
            ctx.pay_hint(late),
            measured=days,
            threshold=threshold,
            is_amount=False,
        )
    ]


def rule_broken_promises(ctx, params, figures):
    broken = figures.broken_promises
    threshold = params.broken_promises_threshold
    if not (params.use_broken_promises and broken > threshold):
        return []
    return [
        _reason(
            "broken_promises",
            params.broken_promises_mode,
            ctx.env._(
                "%(count)s broken promises to pay in 12 months — allowed %(threshold)s",
                count=broken,
                threshold=threshold,
            ),
            ctx.env._(
                "pay the overdue items, or ask a credit manager to release the hold"
            ),
            measured=broken,
            threshold=threshold,
            is_amount=False,
        )
    ]


def rule_amount_at_risk(ctx, params, figures):
    case = figures.case
    if not (params.use_amount_at_risk and case):
        return []
    # the case's figures on the collectability curve (kept up to date with
    # the stage): no query
    at_risk = case.amount_residual - case.amount_expected
    threshold = params.amount_at_risk_threshold
    if not _above(ctx, at_risk, threshold):
        return []
    return [
        _reason(
            "amount_at_risk",
            params.amount_at_risk_mode,
            ctx.env._(
                "Amount at risk %(at_risk)s (of %(residual)s due, by age) — "
                "allowed %(threshold)s",
                at_risk=ctx.money(at_risk),
                residual=ctx.money(case.amount_residual),
                threshold=ctx.money(threshold),
            ),
            ctx.env._("pay the oldest items first: they carry the risk"),
            measured=at_risk,
            threshold=threshold,
        )
    ]


def rule_stage(ctx, params, figures):
    stage = figures.case.stage_id if figures.case else None
    if not (stage and stage.is_hold):
        return []
    if stage.is_manual:
        hint = ctx.env._("ask a credit manager to move the case")
    else:
        hint = ctx.env._(
            "pay the items more than %(days)s days overdue",
            days=stage.min_days_overdue,
        )
    return [
        _reason(
            "stage",
            "block",
            ctx.env._(
                "Collection stage %(stage)s (worst item %(days)s days overdue)",
                stage=stage.name,
                days=figures.case.worst_days_overdue,
            ),
            hint,
            measured=figures.case.worst_days_overdue,
            threshold=stage.min_days_overdue,
            is_amount=False,
        )
    ]


def rule_manual(ctx, params, figures):
    reasons = []
    for hold in figures.manual_holds or ():
        if hold.origin == "stop":  # credit_stop.py
            reasons.append(hold._stop_reason())
            continue
        reason = _reason(
            "manual",
            "block",
            ctx.env._(
                "Manual hold by %(user)s: %(reason)s",
                user=hold.user_id.name,
                reason=hold.note,
            ),
            ctx.env._("ask a credit manager to release the hold"),
            is_amount=False,
        )
        reason["hold_id"] = hold.id
        reasons.append(reason)
    return reasons


def term_days(term, date_ref):
    """The days from ``date_ref`` to the last due date ``term`` (an
    account.payment.term, may be empty: immediate payment) gives."""
    if not term or not term.line_ids:
        return 0
    return max((line._get_due_date(date_ref) - date_ref).days for line in term.line_ids)


def rule_payment_term(ctx, params, figures):
    if not params.use_payment_term or figures.payment_term_days is None:
        return []
    days = figures.payment_term_days()
    threshold = params.max_payment_term_days
    if days <= threshold:
        return []
    return [
        _reason(
            "payment_term",
            params.payment_term_mode,
            ctx.env._(
                "Payment term of %(days)s days — allowed %(threshold)s",
                days=days,
                threshold=threshold,
            ),
            ctx.env._(
                "give a payment term of at most %(threshold)s days, or submit a "
                "credit application for longer terms",
                threshold=threshold,
            ),
            measured=days,
            threshold=threshold,
            is_amount=False,
        )
    ]


# in the order the reasons are listed (blocking ones first, stable)
RULES = (
    rule_prepayment,
    rule_limit,
    rule_payment_term,
    rule_overdue_amount,
    rule_overdue_days,
    rule_broken_promises,
    rule_amount_at_risk,
    rule_stage,
    rule_manual,
)


def evaluate(ctx, params, figures):
    """The reasons the rules of ``params`` give for ``figures``, blocking
    ones first."""
    figures.exposure = without_disputes(params, figures.exposure)
    reasons = [reason for rule in RULES for reason in rule(ctx, params, figures)]
    reasons.sort(key=lambda r: r["mode"] != "block")
    return reasons
