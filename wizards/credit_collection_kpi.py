# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..models.clock import credit_today
from ..models.open_items import flush_open_items, item_condition_text, move_is_open

# DSO countback walks back at most this many months
COUNTBACK_MONTHS = 24
SALES_MOVE_TYPES = ("out_invoice", "out_refund")

# what the receivables query reads besides the items (flush_open_items)
MATCHING_SOURCES = {
    "account.partial.reconcile": [
        "debit_move_id",
        "credit_move_id",
        "amount",
        "max_date",
        "company_id",
    ],
}

# a receivable item of the company dated up to the date (both branches of
# the candidates below)
RECEIVABLE_AS_OF_SQL = f"""line.company_id = %(company)s
           AND {item_condition_text(("line", "account"), open_only=False)}
           AND line.date <= %(date)s
           %(partner_filter)s"""

# the candidates first (unreconciled items, and items reconciled
# after the date), then their moves: not every receivable item ever.
# (the unreconciled part of the second branch is in the first one)
RECEIVABLES_AS_OF_QUERY = f"""
    WITH later AS (
        SELECT matched.line_id, SUM(matched.amount) AS amount
          FROM (
            SELECT partial.debit_move_id AS line_id, partial.amount
              FROM account_partial_reconcile partial
             WHERE partial.company_id = %(company)s
               AND partial.max_date > %(date)s
             UNION ALL
            SELECT partial.credit_move_id, -partial.amount
              FROM account_partial_reconcile partial
             WHERE partial.company_id = %(company)s
               AND partial.max_date > %(date)s
          ) AS matched
      GROUP BY matched.line_id
    ),
    candidate AS (
        SELECT line.id, line.move_id, line.reconciled, line.amount_residual,
               COALESCE(line.date_maturity, line.date) AS due
          FROM account_move_line line
          JOIN account_account account ON account.id = line.account_id
         WHERE line.reconciled IS NOT TRUE
           AND %(receivable)s
         UNION
        SELECT line.id, line.move_id, line.reconciled, line.amount_residual,
               COALESCE(line.date_maturity, line.date)
          FROM later
          JOIN account_move_line line ON line.id = later.line_id
          JOIN account_account account ON account.id = line.account_id
         WHERE %(receivable)s
    )
    SELECT COALESCE(SUM(item.residual), 0),
           COALESCE(SUM(item.residual) FILTER (
               WHERE item.due < %(date)s AND item.residual > 0), 0)
      FROM (
        SELECT line.due,
               CASE WHEN line.reconciled IS NOT TRUE
                         AND NOT {move_is_open("move.payment_state")}
                    THEN 0 ELSE line.amount_residual END
               + COALESCE(later.amount, 0) AS residual
          FROM candidate line
          JOIN account_move move ON move.id = line.move_id
     LEFT JOIN later ON later.line_id = line.id
      ) AS item
"""

# the credit sales per accounting date
SALES_BY_DATE_QUERY = """
    SELECT move.date, SUM(move.amount_total_signed)
      FROM account_move move
     WHERE move.company_id = %(company)s
       AND move.state = 'posted'
       AND move.move_type IN %(types)s
       AND move.date > %(first)s
       AND move.date <= %(end)s
       %(partner_filter)s
  GROUP BY move.date
"""


def countback_dso(receivables, periods):
    """Days sales outstanding by the countback method: walk back from the
    end of the period through ``periods`` (``(days, sales)`` pairs, most
    recent first), consuming ``receivables`` with each period's credit sales;
    a period fully consumed adds its days, the last one the fraction
    receivables left / its sales of its days."""
    dso = 0.0
    left = receivables
    for days, sales in periods:
        if left <= 0:
            break
        if sales <= 0:
            dso += days
            continue
        if left >= sales:
            dso += days
            left -= sales
        else:
            dso += days * left / sales
            left = 0.0
    return dso


