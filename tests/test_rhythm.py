# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The rhythm (issue #19): repeated stage rules, an invoice's reminded level
and the reminder of invoices that fall overdue during an open cycle, the
monthly statement. Real runs on simulated dates, concurrent committed runs."""

import threading
import uuid
from datetime import timedelta

import psycopg2

from odoo import api, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RealTransactionsCase, make_invoice
from .test_escalation import EscalationCommon


@tagged("post_install", "-at_install")
class TestRhythm(EscalationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.final_email = cls.env.ref(
            "account_credit_collection.rule_final_notice_email"
        )
        # the case stays in the final notice stage long enough for three
        # repetitions
        cls.stage["credit_hold"].min_days_overdue = 70

    def _day(self, days):
        return self.today + timedelta(days=days)

    def test_bad_repetition_is_refused(self):
        rule = self.final_email
        with (
            self.assertRaisesRegex(ValidationError, "Repeat Every"),
            self.env.cr.savepoint(),
        ):
            rule.write({"repeat": True, "repeat_interval_days": 0})
        with (
            self.assertRaisesRegex(ValidationError, "Repeat Every"),
            self.env.cr.savepoint(),
        ):
            rule.write({"repeat": True, "repeat_interval_days": -7})
        with (
            self.assertRaisesRegex(ValidationError, "Repeat at Most"),
            self.env.cr.savepoint(),
        ):
            rule.write({"repeat": True, "repeat_interval_days": 7, "repeat_max": 0})
        # and the database refuses it too
        self.assertEqual((rule.repeat, rule.repeat_interval_days), (True, 7))
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE credit_collection_rule SET repeat = TRUE, "
                "repeat_interval_days = 0 "
                "WHERE id = %s",
                [rule.id],
            )
        # without repetition, the days are not checked
        rule.write({"repeat": False, "repeat_interval_days": 0})

    def test_final_notice_repeats_weekly_three_times(self):
        self.assertTrue(self.final_email.repeat, "shipped: weekly, three times")
        self.assertEqual(
            (self.final_email.repeat_interval_days, self.final_email.repeat_max),
            (7, 3),
        )
        self._invoice(self.customer, 400.0, overdue_days=30)
        self._run()
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["final_notice"])
        for day in (1, 6):
            self._run(date=self._day(day))
        emails = self._actions(action_type="email")
        self.assertEqual(len(emails), 1, "nothing before a week")
        for day in (7, 8, 14, 21, 28, 35):
            self._run(date=self._day(day))
        emails = self._actions(action_type="email")
        self.assertEqual(emails.mapped("repetition"), [0, 1, 2, 3])
        self.assertEqual(set(emails.mapped("state")), {"done"})
        self.assertEqual(
            emails.mapped("date_run"),
            [self.today, self._day(7), self._day(14), self._day(21)],
        )
        self.assertEqual(emails[2].repetition_label, "repeat 2 of 3")
        self.assertEqual(len(self._reminder_messages(case)), 4)
        keys = emails.mapped("idempotency_key")
        self.assertEqual(len(keys), len(set(keys)))
        self.assertTrue(keys[1].endswith("/repeat1"))

    def test_dry_run_shows_the_repetition(self):
        self._invoice(self.customer, 400.0, overdue_days=30)
        self._run()
        self._run(date=self._day(7))

        def simulate(days):
            wizard = (
                self.env["credit.collection.simulation"]
                .with_user(self.manager)
                .create({"date": self._day(days)})
            )
            wizard.action_simulate()
            return wizard.line_ids.filtered(lambda row: row.partner_id == self.customer)

        count = len(self._actions())
        self.assertIn("Send a reminder email (repeat 2 of 3)", simulate(14).actions)
        self.assertFalse(simulate(13).actions)
        self.assertEqual(len(self._actions()), count, "the dry run writes nothing")

    def test_repetition_keeps_the_tier_interval(self):
        self.tier.reminder_interval_days = 10
        self._invoice(self.customer, 400.0, overdue_days=30)
        self._run()
        self._run(date=self._day(7))
        repeat = self._actions(action_type="email", repetition=1)
        self.assertEqual(repeat.state, "planned")
        self.assertIn("Minimum interval", repeat.blocked_reason)
        self.assertEqual(repeat.date_planned, self._day(10))
        self._run(date=self._day(10))
        self.assertEqual(repeat.state, "done", repeat.error)

    def test_repetitions_stop_when_the_case_moves_on(self):
        self.stage["credit_hold"].min_days_overdue = 45
        self._invoice(self.customer, 400.0, overdue_days=30)
        self._run()
        self._run(date=self._day(7))
        self._run(date=self._day(14))
        # 51 days overdue: the hold stage; the pending repetition is skipped
        self._run(date=self._day(21))
        self._run(date=self._day(28))
        emails = self._actions(
            action_type="email", stage_id=self.stage["final_notice"].id
        )
        self.assertEqual(emails.mapped("repetition"), [0, 1, 2])
        self.assertEqual(self._case().stage_id, self.stage["credit_hold"])

    def test_invoices_due_three_weeks_apart_are_each_reminded(self):
        first = self._invoice(self.customer, 300.0, overdue_days=1)
        second = self._invoice(self.customer, 200.0, due_days=20)
        self._run()
        self.assertEqual(first.credit_reminded_stage_id, self.stage["reminder"])
        self.assertFalse(second.credit_reminded_stage_id)
        self._run(date=self._day(14))
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["second_reminder"])
        self.assertEqual(first.credit_reminded_stage_id, self.stage["second_reminder"])
        self.assertEqual(len(self._reminder_messages(case)), 2)
        # the second invoice falls overdue: a reminder of its own, at once
        # (not at the final notice), listing it as new
        self._run(date=self._day(21))
        new = self._actions(action_type="email", new_items=True)
        self.assertEqual(len(new), 1)
        self.assertEqual(new.state, "done", new.error or new.blocked_reason)
        self.assertEqual(new.stage_id, self.stage["reminder"])
        message = self._reminder_messages(case)[0]
        body = str(message.body)
        self.assertIn(second.name, body)
        self.assertIn(">new</span>", body)
        self.assertEqual(second.credit_reminded_stage_id, self.stage["reminder"])
        self.assertEqual(
            first.credit_reminded_stage_id,
            self.stage["second_reminder"],
            "the highest level stays",
        )
        # once
        self._run(date=self._day(22))
        self.assertEqual(len(self._actions(action_type="email", new_items=True)), 1)
        self.assertEqual(len(self._reminder_messages(case)), 3)

    def test_new_invoice_reminder_keeps_the_tier_interval(self):
        self.tier.reminder_interval_days = 10
        self._invoice(self.customer, 300.0, overdue_days=1)
        second = self._invoice(self.customer, 200.0, due_days=3)
        self._run()
        self._run(date=self._day(5))
        new = self._actions(action_type="email", new_items=True)
        self.assertEqual(new.state, "planned")
        self.assertIn("Minimum interval", new.blocked_reason)
        self.assertEqual(new.date_planned, self._day(10))
        self._run(date=self._day(10))
        self.assertEqual(new.state, "done", new.error or new.blocked_reason)
        self.assertEqual(second.credit_reminded_stage_id, self.stage["reminder"])

    def test_monthly_statement_per_tier(self):
        self._invoice(self.customer, 250.0, due_days=10)
        self._run()
        self.assertFalse(self._actions(action_type="statement"), "off by default")
        self.tier.monthly_statement = True
        self._run()
        statement = self._actions(action_type="statement")
        self.assertEqual(statement.state, "done", statement.error)
        case = self._case()
        message = self._reminder_messages(case)
        self.assertEqual(len(message), 1)
        self.assertIn("statement of account", message.subject)
        self.assertTrue(message.attachment_ids)
        self._run(date=self._day(1))
        self.assertEqual(len(self._actions(action_type="statement")), 1)
        next_month = (self.today.replace(day=1) + timedelta(days=32)).replace(day=1)
        self._run(date=next_month)
        statements = self._actions(action_type="statement")
        self.assertEqual(len(statements), 2)
        self.assertTrue(
            statements[1].idempotency_key.endswith(next_month.strftime("%Y-%m"))
        )


@tagged("post_install", "-at_install")
class TestRhythmRace(RealTransactionsCase):
    """Concurrent daily runs: each repetition once, never beyond M."""

    def _commit_book(self):
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env.company.email = env.company.email or "credit@mycompany.example.com"
            tier = env["credit.collection.policy"].create(
                {
                    "name": f"Rhythm race {tag}",
                    "use_credit_limit": False,
                    "reminder_interval_days": 0,
                }
            )
            rule = env["credit.collection.rule"].create(
                {
                    "stage_id": env.ref("account_credit_collection.stage_reminder").id,
                    "action_type": "email",
                    "mail_template_id": env.ref(
                        "account_credit_collection.mail_template_reminder"
                    ).id,
                    "policy_ids": [(6, 0, tier.ids)],
                    "repeat": True,
                    "repeat_interval_days": 2,
                    "repeat_max": 3,
                }
            )
            today = fields.Date.context_today(env.user)
            partners = env["res.partner"]
            invoices = env["account.move"]
            for index in range(3):
                partner = env["res.partner"].create(
                    {
                        "name": f"Rhythm race {tag} {index}",
                        "is_company": True,
                        "email": f"ap{index}@rhythm-{tag}.example.com",
                    }
                )
                partner.credit_policy_id = tier
                invoices |= make_invoice(
                    env, partner, 100.0 + index, today - timedelta(days=1)
                )
                partners |= partner
            env.flush_all()
            env["credit.collection.case"]._update_cases(env.company, partners)
            case_ids = (
                env["credit.collection.case"]
                .search([("partner_id", "in", partners.ids)])
                .ids
            )
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._settle, invoices.ids, rule.id)
        return case_ids, rule.id, today

    def _settle(self, invoice_ids, rule_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["credit.collection.rule"].browse(rule_id).active = False
            env["account.move"].browse(invoice_ids)._reverse_moves(cancel=True)
            cr.commit()  # pylint: disable=invalid-commit

    def _concurrent_runs(self, case_ids, date):
        barrier = threading.Barrier(3, timeout=30)
        errors = []

        def run():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, api.SUPERUSER_ID, {})
                    cases = env["credit.collection.case"].browse(case_ids)
                    cases.read(["stage_id"])
                    barrier.wait()
                    env["credit.collection.case"]._run_escalation(
                        cases=cases, date=date, commit=True, action_batch_size=1
                    )
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))

        threads = [threading.Thread(target=run) for _index in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertEqual(errors, [])

    def test_concurrent_runs_repeat_once_and_stop_at_m(self):
        case_ids, rule_id, today = self._commit_book()
        for day in (0, 2, 4, 6, 8, 10):
            self._concurrent_runs(case_ids, today + timedelta(days=day))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            actions = env["credit.collection.action"].search(
                [("case_id", "in", case_ids), ("rule_id", "=", rule_id)]
            )
            keys = actions.mapped("idempotency_key")
            self.assertEqual(len(keys), len(set(keys)))
            summary = sorted((a.case_id.id, a.repetition, a.state) for a in actions)
            expected = sorted(
                (case_id, repetition, "done")
                for case_id in case_ids
                for repetition in (0, 1, 2, 3)
            )
            self.assertEqual(summary, expected)
            messages = env["mail.message"].search_count(
                [
                    ("model", "=", "credit.collection.case"),
                    ("res_id", "in", case_ids),
                    ("subtype_id", "=", env.ref("mail.mt_comment").id),
                ]
            )
            # the shipped first reminder and four of the repeating rule each
            self.assertEqual(messages, 5 * len(case_ids))
