# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, html_escape

from ..models.clock import credit_today
from ..models.credit_collectability_curve import (
    DEFAULT_MODE,
    DEFAULT_POINTS,
    interpolate,
)
from ..models.open_items import item_condition_text, move_is_open

# fewer customer invoices than this in the period: the history is too thin
# and the shipped default curve is proposed instead
MIN_CALIBRATION_ITEMS = 20

# the columns the history query reads, flushed before it runs
HISTORY_SOURCES = {
    "account.move.line": [
        "partner_id",
        "account_id",
        "balance",
        "amount_residual",
        "reconciled",
        "parent_state",
        "date",
        "date_maturity",
        "company_id",
        "move_id",
        "journal_id",
    ],
    "account.move": [
        "move_type",
        "invoice_date",
        "payment_state",
        "origin_payment_id",
        "statement_line_id",
    ],
    "account.partial.reconcile": [
        "debit_move_id",
        "credit_move_id",
        "amount",
        "max_date",
    ],
}

# an item's basis date on the curve's basis
BASIS_DATE_SQL = {
    "credit_age": SQL("COALESCE(move.invoice_date, line.date)"),
    "days_past_due": SQL("COALESCE(line.date_maturity, line.date)"),
}

# per age of the grid: what was outstanding when the age was reached and what
# was paid from then on, over the settled items only: closed (nothing left
# open) or old enough (past the grid's last age, ``settled_age``: still open
# then, never collected). An item still open and younger is censored: its
# outcome is not known yet, it is not counted as never collected. The row
# without age counts the items of the period.
HISTORY_QUERY = f"""
    WITH item AS (
        SELECT line.id,
               %(basis_date)s AS basis_date,
               line.balance AS balance,
               CASE WHEN line.reconciled IS NOT TRUE
                         AND NOT {move_is_open("move.payment_state")}
                    THEN line.amount_residual ELSE 0 END AS registered,
               (line.reconciled IS TRUE
                OR NOT {move_is_open("move.payment_state")}) AS closed
          FROM account_move_line line
          JOIN account_account account ON account.id = line.account_id
          JOIN account_move move ON move.id = line.move_id
         WHERE line.company_id = %(company)s
           AND {item_condition_text(("line", "account"), open_only=False)}
           AND move.move_type = 'out_invoice'
           AND line.balance > 0
           AND %(basis_date)s BETWEEN %(date_from)s AND %(date_to)s
    ),
    settle AS (
        SELECT partial.debit_move_id AS line_id,
               partial.max_date,
               partial.amount,
               CASE WHEN other_move.move_type = 'out_refund' THEN 'refund'
                    WHEN other_move.origin_payment_id IS NOT NULL
                      OR other_move.statement_line_id IS NOT NULL
                      OR journal.type IN ('bank', 'cash', 'credit')
                    THEN 'paid'
                    ELSE 'other' END AS kind
          FROM account_partial_reconcile partial
          JOIN item ON item.id = partial.debit_move_id
          JOIN account_move_line other ON other.id = partial.credit_move_id
          JOIN account_move other_move ON other_move.id = other.move_id
          JOIN account_journal journal ON journal.id = other_move.journal_id
    ),
    amount AS (
        SELECT item.id,
               item.basis_date,
               item.registered,
               item.balance - COALESCE(SUM(settle.amount) FILTER (
                   WHERE settle.kind = 'refund'), 0) AS amount
          FROM item
     LEFT JOIN settle ON settle.line_id = item.id
         WHERE item.closed OR item.basis_date + %(settled_age)s <= %(today)s
      GROUP BY item.id, item.basis_date, item.registered, item.balance
    ),
    per_age AS (
        SELECT grid.age,
               amount.amount - COALESCE(SUM(settle.amount) FILTER (
                   WHERE settle.kind <> 'refund'
                     AND settle.max_date < amount.basis_date + grid.age
               ), 0) AS outstanding,
               amount.registered + COALESCE(SUM(settle.amount) FILTER (
                   WHERE settle.kind = 'paid'
                     AND settle.max_date >= amount.basis_date + grid.age
               ), 0) AS collected
          FROM unnest(%(ages)s::int[]) AS grid(age)
          JOIN amount ON amount.basis_date + grid.age <= %(today)s
     LEFT JOIN settle ON settle.line_id = amount.id
      GROUP BY grid.age, amount.id, amount.amount, amount.registered,
               amount.basis_date
    )
    SELECT NULL AS age, COUNT(*) AS items, 0 AS outstanding, 0 AS collected
      FROM item
     UNION ALL
    SELECT age, COUNT(*), SUM(outstanding), SUM(collected)
      FROM per_age
     WHERE outstanding > 0.005
  GROUP BY age
"""


