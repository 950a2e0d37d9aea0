# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command, api, fields, models

from ..models.clock import credit_today
from ..models.credit_contact_log import CONTACT_KINDS, CONTACT_OUTCOMES


class CreditCollectionContactWizard(models.TransientModel):
    """Log a call or visit on a case; a promise to pay made on the call is
    recorded with it (a ``credit.promise``, under its rules), a dispute opens
    the invoice's dispute wizard."""

    _name = "credit.collection.contact.wizard"
    _description = "Log a Call or Visit"

    case_id = fields.Many2one("credit.collection.case", required=True, readonly=True)
    partner_id = fields.Many2one(related="case_id.partner_id")
    company_id = fields.Many2one(related="case_id.company_id")
    currency_id = fields.Many2one(related="case_id.currency_id")
    kind = fields.Selection(CONTACT_KINDS, required=True, default="call")
    date = fields.Date(required=True, default=lambda self: credit_today(self.env))
    outcome = fields.Selection(CONTACT_OUTCOMES, required=True, default="reached")
    contact_id = fields.Many2one(
        "res.partner", string="Spoke to", domain="[('id', 'child_of', partner_id)]"
    )
    note = fields.Text()
    next_contact_date = fields.Date(
        help="Schedules a Call activity for the case's collector on that day."
    )
    promise_amount = fields.Monetary(string="Promised Amount")
    promise_date = fields.Date(
        string="Promised Date",
        default=lambda self: credit_today(self.env) + timedelta(days=7),
    )
    promise_invoice_ids = fields.Many2many(
        "account.move",
        string="Promised Invoices",
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('company_id', '=', company_id),"
        " ('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="The case's overdue invoices when none is chosen.",
    )
    dispute_invoice_id = fields.Many2one(
        "account.move",
        string="Disputed Invoice",
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('company_id', '=', company_id),"
        " ('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
        help="Opens the invoice's dispute to record the disputed amount.",
    )

    @api.onchange("case_id")
    def _onchange_case_id(self):
        if self.case_id:
            self.promise_amount = self.case_id.amount_overdue

    def action_log(self):
        """The log (and its promise) in one transaction: a refused promise
        leaves no log behind."""
        self.ensure_one()
        log = self.env["credit.collection.contact"].create(self._log_values())
        if self.outcome == "promised":
            log.sudo().promise_id = self._record_promise()
        if self.outcome == "disputed" and self.dispute_invoice_id:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move.credit.dispute",
                "view_mode": "form",
                "target": "new",
                "context": {
                    "default_move_id": self.dispute_invoice_id.id,
                    "default_note": self.note or False,
                },
            }
        return {"type": "ir.actions.act_window_close"}

    def _log_values(self):
        return {
            "case_id": self.case_id.id,
            "kind": self.kind,
            "date": self.date,
            "outcome": self.outcome,
            "contact_id": self.contact_id.id,
            "note": self.note,
            "next_contact_date": self.next_contact_date,
        }

    def _record_promise(self):
        vals = {
            "case_id": self.case_id.id,
            "amount": self.promise_amount,
            "date": self.promise_date,
            "note": self.note,
        }
        if self.promise_invoice_ids:
            vals["invoice_ids"] = [Command.set(self.promise_invoice_ids.ids)]
        return self.env["credit.promise"].create(vals)
