# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Cash first: money received (a wire, a credit note, a bank statement line, a
down payment, an online payment) pays an order in advance, and a cash
customer's invoices are posted — on the shipped Prepayment only tier."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CreditCollectionCommon
from .rpc_clients import JsonRpcClient, RpcError, XmlRpcClient


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


@tagged("post_install", "-at_install")
class TestCashCustomerOverRpc(HttpCase):
    """The cash customer's day as the users live it, through the external API
    of a running server: the accountant registers the customer's transfer,
    the salesperson confirms the order, the accountant invoices it, posts it
    and matches the transfer; the next order, without money, is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cash_tier = env["credit.collection.policy"].search(
            [("company_id", "=", cls.company.id), ("is_prepayment_only", "=", True)],
            limit=1,
        )
        cls.customer = env["res.partner"].create(
            {"name": "Cash RPC Ltd", "is_company": True}
        )
        cls.customer.with_company(cls.company).credit_policy_id = cash_tier
        cls.salesman = new_test_user(
            env, "ccol_cash_sales", groups="sales_team.group_sale_salesman"
        )
        cls.accountant = new_test_user(
            env,
            "ccol_cash_accountant",
            groups="account.group_account_invoice,sales_team.group_sale_salesman_all_leads",
        )
        cls.product = env["product.product"].create(
            {
                "name": "Cash service",
                "type": "service",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        cls.bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )

    def _client(self, client_class, user):
        client = client_class(self.base_url(), self.env.cr.dbname, user.id, user.login)

        def call(*args, **kwargs):
            self.env.cr.flush()
            self.env.cr.clear()
            with self.allow_requests(all_requests=True):
                return client(*args, **kwargs)

        return call

    def _new_order(self, sales, amount):
        return sales(
            "sale.order",
            "create",
            [
                {
                    "partner_id": self.customer.id,
                    "user_id": self.salesman.id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": self.product.id,
                                "price_unit": amount,
                                "tax_ids": [(5, 0, 0)],
                            },
                        )
                    ],
                }
            ],
        )[0]

    def test_wire_then_order_then_invoice_then_reconcile(self):
        accountant = self._client(JsonRpcClient, self.accountant)
        sales = self._client(XmlRpcClient, self.salesman)
        order_id = self._new_order(sales, 1000.0)
        with self.assertRaisesRegex(RpcError, "prepayment only"):
            sales("sale.order", "action_confirm", [order_id])
        # the transfer arrives: the accountant registers it (a journal entry
        # on the outstanding receipts account, as Community books it)
        payment_id = accountant(
            "account.payment",
            "create",
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": 1000.0,
                    "journal_id": self.bank.id,
                }
            ],
        )[0]
        accountant("account.payment", "action_post", [payment_id])
        sales("sale.order", "action_confirm", [order_id])
        order = self.env["sale.order"].browse(order_id)
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.credit_prepaid)
        # the money is the order's now: a second order is refused
        second = self._new_order(sales, 200.0)
        with self.assertRaisesRegex(RpcError, "still missing"):
            sales("sale.order", "action_confirm", [second])
        # invoiced and posted (the tier blocks invoicing: not this invoice)
        wizard = accountant(
            "sale.advance.payment.inv",
            "create",
            [{"advance_payment_method": "delivered"}],
            context={"active_model": "sale.order", "active_ids": [order_id]},
        )[0]
        accountant(
            "sale.advance.payment.inv",
            "create_invoices",
            [wizard],
            context={"active_model": "sale.order", "active_ids": [order_id]},
        )
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        accountant("account.move", "action_post", invoice.ids)
        self.assertEqual(invoice.state, "posted")
        # the transfer matched to the invoice: paid
        payment = self.env["account.payment"].browse(payment_id)
        lines = (invoice.line_ids | payment.move_id.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        accountant("account.move.line", "reconcile", lines.ids)
        invoice.invalidate_recordset()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        # nothing left: the second order still waits for its money
        with self.assertRaisesRegex(RpcError, "200.00 still missing"):
            sales("sale.order", "action_confirm", [second])
