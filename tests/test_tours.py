# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The product as users see it: web tours in headless Chromium, each checking
what is on the screen, then the records they left behind."""

import importlib.util
import shutil
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DISABLED_MAIL_CONTEXT, make_invoice
from .test_writeoff import writeoff_accounts


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the tours must run, not be skipped: Chromium and websocket-client
        # come with `make setup` / the test command
        # (websocket-client: a test requirement of Odoo's, in requirements-dev)
        if not importlib.util.find_spec("websocket"):
            raise RuntimeError("websocket-client is missing: run `make setup`")
        if not shutil.which("chromium"):
            raise RuntimeError("Chromium is missing: run `make setup`")
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        env = cls.env
        cls.company = env.company
        cls.salesman = new_test_user(
            env, "tour_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.collector = new_test_user(
            env,
            "tour_collector",
            groups="account_credit_collection.group_user,"
            "sales_team.group_sale_salesman",
        )
        cls.manager = new_test_user(
            env,
            "tour_manager",
            groups="account_credit_collection.group_manager,"
            "sales_team.group_sale_salesman_all_leads,account.group_account_manager",
        )
        cls.tier = env["credit.collection.policy"].create(
            {"name": "Tour tier", "use_credit_limit": True}
        )
        cls.product = env["product.product"].create(
            {"name": "Tour service", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls.held = cls._customer("Tour Held Ltd", limit=1000.0)
        cls._invoice(cls.held, 900.0, due_days=20)
        cls.order = env["sale.order"].create(
            {
                "partner_id": cls.held.id,
                "user_id": cls.salesman.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "price_unit": 500.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.debtor = cls._customer("Tour Debtor Ltd")
        cls._invoice(cls.debtor, 300.0, due_days=-5)
        cls.other = cls._customer("Someone Else Ltd")
        cls._invoice(cls.other, 200.0, due_days=-6)
        cls.soon = cls._customer("Soon Late Ltd")
        cls._invoice(cls.soon, 150.0, due_days=-2)
        env.flush_all()
        Case = env["credit.collection.case"]
        Case._update_cases(cls.company)
        cls.debtor_case = Case.search([("partner_id", "=", cls.debtor.id)])
        cls.debtor_case.user_id = cls.collector
        Case.search([("partner_id", "=", cls.other.id)]).user_id = cls.manager
        cls.env["credit.hold"]._sync_partners(cls.held, cls.company)

    @classmethod
    def _customer(cls, name, limit=None):
        partner = cls.env["res.partner"].create(
            {"name": name, "is_company": True, "email": "ap@example.com"}
        )
        vals = {"credit_policy_id": cls.tier.id}
        if limit:
            vals.update(credit_limit=limit, use_partner_credit_limit=True)
        partner.write(vals)
        return partner

    @classmethod
    def _invoice(cls, partner, amount, due_days):
        today = fields.Date.context_today(cls.env.user)
        due = today + timedelta(days=due_days)
        return make_invoice(cls.env, partner, amount, due, invoice_date=min(due, today))

    def test_a_b_release_request_override_and_confirmation(self):
        url = f"/odoo/sale.order/{self.order.id}"
        self.assertEqual(self.order.credit_check_state, "block")
        self.start_tour(
            url, "credit_collection_salesperson_request_release", login="tour_salesman"
        )
        self.assertTrue(self.order.credit_release_requested)
        hold = self.env["credit.hold"].search(
            [("partner_id", "=", self.held.id), ("state", "=", "active")]
        )
        self.assertTrue(
            hold.activity_ids.filtered(lambda a: a.user_id == self.manager),
            "the credit managers get the request",
        )
        self.start_tour(url, "credit_collection_manager_override", login="tour_manager")
        hold.invalidate_recordset()
        self.assertEqual(hold.state, "overridden")
        self.assertIn("payment announced by phone", hold.override_reason)
        self.assertEqual(hold.override_user_id, self.manager)
        self.start_tour(
            url, "credit_collection_salesperson_confirm", login="tour_salesman"
        )
        self.assertEqual(self.order.state, "sale")

    def test_c_collector_works_a_case_and_manager_moves_it(self):
        url = "/odoo/action-account_credit_collection.credit_collection_case_action"
        self.start_tour(url, "credit_collection_collector_case", login="tour_collector")
        case = self.debtor_case
        self.assertTrue(
            case.message_ids.filtered(
                lambda m: "payment promised for next week" in str(m.body)
            )
        )
        self.assertEqual(case.promise_ids.mapped("amount"), [250.0])
        self.assertEqual(case.promise_ids.state, "open")
        self.start_tour(
            url, "credit_collection_manager_move_case", login="tour_manager"
        )
        case.invalidate_recordset()
        self.assertEqual(
            case.stage_id,
            self.env.ref("account_credit_collection.stage_final_notice"),
        )
        self.assertTrue(case.is_pinned)
        self.assertEqual(case.pin_reason, "Promised twice already")
        self.assertEqual(case.pin_user_id, self.manager)

    def test_d_manager_runs_the_dry_run(self):
        actions = self.env["credit.collection.action"].search_count([])
        self.start_tour(
            "/odoo/action-account_credit_collection.credit_collection_simulation_action",
            "credit_collection_manager_dry_run",
            login="tour_manager",
        )
        self.assertEqual(self.env["credit.collection.action"].search_count([]), actions)

    def test_e_credit_application_approved_then_order_confirmed(self):
        applicant = self.env["res.partner"].create(
            {"name": "Tour Applicant Ltd", "is_company": True}
        )
        # a new customer: the New customer tier and its 5,000 default limit
        self.assertEqual(
            applicant.with_company(self.company).credit_policy_id,
            self.company.credit_unvetted_policy_id,
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": applicant.id,
                "user_id": self.salesman.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": 8000.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        self.assertEqual(order.credit_check_state, "block")
        self.start_tour(
            "/odoo/action-account_credit_collection.credit_application_action/new",
            "credit_collection_salesperson_credit_application",
            login="tour_salesman",
        )
        application = self.env["credit.application"].search(
            [("partner_id", "=", applicant.id)]
        )
        self.assertEqual(application.state, "submitted")
        self.assertEqual(application.user_id, self.salesman)
        self.start_tour(
            f"/odoo/credit.application/{application.id}",
            "credit_collection_manager_approves_application",
            login="tour_manager",
        )
        application.invalidate_recordset()
        self.assertEqual(application.state, "applied")
        self.assertEqual(application.first_approver_id, self.manager)
        self.assertEqual(applicant.with_company(self.company).credit_limit, 10000.0)
        self.start_tour(
            f"/odoo/sale.order/{order.id}",
            "credit_collection_salesperson_confirms_after_application",
            login="tour_salesman",
        )
        self.assertEqual(order.state, "sale")

    def test_f_collector_assesses_and_proposes_an_arrangement_manager_approves(self):
        case = self.debtor_case
        url = (
            "/odoo/action-account_credit_collection.credit_collection_case_action/"
            f"{case.id}"
        )
        self.start_tour(
            url,
            "credit_collection_collector_assess_and_arrange",
            login="tour_collector",
        )
        case.invalidate_recordset()
        self.assertEqual(case.assessment_situation, "unable")
        self.assertEqual(case.assessment_user_id, self.collector)
        self.assertEqual(
            case.assessment_ids.note, "Lost its main client, asks for three months"
        )
        arrangement = self.env["credit.arrangement"].search([("case_id", "=", case.id)])
        self.assertEqual(arrangement.state, "submitted")
        self.assertEqual(arrangement.line_ids.mapped("amount"), [300.0])
        self.start_tour(
            f"/odoo/action-account_credit_collection.credit_arrangement_action/"
            f"{arrangement.id}",
            "credit_collection_manager_approve_arrangement",
            login="tour_manager",
        )
        arrangement.invalidate_recordset()
        self.assertEqual(arrangement.state, "active")
        self.assertEqual(arrangement.approved_by_id, self.manager)
        self.assertEqual(case.arrangement_id, arrangement)

    def test_g_manager_writes_off_a_case(self):
        accounts = writeoff_accounts(self.env, self.company)
        case = self.debtor_case
        invoice = self.env["account.move"].search(
            [("partner_id", "=", self.debtor.id), ("move_type", "=", "out_invoice")]
        )
        self.start_tour(
            "/odoo/action-account_credit_collection.credit_collection_case_action/"
            f"{case.id}",
            "credit_collection_manager_write_off",
            login="tour_manager",
        )
        writeoff = self.env["credit.writeoff"].search([("case_id", "=", case.id)])
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(
            writeoff.reason, "Liquidation: the liquidator confirms no dividend"
        )
        self.assertAlmostEqual(writeoff.amount, 300.0)
        self.assertEqual(writeoff.account_id, accounts["bad_debt"])
        self.assertEqual(invoice.payment_state, "paid")
        case.invalidate_recordset()
        self.assertEqual(
            case.stage_id, self.env.ref("account_credit_collection.stage_written_off")
        )
        stop = self.env["credit.hold"]._active_stops(self.debtor, self.company)
        self.assertEqual(stop.stop_cause, "written_off")

    def test_h_collector_logs_a_call_with_a_promise_from_my_day(self):
        case = self.debtor_case
        self.start_tour(
            "/odoo/action-account_credit_collection.credit_collection_my_day_action",
            "credit_collection_my_day_log_call",
            login="tour_collector",
        )
        case.invalidate_recordset()
        log = case.contact_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.kind, log.outcome, log.user_id, log.note),
            ("call", "promised", self.collector, "Will pay by transfer next week"),
        )
        promise = log.promise_id
        self.assertEqual(promise.case_id, case)
        self.assertEqual(promise.amount, 250.0)
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.user_id, self.collector)
        self.assertEqual(case.last_contact_date, log.date)
        self.assertEqual(case.last_contact_outcome, "promised")
        self.assertEqual(case.last_contact_user_id, self.collector)
