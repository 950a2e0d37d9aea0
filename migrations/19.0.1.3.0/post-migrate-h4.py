# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.3.0 (the rhythm, issue #19): the shipped final notice email repeats
weekly, three times at most (unless the rule was changed: only a rule that
never repeated gets it); the open invoices already reminded in their case's
current cycle carry the highest level of those reminders (done after their
due date), so that they are not taken for new overdue invoices."""

from odoo import SUPERUSER_ID, api

REMINDED_LEVEL_QUERY = """
    UPDATE account_move move
       SET credit_reminded_stage_id = reminded.stage_id
      FROM (
            SELECT DISTINCT ON (move.id) move.id AS move_id,
                   action.stage_id
              FROM account_move move
              JOIN credit_collection_case c
                ON c.partner_id = move.commercial_partner_id
               AND c.company_id = move.company_id
              JOIN credit_collection_action action
                ON action.case_id = c.id
               AND action.cycle = c.escalation_cycle
               AND action.action_type IN ('email', 'letter')
               AND action.state = 'done'
               AND action.date_run > move.invoice_date_due
              JOIN credit_collection_stage stage ON stage.id = action.stage_id
             WHERE move.move_type = 'out_invoice'
               AND move.state = 'posted'
               AND move.payment_state IN ('not_paid', 'partial')
               AND move.credit_reminded_stage_id IS NULL
          ORDER BY move.id, stage.sequence DESC
           ) reminded
     WHERE move.id = reminded.move_id
"""


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref(
        "account_credit_collection.rule_final_notice_email", raise_if_not_found=False
    )
    if rule and not rule.repeat:
        rule.write({"repeat": True, "repeat_interval_days": 7, "repeat_max": 3})
    cr.execute(REMINDED_LEVEL_QUERY)
