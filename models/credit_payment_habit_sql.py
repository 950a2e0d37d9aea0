# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's payment habits, in grouped SQL (one query per batch of
customers of one company).

Definitions (readme/USAGE.md, *Payment habits*):

- an **invoice item** is a posted receivable line of a customer invoice or
  receipt with a positive balance (an instalment has its own due date);
- its **settled date**: when the line is reconciled, the latest date of its
  partial reconciliations (payments, credit notes); when it is not but its
  invoice is paid or being paid through payments without journal entry
  (Odoo 19's ``matched_payment_ids``), the latest date of those payments;
  else it is open;
- a **snapshot** ``k`` months ago looks at ``ref = today - k months`` and at
  the items **due in the 12 months up to ref** (``ref - 12 months < due <=
  ref``); on them, settlements after ``ref`` are not known yet:

  - *days beyond terms*: the mean over the items of
    ``max(0, min(settled, ref) - due)`` (an open item counts until ref);
  - *share paid late*: the share of those items with days beyond terms > 0;
  - *average days to pay*: the mean of ``max(0, settled - invoice date)``
    over the items settled by ref;
  - *broken promises*: promises to pay broken (broken payment arrangements
    are recorded as broken promises) whose promised date is in the window;

- the **largest balance**: the highest end-of-day balance of all the
  customer's posted receivable lines over the last 12 months (the balance
  at the window's start included).
"""

from odoo.tools import SQL

# the snapshots computed, in months before today: the rules' "for N months"
# reads 0..N-1, the credit file shows 0, 3, 6 and 12
SNAPSHOT_MONTHS = (0, 1, 2, 3, 4, 5, 6, 12)

_ITEMS = """
    SELECT item_partner.commercial_partner_id AS partner_id,
           line.date_maturity AS due,
           COALESCE(move.invoice_date, line.date) AS invoiced,
           CASE WHEN line.reconciled THEN (
                    SELECT MAX(apr.max_date)
                      FROM account_partial_reconcile apr
                     WHERE apr.debit_move_id = line.id)
                WHEN move.payment_state IN ('in_payment', 'paid') THEN (
                    SELECT MAX(pay.date)
                      FROM account_move__account_payment rel
                      JOIN account_payment pay ON pay.id = rel.payment_id
                     WHERE rel.invoice_id = move.id
                       AND pay.state IN ('in_process', 'paid'))
           END AS settled
      FROM account_move_line line
      JOIN account_move move ON move.id = line.move_id
      JOIN account_account account ON account.id = line.account_id
      JOIN res_partner item_partner ON item_partner.id = line.partner_id
     WHERE line.parent_state = 'posted'
       AND account.account_type = 'asset_receivable'
       AND line.company_id = %(company)s
       AND move.move_type IN ('out_invoice', 'out_receipt')
       AND line.balance > 0
       AND line.date_maturity > %(oldest)s
       AND line.date_maturity <= %(today)s
       AND %(partner_filter)s
"""


def _customers_are(column, partner_ids):
    """SQL: ``column`` is one of ``partner_ids`` (None: every customer; one
    query over the company's lines is cheaper than batches of customers,
    each of which would scan them)."""
    if partner_ids is None:
        return SQL("TRUE")
    return SQL("%s = ANY(%s)", SQL(column), list(partner_ids))


def habits_sql(company_id, partner_ids, today, oldest):
    """One row per (customer, snapshot) with items or broken promises:
    partner_id, months, days_beyond_terms, late_share, avg_days_to_pay,
    broken_promises (``partner_ids`` None: every customer)."""
    return SQL(
        """
WITH refs AS (
    SELECT months, (%(today)s::date - make_interval(months => months))::date AS ref
      FROM unnest(%(snapshots)s::int[]) AS months
), items AS MATERIALIZED ("""
        + _ITEMS
        + """), per_item AS (
    SELECT items.partner_id, refs.months,
           GREATEST(0, LEAST(COALESCE(items.settled, refs.ref), refs.ref)
                       - items.due) AS late,
           CASE WHEN items.settled <= refs.ref
                THEN GREATEST(0, items.settled - items.invoiced) END AS to_pay
      FROM items
      JOIN refs ON items.due > (refs.ref - INTERVAL '12 months')::date
               AND items.due <= refs.ref
), item_figures AS (
    SELECT partner_id, months,
           AVG(late) AS days_beyond_terms,
           100.0 * COUNT(*) FILTER (WHERE late > 0) / COUNT(*) AS late_share,
           AVG(to_pay) AS avg_days_to_pay
      FROM per_item
  GROUP BY partner_id, months
), promises AS (
    SELECT promise.partner_id, refs.months, COUNT(*) AS broken
      FROM credit_promise promise
      JOIN refs ON promise.date > (refs.ref - INTERVAL '12 months')::date
               AND promise.date <= refs.ref
     WHERE promise.state = 'broken'
       AND promise.company_id = %(company)s
       AND %(promise_filter)s
  GROUP BY promise.partner_id, refs.months
)
SELECT COALESCE(f.partner_id, p.partner_id) AS partner_id,
       COALESCE(f.months, p.months) AS months,
       f.days_beyond_terms, f.late_share, f.avg_days_to_pay,
       COALESCE(p.broken, 0) AS broken_promises
  FROM item_figures f
  FULL JOIN promises p ON p.partner_id = f.partner_id AND p.months = f.months
""",
        company=company_id,
        partner_filter=_customers_are(
            "item_partner.commercial_partner_id", partner_ids
        ),
        promise_filter=_customers_are("promise.partner_id", partner_ids),
        today=today,
        oldest=oldest,
        snapshots=list(SNAPSHOT_MONTHS),
    )


def largest_balance_sql(company_id, partner_ids, today, start):
    """(partner_id, largest balance) over the 12 months after ``start``."""
    return SQL(
        """
WITH daily AS (
    SELECT item_partner.commercial_partner_id AS partner_id, line.date,
           SUM(line.balance) AS amount
      FROM account_move_line line
      JOIN account_account account ON account.id = line.account_id
      JOIN res_partner item_partner ON item_partner.id = line.partner_id
     WHERE line.parent_state = 'posted'
       AND account.account_type = 'asset_receivable'
       AND line.company_id = %(company)s
       AND line.date <= %(today)s
       AND %(partner_filter)s
  GROUP BY 1, 2
), running AS (
    SELECT partner_id, date,
           SUM(amount) OVER (PARTITION BY partner_id ORDER BY date) AS balance
      FROM daily
)
SELECT partner_id,
       GREATEST(
           MAX(balance) FILTER (WHERE date > %(start)s),
           (ARRAY_AGG(balance ORDER BY date DESC)
                FILTER (WHERE date <= %(start)s))[1],
           0) AS largest
  FROM running
 GROUP BY partner_id
""",
        company=company_id,
        partner_filter=_customers_are(
            "item_partner.commercial_partner_id", partner_ids
        ),
        today=today,
        start=start,
    )
