# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The escalation engine through the real mail queue (``mail.message``,
``mail.mail``, ``mail.notification``), real invoices and real holds."""

from datetime import timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import tagged
from odoo.tools import SQL

from .common import CreditCollectionCommon
from .smtp_sink import SmtpSink, free_port


@tagged("post_install", "-at_install")
class EscalationCommon(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["credit.collection.case"]
        cls.Action = cls.env["credit.collection.action"]
        cls.tier.write({"use_credit_limit": False, "reminder_interval_days": 7})
        cls.customer.email = "ap@acme.example.com"
        cls.company.email = "credit@mycompany.example.com"
        cls.stage = {
            name: cls.env.ref(f"account_credit_collection.stage_{name}")
            for name in (
                "current",
                "reminder",
                "second_reminder",
                "final_notice",
                "credit_hold",
                "legal",
            )
        }

    def _run(self, partners=None, date=None):
        partners = partners or self.customer
        self.env.flush_all()
        cases = self.Case.sudo()._update_cases(self.company, partners)
        cases = self.Case.sudo().search(
            [("partner_id", "in", partners.ids), ("company_id", "=", self.company.id)]
        )
        return self.Case.sudo()._run_escalation(cases=cases, date=date)

    def _case(self, partner=None):
        return self.Case.sudo().search(
            [
                ("partner_id", "=", (partner or self.customer).id),
                ("company_id", "=", self.company.id),
            ]
        )

    def _actions(self, partner=None, **filters):
        domain = [("partner_id", "=", (partner or self.customer).id)]
        domain += [(key, "=", value) for key, value in filters.items()]
        return self.Action.sudo().search(domain, order="id")

    def _dispute(self, move, amount):
        self.env["account.move.credit.dispute"].with_user(self.collector).create(
            {"move_id": move.id, "amount": amount, "reason": "quality"}
        ).action_apply()

    def _reminder_messages(self, case):
        return self.env["mail.message"].search(
            [
                ("model", "=", case._name),
                ("res_id", "=", case.id),
                ("message_type", "=", "comment"),
                ("subtype_id", "=", self.env.ref("mail.mt_comment").id),
            ]
        )


@tagged("post_install", "-at_install")
class TestEscalation(EscalationCommon):
    def test_reminder_once_per_cycle_with_all_items(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        inv1 = self._invoice(self.customer, 300.0, overdue_days=5)
        inv2 = self._invoice(self.customer, 200.0, overdue_days=3)
        inv_eur = self._invoice(self.customer, 100.0, overdue_days=4, currency=eur)
        not_due = self._invoice(self.customer, 999.0, due_days=10)
        refund = self._invoice(self.customer, 50.0, move_type="out_refund")
        summary = self._run()
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["reminder"])
        email = self._actions(action_type="email")
        self.assertEqual(len(email), 1)
        self.assertEqual(email.state, "done", email.error or email.blocked_reason)
        self.assertEqual(email.delivery_state, "queued")
        self.assertGreaterEqual(summary["processed"], 1)
        messages = self._reminder_messages(case)
        self.assertEqual(len(messages), 1)
        self.assertEqual(email.message_id, messages)
        body = str(messages.body)
        for move in (inv1, inv2, inv_eur, refund):
            self.assertIn(move.name, body)
        self.assertNotIn(not_due.name, body, "not due items are not chased")
        self.assertIn("Total due (EUR)", body)
        self.assertIn("Total due (USD)", body)
        self.assertIn("Pay now", body)
        # the statement of account is attached, the mail is queued (real queue)
        self.assertTrue(messages.attachment_ids)
        self.assertEqual(email.attachment_id, messages.attachment_ids[:1])
        mails = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", messages.id)])
        )
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing")
        self.assertIn(self.customer, mails.recipient_ids)
        self.assertTrue(mails.attachment_ids)
        # a second run (and a third) sends nothing more
        self._run()
        self._run()
        self.assertEqual(len(self._actions(action_type="email")), 1)
        self.assertEqual(len(self._reminder_messages(case)), 1)
        self.assertEqual(case.last_reminder_date.date(), self.today)

    def test_paid_and_disputed_items_are_not_chased(self):
        inv = self._invoice(self.customer, 300.0, overdue_days=5)
        disputed = self._invoice(self.customer, 200.0, overdue_days=6)
        self._dispute(disputed, 200.0)
        self._run()
        body = str(self._reminder_messages(self._case()).body)
        self.assertIn(inv.name, body)
        self.assertNotIn(disputed.name, body)
        # a fully disputed / paid book: the planned reminder is skipped
        other = self._customer("Dispute only Ltd")
        other.email = "x@dispute.example.com"
        only = self._invoice(other, 100.0, overdue_days=5)
        self._dispute(only, 100.0)
        self._run(other)
        self.assertFalse(self._reminder_messages(self._case(other)))

    def test_registered_payment_without_entry_is_not_chased(self):
        """The generic bank journal has no outstanding account: a registered
        payment makes no journal entry, the invoice is 'in payment'."""
        self.assertFalse(
            self.bank_journal.inbound_payment_method_line_ids.payment_account_id
        )
        inv = self._invoice(self.customer, 300.0, overdue_days=5)
        self._pay(inv)
        self.assertIn(inv.payment_state, ("in_payment", "paid"))
        self._run()
        case = self._case()
        self.assertFalse(case.active if case else False)
        self.assertFalse(
            self._actions(action_type="email").filtered(lambda a: a.state == "done")
        )

    def test_new_cycle_after_payment(self):
        inv = self._invoice(self.customer, 300.0, overdue_days=5)
        self._run()
        case = self._case()
        cycle = case.escalation_cycle
        self._pay_with_entry(inv)
        self._run()
        self.assertNotEqual(case.escalation_cycle, cycle)
        # overdue again later: a new reminder (new key), after the interval
        self._invoice(self.customer, 80.0, overdue_days=2)
        self._run(date=self.today + timedelta(days=8))
        emails = self._actions(action_type="email", state="done")
        self.assertEqual(len(emails), 2)
        self.assertEqual(len(set(emails.mapped("idempotency_key"))), 2)

    def test_interval_between_reminders(self):
        self.tier.reminder_interval_days = 20
        self._invoice(self.customer, 300.0, overdue_days=5)
        self._run()
        # 12 days later the case reaches the second reminder: it waits
        later = self.today + timedelta(days=12)
        self._run(date=later)
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["second_reminder"])
        second = self._actions(action_type="email", stage_id=case.stage_id.id)
        self.assertEqual(second.state, "planned")
        self.assertIn("Minimum interval", second.blocked_reason)
        self.assertEqual(second.date_planned, self.today + timedelta(days=20))
        self.assertEqual(len(self._reminder_messages(case)), 1)
        # the collector's call does not wait (and fails clearly: no collector)
        call = self._actions(action_type="activity", stage_id=case.stage_id.id)
        self.assertEqual(call.state, "failed")
        self.assertIn("collector", call.error)
        self._run(date=self.today + timedelta(days=20))
        second.invalidate_recordset()
        self.assertEqual(second.state, "done")
        self.assertEqual(len(self._reminder_messages(case)), 2)

    def test_activity_and_salesperson_notification(self):
        self.customer.user_id = self.salesman
        inv = self._invoice(self.customer, 500.0, overdue_days=16)
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, self.customer)
        case = self._case()
        case.user_id = self.collector
        self._run()
        self.assertEqual(case.stage_id, self.stage["second_reminder"])
        call = self._actions(action_type="activity")
        self.assertEqual(call.state, "done", call.error)
        self.assertEqual(call.activity_id.user_id, self.collector)
        self.assertEqual(
            call.activity_id.activity_type_id,
            self.env.ref("mail.mail_activity_data_call"),
        )
        # final notice: the salesperson is notified
        self._run(date=self.today + timedelta(days=15))
        self.assertEqual(case.stage_id, self.stage["final_notice"])
        notify = self._actions(action_type="notify")
        self.assertEqual(notify.state, "done", notify.error)
        self.assertIn(self.salesman.partner_id, notify.message_id.partner_ids)
        self.assertIn(inv.partner_id.name, str(notify.message_id.body))

    def test_hold_and_legal_actions(self):
        self.customer.user_id = self.salesman
        self._invoice(self.customer, 500.0, overdue_days=50)
        self._run()
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["credit_hold"])
        hold = self._actions(action_type="hold")
        self.assertEqual(hold.state, "done", hold.error)
        self.assertEqual(hold.hold_id.state, "active")
        self.assertEqual(hold.hold_id.partner_id, self.customer)
        self.assertTrue(
            hold.hold_id.reason_ids.filtered(lambda r: r.rule == "stage"),
            "the hold gives its reason",
        )
        # what the board filters and groups on
        self.assertEqual(case.aging_bucket, "31_60")
        self.assertEqual(case.policy_id, self.tier)
        self.assertEqual(case.salesperson_id, self.salesman)
        held = self.Case.search([("on_hold", "=", True)])
        self.assertIn(case, held)
        self.assertNotIn(case, self.Case.search([("on_hold", "=", False)]))
        # legal: the file of open items as CSV and XLSX, reminders stop
        self._run(date=self.today + timedelta(days=45))
        self.assertEqual(case.stage_id, self.stage["legal"])
        legal = self._actions(action_type="legal")
        self.assertEqual(legal.state, "done", legal.error)
        files = legal.message_id.attachment_ids
        self.assertEqual(
            sorted(files.mapped("mimetype")),
            [
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "text/csv",
            ],
        )
        csv_file = files.filtered(lambda a: a.mimetype == "text/csv")
        self.assertIn(b"500.0", csv_file.raw)

    def test_no_email_address_falls_back_to_letter(self):
        self.customer.email = False
        self._invoice(self.customer, 300.0, overdue_days=5)
        self._run()
        email = self._actions(action_type="email")
        self.assertEqual(email.state, "failed")
        self.assertIn("no email address", email.error)
        letter = self._actions(action_type="letter")
        self.assertEqual(letter.fallback_of_id, email)
        self.assertEqual(letter.state, "done", letter.error)
        self.assertTrue(letter.attachment_id.raw)
        self.assertIn(b"Payment reminder", letter.attachment_id.raw)
        # retried runs change nothing
        self._run()
        self.assertEqual(len(self._actions()), 2)
        self.assertEqual(len(self._actions(action_type="letter", state="done")), 1)

    def test_letter_is_a_real_pdf(self):
        self._invoice(self.customer, 300.0, overdue_days=5)
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, self.customer)
        case = self._case()
        # wkhtmltopdf fetches the report's assets from this process' HTTP
        # server: under Odoo's runner, which holds the registry lock for the
        # whole run, the server would wait for it (and wkhtmltopdf forever) —
        # the lock is lifted while rendering, as Odoo's HttpCase does
        with patch.object(Registry, "_lock", DummyRLock()):
            content, kind = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(
                    "account_credit_collection.action_report_credit_statement",
                    case.ids,
                )
            )
        self.assertEqual(kind, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))

    def test_unmatched_payment_holds_reminders_back(self):
        """Both set-ups: a payment on account with a journal entry (journal
        with an outstanding account) and one without (generic bank journal)."""
        for journal in (self._outstanding_journal(), self.bank_journal):
            with self.subTest(journal=journal.name):
                customer = self._customer(f"Paying {journal.code} Ltd")
                customer.email = f"ap@{journal.code.lower()}.example.com"
                self._invoice(customer, 300.0, overdue_days=5)
                payment = self.env["account.payment"].create(
                    {
                        "partner_id": customer.id,
                        "partner_type": "customer",
                        "payment_type": "inbound",
                        "amount": 300.0,
                        "journal_id": journal.id,
                        "date": self.today,
                    }
                )
                payment.action_post()
                self._run(customer)
                email = self._actions(customer, action_type="email")
                self.assertEqual(email.state, "planned")
                self.assertIn("unmatched incoming payment", email.blocked_reason)
                self.assertFalse(self._reminder_messages(self._case(customer)))

    def test_bank_statement_line_holds_reminders_back(self):
        self._invoice(self.customer, 300.0, overdue_days=5)
        self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "partner_id": self.customer.id,
                "amount": 300.0,
                "payment_ref": "Acme transfer",
                "date": self.today,
            }
        )
        self._run()
        email = self._actions(action_type="email")
        self.assertEqual(email.state, "planned")
        self.assertIn("unmatched incoming payment", email.blocked_reason)

    def test_outbox_is_written_by_the_run_only(self):
        self._invoice(self.customer, 300.0, overdue_days=5)
        self._run()
        email = self._actions(action_type="email").with_user(self.manager)
        with self.assertRaises(AccessError):
            email.write({"state": "planned"})
        with self.assertRaises(AccessError):
            email.unlink()
        with self.assertRaises(AccessError):
            self.Action.with_user(self.manager).create(
                {
                    "idempotency_key": "forged",
                    "case_id": self._case().id,
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "stage_id": self.stage["reminder"].id,
                    "action_type": "email",
                }
            )
        # the unique key holds even for the superuser
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.Action.sudo().create(
                {
                    "idempotency_key": email.idempotency_key,
                    "case_id": self._case().id,
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "stage_id": self.stage["reminder"].id,
                    "action_type": "email",
                }
            )


@tagged("post_install", "-at_install")
class TestEscalationDelivery(EscalationCommon):
    def _reminder_through_local_smtp(self):
        """An outgoing server on a free local port (nobody listens yet) and a
        reminder queued for it: (port, email action, its mail.mail)."""
        port = free_port()
        self.env["ir.mail_server"].create(
            {
                "name": "Local test SMTP",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )
        self._invoice(self.customer, 300.0, overdue_days=5)
        self._run()
        email = self._actions(action_type="email")
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", email.message_id.id)])
        )
        return port, email, mail

    def _sending(self):
        """Odoo never sends mail in test mode: lift that guard only."""
        return patch.object(
            type(self.env["ir.mail_server"]), "_disable_send", lambda *args: False
        )

    def test_smtp_down_then_retried_without_second_message(self):
        """A real SMTP exchange on localhost: first nobody listens (server
        down), then a server accepts the mail."""
        port, email, mail = self._reminder_through_local_smtp()
        with self._sending():
            mail.send(raise_exception=False)
            self.assertEqual(mail.state, "exception")
            self.assertIn("refused", mail.failure_reason.lower())
            self._run()
            email.invalidate_recordset()
            # the failure is detected and retried in the same run: the same
            # mail is queued again, no second message
            self.assertEqual(email.state, "done")
            self.assertEqual(email.delivery_state, "queued")
            self.assertEqual(email.attempt_count, 2)
            self.assertEqual(mail.state, "outgoing")
            self.assertEqual(len(self._reminder_messages(self._case())), 1)
            self.assertIn("could not be sent", self._case().delivery_issue)
            # the server is back: delivered once
            with SmtpSink(port) as sink:
                mail.send(raise_exception=False)
            self.assertEqual(len(sink.messages), 1)
            self.assertIn(self.customer.email, sink.messages[0]["to"][0])
            self.assertIn(b"payment reminder", sink.messages[0]["data"])
        self._run()
        self.assertEqual(email.delivery_state, "sent")
        self.assertFalse(self._case().delivery_issue)

    def test_smtp_down_for_good_ends_in_a_letter(self):
        _port, email, mail = self._reminder_through_local_smtp()
        with self._sending():
            for _attempt in range(3):
                mail.send(raise_exception=False)
                self.assertEqual(mail.state, "exception")
                self._run()
        email.invalidate_recordset()
        self.assertEqual(email.state, "failed")
        letter = self._actions(action_type="letter")
        self.assertEqual(letter.state, "done", letter.error)
        self.assertEqual(letter.fallback_of_id, email)
        self.assertEqual(len(self._reminder_messages(self._case())), 1)

    def test_bounce_is_reported_and_replaced_by_a_letter(self):
        self._invoice(self.customer, 300.0, overdue_days=5)
        self._run()
        email = self._actions(action_type="email")
        message = email.message_id
        self.env["mail.thread"]._routing_handle_bounce(
            None,
            {
                "bounced_email": self.customer.email,
                "bounced_partner": self.customer,
                "bounced_msg_ids": [message.message_id],
                "bounced_message": message,
                "body": "550 5.1.1 mailbox unavailable",
                "email_from": "mailer-daemon@example.com",
                "to": "bounce@example.com",
                "message_id": "<bounce-1@example.com>",
            },
        )
        self._run()
        email.invalidate_recordset()
        self.assertEqual(email.state, "failed")
        self.assertEqual(email.delivery_state, "bounced")
        self.assertIn("bounced", self._case().delivery_issue)
        letter = self._actions(action_type="letter")
        self.assertEqual(letter.state, "done", letter.error)
        self.assertEqual(letter.fallback_of_id, email)
        self._run()
        self.assertEqual(len(self._reminder_messages(self._case())), 1)


@tagged("post_install", "-at_install")
class TestEscalationFees(EscalationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # no days between reminders: the fee follows the final notice in the
        # same run (it needs prior notice: test_notice.py)
        cls.tier.write(
            {
                "interest_rate": 10.0,
                "compensation_amount": 40.0,
                "reminder_interval_days": 0,
            }
        )
        cls.fee_rule = cls.env.ref("account_credit_collection.rule_final_notice_fee")
        cls.fee_rule.write({"active": True, "fee_amount": 15.0})

    def test_fee_interest_and_compensation_posted_then_waived(self):
        inv = self._invoice(self.customer, 1000.0, overdue_days=36)
        inv2 = self._invoice(self.customer, 365.0, overdue_days=31)
        self._run()
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["final_notice"])
        fee = self._actions(action_type="fee")
        self.assertEqual(fee.state, "done", fee.error)
        move = fee.fee_move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.partner_id, self.customer)
        # 15 fee + 1000 x 10 % x 36/365 + 365 x 10 % x 31/365 + 2 x 40
        interest1 = round(1000.0 * 0.10 * 36 / 365, 2)
        interest2 = round(365.0 * 0.10 * 31 / 365, 2)
        self.assertAlmostEqual(move.amount_total, 15.0 + interest1 + interest2 + 80.0)
        self.assertAlmostEqual(fee.amount, move.amount_total_signed)
        account = self.tier._fee_account()
        self.assertEqual(set(move.invoice_line_ids.account_id), {account})
        self.assertFalse(move.invoice_line_ids.tax_ids)
        lines = move.invoice_line_ids
        self.assertEqual(
            sorted(lines.mapped("credit_fee_kind")),
            ["compensation", "compensation", "fee", "interest", "interest"],
        )
        self.assertEqual(
            lines.filtered(
                lambda line: line.credit_fee_item_id == inv
                and line.credit_fee_kind == "interest"
            ).price_unit,
            interest1,
        )
        # the next cycle's fee: interest since the last charge, no second
        # compensation
        later = self.today + timedelta(days=10)
        lines_later = case._fee_lines(later, self.fee_rule)
        interest_later = [
            vals for vals in lines_later if vals["credit_fee_kind"] == "interest"
        ]
        self.assertEqual(
            sorted(vals["price_unit"] for vals in interest_later),
            sorted([round(1000 * 0.1 * 10 / 365, 2), round(365 * 0.1 * 10 / 365, 2)]),
        )
        self.assertFalse(
            [vals for vals in lines_later if vals["credit_fee_kind"] == "compensation"]
        )
        # waived by a manager: reversed by a credit note; the charges count again
        with self.assertRaises(AccessError):
            fee.with_user(self.collector).action_waive()
        fee.with_user(self.manager).action_waive()
        self.assertTrue(fee.waived)
        self.assertEqual(move.payment_state, "reversed")
        self.assertTrue(move.reversal_move_ids.filtered(lambda m: m.state == "posted"))
        lines_after = case._fee_lines(later, self.fee_rule)
        self.assertEqual(
            len(
                [
                    vals
                    for vals in lines_after
                    if vals["credit_fee_kind"] == "compensation"
                ]
            ),
            2,
        )
        self.assertIn(inv2.name, " ".join(vals["name"] for vals in lines_after))

    def test_interest_day_by_day_never_on_the_disputed_part(self):
        """Interest accrues day by day on the balance of each day (a payment
        reduces it from its date) less the disputed part, from the due date
        or the last charge. Hand-computed at 10 % a year: 1,000 due 40 days
        ago, 400 paid 20 days ago, 100 disputed."""
        inv = self._invoice(self.customer, 1000.0, overdue_days=40)
        register = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=inv.ids
        )
        register.create(
            {
                "amount": 400.0,
                "journal_id": self._outstanding_journal().id,
                "payment_date": self.today - timedelta(days=20),
            }
        )._create_payments()
        self._dispute(inv, 100.0)
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, self.customer)
        case = self._case()
        interest = [
            vals
            for vals in case._fee_lines(self.today, None)
            if vals["credit_fee_kind"] == "interest"
        ]
        # (1000 - 100) x 20 days + (600 - 100) x 20 days = 28,000 balance-days
        # x 10 % / 365 = 7.67 (the balance of the day of charging: 600 x 10 %
        # x 40 / 365 = 6.58)
        self.assertEqual([vals["price_unit"] for vals in interest], [7.67])
        self.assertEqual(interest[0]["credit_interest_to"], self.today)
        self.assertIn("40/365", interest[0]["name"])
        # from the last charge, 30 days ago: 900 x 10 days + 500 x 20 days
        # = 19,000 balance-days x 10 % / 365 = 5.21
        item = case._chargeable_items(self.today)[0]
        again = case._interest_lines(item, self.today - timedelta(days=30), self.today)
        self.assertEqual([vals["price_unit"] for vals in again], [5.21])
        # all of it disputed: no interest at all
        self._dispute(inv, 600.0)
        self.env.flush_all()
        self.assertFalse(
            [
                vals
                for vals in case._fee_lines(self.today, None)
                if vals["credit_fee_kind"] == "interest"
            ]
        )

    def test_fee_invoice_posts_even_when_tier_blocks_posting(self):
        self.tier.block_invoice_posting = True
        self.tier.write({"use_overdue_days": True, "overdue_days_threshold": 10})
        self._invoice(self.customer, 1000.0, overdue_days=36)
        self._run()
        fee = self._actions(action_type="fee")
        self.assertEqual(fee.state, "done", fee.error)
        self.assertEqual(fee.fee_move_id.state, "posted")

    def test_fee_fields_cannot_be_forged(self):
        inv = self._invoice(self.customer, 100.0, post=False)
        with self.assertRaises(AccessError):
            inv.with_user(self.manager).write(
                {"credit_fee_action_id": self.Action.sudo().search([], limit=1).id or 1}
            )
        with self.assertRaises(AccessError):
            inv.invoice_line_ids.with_user(self.manager).write(
                {"credit_interest_to": self.today}
            )

    def test_fee_configuration_errors(self):
        with self.assertRaisesRegex(ValidationError, "Fee Product"):
            self.tier.write({"fee_product_id": False, "fee_account_id": False})
        with self.assertRaisesRegex(ValidationError, "late interest"):
            self.tier.write({"interest_rate": 150.0})
        with self.assertRaisesRegex(ValidationError, "Email Template"):
            self.env["credit.collection.rule"].create(
                {"stage_id": self.stage["reminder"].id, "action_type": "email"}
            )
        with self.assertRaisesRegex(ValidationError, "Sets a Credit Hold"):
            self.env["credit.collection.rule"].create(
                {"stage_id": self.stage["reminder"].id, "action_type": "hold"}
            )
        with self.assertRaisesRegex(ValidationError, "Fixed Fee"):
            self.fee_rule.fee_amount = -1.0


@tagged("post_install", "-at_install")
class TestEscalationLanguage(EscalationCommon):
    def test_reminder_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["account_credit_collection", "mail", "base"], ["zh_CN"], overwrite=True
        )
        self.customer.lang = "zh_CN"
        english = self._customer("English Ltd")
        english.write({"email": "ap@english.example.com", "lang": "en_US"})
        self._invoice(self.customer, 300.0, overdue_days=5)
        self._invoice(english, 300.0, overdue_days=5)
        self._run(self.customer | english)
        zh_body = str(self._reminder_messages(self._case()).body)
        en_body = str(self._reminder_messages(self._case(english)).body)
        self.assertIn("Our records show", en_body)
        self.assertNotIn("Our records show", zh_body)
        self.assertIn("逾期", zh_body)
        self.assertIn("应付总额", zh_body)
        self.assertIn("Total due", en_body)


@tagged("post_install", "-at_install")
class TestEscalationDryRun(EscalationCommon):
    def _row_counts(self):
        self.env.flush_all()
        tables = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT relname FROM pg_class WHERE relkind = 'r' "
                    "AND relnamespace = 'public'::regnamespace "
                    "AND relname NOT LIKE 'credit_collection_simulation%%'"
                )
            )
        ]
        counts = self.env.execute_query(
            SQL(
                " UNION ALL ".join(
                    f"SELECT '{table}', COUNT(*) FROM \"{table}\"" for table in tables
                )
            )
        )
        return dict(counts)

    def test_dry_run_writes_nothing_and_tells_what_would_happen(self):
        self.env.ref("account_credit_collection.rule_final_notice_fee").write(
            {"active": True, "fee_amount": 25.0}
        )
        soon = self._customer("Soon overdue Ltd")
        soon.email = "ap@soon.example.com"
        self._invoice(soon, 400.0, due_days=3)
        late = self._customer("Late payer Ltd")
        late.email = "ap@late.example.com"
        self._invoice(late, 700.0, overdue_days=25)
        quotation = self._order(late, 1234.0)
        self._run(soon | late)
        self.env.flush_all()
        tier_before = self.tier.read(["overdue_days_threshold", "use_overdue_days"])
        before = self._row_counts()
        wizard = (
            self.env["credit.collection.simulation"]
            .with_user(self.manager)
            .create(
                {"date": self.today + timedelta(days=10), "policy_id": self.tier.id}
            )
        )
        wizard._onchange_policy_id()
        wizard.write({"use_overdue_days": True, "overdue_days_threshold": 30})
        wizard.action_simulate()
        after = self._row_counts()
        self.assertEqual(
            {t: (before[t], after.get(t)) for t in before if before[t] != after.get(t)},
            {},
        )
        self.assertEqual(
            self.tier.read(["overdue_days_threshold", "use_overdue_days"]), tier_before
        )
        self.assertEqual(wizard.state, "done")
        lines = {line.partner_id: line for line in wizard.line_ids}
        # soon: not due today, 7 days overdue then: first reminder
        self.assertEqual(lines[soon].stage_from_id, self.stage["current"])
        self.assertEqual(lines[soon].stage_to_id, self.stage["reminder"])
        self.assertIn("Send a reminder email", lines[soon].actions)
        # late: 35 days then — final notice (email, notify; the fee waits for
        # the notice) and, with the tier's rule tried at 30 days, a hold
        # blocking its quotation
        self.assertEqual(lines[late].stage_to_id, self.stage["final_notice"])
        self.assertNotIn("Charge a fee", lines[late].actions)
        self.assertIn("waiting for the final notice", lines[late].waiting)
        self.assertFalse(lines[late].fee_amount)
        self.assertEqual(lines[late].hold_change, "set")
        self.assertAlmostEqual(lines[late].blocked_order_amount, quotation.amount_total)
        self.assertEqual(wizard.hold_set_count, 1)
        self.assertAlmostEqual(wizard.blocked_order_total, quotation.amount_total)
        self.assertEqual(wizard.email_count, 2)
        self.assertFalse(wizard.fee_total)
        # nothing was sent: no new message, no hold
        self.assertFalse(self._holds(late))
        self.assertEqual(len(self._actions(late, state="done")), 1)

    def test_dry_run_is_for_managers(self):
        wizard = self.env["credit.collection.simulation"].create({})
        with self.assertRaises(AccessError):
            wizard.with_user(self.collector).action_simulate()


@tagged("post_install", "-at_install")
class TestEscalationManualRun(EscalationCommon):
    def test_big_selection_is_planned_now_and_executed_in_the_background(self):
        customers = self.env["res.partner"]
        for index in range(3):
            customer = self._customer(f"Selected {index} Ltd")
            customer.email = f"ap{index}@selected.example.com"
            self._invoice(customer, 100.0, overdue_days=5)
            customers |= customer
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, customers)
        cases = self.Case.search([("partner_id", "in", customers.ids)])
        cron = self.env.ref("account_credit_collection.ir_cron_escalate")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with patch.object(type(self.Case), "MANUAL_RUN_LIMIT", 2):
            result = cases.with_user(self.collector).action_run_escalation()
        self.assertIn("in the background", result["params"]["message"])
        actions = self.Action.sudo().search([("partner_id", "in", customers.ids)])
        self.assertEqual(set(actions.mapped("state")), {"planned"})
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers + 1,
        )
        # a small selection runs at once
        result = cases[:1].with_user(self.collector).action_run_escalation()
        self.assertEqual(self._actions(cases[:1].partner_id).state, "done")


@tagged("post_install", "-at_install")
class TestEscalationNobodyToAddress(EscalationCommon):
    def test_notice_without_salesperson_is_skipped_and_call_goes_to_salesperson(self):
        self._invoice(self.customer, 500.0, overdue_days=31)
        self._run()
        notify = self._actions(action_type="notify")
        self.assertEqual(notify.state, "skipped")
        self.assertIn("no salesperson", notify.skip_reason)
        other = self._customer("Second Reminder Ltd")
        other.write({"email": "ap@second.example.com", "user_id": self.salesman.id})
        self._invoice(other, 500.0, overdue_days=16)
        self._run(other)
        call = self._actions(other, action_type="activity")
        self.assertEqual(call.state, "done", call.error)
        self.assertEqual(call.activity_id.user_id, self.salesman)


@tagged("post_install", "-at_install")
class TestEscalationDryRunInBackground(EscalationCommon):
    def test_big_book_dry_run_runs_in_the_background_and_notifies(self):
        late = self._customer("Background Late Ltd")
        late.email = "ap@background.example.com"
        self._invoice(late, 700.0, overdue_days=5)
        self._run(late)
        Wizard = self.env["credit.collection.simulation"]
        wizard = Wizard.with_user(self.manager).create(
            {"date": self.today + timedelta(days=12)}
        )
        cron = self.env.ref("account_credit_collection.ir_cron_escalation_dry_run")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with patch.object(type(Wizard), "BACKGROUND_CASES", 0):
            result = wizard.action_simulate()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(wizard.state, "queued")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers + 1,
        )
        Wizard._cron_run_queued()
        self.assertEqual(wizard.state, "done")
        self.assertIn(late, wizard.line_ids.partner_id)
        note = self.env["mail.message"].search(
            [("partner_ids", "in", self.manager.partner_id.ids)],
            order="id desc",
            limit=1,
        )
        self.assertIn("dry run", note.subject.lower())
        self.assertIn(f"/{wizard.id}", str(note.body))


@tagged("post_install", "-at_install")
class TestDailyRun(EscalationCommon):
    def test_one_pipeline_computes_each_customers_figures_once(self):
        """The daily run: ledger rebuilt, then per batch of customers (listed
        from the ledger, not from a whole-book figures query) the cases
        updated and their actions planned, then executed (the hold stage's
        action sets the hold) — each customer's figures computed once; a
        second run on the same day does nothing more."""
        late = self._customer("Daily Late Ltd")
        late.email = "ap@late.example.com"
        self._invoice(self.customer, 300.0, overdue_days=5)
        self._invoice(late, 400.0, overdue_days=50)
        self._invoice(self._customer("Daily Not Due Ltd"), 100.0, due_days=10)
        # the postings' own case update (before commit) is not the daily run's
        self.env.cr.flush()
        Case = type(self.Case)
        computed = []
        figures = Case._case_figures

        def counted(case, company, partners=None, *args, **kwargs):
            computed.append(None if partners is None else tuple(partners.ids))
            return figures(case, company, partners, *args, **kwargs)

        with patch.object(Case, "_case_figures", counted):
            summary = self.Case.sudo()._cron_daily_run(commit=False)
        self.assertNotIn(None, computed, "no whole-book figures query")
        ids = [pid for batch in computed for pid in batch]
        self.assertEqual(len(ids), len(set(ids)), "each customer's figures once")
        self.assertIn(late.id, ids)
        self.assertEqual(self._case().stage_id, self.stage["reminder"])
        self.assertEqual(self._case(late).stage_id, self.stage["credit_hold"])
        email = self._actions(action_type="email")
        self.assertEqual(email.state, "done", email.error or email.blocked_reason)
        hold = self.env["credit.hold"].search(
            [("partner_id", "=", late.id), ("state", "=", "active")]
        )
        self.assertTrue(hold)
        self.assertIn("stage", hold.reason_ids.mapped("rule"))
        self.assertGreaterEqual(summary["processed"], 1)
        # the same day again: nothing planned, nothing sent twice
        actions = self.Action.sudo().search_count([])
        again = self.Case.sudo()._cron_daily_run(commit=False)
        self.assertEqual(again["planned"], 0)
        self.assertEqual(self.Action.sudo().search_count([]), actions)
        self.assertEqual(len(self._actions(action_type="email")), 1)
