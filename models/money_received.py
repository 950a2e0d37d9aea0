# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Money received: what covers an order or an invoice paid in advance.

A customer's money available to a new order is what it paid and has not been
used yet, net of everything it owes or has ordered: the exposure's unapplied
payments (with or without journal entry) and credit notes already count
against its open items, confirmed orders and drafts (``credit_exposure.py``),
so that ``-exposure`` is the money left once they are all paid. Two more
sources are read here:

- bank statement lines matched to the customer but not reconciled: money on
  the bank account that no journal item of the customer shows yet. Only what
  they hold beyond the customer's unmatched registered payments counts (a
  payment registered without journal entry and the statement line of the same
  transfer are the same money);
- the order's own money: online payment transactions not booked as a payment
  yet, and its down-payment invoices already paid.

One payment never covers two orders: the order being confirmed is checked
under the customer's confirmation lock, against an exposure that includes
every order confirmed before it (their amount is then no longer free money).
This module imports from no model file.
"""

from dataclasses import dataclass

from odoo.tools import SQL

MONEY_RECEIVED_QUERY = """
    SELECT
      -- statement lines matched to the customer, not reconciled (their
      -- suspense part, in company currency)
      (SELECT COALESCE(SUM(-line.balance), 0)
         FROM account_bank_statement_line st
         JOIN res_partner partner ON partner.id = st.partner_id
         JOIN account_journal journal ON journal.id = st.journal_id
         JOIN account_move move ON move.id = st.move_id
         JOIN account_move_line line
           ON line.move_id = move.id
          AND line.account_id = journal.suspense_account_id
        WHERE st.company_id = %(company)s
          AND partner.commercial_partner_id = %(partner)s
          AND st.amount > 0
          AND st.is_reconciled IS NOT TRUE
          AND move.state = 'posted') AS bank_lines,
      -- registered customer payments not matched to an invoice yet
      (SELECT COALESCE(SUM(pay.amount_company_currency_signed), 0)
         FROM account_payment pay
         JOIN res_partner partner ON partner.id = pay.partner_id
        WHERE pay.company_id = %(company)s
          AND partner.commercial_partner_id = %(partner)s
          AND pay.payment_type = 'inbound'
          AND pay.partner_type = 'customer'
          AND pay.state IN ('in_process', 'paid')
          AND pay.is_reconciled IS NOT TRUE
          AND NOT EXISTS (SELECT 1 FROM account_move__account_payment rel
                           WHERE rel.payment_id = pay.id)) AS payments,
      -- the order's online payments not booked as a payment yet (a booked
      -- one is in the exposure), in the order's currency
      (SELECT COALESCE(SUM(tx.amount), 0)
         FROM sale_order_transaction_rel rel
         JOIN payment_transaction tx ON tx.id = rel.transaction_id
        WHERE rel.sale_order_id = %(order)s
          AND tx.state IN ('authorized', 'done')
          AND tx.payment_id IS NULL) AS order_transactions,
      -- the order's paid down-payment invoices (company currency)
      (SELECT COALESCE(SUM(move.amount_total_signed), 0)
         FROM account_move move
        WHERE move.state = 'posted'
          AND move.move_type = 'out_invoice'
          AND move.payment_state IN ('in_payment', 'paid')
          AND move.id IN (
              SELECT line.move_id
                FROM sale_order_line sol
                JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                JOIN account_move_line line ON line.id = rel.invoice_line_id
               WHERE sol.order_id = %(order)s
                 AND sol.is_downpayment
                 AND line.quantity > 0)) AS order_down_payments
"""

# what the query reads, flushed first
FLUSH_FIELDS = {
    "account.bank.statement.line": ["partner_id", "amount", "is_reconciled"],
    "account.move.line": ["balance", "account_id", "quantity"],
    "account.move": ["state", "move_type", "payment_state", "amount_total_signed"],
    "account.payment": ["partner_id", "state", "is_reconciled", "payment_type"],
    "payment.transaction": ["state", "amount", "payment_id"],
    "sale.order.line": ["is_downpayment", "order_id"],
}


@dataclass
class Coverage:
    """How much of a document's amount the customer's money received covers
    (company currency)."""

    needed: float  # the document's amount
    own: float  # its own money: online payments, paid down payments
    free: float  # the customer's money not used by anything else (>= 0)

    @property
    def available(self):
        return self.own + self.free

    @property
    def covered_amount(self):
        return min(self.needed, self.available)

    @property
    def missing(self):
        return max(self.needed - self.available, 0.0)

    def covers(self, currency):
        return self.needed > 0 and currency.compare_amounts(self.missing, 0.0) <= 0


def money_received(env, partner_id, company, order=None):
    """{bank_lines, payments, order_transactions, order_down_payments} of the
    commercial partner ``partner_id`` in ``company`` (``order``: the sale
    order whose own money is read)."""
    for model, names in FLUSH_FIELDS.items():
        if model in env:
            env[model].flush_model(names)
    [row] = env.execute_query_dict(
        SQL(
            MONEY_RECEIVED_QUERY,
            company=company.id,
            partner=partner_id,
            order=order.id if order else None,
        )
    )
    return row


def coverage(env, partner_id, company, exposure_total, needed, order=None):
    """The ``Coverage`` of a document of ``needed`` (company currency) by the
    money of ``partner_id``; ``exposure_total``: its exposure in ``company``
    without the document (disputed items counted: they are still owed)."""
    row = money_received(env, partner_id, company, order)
    own = row["order_down_payments"]
    if order and row["order_transactions"]:
        own += row["order_transactions"] / (order.currency_rate or 1.0)
    # bank lines beyond the registered payments (the same money, twice)
    bank = max(row["bank_lines"] - row["payments"], 0.0)
    free = max(bank - exposure_total, 0.0)
    rounding = company.currency_id.round
    return Coverage(needed=rounding(needed), own=rounding(own), free=rounding(free))
