# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditLiftStop(models.TransientModel):
    """A Collections Manager lifts a credit stop, with a reason."""

    _name = "credit.hold.lift.stop"
    _description = "Lift a Credit Stop"

    hold_id = fields.Many2one(
        "credit.hold", required=True, domain=[("origin", "=", "stop")]
    )
    partner_id = fields.Many2one(related="hold_id.partner_id")
    stop_date = fields.Date(related="hold_id.stop_date")
    stop_lift_date = fields.Date(related="hold_id.stop_lift_date")
    reason = fields.Text(
        required=True, help="Why the customer may buy on credit again."
    )

    def action_lift(self):
        self.ensure_one()
        self.hold_id.action_lift_stop(self.reason)
        return {"type": "ir.actions.act_window_close"}
