# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The open orders' ledger: what a customer's confirmed orders still have to
invoice, summed per customer and company, kept exact by PostgreSQL triggers.

The exposure's ``orders`` part (``credit_exposure.OPEN_DOCUMENTS_QUERY``) used
to sum the lines of every confirmed order of the customer at each credit
check: a customer with thousands of confirmed orders not invoiced yet made
every confirmation scan them. Like the exposure ledger of the open items
(``credit_exposure_entry.py``), every change of what an order line counts
for inserts a delta row (minus what it counted for, plus what it counts for
now); the rows are only ever inserted, so two transactions confirming orders
of one customer do not wait for each other here. The daily rebuild
(``credit.exposure.entry._rebuild``) replaces them by one row per customer
and company: a check reads a few rows, whatever the number of orders.

What a line counts for (``LINE_AMOUNT``): a line (no section or note, a
positive quantity) of a confirmed order, its part not invoiced yet, tax
included, converted at the order's rate; under the commercial partner of the
order's invoice address and the order's company.
"""

# what one line of a confirmed order (``line``, ``so``) counts for; the
# exposure's own formula, read by the triggers, the rebuild and the
# exclusion of the order being checked
LINE_AMOUNT = (
    "{line}.price_total"
    " * GREATEST({line}.product_uom_qty - {line}.qty_invoiced, 0)"
    " / {line}.product_uom_qty"
    " / COALESCE(NULLIF({so}.currency_rate, 0), 1)"
)
LINE_COUNTS = "{line}.display_type IS NULL AND {line}.product_uom_qty > 0"


def line_amount(line="sol", so="so"):
    return LINE_AMOUNT.format(line=line, so=so)


def line_counts(line="sol"):
    return LINE_COUNTS.format(line=line)


# the sums the ledger holds once rebuilt: one row per customer and company
ORDER_SUMS = f"""
    SELECT invoice_partner.commercial_partner_id, so.company_id,
           SUM({line_amount()})
      FROM sale_order_line sol
      JOIN sale_order so ON so.id = sol.order_id
      JOIN res_partner invoice_partner
        ON invoice_partner.id = so.partner_invoice_id
     WHERE so.state = 'sale'
       AND {line_counts()}
  GROUP BY 1, 2"""

SCHEMA_SQL = f"""
CREATE TABLE IF NOT EXISTS credit_exposure_order (
    partner_id integer,
    company_id integer,
    amount numeric NOT NULL
);
-- covering: a customer's rows are read from the index alone
CREATE INDEX IF NOT EXISTS credit_exposure_order_partner_idx
    ON credit_exposure_order (partner_id, company_id) INCLUDE (amount);

