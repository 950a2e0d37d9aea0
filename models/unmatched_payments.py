# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Money received but not matched to invoices yet: incoming customer payments
(with or without journal entry) and bank statement lines. A reminder waits
while a customer has some (the outbox's blocked reason)."""

from collections import defaultdict

from odoo.tools import SQL

# the unmatched payments and statement lines (``unmatched_payments``)
UNMATCHED_QUERY = """
    SELECT partner.commercial_partner_id, move.name
      FROM account_payment pay
      JOIN res_partner partner ON partner.id = pay.partner_id
      LEFT JOIN account_move move ON move.id = pay.move_id
     WHERE pay.company_id = %(company)s
       AND partner.commercial_partner_id = ANY(%(partners)s)
       AND pay.payment_type = 'inbound'
       AND pay.partner_type = 'customer'
       AND pay.state IN ('in_process', 'paid')
       AND pay.is_reconciled IS NOT TRUE
       AND NOT EXISTS (SELECT 1 FROM account_move__account_payment rel
                        WHERE rel.payment_id = pay.id)
       AND (move.id IS NULL OR EXISTS (
                SELECT 1 FROM account_move_line line
                  JOIN account_account account ON account.id = line.account_id
                 WHERE line.move_id = move.id
                   AND account.account_type = 'asset_receivable'
                   AND line.reconciled IS NOT TRUE))
     UNION ALL
    SELECT partner.commercial_partner_id, move.name
      FROM account_bank_statement_line st
      JOIN account_move move ON move.id = st.move_id
      JOIN res_partner partner ON partner.id = st.partner_id
     WHERE st.company_id = %(company)s
       AND partner.commercial_partner_id = ANY(%(partners)s)
       AND st.amount > 0
       AND st.is_reconciled IS NOT TRUE
       AND move.state = 'posted'
"""


def unmatched_payments(env, partner_ids, company):
    """{commercial partner id: "PAY/…, BNK/…"} of the incoming customer
    payments and bank statement lines of ``company`` of the commercial
    partners ``partner_ids`` not matched to invoices yet."""
    if not partner_ids:
        return {}
    env["account.payment"].flush_model(
        ["partner_id", "state", "is_reconciled", "payment_type", "partner_type"]
    )
    env["account.bank.statement.line"].flush_model(
        ["partner_id", "is_reconciled", "amount"]
    )
    env["res.partner"].flush_model(["commercial_partner_id"])
    rows = env.execute_query(
        SQL(
            UNMATCHED_QUERY,
            company=company.id,
            partners=partner_ids,
        )
    )
    found = defaultdict(list)
    for partner_id, name in rows:
        found[partner_id].append(name or env._("(draft)"))
    return {
        partner_id: ", ".join(sorted(names)[:5]) for partner_id, names in found.items()
    }
