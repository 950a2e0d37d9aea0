# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Per-company rules that suggest a credit tier from the customer's payment
habits (credit_payment_habit.py).

A rule holds *for N months* when its condition is true on each of the
snapshots now, 1, ..., N-1 months ago (each snapshot over its own trailing
12 months, credit_payment_habit_sql.py); a snapshot without figures (no
invoice due in its window) does not meet it. The first rule (by sequence)
that holds for the customer and applies to its current tier gives the
suggestion; none when its tier is the customer's already."""

import operator as op

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# the consecutive monthly snapshots available (SNAPSHOT_MONTHS 0..5)
MAX_MONTHS = 6

OPERATORS = {">": op.gt, ">=": op.ge, "<": op.lt, "<=": op.le}


class CreditTierSuggestionRule(models.Model):
    _name = "credit.tier.suggestion.rule"
    _description = "Tier Suggestion Rule"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    metric = fields.Selection(
        [
            ("days_beyond_terms", "Days beyond terms"),
            ("late_share", "Share paid late (%)"),
            ("avg_days_to_pay", "Average days to pay"),
            ("broken_promises", "Broken promises (12 months)"),
        ],
        required=True,
        default="days_beyond_terms",
    )
    operator = fields.Selection(
        [(">", "above"), (">=", "at least"), ("<", "below"), ("<=", "at most")],
        required=True,
        default=">",
    )
    threshold = fields.Float(required=True)
    months = fields.Integer(
        string="For (Months)",
        required=True,
        default=1,
        help="The condition must hold now and on each month-end snapshot before, "
        "this many months in all: 3 = now, 1 and 2 months ago.",
    )
    applies_to_policy_ids = fields.Many2many(
        "credit.collection.policy",
        string="For Customers in Tiers",
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        help="Empty: customers of any tier.",
    )
    policy_id = fields.Many2one(
        "credit.collection.policy",
        string="Suggested Tier",
        required=True,
        check_company=True,
        domain="[('company_id', '=', company_id)]",
    )

    @api.depends("metric", "operator", "threshold", "months", "policy_id")
    def _compute_name(self):
        for rule in self:
            rule.name = self.env._(
                "%(metric)s %(operator)s %(threshold)s for %(months)s month(s): "
                "%(tier)s",
                metric=rule._label("metric"),
                operator=rule._label("operator"),
                threshold=f"{rule.threshold:g}",
                months=rule.months,
                tier=rule.policy_id.name or "",
            )

    @api.constrains("threshold", "months", "metric")
    def _check_values(self):
        for rule in self:
            if not 1 <= rule.months <= MAX_MONTHS:
                raise ValidationError(
                    self.env._(
                        "A tier suggestion rule holds for 1 to %(max)s months, "
                        "not %(months)s.",
                        max=MAX_MONTHS,
                        months=rule.months,
                    )
                )
            if rule.threshold < 0 or (
                rule.metric == "late_share" and rule.threshold > 100
            ):
                raise ValidationError(
                    self.env._(
                        "The threshold of a tier suggestion rule is a number of "
                        "days, promises or a percentage from 0 to 100, not "
                        "%(threshold)s.",
                        threshold=rule.threshold,
                    )
                )

    def _label(self, field):
        return dict(self._fields[field]._description_selection(self.env)).get(
            self[field], ""
        )

    # ------------------------------------------------------------------ evaluation
    def _holds(self, metrics):
        """(True, values) when the rule holds on the series ``metrics``
        ({metric: {months ago: value}})."""
        self.ensure_one()
        return self._condition()(metrics)

    def _condition(self):
        """The rule's test as a plain function of the series (read once per
        refresh, not once per customer)."""
        compare = OPERATORS[self.operator]
        metric, threshold, months = self.metric, self.threshold, self.months
        zero = metric == "broken_promises"  # no promise broken: zero

        def holds(metrics):
            series = metrics.get(metric, {})
            values = [series.get(str(m), 0 if zero else None) for m in range(months)]
            held = all(v is not None and compare(v, threshold) for v in values)
            return held, values

        return holds

    def _reason(self, values):
        figures = ", ".join(
            self.env._("now %(value)s", value=f"{value:g}")
            if months == 0
            else self.env._(
                "%(months)s month(s) ago %(value)s", months=months, value=f"{value:g}"
            )
            for months, value in enumerate(values)
        )
        return self.env._(
            "%(metric)s %(operator)s %(threshold)s for %(months)s month(s) "
            "(%(figures)s)",
            metric=self._label("metric"),
            operator=self._label("operator"),
            threshold=f"{self.threshold:g}",
            months=self.months,
            figures=figures,
        )

    @api.model
    def _suggest(self, company, series):
        """{partner id: (rule, reason) or (None, None)} for the customers of
        ``series`` ({partner id: metrics}) in ``company``."""
        rules = [
            (
                rule,
                rule._condition(),
                set(rule.applies_to_policy_ids.ids),
                rule.policy_id.id,
            )
            for rule in self.sudo().search([("company_id", "=", company.id)])
        ]
        tiers = self._current_tiers(company, list(series))
        result = {}
        for pid, metrics in series.items():
            result[pid] = (None, None)
            tier = tiers.get(pid)
            for rule, holds, applies_to, suggested in rules:
                if applies_to and tier not in applies_to:
                    continue
                held, values = holds(metrics)
                if held:
                    if suggested != tier:
                        result[pid] = (rule, rule._reason(values))
                    break
        return result

    @api.model
    def _current_tiers(self, company, partner_ids):
        """{partner id: tier id} in ``company`` (its default tier when none)."""
        default = self.env["credit.collection.policy"]._get_default(company)
        partners = (
            self.env["res.partner"].sudo().with_company(company).browse(partner_ids)
        )
        return {
            partner.id: partner.credit_policy_id.id or default.id
            for partner in partners
        }

    # ------------------------------------------------------------------ seed
    @api.model
    def _create_default_rules(self, companies):
        return companies._credit_seed_missing(self._name, self._default_rule_values)

    @api.model
    def _default_rule_values(self, company):
        tiers = {
            tier.sequence: tier
            for tier in self.env["credit.collection.policy"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)])
        }
        standard, strategic, new, prepaid = (tiers.get(s) for s in (10, 20, 30, 40))
        if not (standard and new and prepaid):
            return []
        vetted = (standard | strategic) if strategic else standard
        return [
            {  # paying late for a quarter: back to the New customer's limits
                "company_id": company.id,
                "sequence": 20,
                "metric": "days_beyond_terms",
                "operator": ">",
                "threshold": 30,
                "months": 3,
                "applies_to_policy_ids": [(6, 0, vetted.ids)],
                "policy_id": new.id,
            },
            {  # a new customer breaking promises again and again
                "company_id": company.id,
                "sequence": 10,
                "metric": "broken_promises",
                "operator": ">=",
                "threshold": 3,
                "months": 1,
                "applies_to_policy_ids": [(6, 0, new.ids)],
                "policy_id": prepaid.id,
            },
            {  # half a year paying on time: a vetted customer
                "company_id": company.id,
                "sequence": 30,
                "metric": "days_beyond_terms",
                "operator": "<=",
                "threshold": 5,
                "months": 6,
                "applies_to_policy_ids": [(6, 0, new.ids)],
                "policy_id": standard.id,
            },
        ]


class CreditCollectionPolicy(models.Model):
    _inherit = "credit.collection.policy"

    @api.model
    def _create_default_tiers(self, companies):
        """The shipped tier suggestion rules come with the shipped tiers."""
        tiers = super()._create_default_tiers(companies)
        self.env["credit.tier.suggestion.rule"]._create_default_rules(companies)
        return tiers