-- what one line counts for, signed, with its order as it is now
CREATE OR REPLACE FUNCTION credit_exposure_order_line_delta(
    line sale_order_line, sign integer
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT COALESCE({line_counts("line")}, FALSE) THEN
        RETURN;  -- counts for nothing: no lookup
    END IF;
    INSERT INTO credit_exposure_order (partner_id, company_id, amount)
    SELECT invoice_partner.commercial_partner_id, so.company_id,
           sign * {line_amount("line", "so")}
      FROM sale_order so
      JOIN res_partner invoice_partner
        ON invoice_partner.id = so.partner_invoice_id
     WHERE so.id = line.order_id
       AND so.state = 'sale'
       AND {line_amount("line", "so")} <> 0;
END $$;

CREATE OR REPLACE FUNCTION credit_exposure_order_line_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM credit_exposure_order_line_delta(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM credit_exposure_order_line_delta(NEW, 1);
    END IF;
    RETURN NULL;
END $$;

-- an order confirmed, cancelled, moved to another invoice address, company
-- or rate: its lines as they are now, with the old and the new order
CREATE OR REPLACE FUNCTION credit_exposure_order_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.state = 'sale' THEN
        INSERT INTO credit_exposure_order (partner_id, company_id, amount)
        SELECT invoice_partner.commercial_partner_id, OLD.company_id,
               -SUM({line_amount("sol", "OLD")})
          FROM sale_order_line sol
          JOIN res_partner invoice_partner
            ON invoice_partner.id = OLD.partner_invoice_id
         WHERE sol.order_id = OLD.id
           AND {line_counts()}
      GROUP BY 1, 2
        HAVING SUM({line_amount("sol", "OLD")}) <> 0;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.state = 'sale' THEN
        INSERT INTO credit_exposure_order (partner_id, company_id, amount)
        SELECT invoice_partner.commercial_partner_id, NEW.company_id,
               SUM({line_amount("sol", "NEW")})
          FROM sale_order_line sol
          JOIN res_partner invoice_partner
            ON invoice_partner.id = NEW.partner_invoice_id
         WHERE sol.order_id = NEW.id
           AND {line_counts()}
      GROUP BY 1, 2
        HAVING SUM({line_amount("sol", "NEW")}) <> 0;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;  -- BEFORE DELETE: taken out while its lines are there
    END IF;
    RETURN NULL;
END $$;

-- an invoice address moved to another company: its orders move customer
CREATE OR REPLACE FUNCTION credit_exposure_order_partner_trigger()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO credit_exposure_order (partner_id, company_id, amount)
    SELECT moved.customer, so.company_id, moved.sign * SUM({line_amount()})
      FROM sale_order so
      JOIN sale_order_line sol ON sol.order_id = so.id,
           (VALUES (COALESCE(OLD.commercial_partner_id, OLD.id), -1),
                   (COALESCE(NEW.commercial_partner_id, NEW.id), 1))
               AS moved(customer, sign)
     WHERE so.partner_invoice_id = NEW.id
       AND so.state = 'sale'
       AND {line_counts()}
  GROUP BY moved.customer, so.company_id, moved.sign
    HAVING SUM({line_amount()}) <> 0;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS credit_exposure_order_line ON sale_order_line;
CREATE TRIGGER credit_exposure_order_line
    AFTER INSERT OR DELETE ON sale_order_line
    FOR EACH ROW EXECUTE FUNCTION credit_exposure_order_line_trigger();
DROP TRIGGER IF EXISTS credit_exposure_order_line_update ON sale_order_line;
CREATE TRIGGER credit_exposure_order_line_update
    AFTER UPDATE ON sale_order_line
    FOR EACH ROW
    WHEN (OLD.price_total IS DISTINCT FROM NEW.price_total
          OR OLD.product_uom_qty IS DISTINCT FROM NEW.product_uom_qty
          OR OLD.qty_invoiced IS DISTINCT FROM NEW.qty_invoiced
          OR OLD.display_type IS DISTINCT FROM NEW.display_type
          OR OLD.order_id IS DISTINCT FROM NEW.order_id)
    EXECUTE FUNCTION credit_exposure_order_line_trigger();
DROP TRIGGER IF EXISTS credit_exposure_order_update ON sale_order;
CREATE TRIGGER credit_exposure_order_update
    AFTER UPDATE ON sale_order
    FOR EACH ROW
    WHEN ((OLD.state = 'sale' OR NEW.state = 'sale')
          AND (OLD.state IS DISTINCT FROM NEW.state
               OR OLD.partner_invoice_id IS DISTINCT FROM NEW.partner_invoice_id
               OR OLD.company_id IS DISTINCT FROM NEW.company_id
               OR OLD.currency_rate IS DISTINCT FROM NEW.currency_rate))
    EXECUTE FUNCTION credit_exposure_order_trigger();
DROP TRIGGER IF EXISTS credit_exposure_order_delete ON sale_order;
CREATE TRIGGER credit_exposure_order_delete
    BEFORE DELETE ON sale_order
    FOR EACH ROW WHEN (OLD.state = 'sale')
    EXECUTE FUNCTION credit_exposure_order_trigger();
DROP TRIGGER IF EXISTS credit_exposure_order_partner ON res_partner;
CREATE TRIGGER credit_exposure_order_partner
    AFTER UPDATE ON res_partner
    FOR EACH ROW
    WHEN (OLD.commercial_partner_id IS DISTINCT FROM NEW.commercial_partner_id)
    EXECUTE FUNCTION credit_exposure_order_partner_trigger();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS credit_exposure_order_line ON sale_order_line;
DROP TRIGGER IF EXISTS credit_exposure_order_line_update ON sale_order_line;
DROP TRIGGER IF EXISTS credit_exposure_order_update ON sale_order;
DROP TRIGGER IF EXISTS credit_exposure_order_delete ON sale_order;
DROP TRIGGER IF EXISTS credit_exposure_order_partner ON res_partner;
DROP FUNCTION IF EXISTS credit_exposure_order_line_trigger();
DROP FUNCTION IF EXISTS credit_exposure_order_trigger();
DROP FUNCTION IF EXISTS credit_exposure_order_partner_trigger();
DROP FUNCTION IF EXISTS credit_exposure_order_line_delta(sale_order_line, integer);
DROP TABLE IF EXISTS credit_exposure_order;
"""

REBUILD_SQL = f"""
DELETE FROM credit_exposure_order;
INSERT INTO credit_exposure_order (partner_id, company_id, amount)
SELECT * FROM ({ORDER_SUMS}) sums WHERE sums.sum <> 0;
"""

# [(partner, company, ledger, orders)] where the ledger differs from the orders
DRIFT_SQL = f"""
    WITH orders (partner_id, company_id, amount) AS ({ORDER_SUMS}
    ), ledger AS (
        SELECT partner_id, company_id, SUM(amount) AS amount
          FROM credit_exposure_order
      GROUP BY 1, 2
    )
    SELECT partner_id, company_id, NULL::date,
           ARRAY[ledger.amount], ARRAY[orders.amount]
      FROM ledger FULL JOIN orders USING (partner_id, company_id)
     WHERE COALESCE(ledger.amount, 0) <> COALESCE(orders.amount, 0)
  ORDER BY 1, 2"""
