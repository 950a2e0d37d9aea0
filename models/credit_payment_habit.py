# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's payment habits per company, refreshed daily in batches
from grouped queries (credit_payment_habit_sql.py), with the tier the
suggestion rules propose (credit_tier_suggestion_rule.py)."""

import json

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .clock import credit_today
from .credit_payment_habit_sql import habits_sql, largest_balance_sql

# a change of days beyond terms (now against 3 months ago) of at least this
# many days is a trend; less is stable
TREND_DAYS = 5.0


# the columns the refresh writes, with their SQL types
STORED_COLUMNS = {
    "partner_id": "int",
    "company_id": "int",
    "date_computed": "date",
    "avg_days_to_pay": "float8",
    "days_beyond_terms": "float8",
    "days_beyond_terms_3m": "float8",
    "days_beyond_terms_6m": "float8",
    "days_beyond_terms_12m": "float8",
    "trend": "varchar",
    "late_share": "float8",
    "largest_balance": "numeric",
    "broken_promises": "int",
    "history": "jsonb",
    "suggested_policy_id": "int",
    "suggestion_rule_id": "int",
    "suggestion_reason": "varchar",
    "dismissed_policy_id": "int",
    "dismissed_rule_id": "int",
}


class CreditPaymentHabit(models.Model):
    _name = "credit.payment.habit"
    _description = "Payment Habits of a Customer"
    _order = "company_id, partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_computed = fields.Date(string="Computed On", readonly=True)
    avg_days_to_pay = fields.Float(
        string="Average Days to Pay",
        digits=(16, 2),
        readonly=True,
        help="Invoice date to settlement, over the invoices due in the last 12 "
        "months and settled.",
    )
    days_beyond_terms = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Days past the due date (settled items: until settlement; open "
        "items: until today), over the invoices due in the last 12 months.",
    )
    days_beyond_terms_3m = fields.Float(
        string="Days Beyond Terms 3 Months Ago", digits=(16, 2), readonly=True
    )
    days_beyond_terms_6m = fields.Float(
        string="Days Beyond Terms 6 Months Ago", digits=(16, 2), readonly=True
    )
    days_beyond_terms_12m = fields.Float(
        string="Days Beyond Terms 12 Months Ago", digits=(16, 2), readonly=True
    )
    trend = fields.Selection(
        [
            ("improving", "Improving"),
            ("stable", "Stable"),
            ("worsening", "Worsening"),
        ],
        readonly=True,
        help="Days beyond terms now against 3 months ago: 5 days or more "
        "fewer is improving, 5 days or more is worsening.",
    )
    late_share = fields.Float(
        string="Paid Late (%)",
        digits=(16, 2),
        readonly=True,
        help="Share of the invoices due in the last 12 months paid after their "
        "due date or still open past it.",
    )
    largest_balance = fields.Monetary(
        string="Largest Balance (12 Months)", readonly=True
    )
    broken_promises = fields.Integer(
        string="Broken Promises (12 Months)", readonly=True
    )
    history = fields.Json(
        readonly=True, help="The figures by months ago: {metric: {months: value}}."
    )
    suggested_policy_id = fields.Many2one(
        "credit.collection.policy", string="Suggested Tier", readonly=True
    )
    suggestion_rule_id = fields.Many2one(
        "credit.tier.suggestion.rule", readonly=True, ondelete="set null"
    )
    suggestion_reason = fields.Char(readonly=True)
    dismissed_policy_id = fields.Many2one("credit.collection.policy", readonly=True)
    dismissed_rule_id = fields.Many2one(
        "credit.tier.suggestion.rule", readonly=True, ondelete="set null"
    )

    _partner_company_unique = models.Constraint(
        "UNIQUE (partner_id, company_id)",
        "A customer has one set of payment habits per company.",
    )

    # ------------------------------------------------------------------ actions
    def action_apply_suggestion(self):
        """Give the customer the suggested tier in the habits' company, with
        the reason in its chatter."""
        self._check_manager()
        for habit in self.sudo().filtered("suggested_policy_id"):
            # a manager's credit decision (checked above), logged as such by
            # res_partner_credit_decision.py; sudo: the manager may lack the
            # right to edit contacts
            partner = habit.partner_id.with_company(habit.company_id)
            old = partner.credit_policy_id or habit._default_tier()
            partner.credit_policy_id = habit.suggested_policy_id
            partner.message_post(
                body=self.env._(
                    "Credit tier in %(company)s changed from %(old)s to %(new)s "
                    "by %(user)s, as suggested: %(reason)s",
                    company=habit.company_id.name,
                    old=old.name or "-",
                    new=habit.suggested_policy_id.name,
                    user=self.env.user.name,
                    reason=habit.suggestion_reason,
                )
            )
            habit.write(habit._no_suggestion())
        return True

    def action_dismiss_suggestion(self):
        """Not suggested again until the habits stop meeting the rule or the
        suggestion changes."""
        self._check_manager()
        for habit in self.sudo().filtered("suggested_policy_id"):
            habit.partner_id.message_post(
                body=self.env._(
                    "Suggested credit tier %(tier)s in %(company)s dismissed by "
                    "%(user)s (%(reason)s).",
                    tier=habit.suggested_policy_id.name,
                    company=habit.company_id.name,
                    user=self.env.user.name,
                    reason=habit.suggestion_reason,
                )
            )
            habit.write(
                dict(
                    habit._no_suggestion(),
                    dismissed_policy_id=habit.suggested_policy_id.id,
                    dismissed_rule_id=habit.suggestion_rule_id.id,
                )
            )
        return True

    def _check_manager(self):
        if not self.env.user.has_group("account_credit_collection.group_manager"):
            raise AccessError(
                self.env._("Only a Collections Manager can change a customer's tier.")
            )

    def _no_suggestion(self):
        return {
            "suggested_policy_id": False,
            "suggestion_rule_id": False,
            "suggestion_reason": False,
        }

    def _default_tier(self):
        return self.env["credit.collection.policy"]._get_default(self.company_id)

    # ------------------------------------------------------------------ refresh
    @api.model
    def _cron_refresh(self, batch_size=2000):
        """Refresh the habits of every customer of every company: the figures
        in one pass over each company's lines, stored in batches (resumable:
        the customers refreshed today are skipped)."""
        in_cron = bool(self.env.context.get("cron_id"))
        for company in self.env["res.company"].search([("id", "!=", False)]):
            today = credit_today(self.env, company)
            partner_ids = self._refresh_candidates(company, today)
            if not partner_ids:
                continue
            figures = self._figures(company, None, today)
            for start in range(0, len(partner_ids), batch_size):
                batch = partner_ids[start : start + batch_size]
                self._store(company, batch, figures, today)
                if in_cron and not self.env["ir.cron"]._commit_progress(len(batch)):
                    return

    @api.model
    def _refresh_candidates(self, company, today):
        """The customers with receivable lines in the last 24 months, broken
        promises or habits, not refreshed today."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
