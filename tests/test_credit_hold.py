# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestExposure(CreditCollectionCommon):
    def test_components(self):
        partner = self.customer
        self._invoice(partner, 400.0, due_days=10)  # not due
        self._invoice(partner, 250.0, overdue_days=20)  # overdue
        self._invoice(partner, 90.0, post=False)  # draft
        self._invoice(partner, 30.0, move_type="out_refund")  # unapplied credit
        order = self._order(partner, 120.0)
        order.action_confirm()  # confirmed, not invoiced
        exp = partner._credit_exposure(self.company)[partner.id]
        self.assertAlmostEqual(exp["not_due"], 400.0)
        self.assertAlmostEqual(exp["overdue"], 250.0)
        self.assertAlmostEqual(exp["draft"], 90.0)
        self.assertAlmostEqual(exp["credits"], -30.0)
        self.assertAlmostEqual(exp["orders"], 120.0)
        self.assertAlmostEqual(exp["total"], 400 + 250 + 90 - 30 + 120)
        self.assertEqual(exp["oldest_overdue_days"], 20)
        self.assertAlmostEqual(partner.credit_exposure, exp["total"])

    def test_paid_and_partially_paid_invoices(self):
        partner = self.customer
        paid = self._invoice(partner, 300.0, overdue_days=5)
        partial = self._invoice(partner, 500.0, overdue_days=5)
        self._pay(paid)
        self._pay(partial, 200.0)
        exp = partner._credit_exposure(self.company)[partner.id]
        self.assertAlmostEqual(exp["overdue"], 300.0)
        self.assertAlmostEqual(exp["total"], 300.0)

    def test_payment_without_journal_entry_counts_as_paid(self):
        """A payment registered on a method without outstanding account has no
        journal entry: the invoice is paid/in payment through its matched
        payment while its receivable line stays open. It is not exposure."""
        partner = self.customer
        invoice = self._invoice(partner, 700.0, overdue_days=10)
        other = self._invoice(partner, 100.0, overdue_days=10)
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": 700.0,
                "journal_id": self.bank_journal.id,
                "memo": invoice.name,
            }
        )
        payment.outstanding_account_id = False
        payment.action_post()
        invoice.matched_payment_ids += payment
        self.assertFalse(payment.move_id)
        self.assertIn(invoice.payment_state, ("in_payment", "paid"))
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertFalse(receivable.reconciled)
        exp = partner._credit_exposure(self.company)[partner.id]
        self.assertAlmostEqual(exp["overdue"], 100.0)
        self.assertAlmostEqual(exp["total"], 100.0)
        # an unmatched payment without entry also reduces the exposure
        unmatched = payment.copy({"amount": 40.0})
        unmatched.outstanding_account_id = False
        unmatched.action_post()
        exp = partner._credit_exposure(self.company)[partner.id]
        self.assertAlmostEqual(exp["total"], 60.0)
        self.assertTrue(other)

    def test_multi_currency_uses_company_currency_residual(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "name": self.today - timedelta(days=365),
                "rate": 0.5,  # 1 USD = 0.5 EUR: 1 EUR = 2 USD
                "currency_id": eur.id,
                "company_id": self.company.id,
            }
        )
        invoice = self._invoice(self.customer, 100.0, overdue_days=3, currency=eur)
        self.assertAlmostEqual(invoice.amount_residual, 100.0)  # in EUR
        exp = self.customer._credit_exposure(self.company)[self.customer.id]
        self.assertAlmostEqual(exp["overdue"], 200.0)  # in USD
        order = self._order(self.customer, 50.0, currency=eur)
        order.action_confirm()
        exp = self.customer._credit_exposure(self.company)[self.customer.id]
        self.assertAlmostEqual(exp["orders"], 100.0)

    def _tiers_committed_earlier(self):
        """The tiers as another transaction committed them (a tier written
        by the current transaction is never read from the cache)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE credit_collection_policy"
            " SET write_date = write_date - interval '1 hour'"
        )
        self.env.invalidate_all()

    def test_tier_cache_follows_the_tiers_write_date(self):
        """The tiers' rules are cached per (tier, write date): a change
        committed by another transaction (a new write date) is read again."""
        Policy = self.env["credit.collection.policy"]

        def threshold(stamp):
            return Policy._credit_rule_params(
                self.tier.id, stamp
            ).overdue_days_threshold

        self.tier.overdue_days_threshold = 30
        self._tiers_committed_earlier()
        stamp = self.tier.write_date
        self.assertEqual(threshold(stamp), 30)
        # changed in SQL, write date kept: the cache still answers
        self.env.cr.execute(
            "UPDATE credit_collection_policy SET overdue_days_threshold = 45"
            " WHERE id = %s",
            (self.tier.id,),
        )
        self.assertEqual(threshold(stamp), 30)
        # a new write date: read again
        self.env.cr.execute(
            "UPDATE credit_collection_policy SET write_date = write_date"
            " + interval '1 second' WHERE id = %s RETURNING write_date",
            (self.tier.id,),
        )
        [(new_stamp,)] = self.env.cr.fetchall()
        self.env.invalidate_all()
        self.assertEqual(threshold(new_stamp), 45)
        # written in this transaction: never from the cache
        self.tier.overdue_days_threshold = 60
        self.assertEqual(threshold(self.env.cr.now()), 60)

    def test_query_count_does_not_grow_with_open_items(self):
        partner = self.customer
        partner.credit_limit = 10**9
        # every rule on, in warn mode: the check computes all hints
        self.tier.write(
            {
                "credit_limit_mode": "warn",
                "use_overdue_amount": True,
                "overdue_amount_threshold": 1.0,
                "overdue_amount_mode": "warn",
                "use_overdue_days": True,
                "overdue_days_threshold": 1,
                "overdue_days_mode": "warn",
            }
        )
        self._invoice(partner, 10.0, overdue_days=3)
        order = self._order(partner, 10.0)
        order2 = self._order(partner, 10.0)
        self._tiers_committed_earlier()
        # the order and its company (Odoo's confirmation reads them anyway),
        # the figures (one call), then the warnings' hints and their log in
        # the chatter: 8, whatever the number of open items
        with self.assertQueryCount(8):
            order._credit_check_confirmation()
        self.assertIn("credit warnings", order.message_ids[:1].body)
        for _i in range(30):
            self._invoice(partner, 10.0, overdue_days=3)
        self.env.invalidate_all()
        with self.assertQueryCount(8):
            order2._credit_check_confirmation()

    def test_query_count_of_a_passing_confirmation(self):
        """The common path, no rule fires: 3 queries, the order and its
        company (Odoo's confirmation reads them anyway) and one call for the
        lock, the exposure, the case, holds, promises, the customer's credit
        fields and tiers. The tiers' rules come from the cache (the payment
        transactions are not read)."""
        partner = self.customer
        partner.credit_limit = 10**9
        self._invoice(partner, 10.0, due_days=10)
        order = self._order(partner, 10.0)
        self._tiers_committed_earlier()
        with self.assertQueryCount(3):
            order._credit_check_confirmation()


@tagged("post_install", "-at_install")
class TestHoldRules(CreditCollectionCommon):
    def test_credit_limit_block_and_pass(self):
        self._invoice(self.customer, 600.0, due_days=10)
        small = self._order(self.customer, 300.0)
        big = self._order(self.customer, 500.0)
        self.assertEqual(big.credit_check_state, "block")
        self.assertIn("Credit limit", big.credit_check_html)
        with self.assertRaisesRegex(UserError, "Credit limit .* exposure") as err:
            big.action_confirm()
        self.assertIn("reduce the exposure by", str(err.exception))
        self.assertEqual(big.state, "draft")
        small.action_confirm()
        self.assertEqual(small.state, "sale")

    def test_credit_limit_warn_mode(self):
        self.tier.credit_limit_mode = "warn"
        self._invoice(self.customer, 900.0, due_days=10)
        order = self._order(self.customer, 500.0)
        self.assertEqual(order.credit_check_state, "warn")
        order.with_context(tracking_disable=False).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn(
            "Confirmed despite credit warnings",
            " ".join(order.message_ids.mapped("body")),
        )

    def test_tier_default_limit_applies_without_partner_limit(self):
        partner = self._customer("No own limit")
        self.tier.default_credit_limit = 200.0
        order = self._order(partner, 250.0)
        with self.assertRaisesRegex(UserError, "Credit limit"):
            order.action_confirm()
        self.tier.default_credit_limit = 0.0  # 0 = no limit
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_overdue_amount_rule(self):
        self.tier.write(
            {
                "use_credit_limit": False,
                "use_overdue_amount": True,
                "overdue_amount_threshold": 100.0,
            }
        )
        invoice = self._invoice(self.customer, 150.0, overdue_days=10)
        order = self._order(self.customer, 10.0)
        with self.assertRaisesRegex(UserError, "Overdue .* allowed") as err:
            order.action_confirm()
        message = str(err.exception).replace("\xa0", " ")
        self.assertIn(f"pay $ 150.00 on {invoice.name}", message)
        self.tier.overdue_amount_mode = "warn"
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_oldest_overdue_days_rule(self):
        self.tier.write(
            {
                "use_credit_limit": False,
                "use_overdue_days": True,
                "overdue_days_threshold": 60,
            }
        )
        self._invoice(self.customer, 50.0, overdue_days=30)
        order = self._order(self.customer, 10.0)
        order.action_confirm()  # 30 days: fine
        old = self._invoice(self.customer, 50.0, overdue_days=75)
        order2 = self._order(self.customer, 10.0)
        with self.assertRaisesRegex(UserError, "Oldest overdue item 75 days") as err:
            order2.action_confirm()
        self.assertIn(old.name, str(err.exception))
        self._pay(old)
        order2.action_confirm()
        self.assertEqual(order2.state, "sale")

    def _transaction(self, order, amount):
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
                "amount": amount,
                "currency_id": order.currency_id.id,
                "partner_id": self.customer.id,
                "reference": f"{order.name}-{amount}",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        tx.state = "done"
        order.invalidate_recordset(["amount_paid", "transaction_ids"])
        return tx

    def test_prepayment_only_unless_paid_in_advance(self):
        self.customer.credit_prepayment_only = True
        order = self._order(self.customer, 80.0, user=self.salesman)
        self.assertTrue(order._has_to_be_paid())
        self.assertEqual(order._get_prepayment_required_amount(), 80.0)
        with self.assertRaisesRegex(UserError, "prepayment only"):
            order.action_confirm()
        # a partial online payment: the payment is processed, the order stays a
        # quotation and the salesperson is told
        tx = self._transaction(order, 30.0)
        self.assertFalse(tx._check_amount_and_confirm_order())
        self.assertIn(order.state, ("draft", "sent"))
        self.assertIn("is on credit hold", order.message_ids[:1].body)
        self.assertIn(self.salesman, order.activity_ids.user_id)
        # paid in full: the online payment confirms it
        tx2 = self._transaction(order, 50.0)
        self.assertEqual(tx2._check_amount_and_confirm_order(), order)
        self.assertEqual(order.state, "sale")

    def test_refunds_are_never_blocked(self):
        self.tier.block_invoice_posting = True
        self.customer.credit_prepayment_only = True
        refund = self._invoice(self.customer, 50.0, move_type="out_refund")
        self.assertEqual(refund.state, "posted")
        # the credit note's 50 pays 50 of an 80 invoice in advance: not enough
        with self.assertRaisesRegex(UserError, "cannot be posted"):
            self._invoice(self.customer, 80.0)

    def test_disputed_amounts_count_per_tier(self):
        self.tier.write(
            {
                "use_overdue_amount": True,
                "overdue_amount_threshold": 500.0,
                "use_credit_limit": False,
            }
        )
        invoice = self._invoice(self.customer, 800.0, overdue_days=10)
        invoice.write(
            {"credit_dispute_amount": 400.0, "credit_dispute_reason": "Damaged goods"}
        )
        exp = self.customer._credit_exposure(self.company)[self.customer.id]
        self.assertAlmostEqual(exp["disputed"], 400.0)
        self.assertAlmostEqual(exp["total"], 800.0)
        order = self._order(self.customer, 10.0)
        self.assertEqual(order.credit_check_state, "block")  # counted by default
        self.tier.count_disputed = False
        order.invalidate_recordset(["credit_check_state"])
        self.assertEqual(order.credit_check_state, "ok")  # 800 - 400 <= 500
        order.action_confirm()
        with self.assertRaisesRegex(ValidationError, "cannot exceed its total"):
            invoice.credit_dispute_amount = 900.0
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            invoice.credit_dispute_amount = -1.0

    def test_policy_without_company_is_refused(self):
        with self.assertRaises(ValidationError):
            self.env["credit.collection.policy"].create(
                {"name": "Nowhere", "company_id": False}
            )

    def test_negative_thresholds_are_refused(self):
        with self.assertRaises(ValidationError):
            self.tier.default_credit_limit = -1.0
        with self.assertRaises(ValidationError):
            self.tier.overdue_days_threshold = -5

    def test_one_default_tier_per_company(self):
        default = self.env["credit.collection.policy"]._get_default(self.company)
        self.assertTrue(default)
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.tier.is_default = True
            self.env.flush_all()

    def test_new_company_gets_default_tiers(self):
        company = self.env["res.company"].create({"name": "Tier Test Co"})
        tiers = self.env["credit.collection.policy"].search(
            [("company_id", "=", company.id)]
        )
        self.assertEqual(len(tiers), 4)
        self.assertEqual(len(tiers.filtered("is_default")), 1)


@tagged("post_install", "-at_install")
class TestEnforcementPaths(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._invoice(cls.customer, 950.0, due_days=10)

    def test_direct_write_is_checked(self):
        order = self._order(self.customer, 200.0)
        with self.assertRaisesRegex(UserError, "on credit hold"):
            order.write({"state": "sale"})

    def test_create_confirmed_is_checked(self):
        with self.assertRaisesRegex(UserError, "on credit hold"):
            self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "state": "sale",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "price_unit": 500.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )

    def test_duplicate_is_checked(self):
        order = self._order(self.customer, 20.0)
        order.action_confirm()
        copy = order.copy()
        copy.order_line.price_unit = 300.0
        with self.assertRaisesRegex(UserError, "on credit hold"):
            copy.action_confirm()

    def test_context_keys_and_sudo_do_not_bypass(self):
        order = self._order(self.customer, 200.0, user=self.salesman)
        for ctx in (
            {"credit_collection_bypass_hold": True},
            {"bypass_risk": True},
            {"skip_credit_check": True},
        ):
            with self.assertRaises(UserError):
                order.with_context(**ctx).with_user(self.salesman).action_confirm()
        with self.assertRaises(UserError):
            order.sudo().action_confirm()

    def test_batch_confirmation_counts_earlier_orders(self):
        first = self._order(self.customer, 30.0)
        second = self._order(self.customer, 30.0)
        with self.assertRaisesRegex(UserError, "on credit hold"):
            (first | second).action_confirm()

    def test_form_path_answers_through_confirmation_error_message(self):
        """The Confirm button is refused by core's own question (sale's
        ``_confirmation_error_message``), and the credit check runs once per
        confirmation: the write that follows does not check the same order
        again, while a direct write and a batch are still checked."""
        Order = type(self.env["sale.order"])
        held = self._order(self.customer, 200.0)
        writes = []
        write = Order.write

        def recorded(orders, vals):
            writes.append(vals.get("state"))
            return write(orders, vals)

        with (
            patch.object(Order, "write", recorded),
            self.assertRaisesRegex(UserError, "on credit hold") as refused,
        ):
            held.action_confirm()
        # refused before confirming anything: core's question answered
        self.assertNotIn("sale", writes)
        self.assertIn("Request Credit Release", str(refused.exception))
        self.assertEqual(held.state, "draft")
        calls = []
        check = Order._credit_check_confirmation

        def counted(orders):
            calls.append(orders.ids)
            return check(orders)

        small = self._order(self.customer, 10.0)
        with patch.object(Order, "_credit_check_confirmation", counted):
            small.action_confirm()
        self.assertEqual(small.state, "sale")
        self.assertEqual(calls, [small.ids])
        # a write outside action_confirm is checked, even right after one
        calls.clear()
        other = self._order(self.customer, 5.0)
        with patch.object(Order, "_credit_check_confirmation", counted):
            other.write({"state": "sale"})
        self.assertEqual(calls, [other.ids])
        # several orders: checked together by the write, with each other's
        # amounts (the one-by-one question leaves them to it)
        calls.clear()
        first, second = self._order(self.customer, 5.0), self._order(self.customer, 5.0)
        with patch.object(Order, "_credit_check_confirmation", counted):
            (first | second).action_confirm()
        self.assertEqual(calls, [(first | second).ids])


@tagged("post_install", "-at_install")
class TestHoldsAndOverrides(CreditCollectionCommon):
    def test_automatic_hold_set_and_released_on_payment(self):
        self.tier.write(
            {
                "use_overdue_days": True,
                "overdue_days_threshold": 30,
                "use_credit_limit": False,
            }
        )
        invoice = self._invoice(self.customer, 400.0, overdue_days=45)
        self._sync_holds()
        hold = self._holds(self.customer, state="active")
        self.assertEqual(len(hold), 1)
        self.assertEqual(hold.origin, "rule")
        by_rule = {r.rule: r for r in hold.reason_ids}
        # the tier's rule and the collection stage (45+ days: Credit hold)
        self.assertEqual(set(by_rule), {"overdue_days", "stage"})
        self.assertEqual(by_rule["overdue_days"].measured, 45)
        self.assertIn(invoice.name, by_rule["overdue_days"].release_hint)
        self.assertTrue(self.customer.credit_on_hold)
        self.assertIn(
            self.customer,
            self.env["res.partner"].search([("credit_on_hold", "=", True)]),
        )
        # the customer pays: the hold is released automatically
        self._pay(invoice)
        self._sync_holds()
        self.assertEqual(hold.state, "released")
        self.assertIn("Released automatically", hold.release_note)
        self.customer.invalidate_recordset(["credit_on_hold"])
        self.assertFalse(self.customer.credit_on_hold)

    def test_cron_sets_holds_as_items_age(self):
        self.tier.write(
            {
                "use_overdue_days": True,
                "overdue_days_threshold": 30,
                "use_credit_limit": False,
            }
        )
        self._invoice(self.customer, 400.0, overdue_days=20)
        self._sync_holds()
        self.assertFalse(self._holds(self.customer))
        with freeze_time(self.today + timedelta(days=15)):
            self.env["credit.hold"]._cron_sync_holds()
        self.assertEqual(len(self._holds(self.customer, state="active")), 1)

    def test_override_with_expiry_and_cap(self):
        self._invoice(self.customer, 1000.0, due_days=10)
        order = self._order(self.customer, 300.0, user=self.salesman)
        with self.assertRaises(UserError):
            order.action_confirm()
        wizard = (
            self.env["credit.hold.override"]
            .with_user(self.manager)
            .with_context(
                **order.with_user(self.manager).action_credit_override()["context"]
            )
            .create(
                {
                    "reason": "Signed guarantee from the parent company",
                    "expiry_date": self.today + timedelta(days=7),
                    "amount_cap": 500.0,
                }
            )
        )
        wizard.action_override()
        hold = self._holds(self.customer, state="overridden")
        self.assertEqual(len(hold), 1)
        self.assertEqual(hold.override_user_id, self.manager)
        # the quotation tells the salesperson it may be confirmed now
        order.invalidate_recordset()
        as_salesman = order.with_user(self.salesman)
        self.assertEqual(as_salesman.credit_check_state, "warn")
        self.assertIn("this order may be confirmed", as_salesman.credit_check_html)
        # a bigger quotation than the cap stays blocked
        big = self._order(self.customer, 600.0, user=self.salesman)
        self.assertEqual(big.credit_check_state, "block")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_hold_override_id, hold)
        self.assertAlmostEqual(hold.override_used_amount, 300.0)
        # the cap leaves 200: a 250 order is refused, a 150 one passes
        with self.assertRaisesRegex(UserError, "on credit hold"):
            self._order(self.customer, 250.0).action_confirm()
        self._order(self.customer, 150.0).action_confirm()
        # after the expiry, nothing passes any more
        with freeze_time(self.today + timedelta(days=8)):
            with self.assertRaisesRegex(UserError, "on credit hold"):
                self._order(self.customer, 10.0).action_confirm()
        self.assertIn(order.name, " ".join(hold.message_ids.mapped("body")))

    def test_override_validation(self):
        self._invoice(self.customer, 1500.0, due_days=10)
        order = self._order(self.customer, 10.0)
        Wizard = self.env["credit.hold.override"].with_user(self.manager)
        ctx = order.with_user(self.manager).action_credit_override()["context"]
        with self.assertRaisesRegex(UserError, "in the past"):
            Wizard.with_context(**ctx).create(
                {"reason": "x", "expiry_date": self.today - timedelta(days=1)}
            ).action_override()
        with self.assertRaisesRegex(UserError, "needs a reason"):
            Wizard.with_context(**ctx).create({"reason": " "}).action_override()
        with self.assertRaisesRegex(UserError, "cannot be negative"):
            Wizard.with_context(**ctx).create(
                {"reason": "ok", "amount_cap": -5}
            ).action_override()

    def test_request_release(self):
        self._invoice(self.customer, 1200.0, due_days=10)
        order = self._order(self.customer, 100.0, user=self.salesman)
        order.with_user(self.salesman).action_credit_request_release()
        hold = self._holds(self.customer, state="active")
        self.assertEqual(hold.release_requested_by_id, self.salesman)
        self.assertEqual(hold.order_id, order)
        self.assertEqual(hold.reason_ids.rule, "limit")
        activities = hold.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("account_credit_collection.mail_act_credit_release")
        )
        self.assertIn(self.manager, activities.user_id)
        self.assertNotIn(self.salesman, activities.user_id)
        order.invalidate_recordset(["credit_release_requested"])
        self.assertTrue(order.with_user(self.salesman).credit_release_requested)
        # overriding clears the request activities
        hold.with_user(self.manager)._override("ok for this one")
        self.assertFalse(hold.activity_ids)

    def test_manual_hold(self):
        action = self.env.ref("account_credit_collection.credit_hold_manual_action")
        wizard = (
            self.env["credit.hold.manual"]
            .with_user(self.manager)
            .with_context(
                active_id=self.customer.id,
                **safe_eval(action.context, {"active_id": self.customer.id}),
            )
            .create({"reason": "Bounced cheque"})
        )
        hold = self.env["credit.hold"].browse(wizard.action_set_hold()["res_id"])
        self.assertEqual(hold.origin, "manual")
        self.assertEqual(hold.partner_id, self.customer)
        with self.assertRaises(AccessError):
            self.env["credit.hold.manual"].with_user(self.salesman).create(
                {"partner_id": self.customer.id, "reason": "no"}
            )
        order = self._order(self.customer, 10.0)
        with self.assertRaisesRegex(UserError, "Manual hold .* Bounced cheque"):
            order.action_confirm()
        with self.assertRaises(AccessError):
            hold.with_user(self.salesman).action_release()
        hold.with_user(self.manager).action_release()
        self.assertEqual(hold.state, "released")
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        with self.assertRaisesRegex(UserError, "needs a reason"):
            self.env["credit.hold"].with_user(self.manager).action_create_manual(
                self.customer, ""
            )


@tagged("post_install", "-at_install")
class TestAccess(CreditCollectionCommon):
    def test_salesperson_cannot_change_credit_decisions(self):
        hold = (
            self.env["credit.hold"]
            .with_user(self.manager)
            .action_create_manual(self.customer, "Audit")
        )
        sales_hold = hold.with_user(self.salesman)
        self.assertEqual(sales_hold.state, "active")  # can read
        with self.assertRaises(AccessError):
            sales_hold.write({"state": "released"})
        with self.assertRaises(AccessError):
            sales_hold.unlink()
        with self.assertRaises(AccessError):
            sales_hold._override("I say so")
        with self.assertRaises(AccessError):
            self.env["credit.hold"].with_user(self.salesman).create(
                {"partner_id": self.customer.id, "origin": "manual"}
            )
        with self.assertRaises(AccessError):
            self.tier.with_user(self.salesman).write({"default_credit_limit": 10**6})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write({"credit_policy_id": False})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write(
                {"credit_prepayment_only": False}
            )
        with self.assertRaises(AccessError):
            self.env["credit.hold.override"].with_user(self.salesman).create(
                {"partner_id": self.customer.id, "reason": "x"}
            )

    def test_holds_are_never_deleted(self):
        hold = (
            self.env["credit.hold"]
            .with_user(self.manager)
            .action_create_manual(self.customer, "Audit")
        )
        with self.assertRaises(AccessError):
            hold.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "never deleted"):
            hold.sudo().unlink()

    def test_multi_company_isolation(self):
        other = self.env["res.company"].create({"name": "Credit Other Co"})
        self.env["account.chart.template"].try_loading(
            "generic_coa", other, install_demo=False
        )
        user_a = self.manager
        hold_b = (
            self.env["credit.hold"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other.id,
                    "origin": "manual",
                }
            )
        )
        self.assertFalse(
            self.env["credit.hold"].with_user(user_a).search([("id", "=", hold_b.id)])
        )
        with self.assertRaises(AccessError):
            hold_b.with_user(user_a).read(["state"])
        # exposure and holds are per company
        self._invoice(self.customer, 5000.0, due_days=5)
        exp_b = self.customer._credit_exposure(other).get(self.customer.id)
        self.assertFalse(exp_b)
        self.assertTrue(
            self.customer.with_company(self.company).credit_on_hold is False
        )
        self.assertTrue(self.customer.with_company(other).credit_on_hold)
        tiers_b = (
            self.env["credit.collection.policy"]
            .with_user(user_a)
            .search([("company_id", "=", other.id)])
        )
        self.assertFalse(tiers_b)


@tagged("post_install", "-at_install")
class TestConfirmedOrderGrowth(CreditCollectionCommon):
    """A confirmed order that grows (a line added, a quantity or a price
    raised) is new credit: the hold rules are evaluated again."""

    def _add_line(self, order, amount, user=None):
        order.with_user(user or self.env.user).write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ]
            }
        )

    def test_growth_over_the_limit_is_refused(self):
        order = self._order(self.customer, 600.0, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        self._add_line(order, 300.0, user=self.salesman)  # 900 <= 1,000
        self.assertEqual(order.amount_total, 900.0)
        with (
            self.assertRaisesRegex(UserError, "(?s)cannot grow to .*Credit limit"),
            self.env.cr.savepoint(),
        ):
            self._add_line(order, 200.0, user=self.salesman)
        line = order.order_line[0]
        with (
            self.assertRaisesRegex(UserError, "cannot grow"),
            self.env.cr.savepoint(),
        ):
            line.with_user(self.salesman).write(
                {"product_uom_qty": 2, "price_unit": 600.0}
            )
        with (
            self.assertRaisesRegex(UserError, "cannot grow"),
            self.env.cr.savepoint(),
        ):
            line.with_user(self.salesman).price_unit = 900.0
        order.invalidate_recordset()
        self.assertEqual(order.amount_total, 900.0)
        # lowering is always allowed, and so is growing back within the limit
        line.with_user(self.salesman).write(
            {"product_uom_qty": 0.5, "price_unit": 600.0}
        )
        self.assertEqual(order.amount_total, 600.0)
        line.with_user(self.salesman).write({"product_uom_qty": 1, "price_unit": 600.0})
        self.assertEqual(order.amount_total, 900.0)

    def test_growth_of_an_order_on_hold(self):
        """A manual hold set after the confirmation stops the order growing;
        a manager's override with a cap lets it grow up to the cap, counted
        against it."""
        order = self._order(self.customer, 100.0, user=self.salesman)
        order.action_confirm()
        action = self.env.ref("account_credit_collection.credit_hold_manual_action")
        self.env["credit.hold.manual"].with_user(self.manager).with_context(
            active_id=self.customer.id,
            **safe_eval(action.context, {"active_id": self.customer.id}),
        ).create({"reason": "Bankruptcy rumours"}).action_set_hold()
        with (
            self.assertRaisesRegex(UserError, "Manual hold"),
            self.env.cr.savepoint(),
        ):
            self._add_line(order, 50.0, user=self.salesman)
        hold = self._holds(self.customer, state="active")
        self.env["credit.hold.override"].with_user(self.manager).create(
            {
                "partner_id": self.customer.id,
                "hold_id": hold.id,
                "reason": "Paid by the parent",
                "amount_cap": 200.0,
            }
        ).action_override()
        self.assertEqual(hold.state, "overridden")
        self._add_line(order, 50.0, user=self.salesman)  # 150 <= 200
        self.assertEqual(order.credit_hold_override_id, hold)
        self.assertAlmostEqual(hold.override_used_amount, 150.0)
        self.assertIn("under the credit override", order.message_ids[:1].body)
        # the override's own audit trail records it too
        self.assertIn(
            f"Order {order.name} raised to", " ".join(hold.message_ids.mapped("body"))
        )
        with (
            self.assertRaisesRegex(UserError, "cannot grow"),
            self.env.cr.savepoint(),
        ):
            self._add_line(order, 100.0, user=self.salesman)  # 250 > 200
