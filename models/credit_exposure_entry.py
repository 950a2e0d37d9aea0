# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The exposure ledger: the open receivable items of every customer, summed
per due date, kept exact by PostgreSQL triggers.

Every change of an open receivable item, whatever writes it (the ORM, a
reconciliation, another addon's SQL), inserts a delta row: minus what the
item counted for before the change, plus what it counts for after. Rows are
only ever inserted by transactions (never updated), so two transactions
posting invoices for the same customer do not wait for each other. The daily
case update rebuilds the ledger from the items (``_rebuild``): one row per
customer, company and due date, which also repairs anything a trigger could
not see (a TRUNCATE, a trigger disabled by hand).

Reading a customer's exposure then sums its rows, one per due date, whatever
the number of its open items: the sale order confirmation stays flat.

What counts is an open receivable item (``open_items.py``): posted,
unreconciled items on a receivable account, with a partner, whose invoice is
not paid or being paid through a registered payment without journal entry.
``credit_exposure_entry``
sums them per (customer, company, due date), the customer being the commercial
partner of the item's partner (a contact's items count for its company; a
contact moved to another company moves its items' rows): the positive residuals
(receivables), the negative ones (unapplied credits) and the disputed part of
the positive ones (``LEAST(dispute, residual)`` per item).
"""

from odoo import api, fields, models
from odoo.tools import SQL

from . import credit_exposure_order as order_ledger
from .credit_exposure import flush_exposure_sources, open_documents_sql
from .credit_rules import default_tier_sql
from .open_items import (
    CUSTOMER,
    item_condition_text,
    move_is_open,
    open_items_sql,
)

# An open item with a zero residual puts nothing in the ledger.
_COUNTS = "line.amount_residual <> 0"
# A ledger row, and the key an item is summed under.
_INSERT = """INSERT INTO credit_exposure_entry
           (partner_id, company_id, due_date, residual_pos, residual_neg, disputed)"""
# the customer: the commercial partner of the item's partner (``item_partner``)
_ITEM_KEY = (
    f"COALESCE({CUSTOMER}, line.partner_id), line.company_id,"
    " COALESCE(line.date_maturity, line.date)"
)

# What an open item puts in each of the ledger's sums: receivables, unapplied
# credits; the disputed part is its invoice's, not the item's: it comes from
# the invoice's shares (``DISPUTE_SHARES``), 0 here.
_ITEM_SUMS = (
    "GREATEST(line.amount_residual, 0)",
    "LEAST(line.amount_residual, 0)",
    "0",
)

# A dispute belongs to its invoice: the disputed amount, capped at what the
# invoice still owes on its open items, spread over them in proportion to
# their residuals (an instalment is never disputed twice; a dispute of one
# instalment's amount leaves part of each instalment to chase). One row per
# open item of the disputed invoices: move, customer, company, due date and
# the item's share. ``{where}``: more conditions on the items.
DISPUTE_SHARES = f"""
    SELECT line.move_id, COALESCE({CUSTOMER}, line.partner_id), line.company_id,
           COALESCE(line.date_maturity, line.date),
           LEAST(move.credit_dispute_amount,
                 SUM(line.amount_residual) OVER (PARTITION BY line.move_id))
           * line.amount_residual
           / SUM(line.amount_residual) OVER (PARTITION BY line.move_id)
      FROM account_move_line line
      JOIN account_account account ON account.id = line.account_id
      JOIN account_move move ON move.id = line.move_id
      LEFT JOIN res_partner item_partner ON item_partner.id = line.partner_id
     WHERE {item_condition_text()}
       AND line.amount_residual > 0
       AND move.credit_dispute_amount > 0
       {{where}}"""


def _item_sums(template, dispute="move.credit_dispute_amount"):
    """The three sums of ``_ITEM_SUMS``, each put in ``template`` (``{}``)."""
    return ",\n           ".join(
        template.format(expr.format(dispute=dispute)) for expr in _ITEM_SUMS
    )


SCHEMA_SQL = """
-- the disputed shares the ledger holds (DISPUTE_SHARES), per open item of a
-- disputed invoice: what to take out of the ledger when they change
CREATE TABLE IF NOT EXISTS credit_exposure_dispute (
    move_id integer NOT NULL,
    partner_id integer NOT NULL,
    company_id integer NOT NULL,
    due_date date,
    amount numeric NOT NULL
);
CREATE INDEX IF NOT EXISTS credit_exposure_dispute_move_idx
    ON credit_exposure_dispute (move_id);

-- the shares of one invoice again: the old ones out of the ledger, the
-- current ones in (the invoice locked first: two transactions paying two
-- instalments of one disputed invoice refresh it one after the other)
CREATE OR REPLACE FUNCTION credit_exposure_dispute_refresh(p_move integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM account_move WHERE id = p_move FOR NO KEY UPDATE;
    WITH old AS (
        DELETE FROM credit_exposure_dispute WHERE move_id = p_move RETURNING *
    )
    {insert}
    SELECT partner_id, company_id, due_date, 0, 0, -amount FROM old;
    WITH new AS (
        INSERT INTO credit_exposure_dispute
             (move_id, partner_id, company_id, due_date, amount)
        {move_shares}
        RETURNING *
    )
    {insert}
    SELECT partner_id, company_id, due_date, 0, 0, amount FROM new;
END $$;

-- refresh the shares of an invoice that is disputed or has shares
CREATE OR REPLACE FUNCTION credit_exposure_dispute_touch(p_move integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_move IS NOT NULL AND (
        EXISTS (SELECT 1 FROM account_move
                 WHERE id = p_move AND credit_dispute_amount > 0)
        OR EXISTS (SELECT 1 FROM credit_exposure_dispute WHERE move_id = p_move)
    ) THEN
        PERFORM credit_exposure_dispute_refresh(p_move);
    END IF;
END $$;

CREATE OR REPLACE FUNCTION credit_exposure_item_delta(
    line account_move_line, sign integer
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT COALESCE({line_open} AND {counts}, FALSE) THEN
        RETURN;  -- counts for nothing: no lookup
    END IF;
    {insert}
    SELECT {item_key},
           {signed_item_sums}
      FROM account_account account
      LEFT JOIN account_move move ON move.id = line.move_id
      LEFT JOIN res_partner item_partner ON item_partner.id = line.partner_id
     WHERE account.id = line.account_id
       AND {account_move_open};
END $$;

CREATE OR REPLACE FUNCTION credit_exposure_line_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM credit_exposure_item_delta(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM credit_exposure_item_delta(NEW, 1);
    END IF;
    -- the disputed shares of the invoice(s) of a receivable item
    IF TG_OP <> 'DELETE' AND NEW.parent_state = 'posted'
       AND NEW.partner_id IS NOT NULL THEN
        PERFORM credit_exposure_dispute_touch(NEW.move_id);
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.parent_state = 'posted'
       AND OLD.partner_id IS NOT NULL
       AND (TG_OP = 'DELETE' OR OLD.move_id IS DISTINCT FROM NEW.move_id
            OR NEW.parent_state IS DISTINCT FROM 'posted'
            OR NEW.partner_id IS NULL) THEN
        PERFORM credit_exposure_dispute_touch(OLD.move_id);
    END IF;
    RETURN NULL;
END $$;

-- a move's payment state or disputed amount changes what its open items
-- count for: the items are read as they are now, with the old and the new
-- values of the move
CREATE OR REPLACE FUNCTION credit_exposure_move_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {insert}
    SELECT {item_key},
           {move_delta_sums}
      FROM account_move_line line
      JOIN account_account account ON account.id = line.account_id
      LEFT JOIN res_partner item_partner ON item_partner.id = line.partner_id,
           LATERAL (SELECT {old_open} AS old_open, {new_open} AS new_open) state
     WHERE line.move_id = NEW.id
       AND {line_account_open}
       AND {counts}
       AND (old_open OR new_open);
    PERFORM credit_exposure_dispute_touch(NEW.id);
    RETURN NULL;
END $$;

-- an account becoming (or no longer being) a receivable: rare, whole account
CREATE OR REPLACE FUNCTION credit_exposure_account_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {insert}
    SELECT {item_key},
           {signed_item_sums}
      FROM account_move_line line
      JOIN account_move move ON move.id = line.move_id
      LEFT JOIN res_partner item_partner ON item_partner.id = line.partner_id,
           (SELECT CASE WHEN NEW.account_type = 'asset_receivable'
                        THEN 1 ELSE -1 END AS sign) s
     WHERE line.account_id = NEW.id
       AND {line_open}
       AND {counts}
       AND {move_open};
    PERFORM credit_exposure_dispute_touch(moves.move_id)
       FROM (SELECT DISTINCT line.move_id FROM account_move_line line
              WHERE line.account_id = NEW.id) moves;
    RETURN NULL;
END $$;

-- a contact moved to another company (its commercial partner changes): its
-- open items leave the old customer's rows for the new one's
CREATE OR REPLACE FUNCTION credit_exposure_partner_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {insert}
    SELECT moved.customer, line.company_id,
           COALESCE(line.date_maturity, line.date),
           {moved_item_sums}
      FROM account_move_line line
      JOIN account_account account ON account.id = line.account_id
      JOIN account_move move ON move.id = line.move_id,
           (VALUES (COALESCE(OLD.commercial_partner_id, OLD.id), -1),
                   (COALESCE(NEW.commercial_partner_id, NEW.id), 1))
               AS moved(customer, sign)
     WHERE line.partner_id = NEW.id
       AND {all_open}
       AND {counts};
    PERFORM credit_exposure_dispute_touch(moves.move_id)
       FROM (SELECT DISTINCT line.move_id FROM account_move_line line
              WHERE line.partner_id = NEW.id) moves;
    RETURN NULL;
END $$;

-- Everything the hold rules read of one customer, in one round trip with a
-- plan cached for the session (the sale order confirmation): its commercial
-- partner and that one's company-dependent credit fields (raw JSON, NULL when
-- not set for the company: the caller applies Odoo's fallback), the exposure
-- from the ledger and the open documents (OPEN_DOCUMENTS_SQL), the case when its stage
-- holds (or the amount-at-risk rule reads it), the manual holds, the broken
-- promises since p_since, the customer's tier and the company's default tier
-- with their write dates (the key of the tiers' rule cache). p_lock first
-- takes the customer's confirmation lock (sale.order._credit_check_confirmation).
DROP FUNCTION IF EXISTS credit_check_figures(
    integer, integer, date, date, integer[], boolean);
CREATE FUNCTION credit_check_figures(
    p_partner integer, p_company integer, p_today date, p_since date,
    p_exclude integer[], p_lock boolean
) RETURNS TABLE (
    not_due numeric, overdue numeric, credits numeric, oldest_due_date date,
    disputed numeric, disputed_overdue numeric, draft numeric, orders numeric,
    in_payment numeric, case_id integer, hold_ids integer[], broken bigint,
    default_policy_id integer, default_policy_stamp timestamp,
    partner_id integer, raw_policy text, raw_prepayment text, raw_limit text,
    policy_stamp timestamp
) LANGUAGE plpgsql
  -- one plan per session, made at the first call: the figures of one
  -- customer read the same indexes whoever the customer is
  SET plan_cache_mode = force_generic_plan
  SET max_parallel_workers_per_gather = 0
AS $$
#variable_conflict use_column
DECLARE
    v_partner integer;
    v_root integer;
    v_companies integer[];
BEGIN
    SELECT rp.commercial_partner_id INTO v_partner
      FROM res_partner rp WHERE rp.id = p_partner;
    v_partner := COALESCE(v_partner, p_partner);
    -- the receivables of the whole tree of the company's root count (its
    -- branches: consolidated_companies); the lock is the root's
    SELECT split_part(rc.parent_path, '/', 1)::integer INTO v_root
      FROM res_company rc WHERE rc.id = p_company;
    v_root := COALESCE(v_root, p_company);
    v_companies := ARRAY(SELECT rc.id FROM res_company rc
                          WHERE rc.parent_path LIKE v_root || '/%');
    IF p_lock THEN
        INSERT INTO credit_exposure_lock (partner_id, company_id, counter)
             VALUES (v_partner, v_root, 1)
        ON CONFLICT (partner_id, company_id)
          DO UPDATE SET counter = credit_exposure_lock.counter + 1;
    END IF;
    RETURN QUERY
    WITH items AS (
        SELECT SUM(e.residual_pos) FILTER (WHERE e.due_date >= p_today)
                   AS not_due,
               SUM(e.residual_pos) FILTER (WHERE e.due_date < p_today)
                   AS overdue,
               SUM(e.residual_neg) AS credits,
               -- the oldest due date still owed: the first one, in index
               -- order, whose receivables do not sum to zero
               (SELECT o.due_date
                  FROM credit_exposure_entry o
                 WHERE o.partner_id = v_partner
                   AND o.company_id = ANY(v_companies)
                   AND o.due_date < p_today
              GROUP BY o.due_date
                HAVING SUM(o.residual_pos) > 0
              ORDER BY o.due_date
                 LIMIT 1) AS oldest_due_date,
               SUM(e.disputed) AS disputed,
               SUM(e.disputed) FILTER (WHERE e.due_date < p_today)
                   AS disputed_overdue
          FROM credit_exposure_entry e
         WHERE e.partner_id = v_partner AND e.company_id = ANY(v_companies)
    ), documents AS (
        SELECT SUM(d.amount) FILTER (WHERE d.kind = 'draft') AS draft,
               SUM(d.amount) FILTER (WHERE d.kind = 'orders') AS orders,
               SUM(d.amount) FILTER (WHERE d.kind = 'in_payment') AS in_payment
          FROM ({open_documents}) d
    )
    SELECT items.*, documents.*,
           (SELECT case_.id
              FROM credit_collection_case case_
              JOIN credit_collection_stage stage ON stage.id = case_.stage_id
             WHERE case_.partner_id = v_partner
               AND case_.company_id = p_company
               AND case_.active
               AND (stage.is_hold
                    OR EXISTS (SELECT 1 FROM credit_collection_policy p
                                WHERE p.company_id = p_company
                                  AND p.use_amount_at_risk))
             LIMIT 1),
           ARRAY(SELECT hold.id
                   FROM credit_hold hold
                  WHERE hold.partner_id = v_partner
                    AND hold.company_id = p_company
                    AND hold.origin IN ('manual', 'stop')
                    AND hold.state IN ('active', 'overridden')
               ORDER BY hold.state_sequence, hold.create_date DESC, hold.id DESC),
           (SELECT COUNT(*)
              FROM credit_promise promise
             WHERE promise.partner_id = v_partner
               AND promise.company_id = p_company
               AND promise.state = 'broken'
               AND promise.date >= p_since),
           dp.id, dp.write_date,
           v_partner,
           (rp.credit_policy_id -> p_company::text)::text,
           (rp.credit_prepayment_only -> p_company::text)::text,
           (rp.credit_limit -> p_company::text)::text,
           pp.write_date
      FROM items, documents
      JOIN res_partner rp ON rp.id = v_partner
      LEFT JOIN credit_collection_policy pp
        ON pp.id = (rp.credit_policy_id ->> p_company::text)::integer
      LEFT JOIN credit_collection_policy dp ON dp.id = ({default_tier});
END $$;

DROP TRIGGER IF EXISTS credit_exposure_line ON account_move_line;
CREATE TRIGGER credit_exposure_line
    AFTER INSERT OR DELETE ON account_move_line
    FOR EACH ROW EXECUTE FUNCTION credit_exposure_line_trigger();
DROP TRIGGER IF EXISTS credit_exposure_line_update ON account_move_line;
CREATE TRIGGER credit_exposure_line_update
    AFTER UPDATE ON account_move_line
    FOR EACH ROW
    WHEN (OLD.amount_residual IS DISTINCT FROM NEW.amount_residual
          OR OLD.reconciled IS DISTINCT FROM NEW.reconciled
          OR OLD.parent_state IS DISTINCT FROM NEW.parent_state
          OR OLD.partner_id IS DISTINCT FROM NEW.partner_id
          OR OLD.account_id IS DISTINCT FROM NEW.account_id
          OR OLD.company_id IS DISTINCT FROM NEW.company_id
          OR OLD.move_id IS DISTINCT FROM NEW.move_id
          OR OLD.date_maturity IS DISTINCT FROM NEW.date_maturity
          OR OLD.date IS DISTINCT FROM NEW.date)
    EXECUTE FUNCTION credit_exposure_line_trigger();
DROP TRIGGER IF EXISTS credit_exposure_move ON account_move;
CREATE TRIGGER credit_exposure_move
    AFTER UPDATE ON account_move
    FOR EACH ROW
    WHEN (OLD.payment_state IS DISTINCT FROM NEW.payment_state
          OR OLD.credit_dispute_amount IS DISTINCT FROM NEW.credit_dispute_amount)
    EXECUTE FUNCTION credit_exposure_move_trigger();
DROP TRIGGER IF EXISTS credit_exposure_account ON account_account;
DROP TRIGGER IF EXISTS credit_exposure_partner ON res_partner;
CREATE TRIGGER credit_exposure_partner
    AFTER UPDATE ON res_partner
    FOR EACH ROW
    WHEN (OLD.commercial_partner_id IS DISTINCT FROM NEW.commercial_partner_id)
    EXECUTE FUNCTION credit_exposure_partner_trigger();
CREATE TRIGGER credit_exposure_account
    AFTER UPDATE ON account_account
    FOR EACH ROW
    WHEN ((OLD.account_type = 'asset_receivable')
          IS DISTINCT FROM (NEW.account_type = 'asset_receivable'))
    EXECUTE FUNCTION credit_exposure_account_trigger();
""".format(
    line_open=item_condition_text(("line",)),
    account_move_open=item_condition_text(("account", "move")),
    line_account_open=item_condition_text(("line", "account")),
    move_open=item_condition_text(("move",)),
    all_open=item_condition_text(),
    counts=_COUNTS,
    insert=_INSERT,
    item_key=_ITEM_KEY,
    old_open=move_is_open("OLD.payment_state"),
    new_open=move_is_open("NEW.payment_state"),
    signed_item_sums=_item_sums("sign * {}"),
    moved_item_sums=_item_sums("moved.sign * {}"),
    move_shares=DISPUTE_SHARES.format(where="AND line.move_id = p_move"),
    # what the items count for with the new payment state and dispute, less
    # what they counted for with the old ones
    move_delta_sums=",\n           ".join(
        f"new_open::int * {expr.format(dispute='NEW.credit_dispute_amount')}"
        f" - old_open::int * {expr.format(dispute='OLD.credit_dispute_amount')}"
        for expr in _ITEM_SUMS
    ),
    default_tier=default_tier_sql(SQL("p_company")).code,
    open_documents=open_documents_sql(
        company=SQL("p_company"),
        partner_is=SQL("= v_partner"),
        exclude=SQL("p_exclude"),
    ).code,
)

DROP_SQL = (
    """
DROP TRIGGER IF EXISTS credit_exposure_line ON account_move_line;
DROP TRIGGER IF EXISTS credit_exposure_line_update ON account_move_line;
DROP TRIGGER IF EXISTS credit_exposure_move ON account_move;
DROP TRIGGER IF EXISTS credit_exposure_account ON account_account;
DROP TRIGGER IF EXISTS credit_exposure_partner ON res_partner;
DROP FUNCTION IF EXISTS credit_exposure_line_trigger();
DROP FUNCTION IF EXISTS credit_exposure_partner_trigger();
DROP FUNCTION IF EXISTS credit_exposure_move_trigger();
DROP FUNCTION IF EXISTS credit_exposure_account_trigger();
DROP FUNCTION IF EXISTS credit_exposure_item_delta(account_move_line, integer);
DROP FUNCTION IF EXISTS credit_exposure_dispute_touch(integer);
DROP FUNCTION IF EXISTS credit_exposure_dispute_refresh(integer);
DROP TABLE IF EXISTS credit_exposure_dispute;
DROP FUNCTION IF EXISTS credit_check_figures(
    integer, integer, date, date, integer[], boolean);
"""
    + order_ledger.DROP_SQL
)


class CreditExposureEntry(models.Model):
    """A row of the exposure ledger (see the module's docstring). Written by
    PostgreSQL triggers and by ``_rebuild`` only; nobody reads it but the
    exposure (``credit_exposure.py``)."""

    _name = "credit.exposure.entry"
    _description = "Credit Exposure Ledger Entry"
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    due_date = fields.Date()
    # NUMERIC without fixed precision: sums of amounts stay exact
    residual_pos = fields.Float(string="Receivables", digits=0)
    residual_neg = fields.Float(string="Unapplied Credits", digits=0)
    disputed = fields.Float(digits=0)

    # covering: a customer's figures are read from the index alone once
    # (auto)vacuum has seen the rows
    _partner_company_due_idx = models.Index(
        "(partner_id, company_id, due_date)"
        " INCLUDE (residual_pos, residual_neg, disputed)"
    )

    def init(self):
        # Created after account.move's columns (this model is loaded after
        # the account.move extension). Rebuilt at every install and upgrade.
        self.env.cr.execute(order_ledger.SCHEMA_SQL)
        self.env.cr.execute(SCHEMA_SQL)
        self._rebuild()

    @api.model
    def _rebuild(self):
        """Replace the ledger by the open items' sums per customer, company
        and due date, and the open orders' ledger by their sums per customer
        and company (``credit_exposure_order.py``). Rows a concurrent
        transaction inserts meanwhile are not in this transaction's snapshot:
        they are neither deleted nor counted in the sums, so they stay valid
        on top of the rebuilt rows."""
        # what is pending is flushed first: flushed after the DELETE, it would
        # fire the triggers on top of the rebuilt sums (counted twice)
        flush_exposure_sources(self.env)
        self.env.cr.execute(order_ledger.REBUILD_SQL)
        self.env.cr.execute("DELETE FROM credit_exposure_entry")
        self.env.cr.execute("DELETE FROM credit_exposure_dispute")
        self.env.cr.execute(
            SQL(
                "INSERT INTO credit_exposure_dispute"
                " (move_id, partner_id, company_id, due_date, amount) %s",
                SQL(DISPUTE_SHARES.format(where="")),
            )
        )
        self.env.cr.execute(SQL("%s %s", SQL(_INSERT), self._item_sums_sql()))
        self.invalidate_model()

    @api.model
    def _drift(self):
        """[(partner_id, company_id, due_date, ledger, items)] where the ledger
        differs from the open items, then (partner_id, company_id, None,
        [ledger], [orders]) where the open orders' ledger differs from the
        confirmed orders (empty when exact)."""
        return self._items_drift() + self.env.execute_query(SQL(order_ledger.DRIFT_SQL))

    @api.model
    def _items_drift(self):
        return self.env.execute_query(
            SQL(
                """
            WITH items (partner_id, company_id, due_date, pos, neg, disputed) AS (
                %(items)s
            ), ledger AS (
                SELECT partner_id, company_id, due_date,
                       SUM(residual_pos) AS pos, SUM(residual_neg) AS neg,
                       SUM(disputed) AS disputed
                  FROM credit_exposure_entry
              GROUP BY 1, 2, 3
            )
            SELECT partner_id, company_id, due_date,
                   ARRAY[ledger.pos, ledger.neg, ledger.disputed],
                   ARRAY[items.pos, items.neg, items.disputed]
              FROM ledger FULL JOIN items USING (partner_id, company_id, due_date)
             WHERE COALESCE(ledger.pos, 0) <> COALESCE(items.pos, 0)
                OR COALESCE(ledger.neg, 0) <> COALESCE(items.neg, 0)
                OR COALESCE(ledger.disputed, 0) <> COALESCE(items.disputed, 0)
          ORDER BY 1, 2, 3
                """,
                items=self._item_sums_sql(),
            )
        )

    @api.model
    def _item_sums_sql(self):
        """``SELECT`` of the open items' sums per customer, company and due
        date, with the disputed shares of their invoices: what the ledger
        holds once rebuilt (flushes what it reads)."""
        return SQL(
            """
            SELECT partner_id, company_id, due_date,
                   SUM(pos), SUM(neg), SUM(disputed)
              FROM (
                SELECT %s,
                       %s
                       %s
                   AND %s
             UNION ALL
                SELECT partner_id, company_id, due_date, 0, 0, amount
                  FROM (%s) shares (move_id, partner_id, company_id, due_date, amount)
              ) sums (partner_id, company_id, due_date, pos, neg, disputed)
          GROUP BY 1, 2, 3
            """,
            SQL(_ITEM_KEY),
            SQL(_item_sums("{}")),
            open_items_sql(self.env, None),
            SQL(_COUNTS),
            SQL(DISPUTE_SHARES.format(where="")),
        )
