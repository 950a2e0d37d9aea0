# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The fee lines of a collection case: what a fee action invoices (the rule's
reminder fee, the tier's late interest and fixed compensation)."""

from odoo import models
from odoo.fields import Domain
from odoo.tools import format_amount, format_date


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    def _fee_lines(self, date, rule):
        """Invoice line values of a fee action: the rule's fixed fee, the
        tier's interest on each overdue item since its due date or its last
        interest charge, and the tier's fixed compensation once per overdue
        invoice. Reversed (waived) fee invoices do not count."""
        self.ensure_one()
        policy = self.policy_id
        lines = [self._reminder_fee_line(rule)] if rule and rule.fee_amount else []
        if not (policy.interest_rate or policy.compensation_amount):
            return lines
        items = self._chargeable_items(date)
        if not items:
            return lines
        interest_to, compensated = self._charged_fees(items)
        for item in items:
            move = item["move"]
            if policy.interest_rate:
                start = max(
                    item["date_due"], interest_to.get(move.id) or item["date_due"]
                )
                lines += self._interest_lines(item, start, date)
            if policy.compensation_amount and move.id not in compensated:
                lines.append(self._compensation_line(move))
        return lines

    def _reminder_fee_line(self, rule):
        return {
            "name": self.env._("Reminder fee — %(stage)s", stage=self.stage_id.name),
            "price_unit": self.currency_id.round(rule.fee_amount),
            "credit_fee_kind": "fee",
        }

    def _chargeable_items(self, date):
        """The overdue invoices that may bear interest and compensation (not
        the fee invoices themselves)."""
        return [
            item
            for item in self._collection_items(date, overdue_only=True)
            if not item["is_credit"]
            and item["move"].move_type == "out_invoice"
            and not item["move"].credit_fee_action_id
        ]

    def _charged_fees(self, items):
        """What the posted, not reversed, fee invoices charged already on the
        invoices of ``items``: the date up to which each bears interest, and
        the ids of those compensated."""
        charged = (
            self.env["account.move.line"]
            .sudo()
            .search(
                Domain("credit_fee_item_id", "in", [i["move"].id for i in items])
                & Domain("parent_state", "=", "posted")
                & Domain("move_id.reversal_move_ids", "=", False)
            )
        )
        interest_to = {}
        compensated = set()
        for line in charged:
            item_id = line.credit_fee_item_id.id
            if line.credit_fee_kind == "interest":
                previous = interest_to.get(item_id)
                if not previous or line.credit_interest_to > previous:
                    interest_to[item_id] = line.credit_interest_to
            elif line.credit_fee_kind == "compensation":
                compensated.add(item_id)
        return interest_to, compensated

    def _interest_lines(self, item, start, date):
        """The interest of ``item`` from ``start`` to ``date`` at the tier's
        rate, day by day on its undisputed balance of each day (none when it
        rounds to zero)."""
        currency = self.currency_id
        rate = self.policy_id.interest_rate
        days = (date - start).days
        if days <= 0:
            return []
        balance_days = sum(
            max(balance - item["disputed"], 0.0) * (end - begin).days
            for begin, end, balance in _daily_balances(item, start, date)
        )
        amount = currency.round(balance_days * rate / 100.0 / 365.0)
        if currency.is_zero(amount):
            return []
        return [
            {
                "name": self._interest_label(
                    item, start, date, days, balance_days / days
                ),
                "price_unit": amount,
                "credit_fee_kind": "interest",
                "credit_fee_item_id": item["move"].id,
                "credit_interest_to": date,
            }
        ]

    def _interest_label(self, item, start, date, days, average):
        return self.env._(
            "Interest on %(invoice)s: %(balance)s (average undisputed balance, "
            "day by day) × %(rate)s %% × %(days)s/365 days (%(start)s – %(end)s)",
            invoice=item["move"].name,
            balance=format_amount(self.env, average, self.currency_id),
            rate=self.policy_id.interest_rate,
            days=days,
            start=format_date(self.env, start),
            end=format_date(self.env, date),
        )

    def _compensation_line(self, move):
        return {
            "name": self.env._(
                "Fixed compensation for the late payment of %(invoice)s",
                invoice=move.name,
            ),
            "price_unit": self.currency_id.round(self.policy_id.compensation_amount),
            "credit_fee_kind": "compensation",
            "credit_fee_item_id": move.id,
        }


def _daily_balances(item, start, date):
    """The balance (company currency) of the open item ``item`` day by day
    from ``start`` to ``date`` (excluded), as ``(from, to, balance)`` spans: a
    payment, credit note or any reconciliation reduces it from its date (the
    partial's ``max_date``, the later of the two items' dates). The balance of
    a day is today's residual plus what was matched after that day."""
    line = item["line"]
    # (date, amount) of the reconciliations that changed the item's balance
    matched = [(p.max_date, p.amount) for p in line.matched_credit_ids] + [
        (p.max_date, -p.amount) for p in line.matched_debit_ids
    ]
    balance = item["residual"] + sum(
        amount for matched_date, amount in matched if matched_date > start
    )
    spans = []
    begin = start
    for change in sorted({d for d, _amount in matched if start < d < date}):
        spans.append((begin, change, balance))
        balance -= sum(amount for d, amount in matched if d == change)
        begin = change
    spans.append((begin, date, balance))
    return spans
