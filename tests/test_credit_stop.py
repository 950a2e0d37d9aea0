# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Issue #17, points 1 and 2: the debtor assessment and the credit stop after
a bad debt. A customer handed to legal, written off or assessed in bad faith
gets a standing credit stop: it survives payment and the closing of the
case, no override lets an order on credit through, an order paid in advance
still passes, and only a Collections Manager lifts it — with a reason, after
the tier's cooling-off period."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.clock import credit_today
from .common import DISABLED_MAIL_CONTEXT, CreditCollectionCommon, make_invoice
from .rpc_clients import CLIENTS, RpcError


def _wire(env, partner, amount, journal):
    """A transfer received before any invoice, registered and posted (no
    journal entry on the generic chart's bank journal)."""
    payment = env["account.payment"].create(
        {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": partner.id,
            "amount": amount,
            "journal_id": journal.id,
        }
    )
    payment.action_post()
    return payment


@tagged("post_install", "-at_install")
class TestCreditStop(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["credit.collection.case"]
        cls.Hold = cls.env["credit.hold"]
        cls.tier.write({"use_credit_limit": False})
        cls.legal = cls.env.ref("account_credit_collection.stage_legal")
        cls.written_off = cls.env.ref("account_credit_collection.stage_written_off")

    def _update(self, partner):
        self.env.flush_all()
        self.Case._update_cases(self.company, partner)
        self._sync_holds(partner)

    def _case(self, partner):
        return self.Case.with_context(active_test=False).search(
            [("partner_id", "=", partner.id)]
        )

    def _stop(self, partner):
        return self.Hold.search(
            [("partner_id", "=", partner.id), ("origin", "=", "stop")]
        )

    def _legal_debtor(self, name):
        partner = self._customer(name)
        invoice = self._invoice(partner, 500.0, overdue_days=200)
        self._update(partner)
        self.assertEqual(self._case(partner).stage_id, self.legal)
        return partner, invoice

    def _confirm(self, partner, amount):
        order = self._order(partner, amount, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        return order

    # ------------------------------------------------------------ the stop
    def test_legal_debtor_who_paid_buys_only_paid_in_advance(self):
        partner, invoice = self._legal_debtor("Legal Payer Ltd")
        stop = self._stop(partner)
        self.assertEqual(stop.state, "active")
        self.assertEqual(stop.stop_cause, "legal")
        self.assertEqual(stop.stop_lift_date, self.today + relativedelta(months=12))
        # the customer's form says so
        self.assertEqual(partner.credit_stop_date, self.today)
        self.assertEqual(partner.credit_stop_lift_date, stop.stop_lift_date)
        # paid in full by wire: the case closes, the automatic holds go
        self._pay(invoice)
        self._update(partner)
        self.assertFalse(self._case(partner).active)
        self.assertFalse(
            self._holds(partner).filtered(
                lambda h: h.origin == "rule" and h.state == "active"
            )
        )
        # the stop stays: an order on credit is refused, saying why
        self.assertEqual(stop.state, "active")
        with self.assertRaisesRegex(
            UserError,
            r"Credit stopped on .* after the debt was handed to legal; cash only "
            r"until a manager lifts it",
        ):
            self._confirm(partner, 100.0)
        # the quotation says so before anyone tries
        quotation = self._order(partner, 100.0)
        self.assertEqual(quotation.credit_check_state, "block")
        self.assertIn("cash only until a manager lifts it", quotation.credit_check_html)
        # paid in advance by wire: confirmed, as prepaid
        _wire(self.env, partner, 100.0, self.bank_journal)
        order = self._confirm(partner, 100.0)
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.credit_prepaid)
        # the next order, without money, is refused again
        with self.assertRaisesRegex(UserError, "cash only"):
            self._confirm(partner, 50.0)

    def test_a_stopped_customer_is_not_invoiced_on_credit(self):
        self.assertFalse(self.tier.block_invoice_posting)
        partner, invoice = self._legal_debtor("Invoice Stop Ltd")
        self._pay(invoice)
        self._update(partner)
        # a direct invoice is credit: refused, whatever the tier says
        direct = self._invoice(partner, 100.0, post=False)
        with self.assertRaisesRegex(UserError, "cash only until a manager"):
            direct.action_post()
        self.assertEqual(direct.state, "draft")
        # a credit note posts
        refund = self._invoice(partner, 50.0, post=False, move_type="out_refund")
        refund.action_post()
        self.assertEqual(refund.state, "posted")
        # money received covers the invoice: it posts
        _wire(self.env, partner, 60.0, self.bank_journal)
        direct.action_post()
        self.assertEqual(direct.state, "posted")
        # another customer of the same tier, not stopped: invoiced as before
        other = self._customer("Not Stopped Ltd")
        self.assertEqual(self._invoice(other, 100.0).state, "posted")

    def test_a_stop_is_never_overridden_nor_released(self):
        partner, _invoice = self._legal_debtor("No Override Ltd")
        stop = self._stop(partner)
        rule_hold = self._holds(partner, state="active") - stop
        self.assertTrue(rule_hold)
        manager = self.Hold.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "paid in advance until a Collections"):
            manager._action_override_wizard(partner, self.company)
        with self.assertRaisesRegex(UserError, "cannot be overridden"):
            rule_hold.with_user(self.manager)._override("good customer")
        with self.assertRaisesRegex(UserError, "cannot be released"):
            stop.with_user(self.manager).action_release()
        wizard = (
            self.env["credit.hold.override"]
            .with_user(self.manager)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "reason": "I know them",
                }
            )
        )
        with self.assertRaisesRegex(UserError, "cannot be overridden"):
            wizard.action_override()
        self.assertEqual(stop.state, "active")
        self.assertEqual(rule_hold.state, "active")

    def test_an_earlier_override_no_longer_lets_orders_through(self):
        partner = self._customer("Overridden Before Ltd")
        invoice = self._invoice(partner, 500.0, overdue_days=60)
        self._update(partner)
        hold = self._holds(partner, state="active")
        hold.with_user(self.manager)._override("seasonal peak")
        self.assertEqual(self._confirm(partner, 10.0).state, "sale")
        # then the debt goes to legal
        invoice.invoice_date_due = self.today - timedelta(days=120)
        invoice.line_ids.date_maturity = self.today - timedelta(days=120)
        self._update(partner)
        self.assertTrue(self._stop(partner))
        with self.assertRaisesRegex(UserError, "cash only"):
            self._confirm(partner, 10.0)

    def test_lift_after_the_cooling_off_by_a_manager_with_a_reason(self):
        partner, invoice = self._legal_debtor("Lifted Ltd")
        stop = self._stop(partner)
        # not while the debt is still open in legal, not before the cooling-off
        with self.assertRaisesRegex(UserError, "can be lifted from"):
            stop.with_user(self.manager).action_lift_stop("they paid")
        self._pay(invoice)
        self._update(partner)
        later = self.today + relativedelta(months=12, days=1)
        with freeze_time(later):
            with self.assertRaises(AccessError):
                stop.with_user(self.collector).action_lift_stop("they paid")
            with self.assertRaisesRegex(UserError, "needs a reason"):
                stop.with_user(self.manager).action_lift_stop("  ")
            self.assertEqual(stop.state, "active")
            wizard = (
                self.env["credit.hold.lift.stop"]
                .with_user(self.manager)
                .create({"hold_id": stop.id, "reason": "a year paid in advance"})
            )
            wizard.action_lift()
            self.assertEqual(stop.state, "released")
            self.assertEqual(stop.released_by_id, self.manager)
            self.assertIn("a year paid in advance", stop.release_note)
            self.assertIn(
                "a year paid in advance",
                " ".join(str(m.body) for m in self._case(partner).message_ids),
            )
            # on credit again
            self.assertEqual(self._confirm(partner, 100.0).state, "sale")

    def test_lift_refused_while_the_debt_is_open_in_legal(self):
        tier = self.tier.copy({"name": "No cooling", "credit_stop_cooling_months": 0})
        partner = self._customer("Still Owing Ltd", tier=tier)
        self._invoice(partner, 500.0, overdue_days=200)
        self._update(partner)
        stop = self._stop(partner)
        self.assertEqual(stop.stop_lift_date, self.today)
        with self.assertRaisesRegex(UserError, "still owes .* Legal / agency"):
            stop.with_user(self.manager).action_lift_stop("they promised")
        self.assertEqual(stop.state, "active")

    def test_written_off_by_hand_stops_credit(self):
        partner = self._customer("Moved Ltd")
        self._invoice(partner, 500.0, overdue_days=10)
        self._update(partner)
        case = self._case(partner)
        self.assertFalse(self._stop(partner))
        case.with_user(self.manager).stage_id = self.written_off
        stop = self._stop(partner)
        self.assertEqual(stop.stop_cause, "written_off")
        self.assertEqual(stop.stop_case_id, case)

    def test_one_stop_per_customer(self):
        partner, _invoice = self._legal_debtor("Once Ltd")
        case = self._case(partner)
        case.with_user(self.manager).stage_id = self.written_off
        self.assertEqual(len(self._stop(partner)), 1)
        self.assertEqual(self._stop(partner).stop_cause, "legal")

    def test_daily_job_stops_a_stage_flagged_later(self):
        partner = self._customer("Flagged Later Ltd")
        self._invoice(partner, 500.0, overdue_days=50)
        self._update(partner)
        case = self._case(partner)
        hold_stage = self.env.ref("account_credit_collection.stage_credit_hold")
        self.assertEqual(case.stage_id, hold_stage)
        self.assertFalse(self._stop(partner))
        hold_stage.with_user(self.manager).stops_credit = True
        self.Hold._cron_sync_holds()
        stop = self._stop(partner)
        self.assertEqual(stop.stop_cause, "stage")
        self.assertIn("Credit hold", stop.reason_ids.name)

    def test_the_cooling_off_is_the_tier_s(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.tier.copy({"name": "Negative", "credit_stop_cooling_months": -1})
        tier = self.tier.copy({"name": "Six months", "credit_stop_cooling_months": 6})
        partner = self._customer("Six Months Ltd", tier=tier)
        self._invoice(partner, 500.0, overdue_days=200)
        self._update(partner)
        self.assertEqual(
            self._stop(partner).stop_lift_date, self.today + relativedelta(months=6)
        )

    # ------------------------------------------------------ the assessment
    def _assess(self, case, situation, user=None, **vals):
        return (
            self.env["credit.collection.assessment"]
            .with_user(user or self.collector)
            .create(dict({"case_id": case.id, "situation": situation}, **vals))
        )

    def test_bad_faith_goes_to_final_notice_and_stops_credit(self):
        partner = self._customer("Bad Faith Ltd")
        self._invoice(partner, 500.0, overdue_days=10)
        self._update(partner)
        case = self._case(partner)
        self.assertEqual(
            case.stage_id, self.env.ref("account_credit_collection.stage_reminder")
        )
        self._assess(case, "bad_faith", note="Buys elsewhere, says he will not pay")
        final = self.env.ref("account_credit_collection.stage_final_notice")
        self.assertEqual(case.stage_id, final)
        self.assertTrue(case.is_pinned)
        self.assertEqual(case.assessment_situation, "bad_faith")
        self.assertEqual(case.assessment_user_id, self.collector)
        stop = self._stop(partner)
        self.assertEqual(stop.stop_cause, "bad_faith")
        self.assertIn("able but unwilling", stop.reason_ids.name)
        # the daily update keeps the pinned final notice
        self._update(partner)
        self.assertEqual(case.stage_id, final)
        # a later, better assessment does not lift the stop; history is kept
        self._assess(case, "willing", note="Paid part, apologised")
        self.assertEqual(case.assessment_situation, "willing")
        self.assertEqual(len(case.assessment_ids), 2)
        self.assertEqual(stop.state, "active")
        with self.assertRaisesRegex(UserError, "cash only"):
            self._confirm(partner, 10.0)

    def test_bad_faith_strategy_per_tier(self):
        tier = self.tier.copy({"name": "Stop only", "bad_faith_strategy": "stop"})
        partner = self._customer("Stop Only Ltd", tier=tier)
        self._invoice(partner, 500.0, overdue_days=10)
        self._update(partner)
        case = self._case(partner)
        stage = case.stage_id
        self._assess(case, "bad_faith")
        self.assertEqual(case.stage_id, stage)
        self.assertTrue(self._stop(partner))
        tier.bad_faith_strategy = "none"
        other = self._customer("Nothing Ltd", tier=tier)
        self._invoice(other, 500.0, overdue_days=10)
        self._update(other)
        self._assess(self._case(other), "bad_faith")
        self.assertFalse(self._stop(other))

    def test_temporarily_unable_gets_an_arrangement_offered(self):
        partner = self._customer("Unable Ltd")
        self._invoice(partner, 500.0, overdue_days=20)
        self._update(partner)
        case = self._case(partner)
        case.user_id = self.collector
        self._assess(case, "unable", user=self.manager, note="Lost its main client")
        activity = case.activity_ids
        self.assertEqual(activity.summary, "Offer a payment arrangement")
        self.assertEqual(activity.user_id, self.collector)
        self.assertFalse(self._stop(partner))
        self.assertIn(
            "Temporarily unable", " ".join(str(m.body) for m in case.message_ids)
        )

    def test_assessments_are_history(self):
        partner = self._customer("History Ltd")
        self._invoice(partner, 500.0, overdue_days=20)
        self._update(partner)
        case = self._case(partner)
        assessment = self._assess(case, "unreachable", note="No answer")
        with self.assertRaisesRegex(UserError, "not edited"):
            assessment.with_user(self.manager).situation = "willing"
        with self.assertRaises(AccessError):
            assessment.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "not deleted"):
            assessment.sudo().unlink()
        with self.assertRaisesRegex(ValidationError, "cannot be in the future"):
            self._assess(case, "willing", date=self.today + timedelta(days=2))
        with self.assertRaises(AccessError):
            self._assess(case, "willing", user=self.salesman)
        with self.assertRaises(AccessError):
            case.with_user(self.collector).assessment_situation = "willing"
        # signed by who records it, whatever is sent
        forged = self._assess(case, "disputes", user_id=self.manager.id)
        self.assertEqual(forged.user_id, self.collector)
        self.assertEqual(case.assessment_situation, "disputes")
        # filter and group on the board
        self.assertIn(
            case,
            self.Case.search([("assessment_situation", "=", "disputes")]),
        )
        groups = self.Case._read_group(
            [("id", "=", case.id)], ["assessment_situation"], ["__count"]
        )
        self.assertEqual(groups, [("disputes", 1)])


