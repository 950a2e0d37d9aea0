# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SQL of the collection cases' figures (credit_collection_case_figures.py):
templates for ``SQL()``, over the open receivable items of ``open_items_sql``
(aliases ``line``, ``account``, ``move``)."""

# Per commercial partner, over its open items (``open_items_sql``): the worst
# due date is that of the oldest escalatable item: owed, not fully disputed
# and not under an open promise whose deadline is still ahead.
FIGURES_QUERY = """
            SELECT line.partner_id,
                   SUM(line.amount_residual) AS residual,
                   SUM(line.amount_residual) FILTER (
                       WHERE COALESCE(line.date_maturity, line.date) < %(today)s
                         AND line.amount_residual > 0
                   ) AS overdue,
                   COUNT(*) AS items,
                   SUM(CASE WHEN line.amount_residual > 0
                            THEN line.amount_residual * %(p_now)s
                            ELSE line.amount_residual END) AS expected,
                   SUM(GREATEST(line.amount_residual, 0)
                       * (%(p_now)s - %(p_tomorrow)s)) AS lost_per_day,
                   SUM(LEAST(COALESCE(move.credit_dispute_amount, 0),
                             GREATEST(line.amount_residual, 0))) AS disputed,
                   MIN(COALESCE(line.date_maturity, line.date)) FILTER (
                       WHERE line.amount_residual > 0
                         AND COALESCE(move.credit_dispute_amount, 0)
                             < line.amount_residual
                         AND NOT EXISTS (
                             SELECT 1
                               FROM account_move_credit_promise_rel rel
                               JOIN credit_promise promise
                                 ON promise.id = rel.credit_promise_id
                              WHERE rel.account_move_id = move.id
                                AND promise.state = 'open'
                                AND promise.date_deadline >= %(today)s
                         )
                   ) AS worst_due
                   %(open_items)s
          GROUP BY line.partner_id
"""

# The figures of FIGURES_QUERY and the worklist's in one pass over the open
# items of a batch of customers: the days to the next stage (the first
# threshold of the customer's ladder above the worst item's days overdue, in
# ``ladders``: {partner id: [thresholds]}; ``last`` on the last stage) and the
# loss avoided by acting before then (LOSS_AVOIDED_QUERY), the items read once.
FIGURES_AND_WORKLIST_QUERY = """
    WITH item AS MATERIALIZED (
            SELECT line.partner_id,
                   line.amount_residual AS residual,
                   COALESCE(line.date_maturity, line.date) AS due,
                   LEAST(COALESCE(move.credit_dispute_amount, 0),
                         GREATEST(line.amount_residual, 0)) AS disputed,
                   line.amount_residual > 0
                   AND COALESCE(move.credit_dispute_amount, 0) < line.amount_residual
                   AND NOT EXISTS (
                       SELECT 1
                         FROM account_move_credit_promise_rel rel
                         JOIN credit_promise promise
                           ON promise.id = rel.credit_promise_id
                        WHERE rel.account_move_id = move.id
                          AND promise.state = 'open'
                          AND promise.date_deadline >= %(today)s
                   ) AS escalatable,
                   %(age)s AS age
                   %(open_items)s
    ), item_p AS (
        SELECT item.*, %(p_now)s AS p_now FROM item
    ), figures AS (
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
               SUM(item_p.disputed) AS disputed,
               MIN(item_p.due) FILTER (WHERE item_p.escalatable) AS worst_due
          FROM item_p
      GROUP BY item_p.partner_id
    ), horizon AS (
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
    ), loss AS (
        SELECT item_p.partner_id,
               SUM(item_p.residual * (item_p.p_now - %(p_later)s)) AS loss_avoided
          FROM item_p
          JOIN horizon ON horizon.partner_id = item_p.partner_id
         WHERE item_p.residual > 0 AND horizon.days > 0
      GROUP BY item_p.partner_id
    )
    SELECT figures.*, horizon.days AS next_stage_days, loss.loss_avoided
      FROM figures
      JOIN horizon ON horizon.partner_id = figures.partner_id
 LEFT JOIN loss ON loss.partner_id = figures.partner_id
"""

# Per partner with a horizon: what its owed items lose on the curve until then.
LOSS_AVOIDED_QUERY = """
            SELECT item.partner_id,
                   SUM(item.residual * (%(p_now)s - %(p_later)s))
              FROM (SELECT line.partner_id,
                           line.amount_residual AS residual,
                           %(age)s AS age
                           %(open_items)s
                       AND line.amount_residual > 0) AS item
              JOIN unnest(%(partner_ids)s::int[], %(days)s::int[])
                   AS horizon(partner_id, days)
                ON horizon.partner_id = item.partner_id
          GROUP BY item.partner_id
"""
