# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The human contact log (issue #19): calls and visits with their outcome,
the next contact scheduled, a promise recorded on the call, the case's last
human contact apart from the automatic messages, the filter of the cases
nobody spoke to."""

from datetime import timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestContactLog(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.write({"use_credit_limit": False})
        cls.Case = cls.env["credit.collection.case"]
        cls.partner = cls._customer("Caller Target Ltd")
        cls.invoice = cls._invoice(cls.partner, 500.0, overdue_days=20)
        cls.Case._update_cases(cls.company, cls.partner)
        cls.case = cls.Case.search([("partner_id", "=", cls.partner.id)])
        cls.case.user_id = cls.collector
        cls.person = cls.env["res.partner"].create(
            {"name": "Jane Payables", "parent_id": cls.partner.id}
        )

    def _wizard(self, user=None, **vals):
        user = user or self.collector
        action = self.case.with_user(user).action_log_call()
        return (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create(dict({"outcome": "reached"}, **vals))
        )

    def _log(self, user=None, **vals):
        return (
            self.env["credit.collection.contact"]
            .with_user(user or self.collector)
            .create(dict({"case_id": self.case.id, "outcome": "reached"}, **vals))
        )

    # ----------------------------------------------------------------- logging
    def test_call_logged_with_next_contact_schedules_the_collectors_call(self):
        wizard = self._wizard(
            outcome="message_left",
            contact_id=self.person.id,
            note="Left a message with reception",
            next_contact_date=self.today + timedelta(days=2),
        )
        wizard.action_log()
        log = self.case.contact_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.kind, log.outcome, log.user_id, log.contact_id, log.date),
            ("call", "message_left", self.collector, self.person, self.today),
        )
        activity = log.activity_id
        self.assertEqual(activity.res_id, self.case.id)
        self.assertEqual(activity.activity_type_id.category, "phonecall")
        self.assertEqual(activity.date_deadline, self.today + timedelta(days=2))
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(self.case.last_contact_date, self.today)
        self.assertEqual(self.case.last_contact_outcome, "message_left")
        self.assertEqual(self.case.last_contact_user_id, self.collector)
        self.assertEqual(self.case.days_since_contact, 0)
        self.assertIn("Message Left", self.case.message_ids[0].body)
        self.assertIn("Left a message with reception", self.case.message_ids[0].body)

    def test_the_logger_is_forced_and_the_last_contact_is_the_latest(self):
        log = self._log(
            user_id=self.manager.id,
            date=self.today - timedelta(days=5),
            outcome="no_answer",
        )
        self.assertEqual(log.user_id, self.collector)
        self._log(user=self.manager, kind="visit", date=self.today - timedelta(days=3))
        self.assertEqual(self.case.last_contact_date, self.today - timedelta(days=3))
        self.assertEqual(self.case.last_contact_user_id, self.manager)
        self.assertEqual(self.case.days_since_contact, 3)

    def test_customer_form_logs_on_its_case(self):
        action = self.person.with_user(self.collector).action_credit_log_call()
        self.assertEqual(action["context"]["default_case_id"], self.case.id)
        stranger = self.env["res.partner"].create({"name": "No case"})
        with self.assertRaisesRegex(ValidationError, "no collection case"):
            stranger.with_user(self.collector).action_credit_log_visit()

    # --------------------------------------------------------------- bad input
    def test_next_contact_date_in_the_past_is_refused(self):
        wizard = self._wizard(next_contact_date=self.today - timedelta(days=1))
        with (
            self.assertRaisesRegex(ValidationError, "next contact date .* past"),
            self.env.cr.savepoint(),
        ):
            wizard.action_log()
        self.assertFalse(self.case.contact_ids)
        self.assertFalse(self.case.activity_ids)

    def test_contact_date_in_the_future_is_refused(self):
        with (
            self.assertRaisesRegex(ValidationError, "in the future"),
            self.env.cr.savepoint(),
        ):
            self._log(date=self.today + timedelta(days=1))
        self.assertFalse(self.case.contact_ids)

    def test_contact_of_another_customer_is_refused(self):
        other = self._customer("Someone Else Ltd")
        person = self.env["res.partner"].create(
            {"name": "John Other", "parent_id": other.id}
        )
        with self.assertRaisesRegex(ValidationError, "not a contact of"):
            self._log(contact_id=person.id)

    # ------------------------------------------------------------------ access
    def test_logs_are_a_record_only_managers_correct(self):
        log = self._log(note="First try")
        with self.assertRaises(AccessError):
            log.with_user(self.collector).write({"note": "Rewritten"})
        with self.assertRaises(AccessError):
            log.with_user(self.collector).unlink()
        log.with_user(self.manager).write({"note": "Corrected", "outcome": "refused"})
        self.assertEqual(self.case.last_contact_outcome, "refused")
        with self.assertRaises(AccessError):
            log.with_user(self.manager).write({"user_id": self.manager.id})
        # salespeople read the log, never write it
        self.assertEqual(
            log.with_user(self.salesman).read(["note"])[0]["note"], "Corrected"
        )
        with self.assertRaises(AccessError):
            self.env["credit.collection.contact"].with_user(self.salesman).create(
                {"case_id": self.case.id, "outcome": "reached"}
            )

    def test_last_contact_cannot_be_forged_on_the_case(self):
        with self.assertRaises(AccessError):
            self.case.with_user(self.collector).write({"last_contact_date": self.today})

    def test_logs_of_another_company_are_not_visible(self):
        log = self._log()
        other_company = self.env["res.company"].create({"name": "Other Co"})
        outsider = self.env["res.users"].create(
            {
                "name": "Outsider",
                "login": "ccol_outsider",
                "company_id": other_company.id,
                "company_ids": [(6, 0, other_company.ids)],
                "group_ids": [
                    (6, 0, self.env.ref("account_credit_collection.group_user").ids)
                ],
            }
        )
        Contact = self.env["credit.collection.contact"].with_user(outsider)
        self.assertFalse(Contact.search([("id", "=", log.id)]))
        # nor does one log a call on a case of a company not allowed
        with self.assertRaises(AccessError):
            Contact.create({"case_id": self.case.id, "outcome": "reached"})

    # ------------------------------------------------------------- the promise
    def test_promised_outcome_records_the_promise_in_the_same_wizard(self):
        self._wizard(
            outcome="promised",
            promise_amount=300.0,
            promise_date=self.today + timedelta(days=5),
        ).action_log()
        log = self.case.contact_ids
        promise = log.promise_id
        self.assertEqual(promise.case_id, self.case)
        self.assertEqual(promise.amount, 300.0)
        self.assertEqual(promise.invoice_ids, self.invoice)
        self.assertEqual(promise.user_id, self.collector)
        self.assertEqual(promise.state, "open")
        self.assertFalse(promise.approved_by_id)

    def test_promise_refused_by_its_rules_leaves_no_log(self):
        self.tier.promise_max_days = 10
        with self.assertRaisesRegex(ValidationError, "10 days at most"):
            with self.env.cr.savepoint():
                self._wizard(
                    outcome="promised",
                    promise_amount=300.0,
                    promise_date=self.today + timedelta(days=30),
                ).action_log()
        self.assertFalse(self.case.contact_ids)
        self.assertFalse(self.case.promise_ids)

    def test_disputed_outcome_opens_the_invoice_dispute(self):
        action = self._wizard(
            outcome="disputed", dispute_invoice_id=self.invoice.id, note="Damaged"
        ).action_log()
        self.assertEqual(action["res_model"], "account.move.credit.dispute")
        self.assertEqual(action["context"]["default_move_id"], self.invoice.id)
        self.assertEqual(self.case.last_contact_outcome, "disputed")

    # ----------------------------------------------- automatic messages apart
    def test_automatic_reminder_is_not_a_human_contact(self):
        self.case.message_post(body="Automatic reminder", message_type="comment")
        self.assertFalse(self.case.last_contact_date)
        self.assertTrue(self.case.last_message_date)
        self.assertFalse(self.partner.credit_last_contact_date)
        self._log()
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.credit_last_contact_date, self.today)

    # ---------------------------------------------------------------- the filter
    def test_filter_finds_overdue_cases_without_recent_human_contact(self):
        quiet = self.case
        called_partner = self._customer("Recently Called Ltd")
        self._invoice(called_partner, 100.0, overdue_days=40)
        not_due_partner = self._customer("Not Due Ltd")
        self._invoice(not_due_partner, 100.0, due_days=10)
        self.Case._update_cases(self.company, called_partner | not_due_partner)
        called = self.Case.search([("partner_id", "=", called_partner.id)])
        not_due = self.Case.search([("partner_id", "=", not_due_partner.id)])
        self.env["credit.collection.contact"].with_user(self.collector).create(
            {
                "case_id": called.id,
                "outcome": "reached",
                "date": self.today - timedelta(days=13),
            }
        )
        mine = [("id", "in", (quiet | called | not_due).ids)]
        self.assertEqual(self.Case.search(mine + [("needs_contact", "=", True)]), quiet)
        self.assertEqual(
            self.Case.search(mine + [("needs_contact", "=", False)]), called | not_due
        )
        self.company.credit_contact_gap_days = 10
        self.assertEqual(
            self.Case.search(mine + [("needs_contact", "=", True)]), quiet | called
        )
        self.assertTrue(called.needs_contact)
        self.assertFalse(not_due.needs_contact)

    def test_filter_is_one_query(self):
        # on stored fields, whatever the number of cases: no per-case Python
        self.Case.search([("needs_contact", "=", True)])
        with self.assertQueryCount(1):
            self.Case.search([("needs_contact", "=", True)])

    def test_gap_of_zero_days_is_refused(self):
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.company.credit_contact_gap_days = 0
            self.env.flush_all()
