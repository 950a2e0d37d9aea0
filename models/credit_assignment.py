# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who works a case: per-company assignment rules give a new case its
collector (by credit tier, salesperson, country or state and amount band);
a Collections Manager re-applies them, or spreads cases evenly over
collectors, in bulk (``wizards/credit_collection_assign.py``)."""

from collections import Counter, defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CreditCollectionAssignmentRule(models.Model):
    _name = "credit.collection.assignment.rule"
    _description = "Collection Case Assignment Rule"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    policy_ids = fields.Many2many(
        "credit.collection.policy",
        string="Credit Tiers",
        help="The case's credit tier is one of these (any tier when empty).",
    )
    salesperson_ids = fields.Many2many(
        "res.users",
        "credit_assignment_rule_salesperson_rel",
        "rule_id",
        "user_id",
        string="Salespeople",
        help="The customer's salesperson is one of these (any when empty).",
    )
    country_ids = fields.Many2many(
        "res.country",
        string="Countries",
        help="The customer's country is one of these (any when empty).",
    )
    state_ids = fields.Many2many(
        "res.country.state",
        string="States",
        help="The customer's state is one of these (any when empty).",
    )
    amount_min = fields.Monetary(
        string="Total Due From",
        help="The case's total due is at least this amount (0: no minimum).",
    )
    amount_max = fields.Monetary(
        string="Total Due Up To",
        help="The case's total due is below this amount (0: no maximum).",
    )
    collector_ids = fields.Many2many(
        "res.users",
        "credit_assignment_rule_collector_rel",
        "rule_id",
        "user_id",
        string="Collectors",
        required=True,
        domain="[('share', '=', False)]",
        help="The new case goes to the one of them with the fewest open cases.",
    )

    @api.constrains("amount_min", "amount_max")
    def _check_amount_band(self):
        for rule in self:
            if rule.amount_min < 0 or rule.amount_max < 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the amounts of the band cannot be negative.",
                        rule=rule.name,
                    )
                )
            if rule.amount_max and rule.amount_max <= rule.amount_min:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: 'Total Due Up To' must be above 'Total "
                        "Due From' (or 0 for no maximum).",
                        rule=rule.name,
                    )
                )

    @api.constrains("collector_ids", "company_id")
    def _check_collectors(self):
        for rule in self:
            if not rule.collector_ids:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: choose at least one collector.", rule=rule.name
                    )
                )
            self._check_can_collect(rule.collector_ids, rule.company_id)

    @api.model
    def _check_can_collect(self, users, companies):
        """Refuse ``users`` who cannot work the collection cases of
        ``companies`` (no Collections access, or not in the company)."""
        group = self.env.ref("account_credit_collection.group_user")
        outsiders = users.filtered(
            lambda user: group not in user.all_group_ids or companies - user.company_ids
        )
        if outsiders:
            raise ValidationError(
                self.env._(
                    "%(users)s cannot work the collection cases of %(companies)s: "
                    "a collector needs the Collections: User access and the "
                    "company.",
                    users=", ".join(outsiders.mapped("name")),
                    companies=", ".join(companies.mapped("name")),
                )
            )

    def _matches(self, partner, policy_id, amount):
        """Whether a case of ``partner`` (commercial) on tier ``policy_id`` with
        ``amount`` due falls under this rule."""
        self.ensure_one()
        return (
            (not self.policy_ids or policy_id in self.policy_ids.ids)
            and (not self.salesperson_ids or partner.user_id in self.salesperson_ids)
            and (not self.country_ids or partner.country_id in self.country_ids)
            and (not self.state_ids or partner.state_id in self.state_ids)
            and amount >= self.amount_min
            and (not self.amount_max or amount < self.amount_max)
        )


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    @api.model_create_multi
    def create(self, vals_list):
        self._assign_new_cases(vals_list)
        return super().create(vals_list)

    @api.model
    def _assign_new_cases(self, vals_list):
        """Set the collector of the new cases that have none from the
        assignment rules of their company (in place)."""
        todo = [vals for vals in vals_list if not vals.get("user_id")]
        if not todo:
            return
        Rule = self.env["credit.collection.assignment.rule"].sudo()
        rules = Rule.search([("company_id", "in", [v["company_id"] for v in todo])])
        if not rules:
            return
        partners = self.env["res.partner"].browse([v["partner_id"] for v in todo])
        partners.fetch(["user_id", "country_id", "state_id"])
        loads = self._collector_loads(rules.collector_ids)
        for vals in todo:
            collector = self._collector_for(
                rules.filtered(lambda r, v=vals: r.company_id.id == v["company_id"]),
                partners.browse(vals["partner_id"]),
                vals.get("policy_id") or False,
                vals.get("amount_residual") or 0.0,
                loads,
            )
            if collector:
                vals["user_id"] = collector.id

    @api.model
    def _collector_loads(self, users, excluded=None):
        """Open cases per collector (``Counter`` of user id), leaving out the
        cases ``excluded``."""
        domain = [("user_id", "in", users.ids), ("active", "=", True)]
        if excluded:
            domain.append(("id", "not in", excluded.ids))
        groups = self.sudo()._read_group(domain, ["user_id"], ["__count"])
        return Counter({user.id: count for user, count in groups})

    @api.model
    def _collector_for(self, rules, partner, policy_id, amount, loads):
        """The collector of the first of ``rules`` that matches (the least
        loaded of its collectors; ``loads`` is updated), or an empty
        recordset."""
        for rule in rules:
            if rule._matches(partner, policy_id, amount):
                collector = min(
                    rule.collector_ids, key=lambda user: (loads[user.id], user.id)
                )
                loads[collector.id] += 1
                return collector
        return self.env["res.users"]

    def _assign_by_rules(self):
        """Re-apply the assignment rules to these cases; returns {user: cases}
        of the cases whose collector changes (cases no rule matches keep
        theirs)."""
        Rule = self.env["credit.collection.assignment.rule"].sudo()
        rules = Rule.search([("company_id", "in", self.company_id.ids)])
        loads = self._collector_loads(rules.collector_ids, excluded=self)
        moves = defaultdict(lambda: self.browse())
        for case in self.sorted(lambda c: (-c.amount_residual, c.id)):
            collector = self._collector_for(
                rules.filtered(lambda r, c=case: r.company_id == c.company_id),
                case.partner_id,
                case.policy_id.id,
                case.amount_residual,
                loads,
            )
            if collector and collector != case.user_id:
                moves[collector] |= case
        return moves

    def _assign_evenly(self, users, balance_by="count"):
        """Spread these cases over ``users``, each to the one with the least
        load (open cases, or amount overdue, counting what they already
        have); returns {user: cases} of the cases whose collector changes."""
        loads = Counter()
        if balance_by == "amount":
            domain = [
                ("user_id", "in", users.ids),
                ("active", "=", True),
                ("id", "not in", self.ids),
            ]
            for user, amount in self.sudo()._read_group(
                domain, ["user_id"], ["amount_overdue:sum"]
            ):
                loads[user.id] = amount
        else:
            loads = self._collector_loads(users, excluded=self)
        moves = defaultdict(lambda: self.browse())
        for case in self.sorted(lambda c: (-c.amount_overdue, c.id)):
            user = min(users, key=lambda u: (loads[u.id], u.id))
            loads[user.id] += case.amount_overdue if balance_by == "amount" else 1
            if user != case.user_id:
                moves[user] |= case
        return moves