class CreditCollectionKpi(models.TransientModel):
    """Collection KPIs of a company (or of one collector's customers) over a
    period, computed on the fly with a few grouped queries."""

    _name = "credit.collection.kpi"
    _description = "Collection KPIs"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        domain="[('share', '=', False)]",
        help="Only the customers whose collection case this collector follows. "
        "Empty: the whole company.",
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: credit_today(self.env) - relativedelta(months=3),
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: credit_today(self.env)
    )

    amount_receivable = fields.Monetary(
        string="Receivables", compute="_compute_kpis", help="At the end of the period."
    )
    amount_overdue = fields.Monetary(
        string="Overdue", compute="_compute_kpis", help="At the end of the period."
    )
    amount_receivable_start = fields.Monetary(
        string="Receivables at Start", compute="_compute_kpis"
    )
    amount_sales = fields.Monetary(
        string="Credit Sales",
        compute="_compute_kpis",
        help="Customer invoices less credit notes posted in the period.",
    )
    dso = fields.Float(string="DSO (days)", compute="_compute_kpis", digits=(16, 1))
    best_dso = fields.Float(
        string="Best Possible DSO (days)", compute="_compute_kpis", digits=(16, 1)
    )
    avg_days_delinquent = fields.Float(
        string="Average Days Delinquent",
        compute="_compute_kpis",
        digits=(16, 1),
        help="DSO less best possible DSO.",
    )
    overdue_ratio = fields.Float(
        string="Overdue Ratio (%)", compute="_compute_kpis", digits=(16, 1)
    )
    cei = fields.Float(
        string="Collection Effectiveness Index (%)",
        compute="_compute_kpis",
        digits=(16, 1),
    )
    promise_kept_rate = fields.Float(
        string="Promises Kept (%)", compute="_compute_kpis", digits=(16, 1)
    )
    promise_partly_kept_rate = fields.Float(
        string="Promises Partly Kept (%)", compute="_compute_kpis", digits=(16, 1)
    )
    promise_count = fields.Integer(
        string="Promises Due in Period", compute="_compute_kpis"
    )
    dispute_rate = fields.Float(
        string="Disputed (%)", compute="_compute_kpis", digits=(16, 1)
    )
    amount_on_hold = fields.Monetary(string="On Credit Hold", compute="_compute_kpis")
    amount_expected = fields.Monetary(
        string="Expected Collectible", compute="_compute_kpis"
    )
    amount_lost_per_day = fields.Monetary(
        string="Value Lost per Day", compute="_compute_kpis"
    )

    # ----------------------------------------------------------------- compute
    @api.depends("company_id", "user_id", "date_from", "date_to")
    def _compute_kpis(self):
        for kpi in self:
            kpi.update(kpi._kpi_values())

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for kpi in self:
            if kpi.date_from and kpi.date_to and kpi.date_from > kpi.date_to:
                raise ValidationError(
                    self.env._("From: the period starts after it ends.")
                )

    # ------------------------------------------------------------------ actions
    def action_by_collector(self):
        """One line per collector of the company (and one for the cases
        without collector), over the same period."""
        self.ensure_one()
        groups = self.env["credit.collection.case"]._read_group(
            [("company_id", "=", self.company_id.id)], ["user_id"], ["__count"]
        )
        kpis = self.create(
            [
                {
                    "company_id": self.company_id.id,
                    "user_id": user.id,
                    "date_from": self.date_from,
                    "date_to": self.date_to,
                }
                for user, _count in groups
                if user
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("KPIs by Collector"),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": [("id", "in", kpis.ids)],
        }

    # ------------------------------------------------------------------ helpers
    def _kpi_values(self):
        """Every KPI of this record, in a handful of grouped queries."""
        self.ensure_one()
        if not (self.company_id and self.date_from and self.date_to):
            return dict.fromkeys(self._kpi_fields(), 0.0)
        start, end = self.date_from, self.date_to
        end_total, end_overdue = self._receivables_as_of(end)
        start_total, _start_overdue = self._receivables_as_of(start - timedelta(days=1))
        periods, period_sales = self._countback_periods(end, start)
        dso = countback_dso(end_total, periods)
        best_dso = countback_dso(end_total - end_overdue, periods)
        return {
            "amount_receivable": end_total,
            "amount_overdue": end_overdue,
            "amount_receivable_start": start_total,
            "amount_sales": period_sales,
            "dso": dso,
            "best_dso": best_dso,
            "avg_days_delinquent": dso - best_dso,
            "overdue_ratio": _percent(end_overdue, end_total),
            "cei": _cei(start_total, period_sales, end_total, end_overdue),
            **self._case_kpis(),
            **self._promise_kpis(),
        }

    def _case_domain(self):
        """The company's cases (the collector's only, when one is set)."""
        domain = Domain("company_id", "=", self.company_id.id)
        if self.user_id:
            domain &= Domain("user_id", "=", self.user_id.id)
        return domain

    def _case_kpis(self):
        """The KPIs read on the collection cases as they stand today."""
        case_domain = self._case_domain()
        Case = self.env["credit.collection.case"].sudo()
        [(residual, disputed, expected, lost)] = Case._read_group(
            case_domain,
            [],
            [
                "amount_residual:sum",
                "amount_disputed:sum",
                "amount_expected:sum",
                "amount_lost_per_day:sum",
            ],
        )
        # the customers on hold, as a subquery: one query however many holds
        held = (
            self.env["credit.hold"]
            .sudo()
            ._search(
                [("company_id", "=", self.company_id.id), ("state", "=", "active")]
            )
        )
        [(on_hold,)] = Case._read_group(
            case_domain & Domain("partner_id", "in", held.subselect("partner_id")),
            [],
            ["amount_residual:sum"],
        )
        return {
            "dispute_rate": _percent(disputed or 0.0, residual or 0.0),
            "amount_on_hold": on_hold or 0.0,
            "amount_expected": expected or 0.0,
            "amount_lost_per_day": lost or 0.0,
        }

    def _promise_kpis(self):
        """The promises due in the period, and the shares of them kept and
        partly kept."""
        domain = Domain(
            [
                ("company_id", "=", self.company_id.id),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
                ("state", "in", ("kept", "partly_kept", "broken")),
            ]
        )
        if self.user_id:
            domain &= Domain("case_id.user_id", "=", self.user_id.id)
        promises = dict(
            self.env["credit.promise"]
            .sudo()
            ._read_group(domain, ["state"], ["__count"])
        )
        kept = promises.get("kept", 0)
        partly = promises.get("partly_kept", 0)
        promise_count = kept + partly + promises.get("broken", 0)
        return {
            "promise_kept_rate": 100.0 * kept / promise_count if promise_count else 0.0,
            "promise_partly_kept_rate": (
                100.0 * partly / promise_count if promise_count else 0.0
            ),
            "promise_count": promise_count,
        }

    @api.model
    def _kpi_fields(self):
        return [
            name
            for name, field in self._fields.items()
            if field.compute == "_compute_kpis"
        ]

    def _partner_filter(self, partner_column=None):
        """Restricts the rows to the collector's customers (``partner_column``:
        the SQL column of the row's customer)."""
        if not self.user_id:
            return SQL()
        # an item counts for the commercial partner of its partner
        partner_column = partner_column or SQL(
            "(SELECT item_partner.commercial_partner_id FROM res_partner"
            " item_partner WHERE item_partner.id = line.partner_id)"
        )
        self.env["credit.collection.case"].flush_model(
            ["partner_id", "company_id", "user_id"]
        )
        return SQL(
            """AND %s IN (
                   SELECT ccase.partner_id FROM credit_collection_case ccase
                    WHERE ccase.company_id = %s AND ccase.user_id = %s)""",
            partner_column,
            self.company_id.id,
            self.user_id.id,
        )

    def _receivables_as_of(self, date):
        """(total, overdue) receivables of the company at the end of ``date``:
        each receivable item's residual as it stood then (today's residual
        plus the reconciliations dated later), in one grouped query. Overdue:
        the positive residuals due before ``date``. At today's date these are
        exactly the open receivable items of the collection cases."""
        self.ensure_one()
        flush_open_items(self.env)
        for model, names in MATCHING_SOURCES.items():
            self.env[model].flush_model(names)
        [(total, overdue)] = self.env.execute_query(
            SQL(
                RECEIVABLES_AS_OF_QUERY,
                date=date,
                company=self.company_id.id,
                receivable=SQL(
                    RECEIVABLE_AS_OF_SQL,
                    date=date,
                    company=self.company_id.id,
                    partner_filter=self._partner_filter(),
                ),
            )
        )
        return total, overdue

    def _countback_periods(self, end, start):
        """Credit sales (total of the posted customer invoices less credit
        notes, company currency, by accounting date) in one grouped query:
        the ``(days, sales)`` months walking back from ``end`` (most recent
        first, ``COUNTBACK_MONTHS`` of them) and the sales from ``start`` to
        ``end``."""
        self.ensure_one()
        first = min(end - relativedelta(months=COUNTBACK_MONTHS), start)
        rows = self._sales_by_date(first, end)
        return countback_periods(rows, end, start)

    def _sales_by_date(self, first, end):
        """``(date, sales)`` rows of the credit sales after ``first`` up to
        ``end``."""
        self.env["account.move"].flush_model(
            [
                "move_type",
                "state",
                "date",
                "company_id",
                "commercial_partner_id",
                "amount_total_signed",
            ]
        )
        return self.env.execute_query(
            SQL(
                SALES_BY_DATE_QUERY,
                company=self.company_id.id,
                types=SALES_MOVE_TYPES,
                first=first,
                end=end,
                partner_filter=self._partner_filter(SQL("move.commercial_partner_id")),
            )
        )


def _percent(part, whole):
    return 100.0 * part / whole if whole > 0 else 0.0


def _cei(start_total, period_sales, end_total, end_overdue):
    """Collection effectiveness index: collected in the period over what was
    collectable (receivables at start plus sales, less the current ones)."""
    collectable = start_total + period_sales - (end_total - end_overdue)
    return _percent(start_total + period_sales - end_total, collectable)


def countback_periods(rows, end, start):
    """The ``(days, sales)`` months walking back from ``end`` (most recent
    first) of the ``(date, sales)`` ``rows``, and the sales from ``start``."""
    by_period = defaultdict(float)
    period_sales = 0.0
    bounds = [end - relativedelta(months=k) for k in range(COUNTBACK_MONTHS + 1)]
    for date, amount in rows:
        if date >= start:
            period_sales += amount
        for k in range(COUNTBACK_MONTHS):
            if bounds[k + 1] < date <= bounds[k]:
                by_period[k] += amount
                break
    periods = [
        ((bounds[k] - bounds[k + 1]).days, by_period[k])
        for k in range(COUNTBACK_MONTHS)
    ]
    return periods, period_sales