class CreditCollectabilityCalibrate(models.TransientModel):
    """Fit a collectability curve on the company's own history: for each age
    of the curve, the share of the amount still outstanding at that age that
    was eventually paid."""

    _name = "credit.collectability.calibrate"
    _description = "Calibrate a Collectability Curve"
    _check_company_auto = True

    curve_id = fields.Many2one(
        "credit.collectability.curve", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="curve_id.company_id", store=True)
    basis = fields.Selection(related="curve_id.basis")
    date_from = fields.Date(
        string="Items From",
        required=True,
        default=lambda self: credit_today(self.env) - relativedelta(years=2),
        help="Customer invoices whose date (credit age) or due date (days past "
        "due) falls in this period make the history.",
    )
    date_to = fields.Date(
        string="Items Until",
        required=True,
        default=lambda self: credit_today(self.env) - relativedelta(days=90),
    )
    item_count = fields.Integer(string="Invoices in the Period", readonly=True)
    min_items = fields.Integer(
        string="Minimum Invoices",
        default=MIN_CALIBRATION_ITEMS,
        readonly=True,
        help="Below this many invoices the history is too thin and the shipped "
        "default curve is proposed.",
    )
    is_fallback = fields.Boolean(string="Default Curve Proposed", readonly=True)
    note = fields.Text(readonly=True)
    line_ids = fields.One2many(
        "credit.collectability.calibrate.line", "wizard_id", string="Points"
    )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards.filtered(lambda w: not w.line_ids):
            wizard.line_ids = [
                Command.create({"age_days": age, "current_probability": probability})
                for age, probability in wizard.curve_id._points()
            ]
        return wizards

    # ------------------------------------------------------------------ actions
    def action_fit(self):
        """Fit each line's age on the history; fall back to the shipped
        default curve when the history is too thin."""
        self.ensure_one()
        self.env["credit.hold"]._check_manager()
        ages = self._fit_ages()
        item_count, stats = self._history(ages)
        current = self.curve_id._points()
        if item_count < self.min_items:
            fitted, vals = self._fit_fallback(ages, item_count)
        else:
            fitted, vals = self._fit_history(ages, stats, current, item_count)
        vals["item_count"] = item_count
        vals["line_ids"] = self._fit_lines(ages, stats, current, fitted)
        self.write(vals)
        return self._action_reopen()

    def action_adopt(self):
        """Write the fitted points on the curve, with a note in its chatter."""
        self.ensure_one()
        self.env["credit.hold"]._check_manager()
        lines = self.line_ids.sorted("age_days")
        if not lines or not self.item_count and not self.is_fallback:
            raise UserError(self.env._("Fit the curve first."))
        curve = self.curve_id
        before = curve._points()
        curve.write(
            {
                "point_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "age_days": line.age_days,
                            "probability": line.fitted_probability,
                        }
                    )
                    for line in lines
                ],
                "date_calibrated": fields.Datetime.now(),
            }
        )
        curve.message_post(body=self._adopt_message(before, curve._points()))
        return {"type": "ir.actions.act_window_close"}

    def _adopt_message(self, before, after):
        """The curve's chatter note: who calibrated on what, before, after."""
        return Markup("%s<br/>%s<br/>%s") % (
            self.env._(
                "Calibrated by %(user)s on %(count)s invoices from %(start)s to "
                "%(end)s%(fallback)s.",
                user=self.env.user.name,
                count=self.item_count,
                start=self.date_from,
                end=self.date_to,
                fallback=self.env._(" (history too thin: default curve)")
                if self.is_fallback
                else "",
            ),
            html_escape(self.env._("Before: %(points)s", points=self._format(before))),
            html_escape(self.env._("After: %(points)s", points=self._format(after))),
        )

    # ------------------------------------------------------------------ helpers
    def _action_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Calibrate %(curve)s", curve=self.curve_id.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _format(self, points):
        return ", ".join(f"{age} d: {p:.3f}" for age, p in points)

    def _fit_ages(self):
        """The lines' ages, sorted, once the period and the points are valid."""
        if self.date_from > self.date_to:
            raise UserError(self.env._("Items From: the period starts after it ends."))
        ages = sorted(set(self.line_ids.mapped("age_days")))
        if len(ages) < 2:
            raise UserError(self.env._("Points: at least two ages are needed."))
        return ages

    def _fit_fallback(self, ages, item_count):
        """The shipped default curve at ``ages``, with the wizard's values."""
        default = DEFAULT_POINTS[self.curve_id.basis]
        fitted = {age: interpolate(default, age, DEFAULT_MODE) for age in ages}
        return fitted, {
            "is_fallback": True,
            "note": self.env._(
                "History too thin: %(count)s invoices in the period, at least "
                "%(min)s are needed. The shipped default curve is proposed.",
                count=item_count,
                min=self.min_items,
            ),
        }

    def _fit_history(self, ages, stats, current, item_count):
        """The collected share at each age (the current curve where no invoice
        reached the age unpaid), made never increasing with age by pooling
        adjacent violators, weighted by the invoices observed at each age."""
        rates = []
        weights = []
        for age in ages:
            outstanding, collected, count = stats.get(age, (0.0, 0.0, 0))
            if outstanding > 0:
                rates.append(min(max(collected / outstanding, 0.0), 1.0))
                weights.append(count)
            else:
                # no invoice reached this age unpaid: keep the curve
                rates.append(interpolate(current, age, self.curve_id.mode))
                weights.append(0)
        monotone = pool_adjacent_violators(rates, weights)
        fitted = {age: round(p, 4) for age, p in zip(ages, monotone, strict=True)}
        return fitted, {
            "is_fallback": False,
            "note": self.env._(
                "Fitted on %(count)s invoices.",
                count=item_count,
            ),
        }

    @api.model
    def _fit_lines(self, ages, stats, current, fitted):
        """The commands that replace the wizard's lines by the fitted ones."""
        return [Command.clear()] + [
            Command.create(
                {
                    "age_days": age,
                    "current_probability": interpolate(
                        current, age, self.curve_id.mode
                    ),
                    "fitted_probability": fitted[age],
                    "item_count": stats.get(age, (0, 0, 0))[2],
                    "amount_outstanding": stats.get(age, (0.0, 0, 0))[0],
                    "amount_collected": stats.get(age, (0, 0.0, 0))[1],
                }
            )
            for age in ages
        ]

    def _history(self, ages):
        """(invoices in the period, {age: (outstanding at that age, collected
        from that age on, invoices observed)}) in one grouped query.

        The items are the posted customer invoices' receivable lines whose
        basis date (invoice date or due date) is in the period; an invoice is
        observed at an age once that age is reached today, and counts once its
        outcome is settled: closed, or past the last of ``ages`` (an invoice
        still open and younger is censored, not never collected). Credit notes
        matched to an invoice reduce its amount; payments (bank, cash, payment
        entries, registered payments) collect it; other matchings (write-offs)
        close it uncollected."""
        self.ensure_one()
        curve = self.curve_id
        for model, names in HISTORY_SOURCES.items():
            self.env[model].flush_model(names)
        rows = self.env.execute_query_dict(
            SQL(
                HISTORY_QUERY,
                basis_date=BASIS_DATE_SQL[curve.basis],
                company=curve.company_id.id,
                date_from=self.date_from,
                date_to=self.date_to,
                ages=list(ages),
                settled_age=max(ages),
                today=credit_today(self.env),
            )
        )
        return _history_stats(rows)


