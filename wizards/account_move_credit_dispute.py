# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.credit_hold_sync import schedule_hold_sync

DISPUTE_REASONS = [
    ("price", "Price or discount"),
    ("quality", "Quality or damaged goods"),
    ("delivery", "Not delivered / incomplete"),
    ("invoice", "Invoice error"),
    ("other", "Other"),
]


class AccountMoveCreditDispute(models.TransientModel):
    """A collector records (or resolves) a customer's dispute on an invoice:
    disputed amounts are not chased and, per tier, not in the exposure."""

    _name = "account.move.credit.dispute"
    _description = "Record an Invoice Dispute"

    move_id = fields.Many2one("account.move", string="Invoice", required=True)
    currency_id = fields.Many2one(related="move_id.company_currency_id")
    amount_residual = fields.Monetary(related="move_id.amount_residual_signed")
    amount = fields.Monetary(
        string="Disputed Amount",
        help="Company currency. 0 resolves the dispute: the chase resumes.",
    )
    reason = fields.Selection(DISPUTE_REASONS, default="quality")
    note = fields.Char(help="What the customer says.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        move = self.env["account.move"].browse(values.get("move_id"))
        if move and "amount" in fields_list:
            values["amount"] = move.credit_dispute_amount or move.amount_residual_signed
        return values

    def action_apply(self):
        self.ensure_one()
        if not self.env.user.has_group("account_credit_collection.group_user"):
            raise AccessError(self.env._("Only collection users record disputes."))
        move = self.move_id
        if move.move_type != "out_invoice" or move.state != "posted":
            raise UserError(
                self.env._("Only posted customer invoices can be disputed.")
            )
        if self.amount < 0:
            raise UserError(self.env._("The disputed amount cannot be negative."))
        labels = dict(DISPUTE_REASONS)
        if self.amount:
            reason = labels.get(self.reason, "")
            if self.note:
                reason = f"{reason}: {self.note}"
            body = self.env._(
                "Dispute recorded by %(user)s on %(amount)s: %(reason)s",
                user=self.env.user.name,
                amount=self.amount,
                reason=reason,
            )
        else:
            reason = False
            body = self.env._(
                "Dispute resolved by %(user)s: the chase resumes.",
                user=self.env.user.name,
            )
        move.sudo().write(
            {
                "credit_dispute_amount": self.amount,
                "credit_dispute_reason": reason,
                "credit_dispute_state": "open" if self.amount else "resolved",
            }
        )
        move.sudo().message_post(body=body)
        schedule_hold_sync(self.env, move.commercial_partner_id, move.company_id)
        return {"type": "ir.actions.act_window_close"}
