# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SQL of the collection cases' figures (credit_collection_case_figures.py):
templates for ``SQL()``, over the open receivable items of ``open_items_sql``
(aliases ``line``, ``account``, ``move``), each written once as a CTE and
assembled into the three queries below. The figures are per customer, the
commercial partner of the items' partners (``CUSTOMER``)."""

from .open_items import CUSTOMER, DISPUTE_SHARE

# The open items, read once: residual, due date, disputed amount of their
# invoice, age on the curve, the probability of collecting them (``p_now``,
# the curve's SQL on ``item.age``), whether their invoice is under an open
# promise whose deadline is still ahead (``promised``: not chased) and whether
# a Collections Manager approved that promise (``promise_approved``: the only
# promise that may move the case down), whether it is covered by a kept
# payment arrangement (``arranged``: not chased) and whether that arrangement
# lifts the stage's hold (``arrangement_lifts``: its tier does not keep holds
# under arrangement — credit_arrangement.py).
ITEMS_CTE = f"""item AS MATERIALIZED (
            SELECT {CUSTOMER} AS partner_id,
                   line.move_id,
                   line.amount_residual AS residual,
                   COALESCE(line.date_maturity, line.date) AS due,
                   {DISPUTE_SHARE} AS dispute,
                   %(age)s AS age
                   %(open_items)s
    ), item_p AS (
        SELECT item.*, %(p_now)s AS p_now,
               EXISTS (
                   SELECT 1
                     FROM account_move_credit_promise_rel rel
                     JOIN credit_promise promise
                       ON promise.id = rel.credit_promise_id
                    WHERE rel.account_move_id = item.move_id
                      AND promise.state = 'open'
                      AND promise.date_deadline >= %(today)s
               ) AS promised,
               EXISTS (
                   SELECT 1
                     FROM account_move_credit_promise_rel rel
                     JOIN credit_promise promise
                       ON promise.id = rel.credit_promise_id
                    WHERE rel.account_move_id = item.move_id
                      AND promise.state = 'open'
                      AND promise.approved_by_id IS NOT NULL
                      AND promise.date_deadline >= %(today)s
               ) AS promise_approved,
               EXISTS (
                   SELECT 1
                     FROM credit_arrangement_invoice_rel arel
                     JOIN credit_arrangement arrangement
                       ON arrangement.id = arel.arrangement_id
                    WHERE arel.move_id = item.move_id
                      AND arrangement.state = 'active'
               ) AS arranged,
               EXISTS (
                   SELECT 1
                     FROM credit_arrangement_invoice_rel arel
                     JOIN credit_arrangement arrangement
                       ON arrangement.id = arel.arrangement_id
                    WHERE arel.move_id = item.move_id
                      AND arrangement.state = 'active'
                      AND NOT arrangement.keeps_hold
               ) AS arrangement_lifts
          FROM item
    )"""

# Per commercial partner: the worst due date is that of the oldest escalatable
# item: owed, not fully disputed and not under an open promise approved by a
# Collections Manager whose deadline is still ahead (a promise not approved
# pauses the reminders only: it never moves the case down, out of a hold),
# nor covered by a kept payment arrangement whose tier lifts the holds.
# ``p_tomorrow``: the curve's SQL on ``item_p.age + 1``.
FIGURES_CTE = """figures AS (
        SELECT item_p.partner_id,
               SUM(item_p.residual) AS residual,
               SUM(item_p.residual) FILTER (
                   WHERE item_p.due < %(today)s AND item_p.residual > 0
               ) AS overdue,
               COUNT(*) AS items,
               SUM(CASE WHEN item_p.residual > 0
                        THEN item_p.residual * item_p.p_now
                        ELSE item_p.residual END) AS expected,
               SUM(GREATEST(item_p.residual, 0)
                   * (item_p.p_now - %(p_tomorrow)s)) AS lost_per_day,
               SUM(LEAST(item_p.dispute, GREATEST(item_p.residual, 0))) AS disputed,
               MIN(item_p.due) FILTER (
                   WHERE item_p.residual > 0
                     AND item_p.dispute < item_p.residual
                     AND NOT item_p.promise_approved
                     AND NOT item_p.arrangement_lifts
               ) AS worst_due
          FROM item_p
      GROUP BY item_p.partner_id
    )"""

# Per partner: the days to the next stage (shown on the case, not the
# worklist's horizon), the first threshold of its ladder
# (``ladders``: {partner id: [thresholds]}) above its worst item's days
# overdue, ``last`` on the last stage, 0 without an escalatable item.
NEXT_STAGE_CTE = """next_stage AS (
        SELECT figures.partner_id,
               CASE WHEN figures.worst_due IS NULL THEN 0
                    ELSE COALESCE((
                        SELECT threshold.value::int - (%(today)s - figures.worst_due)
                          FROM jsonb_array_elements_text(
                                   %(ladders)s::jsonb -> figures.partner_id::text
                               ) WITH ORDINALITY AS threshold(value, position)
                         WHERE threshold.value::int
                               > GREATEST(%(today)s - figures.worst_due, 0)
                      ORDER BY threshold.position
                         LIMIT 1), %(last)s)
               END AS days
          FROM figures
    )"""

# Per partner, the worklist's rank: what its chaseable items lose on the
# curve over the company's fixed horizon (``p_later``: the curve's SQL on
# ``item_p.age + horizon``), the same horizon for every case. Chaseable: owed,
# past due, not under an open promise nor a kept arrangement; their disputed
# part is not chased.
LOSS_CTE = """loss AS (
        SELECT item_p.partner_id,
               SUM(GREATEST(item_p.residual - item_p.dispute, 0)
                   * (item_p.p_now - %(p_later)s)) AS loss_avoided
          FROM item_p
         WHERE item_p.residual > 0
           AND item_p.due < %(today)s
           AND NOT item_p.promised
           AND NOT item_p.arranged
      GROUP BY item_p.partner_id
    )"""

# The figures of a whole company.
FIGURES_QUERY = f"""
    WITH {ITEMS_CTE}, {FIGURES_CTE}
    SELECT figures.* FROM figures
"""

# The figures and the worklist's (days to the next stage, loss avoided over
# the fixed horizon) of a batch of customers, the items read once.
FIGURES_AND_WORKLIST_QUERY = f"""
    WITH {ITEMS_CTE}, {FIGURES_CTE}, {NEXT_STAGE_CTE}, {LOSS_CTE}
    SELECT figures.*, next_stage.days AS next_stage_days, loss.loss_avoided
      FROM figures
      JOIN next_stage ON next_stage.partner_id = figures.partner_id
 LEFT JOIN loss ON loss.partner_id = figures.partner_id
"""

# The loss avoided of the customers of the open items (over the fixed
# horizon): the worklist of a whole company, after ``FIGURES_QUERY``.
LOSS_AVOIDED_QUERY = f"""
    WITH {ITEMS_CTE}, {LOSS_CTE}
    SELECT loss.partner_id, loss.loss_avoided FROM loss
"""
