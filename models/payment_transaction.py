# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        # EXTENDS 'sale': an online payment that does not fully prepay the order
        # of a customer on credit hold leaves the quotation unconfirmed, and the
        # salesperson and credit managers are told, instead of failing the
        # payment's processing.
        held = self.env["payment.transaction"]
        for tx in self:
            orders = tx.sale_order_ids.filtered(
                lambda so: so.state in ("draft", "sent")
            )
            if len(orders) == 1 and orders._credit_requires_prepayment():
                if not orders._credit_is_prepaid():
                    held |= tx
                    orders._credit_notify_payment_on_hold(tx)
        return super(PaymentTransaction, self - held)._check_amount_and_confirm_order()
