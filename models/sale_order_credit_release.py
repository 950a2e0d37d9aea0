# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a held quotation offers: paying online in full before confirmation
(the portal), asking the credit managers for a release, a manager's
override."""

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_amount

from .credit_rules import blocking


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _credit_requires_prepayment(self):
        """A blocked quotation goes ahead only when fully paid in advance."""
        self.ensure_one()
        return (
            self.state in ("draft", "sent")
            and bool(self.amount_total)
            and self.sudo().credit_check_state == "block"
        )

    def _has_to_be_paid(self):
        # EXTENDS 'sale': a customer on hold pays online before confirmation
        has_to_be_paid = super()._has_to_be_paid()
        if not has_to_be_paid and self._credit_requires_prepayment():
            return not self._credit_is_prepaid()
        return has_to_be_paid

    def _get_prepayment_required_amount(self):
        # EXTENDS 'sale': no partial down payment for a customer on hold
        amount = super()._get_prepayment_required_amount()
        if self._credit_requires_prepayment():
            return self.amount_total
        return amount

    def _credit_notify_payment_on_hold(self, transaction):
        self.ensure_one()
        note = self.env._(
            "A payment of %(amount)s was received online, but %(customer)s is on "
            "credit hold and the order is not fully paid: it stays a quotation "
            "until it is paid in full or a credit manager releases the hold.",
            amount=format_amount(self.env, transaction.amount, transaction.currency_id),
            customer=self.partner_invoice_id.commercial_partner_id.display_name,
        )
        self.sudo().message_post(body=note)
        if self.user_id:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.user_id.id,
                summary=self.env._("Paid quotation blocked by a credit hold"),
                note=Markup("<p>%s</p>") % note,
            )

    # ---------------------------------------------------------------- actions
    def action_credit_request_release(self):
        """Ask the credit managers to release or override the hold (one click
        from the quotation). The reasons are computed here, never taken from
        the caller."""
        self.ensure_one()
        self.check_access("write")
        reasons = blocking(self._credit_reasons())
        if not reasons:
            raise UserError(
                self.env._(
                    "%(order)s is not blocked by a credit hold.", order=self.name
                )
            )
        hold = self._credit_hold_to_release(reasons)
        hold.write(
            {
                "release_requested_by_id": self.env.user.id,
                "release_request_date": fields.Datetime.now(),
                "order_id": self.id,
            }
        )
        managers = self._credit_managers()
        note = self._credit_release_note(reasons)
        for manager in managers[:20]:
            hold.activity_schedule(
                "account_credit_collection.mail_act_credit_release",
                user_id=manager.id,
                note=note,
                summary=self.env._(
                    "Credit release requested for %(order)s", order=self.name
                ),
            )
        hold.message_post(body=note)
        self.message_post(
            body=self.env._(
                "Credit release requested from the credit managers (%(count)s).",
                count=len(managers),
            )
        )
        return True

    def _credit_hold_to_release(self, reasons):
        """The customer's active hold the request is about (an automatic one
        first, its reasons brought up to date), else a new hold for this
        order."""
        partner = self.partner_invoice_id.commercial_partner_id
        Hold = self.env["credit.hold"].sudo()
        active = Domain(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "active"),
            ]
        )
        hold = Hold.search(
            active & Domain("origin", "not in", ("manual", "stop")), limit=1
        )
        hold = hold or Hold.search(active, limit=1)
        if not hold:
            hold = Hold.create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "origin": "order",
                    "order_id": self.id,
                }
            )
        if hold.origin not in ("manual", "stop"):
            hold._set_reasons(reasons)
        return hold

    def _credit_managers(self):
        """The credit managers who may act in the order's company."""
        return self.env["credit.hold"]._credit_team(self.company_id)

    def _credit_release_note(self, reasons):
        return Markup("%s<br/>%s%s") % (
            self.env._(
                "%(user)s asks to release the credit hold to confirm %(order)s "
                "(%(amount)s).",
                user=self.env.user.name,
                order=self.name,
                amount=format_amount(self.env, self.amount_total, self.currency_id),
            ),
            self.env._("Reasons:"),
            self._credit_reasons_html(reasons),
        )

    def action_view_credit_holds(self):
        self.ensure_one()
        return self.partner_invoice_id.commercial_partner_id.action_view_credit_holds()

    def action_credit_override(self):
        """Open the override wizard for this order (managers)."""
        self.ensure_one()
        return self.env["credit.hold"]._action_override_wizard(
            self.partner_invoice_id.commercial_partner_id,
            self.company_id,
            default_order_id=self.id,
        )
