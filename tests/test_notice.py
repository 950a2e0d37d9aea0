# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""No step without notice (issue #17): the fee, the hold announced to the
customer and the hand-over to legal wait for this cycle's final notice, the
tier's days between reminders after it (the hand-over: its notice before
hand-over); a case that enters the ladder late gets one consolidated final
notice first. Real runs on simulated dates, the dry run, concurrent runs."""

import threading
import uuid
from datetime import timedelta

from odoo import api, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import RealTransactionsCase, make_invoice
from .test_escalation import EscalationCommon


@tagged("post_install", "-at_install")
class TestNoStepWithoutNotice(EscalationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # reminders every 7 days (EscalationCommon); hand-over 10 days after
        # the final notice (the default)
        cls.legal_fee = cls.env["credit.collection.rule"].create(
            {
                "stage_id": cls.stage["legal"].id,
                "action_type": "fee",
                "fee_amount": 20.0,
                "sequence": 5,
            }
        )
        # the legal stage's to-do goes to the collector
        cls.env.ref("account_credit_collection.rule_legal_todo").write(
            {"activity_assign": "user", "activity_user_id": cls.collector.id}
        )

    def _day(self, days):
        return self.today + timedelta(days=days)

    def _legal_actions(self):
        return {
            kind: self._actions(action_type=kind, stage_id=self.stage["legal"].id)
            for kind in ("fee", "legal", "activity")
        }

    def test_defaults_are_data_driven_and_editable(self):
        ref = self.env.ref
        self.assertEqual(self.tier.legal_notice_days, 10)
        self.assertTrue(
            ref("account_credit_collection.stage_final_notice").is_final_notice
        )
        expected = {
            "rule_final_notice_email": "none",
            "rule_final_notice_notify": "none",
            "rule_final_notice_fee": "notice",
            "rule_credit_hold_hold": "none",
            "rule_credit_hold_notify": "none",
            "rule_legal_handover": "handover",
            "rule_legal_todo": "handover",
        }
        self.assertEqual(
            {
                name: ref(f"account_credit_collection.{name}").prior_notice
                for name in expected
            },
            expected,
        )
        self.assertEqual(self.legal_fee.prior_notice, "notice")
        # a reminder on a hold stage announces the hold: it waits
        announce = self.env["credit.collection.rule"].create(
            {
                "stage_id": self.stage["credit_hold"].id,
                "action_type": "email",
                "mail_template_id": ref(
                    "account_credit_collection.mail_template_final_notice"
                ).id,
            }
        )
        self.assertEqual(announce.prior_notice, "notice")
        with self.assertRaisesRegex(ValidationError, "Notice Before Hand-over"):
            self.tier.legal_notice_days = -1
        with self.assertRaisesRegex(ValidationError, "Manual Only"):
            self.stage["final_notice"].is_manual = True

    def test_late_entrant_gets_one_final_notice_then_fee_then_handover(self):
        oldest = self._invoice(self.customer, 500.0, overdue_days=120)
        older = self._invoice(self.customer, 300.0, overdue_days=100)
        self._run()
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["legal"], "the stage it reached")
        # one consolidated final notice, listing every overdue item; none of
        # the skipped stages' reminders
        notice = self._actions(action_type="email")
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.stage_id, self.stage["final_notice"])
        self.assertEqual(notice.state, "done", notice.error or notice.skip_reason)
        self.assertEqual(notice.date_run, self.today)
        messages = self._reminder_messages(case)
        self.assertEqual(len(messages), 1)
        self.assertIn("final notice", messages.subject)
        for move in (oldest, older):
            self.assertIn(move.name, str(messages.body))
        self.assertFalse(
            self._actions(stage_id=self.stage["reminder"].id)
            | self._actions(stage_id=self.stage["second_reminder"].id)
        )
        # no fee, no hand-over yet: they wait for the notice and the days after
        actions = self._legal_actions()
        for action in actions.values():
            self.assertEqual(action.state, "planned", action.error)
            self.assertIn("final notice", action.blocked_reason)
        self.assertEqual(actions["fee"].date_planned, self._day(7))
        self.assertEqual(actions["legal"].date_planned, self._day(10))
        self.assertEqual(actions["activity"].date_planned, self._day(10))
        self.assertFalse(actions["fee"].fee_move_id)
        self.assertFalse(actions["legal"].attachment_id)
        self.assertFalse(actions["activity"].activity_id)
        count = len(self._actions())
        # the daily job again, the same day and the day before the fee
        self._run()
        self._run(date=self._day(6))
        self.assertEqual(len(self._actions()), count)
        self.assertEqual(actions["fee"].state, "planned")
        # after the minimum interval: the fee, not the hand-over
        self._run(date=self._day(7))
        self.assertEqual(actions["fee"].state, "done", actions["fee"].error)
        self.assertEqual(actions["fee"].fee_move_id.state, "posted")
        self.assertEqual(actions["legal"].state, "planned")
        self._run(date=self._day(9))
        self.assertEqual(actions["legal"].state, "planned")
        # after the notice period: the hand-over and its to-do
        self._run(date=self._day(10))
        self.assertEqual(actions["legal"].state, "done", actions["legal"].error)
        self.assertEqual(actions["activity"].state, "done", actions["activity"].error)
        self.assertTrue(actions["legal"].attachment_id)
        # exactly once: one notice, one fee, one hand-over
        self._run(date=self._day(11))
        everything = self._actions()
        self.assertEqual(len(everything), count)
        self.assertEqual(
            len(everything), len(set(everything.mapped("idempotency_key")))
        )
        self.assertEqual(len(self._reminder_messages(case)), 1)
        self.assertEqual(len(everything.filtered("fee_move_id")), 1)

    def test_normal_climb_is_not_delayed_beyond_the_rules(self):
        self.env.ref("account_credit_collection.rule_final_notice_fee").write(
            {"active": True, "fee_amount": 15.0}
        )
        self._invoice(self.customer, 400.0, overdue_days=1)
        self._run()
        self._run(date=self._day(14))
        self._run(date=self._day(29))
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["final_notice"])
        notice = self._actions(action_type="email", stage_id=case.stage_id.id)
        self.assertEqual(notice.state, "done", notice.error or notice.blocked_reason)
        # the final notice's fee: the tier's 7 days after it
        fee = self._actions(action_type="fee", stage_id=case.stage_id.id)
        self.assertEqual(fee.state, "planned")
        self.assertEqual(fee.date_planned, self._day(36))
        self._run(date=self._day(36))
        self.assertEqual(fee.state, "done", fee.error)
        # the hold at once when the stage is reached
        self._run(date=self._day(44))
        self.assertEqual(case.stage_id, self.stage["credit_hold"])
        hold = self._actions(action_type="hold")
        self.assertEqual(hold.state, "done", hold.error)
        # the hand-over the day the case reaches legal (the notice went out
        # 60 days before): no extra notice, nothing waits
        self._run(date=self._day(89))
        self.assertEqual(case.stage_id, self.stage["legal"])
        for action in self._legal_actions().values():
            self.assertEqual(
                action.state, "done", action.error or action.blocked_reason
            )
        # the final notice repeats weekly while the case stays in its stage
        # (#19), the overdue fee invoice gets a reminder of its own
        emails = self._actions(action_type="email")
        self.assertEqual(emails.mapped("repetition"), [0, 0, 0, 1, 0])
        self.assertEqual(emails.mapped("new_items"), [False] * 4 + [True])
        emails -= emails.filtered(lambda email: email.repetition or email.new_items)
        self.assertEqual(len(emails), 3, "one reminder per stage, no second notice")

    def test_hold_applies_at_once_its_announcement_waits(self):
        self.customer.user_id = self.salesman
        self.env["credit.collection.rule"].create(
            {
                "stage_id": self.stage["credit_hold"].id,
                "action_type": "email",
                "sequence": 30,
                "mail_template_id": self.env.ref(
                    "account_credit_collection.mail_template_second_reminder"
                ).id,
            }
        )
        self._invoice(self.customer, 500.0, overdue_days=50)
        self._run()
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["credit_hold"])
        notice, announce = self._actions(action_type="email")
        self.assertEqual(notice.stage_id, self.stage["final_notice"])
        self.assertEqual(notice.state, "done", notice.error)
        hold = self._actions(action_type="hold")
        self.assertEqual(hold.state, "done", hold.error)
        self.assertEqual(hold.hold_id.state, "active")
        notify = self._actions(action_type="notify")
        self.assertEqual(notify.state, "done", notify.error)
        self.assertEqual(announce.state, "planned")
        self.assertIn("final notice", announce.blocked_reason)
        self.assertEqual(announce.date_planned, self._day(7))
        self._run(date=self._day(7))
        self.assertEqual(announce.state, "done", announce.error)
        self.assertEqual(len(self._reminder_messages(case)), 2)

    def test_final_notice_waiting_when_the_case_climbs_is_not_lost(self):
        self.tier.reminder_interval_days = 30
        self._invoice(self.customer, 500.0, overdue_days=16)
        self._run()
        # the final notice waits the interval after the second reminder
        self._run(date=self._day(14))
        case = self._case()
        self.assertEqual(case.stage_id, self.stage["final_notice"])
        notice = self._actions(action_type="email", stage_id=case.stage_id.id)
        self.assertEqual(notice.date_planned, self._day(30))
        # the case reaches the hold stage first: the hold at once, the notice
        # still goes out when its interval is over
        self._run(date=self._day(29))
        self.assertEqual(case.stage_id, self.stage["credit_hold"])
        self.assertEqual(self._actions(action_type="hold").state, "done")
        self.assertEqual(notice.state, "planned", notice.skip_reason)
        self._run(date=self._day(30))
        self.assertEqual(notice.state, "done", notice.error or notice.skip_reason)
        self.assertEqual(len(self._actions(action_type="email")), 2)

    def test_prior_notice_off_on_a_rule_lets_it_go_at_once(self):
        self.env.ref(
            "account_credit_collection.rule_legal_handover"
        ).prior_notice = "none"
        self._invoice(self.customer, 500.0, overdue_days=120)
        self._run()
        actions = self._legal_actions()
        self.assertEqual(actions["legal"].state, "done", actions["legal"].error)
        self.assertEqual(actions["fee"].state, "planned")

    def test_dry_run_shows_the_gating(self):
        self._invoice(self.customer, 500.0, overdue_days=120)

        def simulate(days):
            wizard = (
                self.env["credit.collection.simulation"]
                .with_user(self.manager)
                .create({"date": self._day(days)})
            )
            wizard.action_simulate()
            return wizard.line_ids.filtered(lambda row: row.partner_id == self.customer)

        line = simulate(0)
        self.assertEqual(line.stage_to_id, self.stage["legal"])
        self.assertIn("Send a reminder email", line.actions)
        self.assertNotIn("Hand over", line.actions)
        self.assertNotIn("Charge a fee", line.actions)
        self.assertFalse(line.fee_amount)
        self.assertIn("waiting for the final notice (Final notice)", line.waiting)
        self.assertIn("+ 10 days", line.waiting)
        self.assertIn("+ 7 days", line.waiting)
        self.assertFalse(self._actions(), "the dry run writes nothing")
        # once the notice went out: the fee on day 8, the hand-over later
        self._run()
        line = simulate(8)
        self.assertIn("Charge a fee", line.actions)
        self.assertAlmostEqual(line.fee_amount, 20.0)
        self.assertNotIn("Hand over", line.actions)
        self.assertEqual(self._actions(action_type="legal").state, "planned")


@tagged("post_install", "-at_install")
class TestNoticeRace(RealTransactionsCase):
    """Concurrent daily runs on customers first seen 120 days overdue: one
    final notice each, the gated steps planned once and waiting."""

    def _commit_book(self):
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env.company.email = env.company.email or "credit@mycompany.example.com"
            tier = env["credit.collection.policy"].create(
                {"name": f"Notice race {tag}", "use_credit_limit": False}
            )
            today = fields.Date.context_today(env.user)
            partners = env["res.partner"]
            invoices = env["account.move"]
            for index in range(3):
                partner = env["res.partner"].create(
                    {
                        "name": f"Notice race {tag} {index}",
                        "is_company": True,
                        "email": f"ap{index}@notice-{tag}.example.com",
                    }
                )
                partner.credit_policy_id = tier
                # dated today (due 120 days ago): the committed book stays
                # out of the other tests' history windows (calibration, KPIs)
                invoices |= make_invoice(
                    env,
                    partner,
                    100.0 + index,
                    today - timedelta(days=120),
                    invoice_date=today,
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
        self.addCleanup(self._settle, invoices.ids)
        return case_ids

    def _settle(self, invoice_ids):
        """Credit the committed invoices: the cases close on their next
        update and leave the other tests' runs alone."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["account.move"].browse(invoice_ids)._reverse_moves(cancel=True)
            cr.commit()  # pylint: disable=invalid-commit

    def test_concurrent_runs_send_one_final_notice_and_wait(self):
        case_ids = self._commit_book()
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
                        cases=cases, commit=True, action_batch_size=1
                    )
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))

        threads = [threading.Thread(target=run) for _index in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertEqual(errors, [])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            actions = env["credit.collection.action"].search(
                [("case_id", "in", case_ids)]
            )
            keys = actions.mapped("idempotency_key")
            self.assertEqual(len(keys), len(set(keys)))
            summary = sorted((a.case_id.id, a.action_type, a.state) for a in actions)
            expected = sorted(
                (case_id, kind, state)
                for case_id in case_ids
                for kind, state in (
                    ("email", "done"),
                    ("legal", "planned"),
                    ("activity", "planned"),
                )
            )
            self.assertEqual(summary, expected)
            messages = env["mail.message"].search_count(
                [
                    ("model", "=", "credit.collection.case"),
                    ("res_id", "in", case_ids),
                    ("subtype_id", "=", env.ref("mail.mt_comment").id),
                ]
            )
            self.assertEqual(messages, len(case_ids))
