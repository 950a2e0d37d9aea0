# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL

from .aging import AGING_SELECTION, aging_bucket_sql
from .clock import credit_today
from .credit_collectability_curve import (
    CURVE_SEGMENTS_SQL,
    segment_match_sql,
    segment_probability_sql,
)
from .open_items import open_items_sql

# the item's age on its company's curve
ITEM_AGE_SQL = SQL(
    "(CASE WHEN curve.basis = 'credit_age' THEN item.credit_age"
    " ELSE item.days_past_due END)"
)

# the open receivable items with their age, bucket, case, tier and the
# probability read on their company's curve (``seg``: its segment)
REPORT_QUERY = """
            SELECT item.id,
                   item.id AS line_id,
                   item.move_id,
                   item.partner_id,
                   item.company_id,
                   company.currency_id,
                   COALESCE(item.invoice_user_id, partner.user_id) AS user_id,
                   ccase.user_id AS collector_id,
                   ccase.stage_id,
                   COALESCE(
                       (partner.credit_policy_id ->> item.company_id::text)::int,
                       policy.id
                   ) AS policy_id,
                   item.invoice_date,
                   item.date_due,
                   item.days_past_due,
                   item.credit_age,
                   item.aging_bucket,
                   item.is_disputed,
                   item.amount_residual,
                   CASE WHEN item.days_past_due > 0 AND item.amount_residual > 0
                        THEN item.amount_residual ELSE 0 END AS amount_overdue,
                   %(p)s AS probability,
                   CASE WHEN item.amount_residual > 0
                        THEN item.amount_residual * %(p)s
                        ELSE item.amount_residual END AS amount_expected,
                   CASE WHEN item.amount_residual > 0
                        THEN item.amount_residual * (1 - %(p)s)
                        ELSE 0 END AS amount_at_risk
              FROM (
                SELECT line.id,
                       line.move_id,
                       item_partner.commercial_partner_id AS partner_id,
                       line.company_id,
                       move.invoice_user_id,
                       COALESCE(move.invoice_date, line.date) AS invoice_date,
                       COALESCE(line.date_maturity, line.date) AS date_due,
                       %(days_past_due)s AS days_past_due,
                       %(credit_age)s AS credit_age,
                       %(bucket)s AS aging_bucket,
                       COALESCE(move.credit_dispute_state = 'open', FALSE)
                           AS is_disputed,
                       line.amount_residual
                       %(open_items)s
              ) AS item
              JOIN res_company company ON company.id = item.company_id
              JOIN res_partner partner ON partner.id = item.partner_id
         LEFT JOIN credit_collection_case ccase
                ON ccase.partner_id = item.partner_id
               AND ccase.company_id = item.company_id
         LEFT JOIN credit_collection_policy policy
                ON policy.company_id = item.company_id
               AND policy.is_default
               AND policy.active
         LEFT JOIN credit_collectability_curve curve
                ON curve.company_id = item.company_id AND curve.active
         LEFT JOIN %(segments)s AS seg
                ON seg.curve_id = curve.id
               AND %(segment_match)s
"""


class CreditCollectionReport(models.Model):
    """Open receivable items (the same definition as the exposure and the
    collection cases) with their age, aging bucket and expected collectible on
    their company's active collectability curve. Read only; for pivot and
    graph views."""

    _name = "credit.collection.report"
    _description = "Receivables Analysis"
    _auto = False
    _rec_name = "move_id"
    _order = "date_due, id"

    line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    stage_id = fields.Many2one(
        "credit.collection.stage", string="Collection Stage", readonly=True
    )
    policy_id = fields.Many2one(
        "credit.collection.policy", string="Credit Tier", readonly=True
    )
    invoice_date = fields.Date(readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_past_due = fields.Integer(readonly=True, aggregator="max")
    credit_age = fields.Integer(
        string="Credit Age (days)", readonly=True, aggregator="max"
    )
    aging_bucket = fields.Selection(AGING_SELECTION, readonly=True)
    is_disputed = fields.Boolean(string="Disputed", readonly=True)
    probability = fields.Float(
        string="Collectability", readonly=True, aggregator="avg", digits=(16, 4)
    )
    amount_residual = fields.Monetary(string="Residual", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    amount_expected = fields.Monetary(string="Expected Collectible", readonly=True)
    amount_at_risk = fields.Monetary(
        string="At Risk",
        readonly=True,
        help="Residual less expected collectible: what the curve says will not "
        "be collected.",
    )

    @property
    def _table_query(self):
        return self._report_query(self.env.companies)

    @api.model
    def _report_query(self, companies):
        self._flush_report_sources()
        # each company's today (its time zone), as its cases count it
        today = SQL(
            "(CASE line.company_id %s END)",
            SQL(" ").join(
                SQL(
                    "WHEN %s THEN %s::date", company.id, credit_today(self.env, company)
                )
                for company in companies
            ),
        )
        days_past_due = SQL("(%s - COALESCE(line.date_maturity, line.date))", today)
        credit_age = SQL("(%s - COALESCE(move.invoice_date, line.date))", today)
        return SQL(
            REPORT_QUERY,
            days_past_due=days_past_due,
            credit_age=credit_age,
            bucket=aging_bucket_sql(days_past_due),
            open_items=open_items_sql(self.env, companies),
            segments=CURVE_SEGMENTS_SQL,
            segment_match=segment_match_sql(ITEM_AGE_SQL),
            p=segment_probability_sql(ITEM_AGE_SQL, SQL("curve.mode")),
        )

    @api.model
    def _flush_report_sources(self):
        self.env["credit.collectability.curve.point"].flush_model()
        self.env["credit.collectability.curve"].flush_model(
            ["active", "basis", "company_id"]
        )
        self.env["credit.collection.case"].flush_model(
            ["partner_id", "company_id", "user_id", "stage_id"]
        )
        self.env["res.partner"].flush_model(["user_id", "credit_policy_id"])
        self.env["account.move"].flush_model(["invoice_date", "invoice_user_id"])
