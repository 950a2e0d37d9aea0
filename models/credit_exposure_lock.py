# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditExposureLock(models.Model):
    """One row per (commercial partner, company), updated by every order
    confirmation of that customer: concurrent confirmations serialize on it
    instead of writing res_partner rows."""

    _name = "credit.exposure.lock"
    _description = "Credit Exposure Lock"
    _log_access = False

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    counter = fields.Integer(default=0)

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)", "One lock row per customer and company."
    )