SELECT DISTINCT item_partner.commercial_partner_id
  FROM account_move_line line
  JOIN account_account account ON account.id = line.account_id
  JOIN res_partner item_partner ON item_partner.id = line.partner_id
 WHERE line.company_id = %(company)s AND line.parent_state = 'posted'
   AND account.account_type = 'asset_receivable'
   AND line.date > %(oldest)s
 UNION
SELECT partner_id FROM credit_promise
 WHERE company_id = %(company)s AND state = 'broken'
 UNION
SELECT partner_id FROM credit_payment_habit WHERE company_id = %(company)s
EXCEPT
SELECT partner_id FROM credit_payment_habit
 WHERE company_id = %(company)s AND date_computed = %(today)s
""",
                company=company.id,
                oldest=today - relativedelta(months=24),
                today=today,
            )
        )
        return sorted(row[0] for row in rows)

    @api.model
    def _refresh(self, company, partner_ids, today):
        """Compute and store the habits (and suggestions) of ``partner_ids``
        (commercial partners) in ``company``."""
        figures = self._figures(company, partner_ids, today)
        self._store(company, partner_ids, figures, today)

    @api.model
    def _figures(self, company, partner_ids, today):
        """(series, largest balances) of ``partner_ids`` (None: all)."""
        self.env.flush_all()
        series = self._series(company, partner_ids, today)
        largest = dict(
            self.env.execute_query(
                largest_balance_sql(
                    company.id, partner_ids, today, today - relativedelta(months=12)
                )
            )
        )
        return series, largest

    @api.model
    def _store(self, company, partner_ids, figures, today):
        """Upsert the habits and suggestions of ``partner_ids`` (one query)."""
        series, largest = figures
        dismissed = {
            pid: (policy_id, rule_id)
            for pid, policy_id, rule_id in self.env.execute_query(
                SQL(
                    """SELECT partner_id, dismissed_policy_id, dismissed_rule_id
                         FROM credit_payment_habit
                        WHERE company_id = %s AND partner_id = ANY(%s)""",
                    company.id,
                    list(partner_ids),
                )
            )
        }
        suggestions = self.env["credit.tier.suggestion.rule"]._suggest(
            company, {pid: series.get(pid, {}) for pid in partner_ids}
        )
        rows = []
        for pid in partner_ids:
            vals = self._habit_values(series.get(pid, {}), largest.get(pid, 0.0))
            vals.update(
                self._suggestion_values(dismissed.get(pid), suggestions[pid]),
                partner_id=pid,
                company_id=company.id,
                date_computed=today,
            )
            rows.append(vals)
        self._upsert(rows)

    @api.model
    def _upsert(self, rows):
        """Insert or update ``rows`` (dicts of STORED_COLUMNS) in one query,
        the rows passed as one JSON array."""
        if not rows:
            return
        columns = SQL(", ").join(SQL.identifier(name) for name in STORED_COLUMNS)
        record = SQL(", ").join(
            SQL("%s %s", SQL.identifier(name), SQL(kind))
            for name, kind in STORED_COLUMNS.items()
        )
        updates = SQL(", ").join(
            SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
            for name in [*STORED_COLUMNS, "write_uid", "write_date"]
            if name not in ("partner_id", "company_id")
        )
        self.env.execute_query(
            SQL(
                """INSERT INTO credit_payment_habit
                          (%(columns)s, create_uid, create_date, write_uid, write_date)
                   SELECT %(columns)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                          %(uid)s, NOW() AT TIME ZONE 'UTC'
                     FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(%(record)s)
                   ON CONFLICT (partner_id, company_id) DO UPDATE SET %(updates)s""",
                columns=columns,
                record=record,
                updates=updates,
                uid=self.env.uid,
                rows=json.dumps(
                    [
                        {
                            name: None if row[name] is False else row[name]
                            for name in STORED_COLUMNS
                        }
                        for row in rows
                    ],
                    default=str,
                ),
            )
        )
        self.env.invalidate_all()

    @api.model
    def _series(self, company, partner_ids, today):
        """{partner id: {metric: {months ago: value}}} (partner_ids None: all)"""
        query = habits_sql(
            company.id, partner_ids, today, today - relativedelta(months=24)
        )
        series = {}
        for pid, months, dbt, late, to_pay, broken in self.env.execute_query(query):
            metrics = series.setdefault(pid, {})
            for name, value in (
                ("days_beyond_terms", dbt),
                ("late_share", late),
                ("avg_days_to_pay", to_pay),
                ("broken_promises", broken),
            ):
                if value is not None:
                    metrics.setdefault(name, {})[str(months)] = round(float(value), 2)
        return series

    @api.model
    def _habit_values(self, metrics, largest):
        def at(name, months=0):
            return metrics.get(name, {}).get(str(months))

        now, before = at("days_beyond_terms"), at("days_beyond_terms", 3)
        trend = False
        if now is not None and before is not None:
            trend = (
                "worsening"
                if now - before >= TREND_DAYS
                else "improving"
                if before - now >= TREND_DAYS
                else "stable"
            )
        return {
            "avg_days_to_pay": at("avg_days_to_pay") or 0.0,
            "days_beyond_terms": now or 0.0,
            "days_beyond_terms_3m": before or 0.0,
            "days_beyond_terms_6m": at("days_beyond_terms", 6) or 0.0,
            "days_beyond_terms_12m": at("days_beyond_terms", 12) or 0.0,
            "trend": trend,
            "late_share": at("late_share") or 0.0,
            "broken_promises": int(at("broken_promises") or 0),
            "largest_balance": float(largest or 0.0),
            "history": metrics,
        }

    @api.model
    def _suggestion_values(self, dismissed, suggestion):
        """The suggestion to store, given the one dismissed ((tier id, rule
        id) or None): a dismissed suggestion stays silent while the rules give
        it again; any other answer (none, another tier or rule) lifts the
        dismissal."""
        rule, reason = suggestion
        if rule and dismissed == (rule.policy_id.id, rule.id):
            return dict(
                self._no_suggestion(),
                dismissed_policy_id=dismissed[0],
                dismissed_rule_id=dismissed[1],
            )
        return {
            "suggested_policy_id": rule.policy_id.id if rule else False,
            "suggestion_rule_id": rule.id if rule else False,
            "suggestion_reason": reason or False,
            "dismissed_policy_id": False,
            "dismissed_rule_id": False,
        }
