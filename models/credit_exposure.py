# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The exposure: what a customer owes or will owe a company, in its currency.

Two sources: the open receivable items (``open_items.py``), summed per due
date by the exposure ledger (``credit_exposure_entry.py``, kept by PostgreSQL
triggers), and the open documents (drafts, confirmed orders not invoiced,
payments on their way), read here. Callers ask ``customer_exposures`` for a
set of customers or ``check_figures`` for the one being confirmed. This module
imports from no model file.
"""

from collections import defaultdict

from odoo.tools import SQL

from .credit_exposure_order import line_amount, line_counts
from .open_items import flush_open_items

EXPOSURE_KEYS = (
    "not_due",  # posted receivables not yet due
    "overdue",  # posted receivables past due
    "credits",  # unapplied credit notes and payments (<= 0)
    "draft",  # draft customer invoices and credit notes
    "orders",  # confirmed sale orders not invoiced yet
    "in_payment",  # registered payments without journal entry (<= 0)
)


def empty_exposure():
    exp = dict.fromkeys(EXPOSURE_KEYS, 0.0)
    exp.update(
        total=0.0,
        oldest_overdue_days=0,
        oldest_due_date=False,
        disputed=0.0,  # part of the open items under dispute (included above)
        disputed_overdue=0.0,
    )
    return exp


def exposure_from_row(row, today, company):
    """The exposure dict of a row of figures (the columns of
    ``credit_check_figures``; missing or NULL ones count for nothing)."""
    exp = empty_exposure()
    for key in EXPOSURE_KEYS + ("disputed", "disputed_overdue"):
        exp[key] = row.get(key) or 0.0
    if row.get("oldest_due_date"):
        exp["oldest_due_date"] = row["oldest_due_date"]
        exp["oldest_overdue_days"] = (today - row["oldest_due_date"]).days
    exp["total"] = company.currency_id.round(sum(exp[k] for k in EXPOSURE_KEYS))
    return exp


# the open documents (``open_documents_sql``)
OPEN_DOCUMENTS_QUERY = (
    """
       SELECT 'draft' AS kind, move.commercial_partner_id AS partner_id,
              move.amount_total_signed AS amount
         FROM account_move move
        WHERE move.commercial_partner_id %(partner_is)s
          AND move.company_id = %(company)s
          AND move.state = 'draft'
          AND move.move_type IN ('out_invoice', 'out_refund')
    UNION ALL
       SELECT 'orders', entry.partner_id, entry.amount
         FROM credit_exposure_order entry
        WHERE entry.partner_id %(partner_is)s
          AND entry.company_id = %(company)s
    UNION ALL
       SELECT 'orders', invoice_partner.commercial_partner_id,
              -("""
    + line_amount()
    + """)
         FROM (
                -- the excluded orders first, by id (OFFSET 0: not planned
                -- from the customer's orders, which may be thousands)
                SELECT so.id, so.partner_invoice_id, so.currency_rate
                  FROM sale_order so
                 WHERE so.id = ANY(%(exclude)s)
                   AND so.company_id = %(company)s
                   AND so.state = 'sale'
                OFFSET 0
              ) so
         JOIN sale_order_line sol ON sol.order_id = so.id
         JOIN res_partner invoice_partner
           ON invoice_partner.id = so.partner_invoice_id
        WHERE invoice_partner.commercial_partner_id %(partner_is)s
          AND """
    + line_counts()
    + """
    UNION ALL
       SELECT 'in_payment', partner.commercial_partner_id,
              -pay.amount_company_currency_signed
         FROM account_payment pay
         JOIN res_partner partner ON partner.id = pay.partner_id
        WHERE partner.commercial_partner_id %(partner_is)s
          AND pay.company_id = %(company)s
          AND pay.move_id IS NULL
          AND pay.state = 'in_process'
          AND pay.payment_type = 'inbound'
          AND NOT EXISTS (
              SELECT 1
                FROM account_move__account_payment rel
                JOIN account_move inv ON inv.id = rel.invoice_id
               WHERE rel.payment_id = pay.id
                 AND inv.payment_state IN ('in_payment', 'paid'))
"""
)


def open_documents_sql(company, partner_is, exclude):
    """The exposure besides the open receivable items, one row per document
    (kind, commercial partner, amount in company currency):

    - ``draft``: draft customer invoices and credit notes;
    - ``orders``: confirmed orders, the part not invoiced yet (tax included),
      converted at the order's rate (orders in ``exclude`` left out): read
      from the open orders' ledger (``credit_exposure_order.py``, a few rows
      per customer whatever its number of orders), less what the excluded
      ones count for;
    - ``in_payment``: registered payments without journal entry (payment
      method without outstanding account), money on its way (negative),
      unless the invoices they match are already left out of the open items.

    Written once for its three readers: ``customer_exposures`` (a set of
    customers), the PL/pgSQL function ``credit_check_figures`` (one customer)
    and the over-limit search (every customer). ``company``, ``partner_is``
    (the condition on a commercial partner id, e.g. ``= ANY(%s)``) and
    ``exclude`` (sale order ids) are ``SQL``."""
    return SQL(
        OPEN_DOCUMENTS_QUERY,
        company=company,
        partner_is=partner_is,
        exclude=exclude,
    )


# what the open documents read
DOCUMENT_FIELDS = {
    "account.move": [
        "state",
        "move_type",
        "amount_total_signed",
        "commercial_partner_id",
    ],
    "sale.order.line": [
        "price_total",
        "product_uom_qty",
        "qty_invoiced",
        "order_id",
        "display_type",
    ],
    "sale.order": ["state", "company_id", "partner_invoice_id", "currency_rate"],
    "res.partner": ["commercial_partner_id"],
    "account.payment": [
        "move_id",
        "state",
        "partner_id",
        "company_id",
        "payment_type",
        "amount_company_currency_signed",
    ],
}


def flush_exposure_sources(env):
    """Flush what the exposure reads besides the ledger's own table: the
    open items (the ledger's triggers) and the open documents."""
    flush_open_items(env)
    for model, names in DOCUMENT_FIELDS.items():
        env[model].flush_model(names)


# the exposure of a set of customers (``customer_exposures``)
EXPOSURES_QUERY = """
       SELECT 'items' AS kind, entry.partner_id,
              SUM(entry.pos) FILTER (WHERE entry.due_date >= %(today)s)
                  AS not_due,
              SUM(entry.pos) FILTER (WHERE entry.due_date < %(today)s)
                  AS overdue,
              SUM(entry.neg) AS credits,
              MIN(entry.due_date) FILTER (
                  WHERE entry.pos > 0 AND entry.due_date < %(today)s
              ) AS oldest_due_date,
              SUM(entry.disputed) AS disputed,
              SUM(entry.disputed) FILTER (WHERE entry.due_date < %(today)s)
                  AS disputed_overdue,
              NULL::numeric AS amount
         FROM (SELECT partner_id, due_date,
                      SUM(residual_pos) AS pos, SUM(residual_neg) AS neg,
                      SUM(disputed) AS disputed
                 FROM credit_exposure_entry
                WHERE company_id = ANY(%(companies)s)
                  AND partner_id = ANY(%(partners)s)
             GROUP BY partner_id, due_date) entry
     GROUP BY entry.partner_id
    UNION ALL
       SELECT documents.kind, documents.partner_id,
              NULL, NULL, NULL, NULL, NULL, NULL,
              SUM(documents.amount)
         FROM (%(documents)s) documents
     GROUP BY documents.kind, documents.partner_id
"""


def consolidated_companies(company):
    """The companies whose receivables count in ``company``'s exposure: the
    whole tree of its root company (its branches and their parent), as
    Odoo's own partner credit sums them."""
    return company.sudo().search([("id", "child_of", company.root_id.id)])


def customer_exposures(env, partner_ids, company, today, exclude_order_ids=()):
    """Exposure of the commercial partners ``partner_ids`` in ``company``,
    split in components: one round trip whatever the number of partners and
    open items (the ledger holds a customer's rows per due date, not its
    items). The open items of the branches of ``company``'s root count too
    (``consolidated_companies``); the open documents are ``company``'s.

    :return: {partner_id: {component: amount, "total", "oldest_overdue_days",
              "oldest_due_date"}}
    """
    if not partner_ids:
        return {}
    flush_exposure_sources(env)
    documents = open_documents_sql(
        company=SQL("%s", company.id),
        partner_is=SQL("= ANY(%s)", list(partner_ids)),
        exclude=SQL("%s", list(exclude_order_ids)),
    )
    query = SQL(
        EXPOSURES_QUERY,
        today=today,
        partners=list(partner_ids),
        companies=consolidated_companies(company).ids,
        documents=documents,
    )
    if len(partner_ids) <= 100:
        # A few customers (a confirmation, a posting): serial plan. For a
        # customer with many items PostgreSQL plans a parallel append whose
        # workers take longer to start than the query runs. SET LOCAL in the
        # same round trip, reset right after.
        query = SQL("SET LOCAL max_parallel_workers_per_gather = 0; %s", query)
        rows = env.execute_query_dict(query)
        env.cr.execute("RESET max_parallel_workers_per_gather")
    else:
        rows = env.execute_query_dict(query)
    merged = defaultdict(dict)
    for row in rows:
        values = merged[row["partner_id"]]
        if row["kind"] == "items":
            values.update(row)
        else:  # draft, orders, in_payment
            values[row["kind"]] = row["amount"]
    return {
        partner_id: exposure_from_row(values, today, company)
        for partner_id, values in merged.items()
    }


def check_figures(env, partner_id, company, today, since, exclude_order_ids, lock):
    """The row of ``credit_check_figures`` (credit_exposure_entry.py): one
    customer's exposure and everything its hold rules read, in one round trip
    whose plan is cached for the session; ``lock`` first takes the customer's
    confirmation lock."""
    # the function reads a dozen tables: one flush of whatever is pending
    # (on the confirmation path, usually nothing)
    env.flush_all()
    [row] = env.execute_query_dict(
        SQL(
            "SELECT * FROM credit_check_figures(%s, %s, %s, %s, %s, %s)",
            partner_id,
            company.id,
            today,
            since,
            list(exclude_order_ids),
            bool(lock),
        )
    )
    return row
