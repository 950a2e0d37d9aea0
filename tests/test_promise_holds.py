# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Issue #17, point 3: promises cannot lift holds. A promise pauses the
reminders of its invoices only; only a Collections Manager's approval (never
the promise's author) lets it move the case out of a hold stage. The tier
bounds a promise (longest horizon, smallest share of the overdue amount); a
promise paid in part by its date is partly kept."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.clock import credit_today
from .adversarial import record
from .common import DISABLED_MAIL_CONTEXT, CreditCollectionCommon, make_invoice
from .rpc_clients import CLIENTS, RpcError


@tagged("post_install", "-at_install")
class TestPromiseHolds(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.write(
            {
                "use_credit_limit": False,
                "promise_grace_days": 3,
                "promise_max_days": 30,
                "promise_min_share": 25.0,
            }
        )
        cls.Case = cls.env["credit.collection.case"]
        cls.second_manager = new_test_user(
            cls.env,
            "ccol_manager_two",
            groups="account_credit_collection.group_manager",
            company_id=cls.company.id,
        )

    def _stage(self, suffix):
        return self.env.ref(f"account_credit_collection.{suffix}")

    def _held_case(self, name):
        """A customer 50 days overdue (400) and 5 days (100): Credit hold."""
        partner = self._customer(name)
        invoice = self._invoice(partner, 400.0, overdue_days=50)
        recent = self._invoice(partner, 100.0, overdue_days=5)
        self._update(partner)
        case = self.Case.search([("partner_id", "=", partner.id)])
        self.assertEqual(case.stage_id, self._stage("stage_credit_hold"))
        self.assertTrue(self._holds(partner, state="active"))
        return partner, invoice, recent, case

    def _update(self, partner):
        self.env.flush_all()
        self.Case._update_cases(self.company, partner)
        self._sync_holds(partner)

    def _promise(self, case, invoices, amount, days=10, user=None):
        return (
            self.env["credit.promise"]
            .with_user(user or self.collector)
            .create(
                {
                    "case_id": case.id,
                    "amount": amount,
                    "date": self.today + timedelta(days=days),
                    "invoice_ids": [Command.set(invoices.ids)],
                }
            )
        )

    def test_promise_beyond_the_horizon_is_refused(self):
        _partner, invoice, _recent, case = self._held_case("Far promise")
        with self.assertRaisesRegex(ValidationError, "30 days at most"):
            self._promise(case, invoice, 400.0, days=60)
        # within the horizon: recorded
        self.assertTrue(self._promise(case, invoice, 400.0, days=30))

    def test_promise_below_the_smallest_share_is_refused(self):
        _partner, invoice, _recent, case = self._held_case("Small promise")
        # 25% of 500 overdue: 125
        with self.assertRaisesRegex(ValidationError, r"at least 25\.0% .*125\.00"):
            self._promise(case, invoice, 1.0)
        with self.assertRaisesRegex(ValidationError, "at least 25"):
            self._promise(case, invoice, 124.99)
        self.assertTrue(self._promise(case, invoice, 125.0))
        # 0: no limit on the tier
        self.tier.promise_min_share = 0.0
        self.assertTrue(self._promise(case, invoice, 1.0))

    def test_negative_tier_terms_are_refused(self):
        for name in ("promise_max_days", "promise_min_share"):
            with self.assertRaisesRegex(ValidationError, "negative"):
                self.tier.write({name: -1})
        with self.assertRaisesRegex(ValidationError, "more than 100"):
            with self.env.cr.savepoint():
                self.tier.write({"promise_min_share": 150})

    def test_promise_keeps_the_hold_and_pauses_the_reminders(self):
        partner, invoice, recent, case = self._held_case("Promise under hold")
        self._promise(case, invoice | recent, 500.0)
        self._update(partner)
        self.assertEqual(case.stage_id, self._stage("stage_credit_hold"))
        self.assertEqual(case.worst_days_overdue, 50)
        self.assertTrue(self._holds(partner, state="active"))
        # every overdue invoice promised: the reminders pause
        self.assertTrue(case._overdue_all_promised())
        self.Case._run_escalation(cases=case)
        chasing = case.action_ids.filtered(
            lambda a: a.action_type in ("email", "letter", "sms")
        )
        for action in chasing:
            self.assertNotEqual(action.state, "done", action.action_type)
        # an overdue invoice not promised: still chased
        self._invoice(partner, 80.0, overdue_days=3)
        self.assertFalse(case._overdue_all_promised())
        # after the deadline the pause ends
        with freeze_time(self.today + timedelta(days=14)):
            self.assertFalse(case._overdue_all_promised())

    def test_manager_approval_lifts_the_hold_with_audit(self):
        partner, invoice, _recent, case = self._held_case("Approved promise")
        hold = self._holds(partner, state="active")
        promise = self._promise(case, invoice, 400.0)
        # the collector who recorded it cannot approve it
        with self.assertRaises(AccessError):
            promise.with_user(self.collector).action_approve()
        # nor can a manager who recorded a promise approve their own
        own = self._promise(case, invoice, 400.0, user=self.manager)
        with self.assertRaisesRegex(AccessError, "another Collections Manager"):
            own.with_user(self.manager).action_approve()
        self.assertFalse(own.approved_by_id)
        # forged approval
        with self.assertRaises(AccessError):
            promise.with_user(self.collector).write(
                {"approved_by_id": self.collector.id}
            )
        self._update(partner)
        self.assertEqual(case.stage_id, self._stage("stage_credit_hold"))
        self.assertEqual(hold.state, "active")
        promise.with_user(self.manager).action_approve()
        self.assertEqual(promise.approved_by_id, self.manager)
        self.assertTrue(promise.date_approved)
        # the promised invoice leaves the stage's figures: the 5-day item leads
        self.assertEqual(case.worst_days_overdue, 5)
        self.assertEqual(case.stage_id, self._stage("stage_reminder"))
        self.assertEqual(hold.state, "released")
        audit = f"approved by {self.manager.name}"
        self.assertIn(audit, " ".join(str(m.body) for m in hold.message_ids))
        self.assertIn(audit, " ".join(str(m.body) for m in case.message_ids))
        with self.assertRaisesRegex(ValidationError, "already approved"):
            promise.with_user(self.second_manager).action_approve()

    def test_partly_kept_promise_and_kpi(self):
        partner, invoice, _recent, case = self._held_case("Partly paying")
        promise = self._promise(case, invoice, 400.0, days=2)
        self._pay(invoice, 100.0)
        stage = case.stage_id
        with freeze_time(self.today + timedelta(days=6)):
            self._update(partner)
            self.assertEqual(promise.state, "partly_kept")
            # not broken: no stage bump, no pin
            self.assertFalse(case.is_pinned)
            self.assertEqual(case.stage_id, stage)
            self.assertIn(
                "partly kept", " ".join(str(m.body) for m in case.message_ids)
            )
            broken = partner._credit_broken_promise_counts(self.company)
            self.assertFalse(broken.get(partner.id))
        kpi = self.env["credit.collection.kpi"].create(
            {
                "company_id": self.company.id,
                "date_from": self.today,
                "date_to": self.today + timedelta(days=5),
            }
        )
        values = kpi._kpi_values()
        self.assertEqual(kpi.promise_count, 1)
        self.assertAlmostEqual(values["promise_partly_kept_rate"], 100.0)
        self.assertAlmostEqual(values["promise_kept_rate"], 0.0)


@tagged("post_install", "-at_install")
class TestPromiseHoldsRpc(HttpCase):
    """The defect as a user met it, on the default configuration, over
    XML-RPC and JSON-RPC: a collector's promise of 1.00 due in 60 days on a
    case in the Credit hold stage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = env.company
        cls.today = credit_today(env, cls.company)
        cls.users = {
            key: new_test_user(env, f"ccol_p17_{key}", groups=groups)
            for key, groups in {
                "salesman": "sales_team.group_sale_salesman",
                "collector": "account_credit_collection.group_user,"
                "sales_team.group_sale_salesman",
                "manager": "account_credit_collection.group_manager,"
                "sales_team.group_sale_salesman_all_leads",
            }.items()
        }
        cls.product = env["product.product"].create(
            {"name": "P17 service", "type": "service", "taxes_id": [Command.clear()]}
        )

    def _client(self, cls_, user):
        client = cls_(self.base_url(), self.env.cr.dbname, user.id, user.login)

        def call(*args, **kwargs):
            self.env.cr.flush()
            self.env.cr.clear()
            with self.allow_requests(all_requests=True):
                return client(*args, **kwargs)

        return call

    def _scheduler(self, partner):
        """What the daily run and the hold synchronisation do."""
        self.env.flush_all()
        self.env["credit.collection.case"].sudo()._update_cases(self.company, partner)
        self.env["credit.hold"].sudo()._sync_partners(partner, self.company)
        self.env.invalidate_all()

    def test_collector_promise_cannot_lift_the_hold(self):
        env = self.env
        for client_class in CLIENTS:
            protocol = client_class.__name__
            partner = env["res.partner"].create(
                {"name": f"P17 held {protocol}", "is_company": True}
            )
            invoice = make_invoice(env, partner, 400.0, self.today - timedelta(days=50))
            self._scheduler(partner)
            case = env["credit.collection.case"].search(
                [("partner_id", "=", partner.id)]
            )
            hold_stage = case.stage_id
            self.assertTrue(hold_stage.is_hold, hold_stage.name)
            hold = env["credit.hold"].search(
                [("partner_id", "=", partner.id), ("state", "=", "active")]
            )
            self.assertTrue(hold)
            collector = self._client(client_class, self.users["collector"])
            manager = self._client(client_class, self.users["manager"])
            salesman = self._client(client_class, self.users["salesman"])
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": self.users["salesman"].id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "price_unit": 50.0}
                        )
                    ],
                }
            )
            promise_vals = {
                "case_id": case.id,
                "invoice_ids": [[6, 0, invoice.ids]],
            }
            # the defect's promise: 1.00 in 60 days — refused by the tier
            count = len(case.promise_ids)
            with self.assertRaisesRegex(RpcError, "days at most"):
                collector(
                    "credit.promise",
                    "create",
                    [
                        dict(
                            promise_vals,
                            amount=1.0,
                            date=str(self.today + timedelta(days=60)),
                        )
                    ],
                )
            # nothing half-written
            self.env.invalidate_all()
            self.assertEqual(len(case.promise_ids), count)
            # a promise within the tier's terms: recorded, the hold stays
            promise_id = collector(
                "credit.promise",
                "create",
                [
                    dict(
                        promise_vals,
                        amount=400.0,
                        date=str(self.today + timedelta(days=20)),
                    )
                ],
            )
            self._scheduler(partner)
            self.assertEqual(case.stage_id, hold_stage)
            self.assertEqual(hold.state, "active")
            self.assertIn("stage", hold.reason_ids.mapped("rule"))
            with self.assertRaisesRegex(RpcError, "on credit hold"):
                salesman("sale.order", "action_confirm", [order.id])
            # the collector cannot approve their own promise
            with self.assertRaises(RpcError):
                collector("credit.promise", "action_approve", promise_id)
            self._scheduler(partner)
            self.assertEqual(case.stage_id, hold_stage)
            self.assertEqual(hold.state, "active")
            self.assertEqual(order.state, "draft")
            record("promise and hold", "refused", f"{protocol}: collector's promise")
            # a Collections Manager approves it: the case leaves the hold
            # stage, audited on the promise's case and hold
            manager("credit.promise", "action_approve", promise_id)
            self.env.invalidate_all()
            self.assertNotEqual(case.stage_id, hold_stage)
            audit = f"approved by {self.users['manager'].name}"
            self.assertIn(audit, " ".join(str(m.body) for m in hold.message_ids))
            self.assertIn(audit, " ".join(str(m.body) for m in case.message_ids))
            self.assertNotIn("stage", hold.reason_ids.mapped("rule"))
            # the default tier's overdue-days rule (items over 15 days) still
            # holds the customer: an approval lifts the stage's hold only
            default = env["credit.collection.policy"]._get_default(self.company)
            self.assertTrue(default.use_overdue_days)
            self.assertEqual(hold.state, "active")
            self.assertEqual(hold.reason_ids.mapped("rule"), ["overdue_days"])
            with self.assertRaisesRegex(RpcError, "on credit hold"):
                salesman("sale.order", "action_confirm", [order.id])
            record("promise and hold", "passed", f"{protocol}: manager approval")
