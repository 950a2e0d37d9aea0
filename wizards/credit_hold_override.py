# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.credit_rules import blocking


class CreditHoldOverride(models.TransientModel):
    """A manager lets orders of a customer on hold through: with a reason, an
    optional expiry date and an optional amount cap. Recorded on the hold."""

    _name = "credit.hold.override"
    _description = "Override a Credit Hold"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    hold_id = fields.Many2one("credit.hold")
    order_id = fields.Many2one("sale.order")
    reasons_html = fields.Html(compute="_compute_reasons_html", sanitize=False)
    reason = fields.Text(required=True, help="Why the credit decision is overridden.")
    expiry_date = fields.Date(
        string="Valid Until", help="Empty: until the hold is released."
    )
    amount_cap = fields.Monetary(
        help="Total of the orders that may be confirmed under this override "
        "(company currency). 0: no cap.",
    )

    @api.depends("partner_id", "order_id", "hold_id")
    def _compute_reasons_html(self):
        for wizard in self:
            if wizard.order_id:
                reasons = wizard.order_id._credit_reasons()
                wizard.reasons_html = wizard.order_id._credit_reasons_html(reasons)
            elif wizard.hold_id:
                wizard.reasons_html = wizard.hold_id.release_hint
            else:
                wizard.reasons_html = False

    def action_override(self):
        self.ensure_one()
        Hold = self.env["credit.hold"]
        Hold._check_manager()
        Hold._check_company_allowed(self.company_id | self.hold_id.sudo().company_id)
        partner = self.partner_id.commercial_partner_id
        hold = self.hold_id
        if hold and hold.state == "released":
            raise UserError(self.env._("This hold is already released."))
        if not hold:
            hold = Hold.sudo().search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", self.company_id.id),
                    ("state", "in", ("active", "overridden")),
                ],
                limit=1,
            )
        if not hold:
            reasons = []
            if self.order_id:
                reasons = blocking(self.order_id._credit_reasons())
            hold = Hold.sudo().create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "origin": "order" if self.order_id else "rule",
                    "order_id": self.order_id.id,
                }
            )
            hold._set_reasons(reasons)
        hold._override(
            self.reason,
            expiry=self.expiry_date,
            amount_cap=self.amount_cap,
            order=self.order_id,
        )
        if self.order_id:
            return {"type": "ir.actions.act_window_close"}
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.hold",
            "res_id": hold.id,
            "view_mode": "form",
        }
