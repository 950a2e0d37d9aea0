# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.aging import aging_bucket_key
from .common import CreditCollectionCommon, case_snapshot

# days overdue of the only open item -> expected stage (xmlid suffix)
BOUNDARIES = [
    (-5, "stage_current"),
    (0, "stage_current"),
    (1, "stage_reminder"),
    (14, "stage_reminder"),
    (15, "stage_second_reminder"),
    (29, "stage_second_reminder"),
    (30, "stage_final_notice"),
    (44, "stage_final_notice"),
    (45, "stage_credit_hold"),
    (89, "stage_credit_hold"),
    (90, "stage_legal"),
    (400, "stage_legal"),  # "Written off" is manual only
]


@tagged("post_install", "-at_install")
class TestCollectionCases(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.use_credit_limit = False
        cls.Case = cls.env["credit.collection.case"]

    def _case(self, partner, company=None):
        return self.Case.with_context(active_test=False).search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", (company or self.company).id),
            ]
        )

    def _stage(self, suffix):
        return self.env.ref(f"account_credit_collection.{suffix}")

    def test_daily_figures_written_in_bulk_like_the_orm(self):
        """A day later only the figures change (not the stage): they are
        written in a few UPDATE statements, not through the ORM, with the
        same values — the days overdue and their aging bucket, the amounts
        rounded — and read back fresh from the database."""
        partner = self._customer("Bulk Figures Ltd")
        self._invoice(partner, 100.0, overdue_days=2)
        self._invoice(partner, 33.333, overdue_days=1)
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, partner)
        case = self._case(partner)
        stage = case.stage_id
        self.assertEqual(case.worst_days_overdue, 2)
        later = self.Case.sudo().with_context(
            credit_collection_date=self.today + timedelta(days=40)
        )
        written = []
        write = type(self.Case).write

        def recorded(cases, vals):
            written.append(vals)
            return write(cases, vals)

        with patch.object(type(self.Case), "write", recorded):
            self.Case.sudo().with_context(
                credit_collection_date=self.today + timedelta(days=5)
            )._update_cases(self.company, partner)
        self.assertEqual(written, [], "figures only: no ORM write")
        self.assertEqual(case.worst_days_overdue, 7)
        self.assertEqual(case.stage_id, stage)
        self.assertEqual(case.aging_bucket, aging_bucket_key(7))
        self.assertEqual(case.amount_residual, 133.33)
        self.env.invalidate_all()
        self.assertEqual(self._case(partner).worst_days_overdue, 7)
        # a stage change goes through the ORM, tracked
        later._update_cases(self.company, partner)
        self.assertNotEqual(case.stage_id, stage)
        self.assertEqual(case.aging_bucket, aging_bucket_key(42))

    def test_stage_by_days_overdue_at_each_boundary(self):
        partners = {}
        for days, _stage in BOUNDARIES:
            partner = self._customer(f"Boundary {days}")
            if days < 0:
                self._invoice(partner, 100.0, due_days=-days)
            else:
                self._invoice(partner, 100.0, overdue_days=days)
            partners[days] = partner
        self._sync_holds()  # event-driven update, run before commit
        for days, stage in BOUNDARIES:
            with self.subTest(days=days):
                case = self._case(partners[days])
                self.assertEqual(case.stage_id, self._stage(stage))
                self.assertEqual(case.worst_days_overdue, max(days, 0))
                self.assertTrue(case.active)

    def test_tier_thresholds_move_the_stages(self):
        strategic = self.env["credit.collection.policy"].create(
            {
                "name": "Strategic test",
                "use_credit_limit": False,
                "stage_threshold_ids": [
                    (
                        0,
                        0,
                        {
                            "stage_id": self._stage("stage_final_notice").id,
                            "min_days_overdue": 60,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "stage_id": self._stage("stage_credit_hold").id,
                            "min_days_overdue": 90,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "stage_id": self._stage("stage_legal").id,
                            "min_days_overdue": 180,
                        },
                    ),
                ],
            }
        )
        standard = self._customer("Standard 50")
        key = self._customer("Strategic 50", tier=strategic)
        for partner in (standard, key):
            self._invoice(partner, 100.0, overdue_days=50)
        self.Case._update_cases(self.company, standard | key)
        self.assertEqual(
            self._case(standard).stage_id, self._stage("stage_credit_hold")
        )
        # 50 days: still "Second reminder" (15+) for the strategic tier
        self.assertEqual(self._case(key).stage_id, self._stage("stage_second_reminder"))
        with self.assertRaises(ValidationError):
            strategic.stage_threshold_ids[:1].min_days_overdue = -1

    def test_disputed_items_do_not_escalate(self):
        partner = self._customer("Disputing customer")
        old = self._invoice(partner, 500.0, overdue_days=60)
        self._invoice(partner, 100.0, overdue_days=5)
        old.write(
            {"credit_dispute_amount": 500.0, "credit_dispute_reason": "Wrong items"}
        )
        self.Case._update_cases(self.company, partner)
        case = self._case(partner)
        self.assertEqual(case.worst_days_overdue, 5)
        self.assertEqual(case.stage_id, self._stage("stage_reminder"))
        self.assertAlmostEqual(case.amount_disputed, 500.0)
        self.assertAlmostEqual(case.amount_overdue, 600.0)
        # a partial dispute does not protect the item
        old.credit_dispute_amount = 200.0
        self.Case._update_cases(self.company, partner)
        self.assertEqual(case.worst_days_overdue, 60)
        self.assertEqual(case.stage_id, self._stage("stage_credit_hold"))

    def test_case_created_updated_and_closed(self):
        partner = self._customer("Paying customer")
        invoice = self._invoice(partner, 300.0, overdue_days=20)
        self._sync_holds()
        case = self._case(partner)
        self.assertEqual(case.open_item_count, 1)
        self.assertAlmostEqual(case.amount_residual, 300.0)
        self._pay(invoice, 100.0)
        self._sync_holds()
        self.assertAlmostEqual(case.amount_residual, 200.0)
        self._pay(invoice)
        self._sync_holds()
        self.assertFalse(case.active)
        self.assertEqual(case.stage_id, self._stage("stage_current"))
        # new business reopens the same case
        self._invoice(partner, 50.0, due_days=10)
        self._sync_holds()
        self.assertTrue(case.active)
        self.assertEqual(len(self._case(partner)), 1)

    def test_hold_stage_sets_a_hold_released_when_paid(self):
        partner = self._customer("Stage hold customer")
        invoice = self._invoice(partner, 400.0, overdue_days=50)
        self._sync_holds()
        hold = self._holds(partner, state="active")
        self.assertEqual(hold.reason_ids.rule, "stage")
        self.assertIn("Credit hold", hold.reason_ids.name)
        self._pay(invoice)
        self._sync_holds()
        self.assertEqual(hold.state, "released")

    def test_scheduler_equals_event_driven_and_is_idempotent(self):
        partners = self.env["res.partner"]
        for i, days in enumerate((3, 20, 35, 50, 100)):
            partner = self._customer(f"Sched {i}")
            self._invoice(partner, 100.0 + i, overdue_days=days)
            self._invoice(partner, 50.0, due_days=10)
            partners |= partner
        self._sync_holds()
        event_driven = case_snapshot(partners)
        self.assertEqual(len(event_driven), 5)
        self.Case._cron_update_cases()
        self.assertEqual(case_snapshot(partners), event_driven)
        self.assertFalse(self.Case._update_cases(self.company, partners))

    def test_scheduler_query_count_does_not_grow_per_case(self):
        def make(n, prefix):
            partners = self.env["res.partner"]
            for i in range(n):
                partner = self._customer(f"{prefix} {i}")
                self._invoice(partner, 100.0, overdue_days=10)
                partners |= partner
            return partners

        few, many = make(2, "Few"), make(12, "Many")
        self.Case._update_cases(self.company, few)
        self.Case._update_cases(self.company, many)
        self.env.invalidate_all()
        # an up-to-date batch: one grouped query, one search, the ladder, the
        # collectability curve (3) and the loss-avoided grouped query
        with self.assertQueryCount(16):
            self.Case._update_cases(self.company, few)
        self.env.invalidate_all()
        with self.assertQueryCount(16):
            self.Case._update_cases(self.company, many)

    def test_kanban_grouped_read_does_not_grow_with_cases(self):
        for i in range(3):
            self._invoice(self._customer(f"Kanban {i}"), 10.0, overdue_days=2)
        self._sync_holds()
        self.env.invalidate_all()

        def kanban_read():
            # as the kanban view asks: empty stages expanded
            return (
                self.Case.with_user(self.collector)
                .with_context(read_group_expand=True)
                .formatted_read_group(
                    [], ["stage_id"], ["amount_overdue:sum", "__count"]
                )
            )

        with self.assertQueryCount(10):
            groups = kanban_read()
        stages = self.env["credit.collection.stage"].search([])
        self.assertEqual(len(groups), len(stages))  # empty stages shown too
        for i in range(10):
            self._invoice(self._customer(f"Kanban more {i}"), 10.0, overdue_days=40)
        self._sync_holds()
        self.env.invalidate_all()
        with self.assertQueryCount(10):
            kanban_read()

    def test_manager_moves_a_case_collector_cannot(self):
        partner = self._customer("Pinned customer")
        self._invoice(partner, 100.0, overdue_days=10)
        self._sync_holds()
        case = self._case(partner)
        case.with_user(self.collector).write(
            {"user_id": self.collector.id, "next_action_date": self.today}
        )
        self.assertEqual(case.user_id, self.collector)
        with self.assertRaises(AccessError):
            case.with_user(self.collector).write(
                {"stage_id": self._stage("stage_legal").id}
            )
        with self.assertRaises(AccessError):
            case.with_user(self.manager).write({"amount_overdue": 0.0})
        case.with_user(self.manager).write(
            {"stage_id": self._stage("stage_written_off").id}
        )
        # a manual-only stage is kept by the scheduler
        self.Case._update_cases(self.company, partner)
        self.assertEqual(case.stage_id, self._stage("stage_written_off"))
        with self.assertRaises(AccessError):
            case.with_user(self.salesman).read(["stage_id"])

    def test_multi_company_cases(self):
        other = self.env["res.company"].create({"name": "Case Other Co"})
        self.env["account.chart.template"].try_loading(
            "generic_coa", other, install_demo=False
        )
        partner = self._customer("Two company customer")
        self._invoice(partner, 100.0, overdue_days=10)
        self._invoice(partner, 70.0, overdue_days=40, company=other)
        self._sync_holds()
        case_a, case_b = self._case(partner), self._case(partner, other)
        self.assertAlmostEqual(case_a.amount_overdue, 100.0)
        self.assertAlmostEqual(case_b.amount_overdue, 70.0)
        user_a = new_test_user(
            self.env,
            "ccol_case_a",
            groups="account_credit_collection.group_user",
            company_id=self.company.id,
        )
        visible = self.Case.with_user(user_a).search([("partner_id", "=", partner.id)])
        self.assertEqual(visible, case_a)

    def test_cron_follows_aging(self):
        partner = self._customer("Aging customer")
        self._invoice(partner, 100.0, overdue_days=10)
        self._sync_holds()
        case = self._case(partner)
        self.assertEqual(case.stage_id, self._stage("stage_reminder"))
        with freeze_time(self.today + timedelta(days=25)):
            self.Case._cron_update_cases()
            self.assertEqual(case.stage_id, self._stage("stage_final_notice"))
            self.assertEqual(case.worst_days_overdue, 35)