@tagged("post_install", "-at_install")
class TestCreditStopOverRpc(HttpCase):
    """The legal-stage debtor who paid, as the users live it over XML-RPC and
    JSON-RPC: the salesperson's order on credit is refused, the order paid
    in advance passes; the collector cannot lift the stop nor move the case;
    after the cooling-off the manager lifts it and the order on credit
    passes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = env.company
        cls.tier = env["credit.collection.policy"].create(
            {
                "name": "RPC stop tier",
                "company_id": cls.company.id,
                "use_credit_limit": False,
                "credit_stop_cooling_months": 0,
            }
        )
        cls.salesman = new_test_user(
            env, "ccol_stop_sales", groups="sales_team.group_sale_salesman"
        )
        cls.collector = new_test_user(
            env,
            "ccol_stop_collector",
            groups="account_credit_collection.group_user,"
            "sales_team.group_sale_salesman",
        )
        cls.manager = new_test_user(
            env,
            "ccol_stop_manager",
            groups="account_credit_collection.group_manager,"
            "sales_team.group_sale_salesman_all_leads,account.group_account_invoice",
        )
        cls.product = env["product.product"].create(
            {"name": "Stop service", "type": "service", "invoice_policy": "order"}
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

    def _new_order(self, sales, partner, amount):
        return sales(
            "sale.order",
            "create",
            [
                {
                    "partner_id": partner.id,
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

    def test_paid_legal_debtor_cash_only_until_the_manager_lifts(self):
        Case = self.env["credit.collection.case"].sudo()
        current = self.env.ref("account_credit_collection.stage_current")
        for client_class in CLIENTS:
            partner = self.env["res.partner"].create(
                {"name": f"RPC Legal {client_class.protocol}", "is_company": True}
            )
            partner.credit_policy_id = self.tier
            today = credit_today(self.env, self.company)
            invoice = make_invoice(
                self.env, partner, 800.0, today - timedelta(days=200)
            )
            self.env.flush_all()
            Case._update_cases(self.company, partner)
            case = Case.search([("partner_id", "=", partner.id)])
            stop = self.env["credit.hold"].search(
                [("partner_id", "=", partner.id), ("origin", "=", "stop")]
            )
            sales = self._client(client_class, self.salesman)
            collector = self._client(client_class, self.collector)
            manager = self._client(client_class, self.manager)
            # the debtor pays in full (the register-payment wizard; no journal
            # entry on the generic chart's bank journal)
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"journal_id": self.bank.id})._create_payments()
            self.env.flush_all()
            Case._update_cases(self.company, partner)
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
            order = self._new_order(sales, partner, 300.0)
            with self.assertRaisesRegex(RpcError, "cash only until a manager"):
                sales("sale.order", "action_confirm", [order])
            # the collector cannot lift it, nor move the case
            with self.assertRaises(RpcError):
                collector("credit.hold", "action_lift_stop", [stop.id], "paid")
            with self.assertRaises(RpcError):
                collector(
                    "credit.collection.case",
                    "write",
                    [case.id],
                    {"stage_id": current.id},
                )
            # a transfer of 300 arrives and is registered: the order is paid
            # in advance
            payment = manager(
                "account.payment",
                "create",
                [
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": partner.id,
                        "amount": 300.0,
                        "journal_id": self.bank.id,
                    }
                ],
            )[0]
            # posted by the accountant (action_post returns nothing: not
            # callable over XML-RPC)
            self.env["account.payment"].browse(payment).action_post()
            sales("sale.order", "action_confirm", [order])
            self.assertTrue(self.env["sale.order"].browse(order).credit_prepaid)
            # the manager lifts the stop (no cooling-off on this tier)
            manager("credit.hold", "action_lift_stop", [stop.id], "recovered in full")
            stop.invalidate_recordset()
            self.assertEqual(stop.state, "released")
            on_credit = self._new_order(sales, partner, 5000.0)
            sales("sale.order", "action_confirm", [on_credit])
            self.assertEqual(self.env["sale.order"].browse(on_credit).state, "sale")
