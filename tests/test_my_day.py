# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""My Day (issue #19): the collector's cases in the order of the day — calls
due, promises and instalments due, new overdue items since the last human
contact, then the worklist."""

from datetime import timedelta

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestMyDay(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.write({"use_credit_limit": False})
        cls.Case = cls.env["credit.collection.case"]
        cls.other_collector = new_test_user(
            cls.env,
            "ccol_other_collector",
            groups="account_credit_collection.group_user",
            company_id=cls.company.id,
        )

    def _case(self, name, overdue_days=20, amount=400.0, user=None, due_days=None):
        partner = self._customer(name)
        invoice = (
            self._invoice(partner, amount, due_days=due_days)
            if due_days is not None
            else self._invoice(partner, amount, overdue_days=overdue_days)
        )
        self.env.flush_all()
        self.Case._update_cases(self.company, partner)
        case = self.Case.search([("partner_id", "=", partner.id)])
        case.user_id = user or self.collector
        return case, invoice

    def _log(self, case, days_ago):
        return (
            self.env["credit.collection.contact"]
            .with_user(self.collector)
            .create(
                {
                    "case_id": case.id,
                    "outcome": "reached",
                    "date": self.today - timedelta(days=days_ago),
                }
            )
        )

    def _my_day(self, user=None):
        self.env.invalidate_all()
        rows = self.env["credit.collection.my.day"].with_user(user or self.collector)
        return [(row.case_id, row.section) for row in rows.search([])]

    def test_sections_in_the_order_of_the_day(self):
        # a call due yesterday, on another collector's case: still mine
        called, _inv = self._case("MD Call", user=self.other_collector)
        self._log(called, 0)
        called.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.today - timedelta(days=1),
            user_id=self.collector.id,
        )
        # a promise due today
        promised, inv = self._case("MD Promise")
        self._log(promised, 0)
        self.env["credit.promise"].with_user(self.collector).create(
            {
                "case_id": promised.id,
                "amount": 400.0,
                "date": self.today,
                "invoice_ids": [Command.set(inv.ids)],
            }
        )
        # an instalment due today on an approved arrangement
        arranged, inv = self._case("MD Arrangement")
        self._log(arranged, 0)
        arrangement = (
            self.env["credit.arrangement"]
            .with_user(self.collector)
            .create(
                {
                    "case_id": arranged.id,
                    "invoice_ids": [Command.set(inv.ids)],
                    "down_payment": 0.0,
                    "line_ids": [
                        Command.create({"date": self.today, "amount": 200.0}),
                        Command.create(
                            {"date": self.today + timedelta(days=30), "amount": 200.0}
                        ),
                    ],
                }
            )
        )
        arrangement.sudo().state = "active"
        # called ten days ago, an invoice fallen due three days ago since
        fresh, _inv = self._case("MD Fresh", overdue_days=30)
        self._log(fresh, 10)
        self._invoice(fresh.partner_id, 50.0, overdue_days=3)
        # never called, overdue
        never, _inv = self._case("MD Never", overdue_days=5)
        # called today: the worklist; and a case not due yet
        worked, _inv = self._case("MD Worked", overdue_days=40)
        self._log(worked, 0)
        not_due, _inv = self._case("MD Not Due", due_days=10)
        # another collector's case stays off my day
        theirs, _inv = self._case("MD Theirs", user=self.other_collector)
        self.env.flush_all()
        rows = dict(self._my_day())
        self.assertEqual(rows[called], "1_call")
        self.assertEqual(rows[promised], "2_due")
        self.assertEqual(rows[arranged], "2_due")
        self.assertEqual(rows[fresh], "3_new")
        self.assertEqual(rows[never], "3_new")
        self.assertEqual(rows[worked], "4_worklist")
        self.assertEqual(rows[not_due], "4_worklist")
        self.assertNotIn(theirs, rows)
        sections = [section for _case, section in self._my_day()]
        self.assertEqual(sections, sorted(sections))
        # the other collector sees their own case, not mine
        theirs_rows = dict(self._my_day(self.other_collector))
        self.assertIn(theirs, theirs_rows)
        self.assertNotIn(worked, theirs_rows)
        # a call due tomorrow is not today's: the promise's case keeps its section
        promised.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.today + timedelta(days=1),
            user_id=self.collector.id,
        )
        self.assertEqual(dict(self._my_day())[promised], "2_due")

    def test_worklist_in_its_order_and_grouped_by_section(self):
        cases = [self._case(f"MD Rank {i}", overdue_days=20 + i)[0] for i in range(3)]
        for case in cases:
            self._log(case, 0)
        self.env.flush_all()
        rows = (
            self.env["credit.collection.my.day"]
            .with_user(self.collector)
            .search([("case_id", "in", [c.id for c in cases])])
        )
        ranked = sorted(cases, key=lambda c: (-c.amount_loss_avoided, c.id))
        self.assertEqual(rows.case_id, self.Case.union(*ranked))
        groups = (
            self.env["credit.collection.my.day"]
            .with_user(self.collector)
            .formatted_read_group([], ["section"], ["__count"])
        )
        self.assertIn("4_worklist", [group["section"] for group in groups])

    def test_log_call_from_my_day(self):
        case, _inv = self._case("MD Log")
        row = (
            self.env["credit.collection.my.day"]
            .with_user(self.collector)
            .search([("case_id", "=", case.id)])
        )
        self.assertEqual(row.section, "3_new")
        action = row.action_log_call()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.collector)
            .with_context(**action["context"])
            .create({"outcome": "reached"})
        )
        wizard.action_log()
        # a new request reads the rows afresh
        self.env.invalidate_all()
        row = (
            self.env["credit.collection.my.day"]
            .with_user(self.collector)
            .search([("case_id", "=", case.id)])
        )
        self.assertEqual(row.section, "4_worklist")
