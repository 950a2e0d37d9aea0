# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Cash first: money received (a wire, a credit note, a bank statement line, a
down payment, an online payment) pays an order in advance, and a cash
customer's invoices are posted — on the shipped Prepayment only tier."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestMoneyReceivedCoversOrders(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cash_tier = cls.env["credit.collection.policy"].search(
            [
                ("company_id", "=", cls.company.id),
                ("is_prepayment_only", "=", True),
            ],
            limit=1,
        )
        cls.cash = cls._customer("Cash Only Ltd", tier=cls.cash_tier)

    def _wire(self, partner, amount, journal=None):
        """A customer payment received before any invoice (a bank transfer
        registered by the accountant), posted; without ``journal`` on a
        payment method without outstanding account (no journal entry)."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "journal_id": (journal or self.bank_journal).id,
                "date": self.today,
            }
        )
        if journal is None:
            payment.outstanding_account_id = False
        payment.action_post()
        return payment

    def _bank_line(self, partner, amount):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": self.today,
                "payment_ref": f"Transfer from {partner.name}",
                "partner_id": partner.id,
                "amount": amount,
            }
        )

    def _confirm_as(self, order, user):
        order.user_id = user
        order.with_user(user).action_confirm()
        return order

    def test_shipped_tier_refuses_an_order_without_money(self):
        self.assertTrue(self.cash_tier.block_invoice_posting)
        order = self._order(self.cash, 1000.0, user=self.salesman)
        with self.assertRaisesRegex(UserError, "prepayment only") as err:
            self._confirm_as(order, self.salesman)
        self.assertRegex(
            str(err.exception), r"Covered by money received: \$\s0\.00 of \$\s1,000\.00"
        )
        self.assertEqual(order.credit_check_state, "block")
        self.assertIn("1,000.00 still missing", order.credit_check_html)

    def test_wire_without_journal_entry_covers_one_order_only(self):
        payment = self._wire(self.cash, 1000.0)
        self.assertFalse(payment.move_id)  # the generic bank journal: no entry
        first = self._order(self.cash, 600.0, user=self.salesman)
        second = self._order(self.cash, 600.0, user=self.salesman)
        self.assertEqual(first.credit_check_state, "warn")
        self.assertRegex(
            first.credit_check_html,
            r"Covered by money received: \$\s600\.00 of \$\s600\.00",
        )
        self._confirm_as(first, self.salesman)
        self.assertEqual(first.state, "sale")
        self.assertTrue(first.credit_prepaid)
        # the same money cannot pay the second order: 400 is left
        second.invalidate_recordset()
        self.assertRegex(
            second.credit_check_html,
            r"Covered by money received: \$\s400\.00 of \$\s600\.00",
        )
        with self.assertRaisesRegex(UserError, r"\$\s200.00 still missing"):
            self._confirm_as(second, self.salesman)
        self.assertEqual(second.state, "draft")
        self.assertFalse(second.credit_prepaid)

    def test_wire_with_journal_entry_covers_the_order(self):
        payment = self._wire(self.cash, 1000.0, journal=self._outstanding_journal())
        self.assertTrue(payment.move_id)
        order = self._confirm_as(self._order(self.cash, 1000.0), self.salesman)
        self.assertTrue(order.credit_prepaid)

    def test_credit_note_not_applied_covers_the_order(self):
        self._invoice(self.cash, 300.0, move_type="out_refund")
        with self.assertRaisesRegex(UserError, r"\$\s100.00 still missing"):
            self._confirm_as(self._order(self.cash, 400.0), self.salesman)
        order = self._confirm_as(self._order(self.cash, 300.0), self.salesman)
        self.assertTrue(order.credit_prepaid)

    def test_bank_line_not_reconciled_covers_the_order_once(self):
        self._bank_line(self.cash, 500.0)
        order = self._confirm_as(self._order(self.cash, 500.0), self.salesman)
        self.assertTrue(order.credit_prepaid)
        with self.assertRaisesRegex(UserError, "still missing"):
            self._confirm_as(self._order(self.cash, 10.0), self.salesman)

    def test_bank_line_and_its_registered_payment_are_the_same_money(self):
        # the accountant registered the transfer (no journal entry) and the
        # bank statement brings the same 500: 500 received, not 1,000
        self._wire(self.cash, 500.0)
        self._bank_line(self.cash, 500.0)
        with self.assertRaisesRegex(UserError, r"\$\s500.00 still missing"):
            self._confirm_as(self._order(self.cash, 1000.0), self.salesman)
        self._confirm_as(self._order(self.cash, 500.0), self.salesman)

    def test_money_is_net_of_what_the_customer_owes(self):
        # 1,000 received, but 700 of old invoices are still open: 300 is free
        self.cash_tier.block_invoice_posting = False
        self._invoice(self.cash, 700.0)
        self._wire(self.cash, 1000.0)
        with self.assertRaisesRegex(UserError, r"\$\s300.00 of \$\s500.00"):
            self._confirm_as(self._order(self.cash, 500.0), self.salesman)
        self._confirm_as(self._order(self.cash, 300.0), self.salesman)

    def test_money_on_a_contact_counts_for_its_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Cash accountant", "parent_id": self.cash.id}
        )
        self._wire(contact, 800.0)
        order = self._confirm_as(self._order(self.cash, 800.0), self.salesman)
        self.assertTrue(order.credit_prepaid)

    def test_paid_down_payment_covers_its_order(self):
        order = self._order(self.cash, 1000.0, user=self.salesman)
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "fixed", "fixed_amount": 400.0})
        )
        down_payment = wizard._create_invoices(order)
        # a down-payment request gives no credit: it is posted
        down_payment.action_post()
        self.assertEqual(down_payment.state, "posted")
        # not paid yet: it covers nothing
        with self.assertRaisesRegex(UserError, r"\$\s1,000.00 still missing"):
            self._confirm_as(order, self.salesman)
        self._pay(down_payment)
        with self.assertRaisesRegex(UserError, r"\$\s600.00 still missing"):
            self._confirm_as(order, self.salesman)
        self._wire(self.cash, 600.0)
        self._confirm_as(order, self.salesman)
        self.assertTrue(order.credit_prepaid)

    def test_online_payment_covers_the_order(self):
        order = self._order(self.cash, 80.0, user=self.salesman)
        provider = self.env["payment.provider"].search([], limit=1)
        method = (
            self.env["payment.method"]
            .with_context(active_test=False)
            .search([("code", "=", "card")], limit=1)
        )
        tx = self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "amount": 80.0,
                "currency_id": order.currency_id.id,
                "partner_id": self.cash.id,
                "reference": f"{order.name}-cash",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        tx.state = "done"
        order.invalidate_recordset()
        self._confirm_as(order, self.salesman)
        self.assertTrue(order.credit_prepaid)

    def test_prepaid_cash_order_is_invoiced_posted_and_reconciled(self):
        payment = self._wire(self.cash, 1000.0, journal=self._outstanding_journal())
        order = self._confirm_as(self._order(self.cash, 1000.0), self.salesman)
        self.assertTrue(order.credit_prepaid)
        # the money is now the order's: nothing is left for an unrelated invoice
        with self.assertRaisesRegex(UserError, "cannot be posted"):
            self._invoice(self.cash, 10.0)
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        (
            receivable
            | payment.move_id.line_ids.filtered(
                lambda line: line.account_id == receivable.account_id
            )
        ).reconcile()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(order.invoice_status, "invoiced")

    def test_cash_customer_invoice_covered_by_money_received(self):
        invoice = self._invoice(self.cash, 250.0, post=False)
        with self.assertRaisesRegex(UserError, r"\$\s250.00 still missing"):
            invoice.action_post()
        self._wire(self.cash, 250.0)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        # a credit note is never blocked
        refund = self._invoice(self.cash, 40.0, move_type="out_refund")
        self.assertEqual(refund.state, "posted")

    def test_prepaid_flag_is_written_by_the_confirmation_only(self):
        order = self._order(self.customer, 100.0, user=self.salesman)
        with self.assertRaises(AccessError):
            order.with_user(self.salesman).write({"credit_prepaid": True})
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.salesman).create(
                {"partner_id": self.customer.id, "credit_prepaid": True}
            )
        self._confirm_as(order, self.salesman)
        self.assertFalse(order.credit_prepaid)  # on credit, within the limit
