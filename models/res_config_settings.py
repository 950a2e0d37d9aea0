# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_unvetted_policy_id = fields.Many2one(
        related="company_id.credit_unvetted_policy_id", readonly=False
    )
    credit_application_threshold = fields.Monetary(
        related="company_id.credit_application_threshold",
        currency_field="currency_id",
        readonly=False,
    )
    credit_application_group_id = fields.Many2one(
        related="company_id.credit_application_group_id", readonly=False
    )
    credit_review_months = fields.Integer(
        related="company_id.credit_review_months", readonly=False
    )
    credit_review_lapse_reset = fields.Boolean(
        related="company_id.credit_review_lapse_reset", readonly=False
    )
    credit_worklist_horizon_days = fields.Integer(
        related="company_id.credit_worklist_horizon_days", readonly=False
    )
    credit_writeoff_account_id = fields.Many2one(
        related="company_id.credit_writeoff_account_id", readonly=False
    )
    credit_writeoff_journal_id = fields.Many2one(
        related="company_id.credit_writeoff_journal_id", readonly=False
    )
    credit_writeoff_threshold = fields.Monetary(
        related="company_id.credit_writeoff_threshold",
        currency_field="currency_id",
        readonly=False,
    )
    credit_recovery_account_id = fields.Many2one(
        related="company_id.credit_recovery_account_id", readonly=False
    )
