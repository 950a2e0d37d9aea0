# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Issue #17, point 4: payment arrangements. An instalment plan a collector
proposes and a Collections Manager (not its requester) approves; while it is
kept the reminders of its invoices pause and the case stays where it was
paused; each instalment is reminded once, kept, late or broken over the
simulated dates of the daily job; a broken plan resumes the escalation one
stage above and counts as a broken promise."""

from datetime import timedelta

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.clock import credit_today
from .adversarial import record
from .common import DISABLED_MAIL_CONTEXT, CreditCollectionCommon, make_invoice
from .rpc_clients import CLIENTS, RpcError


@tagged("post_install", "-at_install")
class TestArrangement(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.write(
            {
                "use_credit_limit": False,
                "arrangement_reminder_days": 3,
                "arrangement_grace_days": 5,
                "arrangement_keeps_hold": True,
            }
        )
        cls.company.email = "credit@mycompany.example.com"
        cls.Case = cls.env["credit.collection.case"]
        cls.Arrangement = cls.env["credit.arrangement"]
        cls.Action = cls.env["credit.collection.action"]
        cls.second_manager = new_test_user(
            cls.env,
            "ccol_arr_manager_two",
            groups="account_credit_collection.group_manager",
            company_id=cls.company.id,
        )

    def _stage(self, suffix):
        return self.env.ref(f"account_credit_collection.stage_{suffix}")

    def _update(self, partner):
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, partner)
        self._sync_holds(partner)

    def _case_of(self, name, overdue_days=50, amount=400.0):
        partner = self._customer(name)
        partner.email = f"ap@{name.lower().replace(' ', '-')}.example.com"
        invoice = self._invoice(partner, amount, overdue_days=overdue_days)
        self._update(partner)
        case = self.Case.search([("partner_id", "=", partner.id)])
        return partner, invoice, case

    def _vals(self, case, invoices, schedule, down=0.0):
        return {
            "case_id": case.id,
            "invoice_ids": [Command.set(invoices.ids)],
            "down_payment": down,
            "line_ids": [
                Command.create({"date": self.today + timedelta(days=days), "amount": a})
                for days, a in schedule
            ],
        }

    def _propose(self, case, invoices, schedule, down=0.0, user=None):
        # in a savepoint: a refused plan leaves nothing behind, as the
        # rolled back request of a user would
        with self.env.cr.savepoint():
            return self.Arrangement.with_user(user or self.collector).create(
                self._vals(case, invoices, schedule, down)
            )

    def _approved(self, case, invoices, schedule, down=0.0):
        arrangement = self._propose(case, invoices, schedule, down)
        arrangement.with_user(self.collector).action_submit()
        arrangement.with_user(self.manager).action_approve()
        return arrangement

    # ------------------------------------------------------------ validation
    def test_instalments_must_add_up(self):
        _partner, invoice, case = self._case_of("Arr sum")
        with self.assertRaisesRegex(ValidationError, r"add up to .*400\.00"):
            self._propose(case, invoice, [(10, 200.0), (20, 150.0)])
        # with a down payment: 400 - 100 = 300 to schedule
        with self.assertRaisesRegex(ValidationError, r"300\.00"):
            self._propose(case, invoice, [(10, 200.0), (20, 200.0)], down=100.0)
        # nothing half-written
        self.assertFalse(self.Arrangement.search([("case_id", "=", case.id)]))
        self.assertTrue(self._propose(case, invoice, [(10, 100.0), (20, 200.0)], 100.0))
        # within the currency's rounding
        self.assertTrue(self._propose(case, invoice, [(10, 200.004), (20, 199.996)]))

    def test_dates_amounts_and_invoices_are_checked(self):
        partner, invoice, case = self._case_of("Arr checks")
        with self.assertRaisesRegex(ValidationError, "in the past"):
            self._propose(case, invoice, [(-1, 200.0), (20, 200.0)])
        with self.assertRaisesRegex(ValidationError, "must increase"):
            self._propose(case, invoice, [(10, 200.0), (10, 200.0)])
        with self.assertRaisesRegex(ValidationError, "positive amount"):
            self._propose(case, invoice, [(10, 500.0), (20, -100.0)])
        with self.assertRaisesRegex(ValidationError, "at least one instalment"):
            self._propose(case, invoice, [])
        other = self._customer("Arr other customer")
        foreign = self._invoice(other, 400.0, overdue_days=50)
        with self.assertRaisesRegex(ValidationError, "are not"):
            self._propose(case, foreign, [(10, 400.0)])
        not_due = self._invoice(partner, 100.0, due_days=10)
        with self.assertRaisesRegex(ValidationError, "overdue invoices only"):
            self._propose(case, not_due, [(10, 100.0)])
        self.assertFalse(self.Arrangement.search([("case_id", "=", case.id)]))
        self.assertFalse(
            self.env["credit.arrangement.line"]
            .search([])
            .filtered(lambda line: line.arrangement_id.case_id == case)
        )
        # the tier's terms cannot be negative
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.tier.write({"arrangement_grace_days": -1})

    def test_approval_rules(self):
        _partner, invoice, case = self._case_of("Arr approval")
        arrangement = self._propose(case, invoice, [(10, 200.0), (20, 200.0)])
        # approve a draft: submit first
        with self.assertRaisesRegex(UserError, "Only a submitted"):
            arrangement.with_user(self.manager).action_approve()
        arrangement.with_user(self.collector).action_submit()
        # terms frozen once submitted
        with self.assertRaisesRegex(UserError, "Only a draft"):
            arrangement.with_user(self.collector).write({"down_payment": 10.0})
        with self.assertRaisesRegex(UserError, "Only a draft"):
            arrangement.line_ids[:1].with_user(self.collector).write({"amount": 1.0})
        # a collector approves nothing, forges nothing
        with self.assertRaisesRegex(AccessError, "Collections Manager"):
            arrangement.with_user(self.collector).action_approve()
        with self.assertRaises(AccessError):
            arrangement.with_user(self.collector).write({"state": "active"})
        with self.assertRaises(AccessError):
            case.with_user(self.collector).write({"arrangement_id": arrangement.id})
        with self.assertRaises(AccessError):
            self.Arrangement.with_user(self.collector).create(
                dict(
                    self._vals(case, invoice, [(10, 400.0)]),
                    state="active",
                )
            )
        # a manager approves not their own request
        own = self._propose(case, invoice, [(15, 400.0)], user=self.manager)
        own.with_user(self.manager).action_submit()
        with self.assertRaisesRegex(AccessError, "another Collections Manager"):
            own.with_user(self.manager).action_approve()
        self.assertEqual(own.state, "submitted")
        self.assertEqual(arrangement.state, "submitted")
        arrangement.with_user(self.manager).action_approve()
        self.assertEqual(arrangement.state, "active")
        self.assertEqual(arrangement.approved_by_id, self.manager)
        self.assertEqual(case.arrangement_id, arrangement)
        # one kept plan per case
        with self.assertRaisesRegex(UserError, "already under"):
            own.with_user(self.second_manager).action_approve()
        # ... and the database, whatever writes it (two approvals at once)
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            own.sudo().write({"state": "active"})
            own.flush_recordset()
        notes = " ".join(str(m.body) for m in case.message_ids)
        self.assertIn("submitted by", notes)
        self.assertIn(f"approved by {self.manager.name}", notes)
        self.assertIn(
            "approved by", " ".join(str(m.body) for m in arrangement.message_ids)
        )

    def test_propose_from_the_case(self):
        _partner, invoice, case = self._case_of("Arr propose")
        action = case.with_user(self.collector).action_propose_arrangement()
        self.assertEqual(action["res_model"], "credit.arrangement")
        context = action["context"]
        self.assertEqual(context["default_case_id"], case.id)
        self.assertEqual(context["default_invoice_ids"], [Command.set(invoice.ids)])
        # the form, as the collector fills it in from the case
        arrangement_form = Form(
            self.Arrangement.with_user(self.collector).with_context(**context)
        )
        self.assertEqual(arrangement_form.case_id, case)
        self.assertEqual(arrangement_form.partner_id, case.partner_id)
        self.assertEqual(arrangement_form.amount_covered, 400.0)
        for days, amount in ((10, 150.0), (40, 250.0)):
            with arrangement_form.line_ids.new() as line:
                line.date = self.today + timedelta(days=days)
                line.amount = amount
        self.assertEqual(arrangement_form.amount_scheduled, 400.0)
        arrangement = arrangement_form.save()
        self.assertEqual(arrangement.state, "draft")
        self.assertEqual(arrangement.invoice_ids, invoice)
        self.assertEqual(arrangement.user_id, self.collector)
        arrangement.with_user(self.collector).action_submit()
        self.assertEqual(arrangement.state, "submitted")

    def test_cancel_and_the_customer_list(self):
        partner, invoice, case = self._case_of("Arr cancel")
        arrangement = self._approved(case, invoice, [(10, 200.0), (20, 200.0)])
        self.assertEqual(partner.with_user(self.collector).credit_arrangement_count, 1)
        action = partner.with_user(self.collector).action_view_credit_arrangements()
        self.assertEqual(
            self.Arrangement.with_user(self.collector).search(action["domain"]),
            arrangement,
        )
        # an approved plan is cancelled by a manager only
        with self.assertRaisesRegex(AccessError, "Collections Manager"):
            arrangement.with_user(self.collector).action_cancel()
        arrangement.with_user(self.manager).action_cancel()
        self.assertEqual(arrangement.state, "cancelled")
        self.assertFalse(case.arrangement_id)
        self.assertIn("cancelled by", " ".join(str(m.body) for m in case.message_ids))
        # no bump, no broken promise
        self.assertFalse(case.is_pinned)
        self.assertFalse(partner._credit_broken_promise_counts(self.company))

    def test_unpaid_down_payment_breaks_the_plan(self):
        partner, invoice, case = self._case_of("Arr down payment", overdue_days=20)
        arrangement = self._approved(case, invoice, [(30, 300.0)], down=100.0)
        with freeze_time(self.today + timedelta(days=3)):
            self._update(partner)
            self.assertEqual(arrangement.standing, "late")
        with freeze_time(self.today + timedelta(days=6)):
            self._update(partner)
            self.assertEqual(arrangement.state, "broken")
            self.assertEqual(case.stage_id, self._stage("final_notice"))

    # ------------------------------------------------------ over simulated dates
    def test_kept_late_and_broken_over_simulated_dates(self):
        self.tier.write({"use_broken_promises": True, "broken_promises_threshold": 0})
        partner, invoice, case = self._case_of("Arr kept late broken")
        hold_stage = self._stage("credit_hold")
        self.assertEqual(case.stage_id, hold_stage)
        hold = self._holds(partner, state="active")
        self.assertTrue(hold)
        arrangement = self._approved(case, invoice, [(10, 200.0), (20, 200.0)])
        first, second = arrangement.line_ids.sorted("date")
        self._update(partner)
        # kept: the stage and (the tier keeps them) the hold stay
        self.assertEqual(case.stage_id, hold_stage)
        self.assertEqual(hold.state, "active")
        self.assertEqual(arrangement.paused_stage_id, hold_stage)
        # day 10: the first instalment is paid — kept
        self._pay(invoice, 200.0)
        with freeze_time(self.today + timedelta(days=10)):
            self._update(partner)
            self.assertEqual(first.state, "kept")
            self.assertEqual(second.state, "pending")
            self.assertEqual(arrangement.standing, "kept")
        # day 23: the second is 3 days overdue, within the 5 grace days — late
        with freeze_time(self.today + timedelta(days=23)):
            self._update(partner)
            self.assertEqual(arrangement.state, "active")
            self.assertEqual(arrangement.standing, "late")
            self.assertEqual(second.state, "late")
            # 73 days overdue: the stage would be past Credit hold, it stays
            self.assertEqual(case.stage_id, hold_stage)
        # day 26: beyond the grace days — broken
        with freeze_time(self.today + timedelta(days=26)):
            self._update(partner)
            self.assertEqual(arrangement.state, "broken")
            self.assertEqual(second.state, "broken")
            self.assertFalse(case.arrangement_id)
            # one stage above where it was paused, pinned there
            self.assertEqual(case.stage_id, self._stage("legal"))
            self.assertTrue(case.is_pinned)
            self.assertIn("Broken payment arrangement", case.pin_reason)
            # it counts as a broken promise (the hold rule counts it)
            broken = partner._credit_broken_promise_counts(self.company)
            self.assertEqual(broken.get(partner.id), 1)
            self._sync_holds(partner)
            self.assertIn("broken_promises", hold.reason_ids.mapped("rule"))

    def test_completed_when_paid(self):
        partner, invoice, case = self._case_of("Arr completed", overdue_days=5)
        arrangement = self._approved(case, invoice, [(10, 100.0), (20, 300.0)], 0.0)
        self._pay(invoice, 400.0)
        self._update(partner)
        self.assertEqual(arrangement.state, "completed")
        self.assertFalse(arrangement.sudo().case_id.arrangement_id)

    def test_reminders_pause_and_instalment_reminded_once(self):
        partner, invoice, case = self._case_of("Arr reminders", overdue_days=20)
        self.assertEqual(case.stage_id, self._stage("second_reminder"))
        arrangement = self._approved(case, invoice, [(10, 200.0), (20, 200.0)])
        self.Case.sudo()._run_escalation(cases=case)
        emails = case.action_ids.filtered(lambda a: a.action_type == "email")
        self.assertTrue(emails)
        self.assertEqual(set(emails.mapped("state")), {"skipped"})
        self.assertIn("payment arrangement", emails[0].skip_reason)
        # the daily job on day 7 (3 days before the first instalment), twice
        for day in (7, 8):
            with freeze_time(self.today + timedelta(days=day)):
                self.Case.sudo()._cron_daily_run(commit=False)
        reminders = self.Action.sudo().search(
            [("case_id", "=", case.id), ("action_type", "=", "instalment")]
        )
        self.assertEqual(len(reminders), 1)
        self.assertEqual(reminders.state, "done", reminders.error)
        self.assertEqual(reminders.arrangement_line_id, arrangement.line_ids[0])
        sent = case.message_ids.filtered(
            lambda m: "instalment of" in str(m.body) and m.message_type == "comment"
        )
        self.assertEqual(len(sent), 1)
        self.assertIn(partner.email, sent.partner_ids.mapped("email"))
        # the stage stayed where it was paused
        self.assertEqual(case.stage_id, self._stage("second_reminder"))

    def test_waived_fees_and_lifted_hold(self):
        """A tier that lifts holds under arrangement: the covered invoices no
        longer count for the stage; a waiving plan bears no interest."""
        self.tier.write({"arrangement_keeps_hold": False, "interest_rate": 10.0})
        partner, invoice, case = self._case_of("Arr lifted")
        recent = self._invoice(partner, 50.0, overdue_days=5)
        self._update(partner)
        hold = self._holds(partner, state="active")
        self.assertEqual(case.stage_id, self._stage("credit_hold"))
        arrangement = self._propose(case, invoice, [(10, 400.0)])
        arrangement.waive_fees = True
        arrangement.with_user(self.collector).action_submit()
        arrangement.with_user(self.manager).action_approve()
        # the 5-day invoice leads the stage now: the hold stage's reason goes
        self.assertEqual(case.worst_days_overdue, 5)
        self.assertEqual(case.stage_id, self._stage("reminder"))
        self.assertNotEqual(hold.state, "active")
        moves = [item["move"] for item in case._chargeable_items(self.today)]
        self.assertEqual(moves, [recent])
        # broken: back one stage above where it was paused
        with freeze_time(self.today + timedelta(days=16)):
            self._update(partner)
            self.assertEqual(arrangement.state, "broken")
            self.assertEqual(case.stage_id, self._stage("legal"))
            moves = [item["move"] for item in case._chargeable_items(self.today)]
            self.assertIn(invoice, moves)

    def test_statement_shows_the_plan(self):
        _partner, invoice, case = self._case_of("Arr statement")
        self._approved(case, invoice, [(10, 150.0), (20, 250.0)])
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "account_credit_collection.action_report_credit_statement", case.ids
        )
        html = html.decode()
        self.assertIn("Payment arrangement", html)
        self.assertIn("250.00", html)
        self.assertIn("150.00", html)


@tagged("post_install", "-at_install")
class TestArrangementRpc(HttpCase):
    """A collector cannot lift a hold through an arrangement, over XML-RPC
    and JSON-RPC, on the default configuration."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = env.company
        cls.today = credit_today(env, cls.company)
        cls.users = {
            key: new_test_user(env, f"ccol_arr_{key}", groups=groups)
            for key, groups in {
                "salesman": "sales_team.group_sale_salesman",
                "collector": "account_credit_collection.group_user,"
                "sales_team.group_sale_salesman",
            }.items()
        }
        cls.product = env["product.product"].create(
            {"name": "Arr service", "type": "service", "taxes_id": [Command.clear()]}
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
        self.env.flush_all()
        self.env["credit.collection.case"].sudo()._update_cases(self.company, partner)
        self.env["credit.hold"].sudo()._sync_partners(partner, self.company)
        self.env.invalidate_all()

    def test_collector_cannot_lift_the_hold_with_an_arrangement(self):
        env = self.env
        for client_class in CLIENTS:
            protocol = client_class.__name__
            partner = env["res.partner"].create(
                {"name": f"Arr held {protocol}", "is_company": True}
            )
            invoice = make_invoice(env, partner, 400.0, self.today - timedelta(days=50))
            self._scheduler(partner)
            case = env["credit.collection.case"].search(
                [("partner_id", "=", partner.id)]
            )
            hold_stage = case.stage_id
            self.assertTrue(hold_stage.is_hold)
            hold = env["credit.hold"].search(
                [("partner_id", "=", partner.id), ("state", "=", "active")]
            )
            self.assertTrue(hold)
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
            collector = self._client(client_class, self.users["collector"])
            salesman = self._client(client_class, self.users["salesman"])
            vals = {
                "case_id": case.id,
                "invoice_ids": [[6, 0, invoice.ids]],
                "line_ids": [
                    [0, 0, {"date": str(self.today + timedelta(days=d)), "amount": a}]
                    for d, a in ((30, 200.0), (60, 200.0))
                ],
            }
            # instalments that do not add up: refused, nothing written
            with self.assertRaisesRegex(RpcError, "add up"):
                collector(
                    "credit.arrangement",
                    "create",
                    [dict(vals, line_ids=vals["line_ids"][:1])],
                )
            self.env.invalidate_all()
            self.assertFalse(case.arrangement_ids)
            # the salesperson proposes none
            with self.assertRaises(RpcError):
                salesman("credit.arrangement", "create", [vals])
            record("arrangement and hold", "refused", f"{protocol}: salesperson's plan")
            [arrangement_id] = collector("credit.arrangement", "create", [vals])
            collector("credit.arrangement", "action_submit", [arrangement_id])
            # the collector approves their own plan: refused
            with self.assertRaisesRegex(RpcError, "Collections Manager"):
                collector("credit.arrangement", "action_approve", [arrangement_id])
            # nor can they forge the approval, or put the case under it
            with self.assertRaises(RpcError):
                collector(
                    "credit.arrangement", "write", [arrangement_id], {"state": "active"}
                )
            with self.assertRaises(RpcError):
                collector(
                    "credit.collection.case",
                    "write",
                    [case.id],
                    {"arrangement_id": arrangement_id},
                )
            self._scheduler(partner)
            arrangement = env["credit.arrangement"].browse(arrangement_id)
            self.assertEqual(arrangement.state, "submitted")
            self.assertFalse(case.arrangement_id)
            self.assertEqual(case.stage_id, hold_stage)
            self.assertEqual(hold.state, "active")
            with self.assertRaisesRegex(RpcError, "on credit hold"):
                salesman("sale.order", "action_confirm", [order.id])
            self.assertEqual(order.state, "draft")
            record("arrangement and hold", "refused", f"{protocol}: collector's plan")
