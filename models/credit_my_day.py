# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""My Day: the current collector's cases in the order of the day, one row per
case in its first section — the calls due (the next-contact activities,
overdue ones included), the promises and instalments due, the cases with
items fallen overdue since the last human contact, then the rest of the
worklist (by expected loss avoided). One SQL query of the current user and
each allowed company's today, read like any model (grouped list, search,
tests)."""

from odoo import api, fields, models
from odoo.tools import SQL

from .clock import credit_today
from .open_items import flush_open_items, item_condition_text

MY_DAY_SECTIONS = [
    ("1_call", "Calls Due"),
    ("2_due", "Promises and Instalments Due"),
    ("3_new", "New Overdue Items"),
    ("4_worklist", "Worklist"),
]


class CreditCollectionMyDay(models.Model):
    _name = "credit.collection.my.day"
    _description = "My Day (collector's cases of the day)"
    _auto = False
    _order = "sequence"
    _rec_name = "partner_id"

    sequence = fields.Integer(readonly=True)
    section = fields.Selection(MY_DAY_SECTIONS, readonly=True)
    case_id = fields.Many2one("credit.collection.case", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    stage_id = fields.Many2one("credit.collection.stage", readonly=True)
    date_due = fields.Date(
        string="Due", readonly=True, help="The call, promise or instalment due."
    )
    amount_overdue = fields.Monetary(readonly=True)
    amount_loss_avoided = fields.Monetary(string="Expected Loss Avoided", readonly=True)
    worst_days_overdue = fields.Integer(readonly=True)
    last_contact_date = fields.Date(string="Last Human Contact", readonly=True)

    @property
    def _table_query(self):
        return self._my_day_query(self.env.uid, self._company_todays())

    @api.model
    def _company_todays(self):
        """[(company id, its today)] of the allowed companies."""
        return [
            (company.id, credit_today(self.env, company))
            for company in self.env.companies
        ]

    @api.model
    def _my_day_query(self, uid, todays):
        for model, names in {
            "credit.collection.case": [
                "user_id",
                "active",
                "last_contact_date",
                "amount_overdue",
                "amount_residual",
            ],
            "mail.activity": ["res_model", "res_id", "user_id", "date_deadline"],
            "credit.promise": ["case_id", "state", "date"],
            "credit.arrangement": ["case_id", "state"],
            "credit.arrangement.line": ["arrangement_id", "state", "date"],
        }.items():
            self.env[model].flush_model(names)
        flush_open_items(self.env)
        values = SQL(", ").join(SQL("(%s, %s::date)", cid, day) for cid, day in todays)
        return SQL(
            """
            WITH today(company_id, day) AS (VALUES %(values)s),
            calls AS (
                SELECT act.res_id AS case_id, MIN(act.date_deadline) AS due
                  FROM mail_activity act
                  JOIN mail_activity_type typ ON typ.id = act.activity_type_id
                 WHERE act.res_model = 'credit.collection.case'
                   AND act.user_id = %(uid)s
                   AND act.active
                   AND typ.category = 'phonecall'
                 GROUP BY act.res_id
            ),
            dues AS (
                SELECT case_id, MIN(due) AS due FROM (
                    SELECT promise.case_id, promise.date AS due
                      FROM credit_promise promise
                     WHERE promise.state = 'open'
                    UNION ALL
                    SELECT arrangement.case_id, line.date
                      FROM credit_arrangement_line line
                      JOIN credit_arrangement arrangement
                        ON arrangement.id = line.arrangement_id
                     WHERE arrangement.state = 'active'
                       AND line.state IN ('pending', 'late')
                ) due_dates
                GROUP BY case_id
            ),
            -- per customer of my cases called before: the due date of its
            -- newest overdue open item (one grouped pass over their items)
            newest AS MATERIALIZED (
                SELECT item_partner.commercial_partner_id AS partner_id,
                       line.company_id, MAX(line.date_maturity) AS due
                  FROM account_move_line line
                  JOIN account_account account ON account.id = line.account_id
                  JOIN account_move move ON move.id = line.move_id
                  JOIN res_partner item_partner ON item_partner.id = line.partner_id
                  JOIN today ON today.company_id = line.company_id
                 WHERE item_partner.commercial_partner_id IN (
                           SELECT partner_id FROM credit_collection_case
                            WHERE user_id = %(uid)s AND active
                              AND last_contact_date IS NOT NULL)
                   AND line.amount_residual > 0
                   AND line.date_maturity < today.day
                   AND %(open_item)s
                 GROUP BY 1, 2
            ),
            sections AS MATERIALIZED (
                SELECT c.id, c.partner_id, c.company_id, c.user_id, c.stage_id,
                       c.amount_overdue, c.amount_loss_avoided,
                       c.worst_days_overdue, c.last_contact_date,
                       CASE
                         WHEN calls.due <= today.day THEN '1_call'
                         WHEN c.user_id IS DISTINCT FROM %(uid)s THEN NULL
                         WHEN dues.due <= today.day THEN '2_due'
                         WHEN c.amount_overdue > 0 AND (
                              c.last_contact_date IS NULL
                              OR c.last_contact_date <= newest.due)
                         THEN '3_new'
                         WHEN c.amount_residual > 0 THEN '4_worklist'
                       END AS section,
                       CASE
                         WHEN calls.due <= today.day THEN calls.due
                         WHEN dues.due <= today.day THEN dues.due
                       END AS date_due
                  FROM credit_collection_case c
                  JOIN today ON today.company_id = c.company_id
                  LEFT JOIN calls ON calls.case_id = c.id
                  LEFT JOIN dues ON dues.case_id = c.id
                  LEFT JOIN newest ON newest.partner_id = c.partner_id
                                  AND newest.company_id = c.company_id
                 WHERE c.active
                   AND (c.user_id = %(uid)s OR calls.due <= today.day)
            )
            SELECT s.id, s.id AS case_id, s.partner_id, s.company_id, s.user_id,
                   s.stage_id, s.amount_overdue, s.amount_loss_avoided,
                   s.worst_days_overdue, s.last_contact_date, s.section,
                   s.date_due,
                   ROW_NUMBER() OVER (
                       ORDER BY s.section, s.date_due NULLS LAST,
                                s.amount_loss_avoided DESC NULLS LAST, s.id
                   ) AS sequence
              FROM sections s
             WHERE s.section IS NOT NULL
            """,
            values=values,
            uid=uid,
            open_item=SQL(item_condition_text()),
        )

    def action_log_call(self):
        return self.case_id.action_log_call()

    def action_log_visit(self):
        return self.case_id.action_log_visit()

    def action_open_case(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.collection.case",
            "res_id": self.case_id.id,
            "view_mode": "form",
        }