def pool_adjacent_violators(values, weights):
    """The non-increasing sequence closest to ``values`` in weighted least
    squares (``weights``, e.g. the items observed): adjacent values that
    increase are pooled into their weighted mean, repeatedly. A block of
    zero weight takes the plain mean of its values."""
    blocks = []  # [weighted sum, weight, values' sum, size]
    for value, weight in zip(values, weights, strict=True):
        blocks.append([value * weight, weight, value, 1])
        while len(blocks) > 1 and _block_mean(blocks[-2]) < _block_mean(blocks[-1]):
            last = blocks.pop()
            for i in range(4):
                blocks[-1][i] += last[i]
    return [_block_mean(block) for block in blocks for _i in range(block[3])]


def _block_mean(block):
    weighted, weight, total, size = block
    return weighted / weight if weight else total / size


def _history_stats(rows):
    """(item count, {age: (outstanding, collected, items)}) of the history
    query's rows (the row without age carries the item count)."""
    item_count = 0
    stats = {}
    for row in rows:
        if row["age"] is None:
            item_count = row["items"]
        else:
            stats[row["age"]] = (
                row["outstanding"] or 0.0,
                min(row["collected"] or 0.0, row["outstanding"] or 0.0),
                row["items"],
            )
    return item_count, stats


class CreditCollectabilityCalibrateLine(models.TransientModel):
    _name = "credit.collectability.calibrate.line"
    _description = "Calibrated Point of a Collectability Curve"
    _order = "age_days"

    wizard_id = fields.Many2one(
        "credit.collectability.calibrate", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="wizard_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    age_days = fields.Integer(string="Age (days)", required=True)
    current_probability = fields.Float(string="Current", digits=(16, 4), readonly=True)
    fitted_probability = fields.Float(string="Fitted", digits=(16, 4))
    item_count = fields.Integer(
        string="Invoices",
        readonly=True,
        help="Settled invoices (closed, or older than the curve's last age) "
        "still unpaid at this age.",
    )
    amount_outstanding = fields.Monetary(
        string="Outstanding at Age",
        readonly=True,
        help="Amount of these invoices still unpaid at this age.",
    )
    amount_collected = fields.Monetary(
        string="Collected Afterwards",
        readonly=True,
        help="Part of that amount paid afterwards (up to today).",
    )