@tagged("post_install", "-at_install")
class TestPromisesAndPins(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.write({"use_credit_limit": False, "promise_grace_days": 3})
        cls.Case = cls.env["credit.collection.case"]

    def _setup_case(self, name, overdue_days=50, amount=400.0):
        partner = self._customer(name)
        invoice = self._invoice(partner, amount, overdue_days=overdue_days)
        self._invoice(partner, 100.0, overdue_days=5)
        self.Case._update_cases(self.company, partner)
        case = self.Case.search([("partner_id", "=", partner.id)])
        return partner, invoice, case

    def _stage(self, suffix):
        return self.env.ref(f"account_credit_collection.{suffix}")

    def _promise(self, case, invoice, amount, days=10, user=None):
        return (
            self.env["credit.promise"]
            .with_user(user or self.collector)
            .create(
                {
                    "case_id": case.id,
                    "amount": amount,
                    "date": self.today + timedelta(days=days),
                    "invoice_ids": [(6, 0, invoice.ids)],
                }
            )
        )

    def test_promise_pauses_reminders_and_is_kept_by_payment(self):
        # issue #17: a promise no longer moves the case down (out of a hold
        # stage); it pauses the reminders of its invoices only
        partner, invoice, case = self._setup_case("Promising customer")
        self.assertEqual(case.stage_id, self._stage("stage_credit_hold"))
        promise = self._promise(case, invoice, 400.0)
        self.assertEqual(promise.date_deadline, self.today + timedelta(days=13))
        self.Case._update_cases(self.company, partner)
        self.assertEqual(case.worst_days_overdue, 50)
        self.assertEqual(case.stage_id, self._stage("stage_credit_hold"))
        self.assertTrue(case.has_open_promise)
        self._pay(invoice)
        self.Case._update_cases(self.company, partner)
        self.assertEqual(promise.state, "kept")
        self.assertFalse(case.is_pinned)

    def test_broken_promise_moves_the_case_one_stage_up(self):
        partner, invoice, case = self._setup_case("Breaking customer", overdue_days=20)
        self.assertEqual(case.stage_id, self._stage("stage_second_reminder"))
        promise = self._promise(case, invoice, 400.0, days=2)
        # nothing paid by the deadline (a part payment: partly kept, issue #17)
        with freeze_time(self.today + timedelta(days=6)):
            self.Case._update_cases(self.company, partner)
            self.assertEqual(promise.state, "broken")
            # the worst item is now 26 days overdue: Second reminder, one up
            self.assertEqual(case.stage_id, self._stage("stage_final_notice"))
            self.assertTrue(case.is_pinned)
            self.assertIn("Broken promise", case.pin_reason)
            # the scheduler keeps the pin
            self.Case._cron_update_cases()
            self.assertEqual(case.stage_id, self._stage("stage_final_notice"))
        # a payment clears the pin: back to the computed stage
        self._pay(invoice, 50.0)
        with freeze_time(self.today + timedelta(days=7)):
            self.Case._update_cases(self.company, partner)
            self.assertFalse(case.is_pinned)
            self.assertEqual(case.stage_id, self._stage("stage_second_reminder"))

    def test_broken_promises_count_against_the_customer(self):
        self.tier.write(
            {
                "use_broken_promises": True,
                "broken_promises_threshold": 1,
                "broken_promises_mode": "block",
            }
        )
        partner, invoice, case = self._setup_case("Serial promiser", overdue_days=10)
        first = self._promise(case, invoice, 50.0, days=1)
        second = self._promise(case, invoice, 50.0, days=2)
        with freeze_time(self.today + timedelta(days=10)):
            self.Case._update_cases(self.company, partner)
            self.assertEqual((first | second).mapped("state"), ["broken", "broken"])
            reasons = partner._credit_evaluate(self.company)
            rules = {r["rule"]: r for r in reasons}
            self.assertIn("broken_promises", rules)
            self.assertEqual(rules["broken_promises"]["measured"], 2)
            self.assertEqual(rules["broken_promises"]["mode"], "block")

    def test_manual_pin_expires(self):
        partner, _invoice, case = self._setup_case("Pinned by hand", overdue_days=20)
        case.with_user(self.manager).write(
            {
                "stage_id": self._stage("stage_legal").id,
                "pin_reason": "Lawyer letter sent by phone call",
                "pin_expiry": self.today + timedelta(days=5),
            }
        )
        self.assertTrue(case.is_pinned)
        self.assertEqual(case.pin_user_id, self.manager)
        self.Case._update_cases(self.company, partner)
        self.assertEqual(case.stage_id, self._stage("stage_legal"))
        with freeze_time(self.today + timedelta(days=6)):
            self.Case._update_cases(self.company, partner)
            self.assertFalse(case.is_pinned)
            # 26 days overdue now
            self.assertEqual(case.stage_id, self._stage("stage_second_reminder"))
        with self.assertRaises(AccessError):
            case.with_user(self.collector).action_unpin()

    def test_promise_validation(self):
        partner, invoice, case = self._setup_case("Bad promise")
        other = self._invoice(self._customer("Someone else"), 50.0, overdue_days=3)
        with self.assertRaisesRegex(ValidationError, "positive amount"):
            self._promise(case, invoice, 0.0)
        with self.assertRaisesRegex(ValidationError, "in the past"):
            self._promise(case, invoice, 10.0, days=-1)
        with self.assertRaisesRegex(ValidationError, "are not"):
            self._promise(case, other, 10.0)
        with self.assertRaises(AccessError):
            self._promise(case, invoice, 10.0, user=self.salesman)
        self.assertTrue(partner)


@tagged("post_install", "-at_install")
class TestDisputeWizard(CreditCollectionCommon):
    def test_collector_records_and_resolves_a_dispute(self):
        self.tier.use_credit_limit = False
        Case = self.env["credit.collection.case"]
        partner = self._customer("Wizard dispute customer")
        invoice = self._invoice(partner, 300.0, overdue_days=50)
        Case._update_cases(self.company, partner)
        case = Case.search([("partner_id", "=", partner.id)])
        self.assertEqual(case.worst_days_overdue, 50)
        Wizard = self.env["account.move.credit.dispute"].with_user(self.collector)
        wizard = Wizard.with_context(default_move_id=invoice.id).create(
            {"reason": "quality", "note": "Broken on arrival"}
        )
        self.assertAlmostEqual(wizard.amount, 300.0)  # defaults to the residual
        wizard.action_apply()
        self.assertAlmostEqual(invoice.credit_dispute_amount, 300.0)
        self.assertEqual(invoice.credit_dispute_state, "open")
        self.assertIn("Broken on arrival", invoice.credit_dispute_reason)
        self._sync_holds()
        self.assertEqual(case.worst_days_overdue, 0)
        # resolved: the chase resumes
        Wizard.with_context(default_move_id=invoice.id).create(
            {"amount": 0.0}
        ).action_apply()
        self._sync_holds()
        self.assertEqual(case.worst_days_overdue, 50)
        self.assertEqual(invoice.credit_dispute_state, "resolved")
        # the invoice shows its collection level
        self.assertEqual(invoice.credit_days_overdue, 50)
        self.assertEqual(
            invoice.credit_collection_stage_id,
            self.env.ref("account_credit_collection.stage_credit_hold"),
        )
        with self.assertRaises(AccessError):
            self.env["account.move.credit.dispute"].with_user(self.salesman).create(
                {"move_id": invoice.id, "amount": 1.0}
            ).action_apply()


@tagged("post_install", "-at_install")
class TestCaseForm(CreditCollectionCommon):
    def test_open_items_and_aging_on_the_case(self):
        self.tier.use_credit_limit = False
        partner = self._customer("Aging table customer")
        old = self._invoice(partner, 120.0, overdue_days=100)
        self._invoice(partner, 80.0, due_days=5)
        self.env["credit.collection.case"]._update_cases(self.company, partner)
        case = self.env["credit.collection.case"].search(
            [("partner_id", "=", partner.id)]
        )
        html = str(case.with_user(self.collector).open_items_html)
        self.assertIn(old.name, html)
        self.assertIn("91-180", html)
        self.assertIn("120.00", html)
        self.assertFalse(case.last_message_date)
        case.with_user(self.collector).message_post(
            body="Called: will pay Friday", message_type="comment"
        )
        case.invalidate_recordset(["last_message_date"])
        self.assertTrue(case.last_message_date)
        # a message is not a human contact: a logged call is (#19)
        self.assertFalse(case.last_contact_date)
