# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditHoldManual(models.TransientModel):
    """A manager puts a customer on hold by hand, with a reason."""

    _name = "credit.hold.manual"
    _description = "Set a Manual Credit Hold"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    reason = fields.Text(required=True, help="Why the customer is put on hold.")

    def action_set_hold(self):
        self.ensure_one()
        hold = self.env["credit.hold"].action_create_manual(
            self.partner_id, self.reason, company=self.company_id
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.hold",
            "res_id": hold.id,
            "view_mode": "form",
        }
