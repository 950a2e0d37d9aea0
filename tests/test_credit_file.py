# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's credit file: payment habits from a generated history
(checked against figures computed by hand), contact roles, and the suggested
tier (appears, applied, dismissed; who may; per company; bad rules)."""

from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError, ValidationError

from .common import CreditCollectionCommon, make_invoice


def in_payment(self):
    return "in_payment"


class TestCreditFile(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Habit = cls.env["credit.payment.habit"]
        cls.T = cls.today
        cls.new_tier = cls.env["credit.collection.policy"].create(
            {"name": "Watch list", "company_id": cls.company.id}
        )

    # ------------------------------------------------------------------ helpers
    def _inv(self, partner, amount, invoiced_ago, due_ago, company=None):
        return make_invoice(
            self.env,
            partner,
            amount,
            self.T - timedelta(days=due_ago),
            invoice_date=self.T - timedelta(days=invoiced_ago),
            company=company,
        )

    def _pay_on(self, invoice, days_ago, with_entry=True):
        """A payment dated ``days_ago`` through the register-payment wizard:
        with a journal entry (reconciled) or without (matched payments)."""
        journal = self._outstanding_journal() if with_entry else self.bank_journal
        if not with_entry:  # as with Accounting: no entry without an account
            Move = type(self.env["account.move"])
            with patch.object(Move, "_get_invoice_in_payment_state", in_payment):
                payment = self._pay_on_journal(invoice, days_ago, journal)
            self.assertFalse(payment.move_id)
            self.assertIn(invoice.payment_state, ("in_payment", "paid"))
            self.assertEqual(invoice.matched_payment_ids, payment)
            return payment
        return self._pay_on_journal(invoice, days_ago, journal)

    def _pay_on_journal(self, invoice, days_ago, journal):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": invoice.amount_residual,
                    "journal_id": journal.id,
                    "payment_date": self.T - timedelta(days=days_ago),
                }
            )
            ._create_payments()
        )

    def _credit_note(self, invoice, amount, days_ago):
        refund = make_invoice(
            self.env,
            invoice.partner_id,
            amount,
            self.T - timedelta(days=days_ago),
            move_type="out_refund",
        )
        (invoice.line_ids | refund.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        return refund

    def _refresh(self, partner, company=None):
        company = company or self.company
        self.Habit._refresh(company, partner.ids, self.T)
        return self.Habit.search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )

    def _rule(self, **vals):
        return self.env["credit.tier.suggestion.rule"].create(
            dict(
                {
                    "company_id": self.company.id,
                    "metric": "days_beyond_terms",
                    "operator": ">",
                    "threshold": 20,
                    "months": 1,
                    "policy_id": self.new_tier.id,
                    "sequence": 1,
                },
                **vals,
            )
        )

    def _history(self, partner):
        """Six invoices (amounts 100..600) with known dates, see the test."""
        inv1 = self._inv(partner, 100, 100, 70)
        self._pay_on(inv1, 60)  # 10 days late, 40 days to pay
        inv2 = self._inv(partner, 200, 80, 50)
        self._pay_on(inv2, 50, with_entry=False)  # on time, 30 days to pay
        self._inv(partner, 300, 60, 30)  # open, 30 days late today
        inv4 = self._inv(partner, 400, 40, 20)
        self._credit_note(inv4, 400, 10)  # 10 days late, 30 days to pay
        self._inv(partner, 500, 10, -20)  # not due yet: not counted
        inv6 = self._inv(partner, 600, 130, 100)
        self._pay_on(inv6, 5)  # 95 days late, 125 days to pay

    # ------------------------------------------------------------------ habits
    def test_habits_hand_computed(self):
        partner = self._customer("Habits Ltd")
        self._history(partner)
        habit = self._refresh(partner)
        # items due in the last 12 months: late 10, 0, 30, 10, 95
        self.assertAlmostEqual(habit.days_beyond_terms, (10 + 0 + 30 + 10 + 95) / 5)
        self.assertAlmostEqual(habit.late_share, 80.0)
        # settled: 40, 30, 30, 125 days from invoice to settlement
        self.assertAlmostEqual(habit.avg_days_to_pay, (40 + 30 + 30 + 125) / 4)
        # 3 months ago only inv6 was due (100 days ago), open then
        ref3 = self.T - relativedelta(months=3)
        late3 = (ref3 - (self.T - timedelta(days=100))).days
        self.assertAlmostEqual(habit.days_beyond_terms_3m, late3)
        self.assertEqual(habit.history["late_share"]["3"], 100.0)
        self.assertNotIn("3", habit.history.get("avg_days_to_pay", {}))
        self.assertEqual(habit.trend, "worsening")  # 29 now, ~10 before
        # running balance: 600, 700, 900, 1100 (+300 -100), 1500,
        # 1600 (+500 -400), 1000 (-600); inv2's payment books no entry
        self.assertAlmostEqual(habit.largest_balance, 1600.0)
        self.assertEqual(habit.broken_promises, 0)
        self.assertEqual(habit.date_computed, self.T)
        # the partner shows them in the current company
        self.assertAlmostEqual(partner.credit_habit_late_share, 80.0)

    def test_daily_cron_refreshes_every_customer(self):
        partner = self._customer("Cron Ltd")
        self._inv(partner, 100, 60, 40)
        self._rule()
        self.Habit._cron_refresh()
        habit = self.Habit.search([("partner_id", "=", partner.id)])
        self.assertEqual(habit.suggested_policy_id, self.new_tier)
        self.assertIn(
            partner,
            self.env["res.partner"].search([("credit_tier_suggested", "=", True)]),
        )

    def test_refresh_queries_do_not_grow_with_customers(self):
        """Grouped queries: as many queries for three customers as for one."""
        partners = [self._customer(f"Batch {n} Ltd") for n in range(3)]
        for partner in partners:
            self._inv(partner, 100, 60, 40)
        self._rule()
        counts = []
        for batch in (partners[:1], partners):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Habit._refresh(self.company, [p.id for p in batch], self.T)
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])

    def test_no_history_and_refresh_candidates(self):
        partner = self._customer("Quiet Ltd")
        habit = self._refresh(partner)
        self.assertFalse(habit.trend)
        self.assertEqual(habit.days_beyond_terms, 0.0)
        self._inv(partner, 100, 10, 5)
        candidates = self.Habit._refresh_candidates(self.company, self.T)
        self.assertNotIn(partner.id, candidates)  # refreshed today
        self.Habit._refresh_candidates(self.company, self.T + timedelta(days=1))
        self.assertIn(
            partner.id,
            self.Habit._refresh_candidates(self.company, self.T + timedelta(days=1)),
        )

    def test_habits_per_company(self):
        other = self.env["res.company"].create({"name": "Habits Other Co"})
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=other, install_demo=False
        )
        partner = self._customer("Two Books Ltd")
        self._inv(partner, 100, 60, 40)  # open 40 days late in the main company
        self._inv(partner, 100, 20, 10, company=other)  # 10 days late there
        habit = self._refresh(partner)
        habit_other = self._refresh(partner, other)
        self.assertAlmostEqual(habit.days_beyond_terms, 40)
        self.assertAlmostEqual(habit_other.days_beyond_terms, 10)
        self.assertAlmostEqual(
            partner.with_company(other).credit_habit_days_beyond_terms, 10
        )
        # a user of the main company alone does not see the other's habits
        self.assertNotIn(habit_other, self.Habit.with_user(self.collector).search([]))

    # ------------------------------------------------------------------ suggestion
    def test_suggestion_appears_applied_and_recorded(self):
        partner = self._customer("Late Payer Ltd")
        self._inv(partner, 100, 60, 40)  # 40 days beyond terms now
        self._rule()
        habit = self._refresh(partner)
        self.assertEqual(habit.suggested_policy_id, self.new_tier)
        self.assertIn("40", habit.suggestion_reason)
        self.assertIn(
            partner,
            self.env["res.partner"].search([("credit_tier_suggested", "=", True)]),
        )
        as_manager = partner.with_user(self.manager)
        as_manager.action_credit_apply_tier_suggestion()
        self.assertEqual(partner.credit_policy_id, self.new_tier)
        self.assertFalse(habit.suggested_policy_id)
        message = partner.message_ids[0]
        self.assertIn("Watch list", message.body)
        self.assertIn("Test tier", message.body)
        self.assertIn("Days beyond terms", message.body)
        # and logged as the manager's credit decision (the tier's own log)
        decision = partner.message_ids.filtered(lambda m: "Credit decision" in m.body)[
            0
        ]
        self.assertIn("Watch list", decision.body)
        self.assertEqual(decision.author_id, self.manager.partner_id)
        # the customer is in the suggested tier: nothing to suggest
        habit = self._refresh(partner)
        self.assertFalse(habit.suggested_policy_id)

    def test_suggestion_needs_the_months(self):
        partner = self._customer("Recent Ltd")
        self._inv(partner, 100, 60, 40)  # nothing was due a month ago
        self._rule(months=2)
        self.assertFalse(self._refresh(partner).suggested_policy_id)
        self._inv(partner, 100, 90, 70)  # due 70 days ago: late 1 month ago too
        self.assertEqual(self._refresh(partner).suggested_policy_id, self.new_tier)

    def test_dismissal(self):
        partner = self._customer("Dismissed Ltd")
        self._inv(partner, 100, 60, 40)
        rule = self._rule()
        habit = self._refresh(partner)
        habit.with_user(self.manager).action_dismiss_suggestion()
        self.assertFalse(habit.suggested_policy_id)
        self.assertEqual(habit.dismissed_rule_id, rule)
        self.assertIn("dismissed", partner.message_ids[0].body)
        self.assertFalse(self._refresh(partner).suggested_policy_id)  # not again
        # the suggestion changes: suggested again
        rule.threshold = 50
        self._rule(threshold=30, sequence=2, policy_id=self.tier.copy().id)
        self.assertTrue(self._refresh(partner).suggested_policy_id)

    def test_only_managers_apply(self):
        partner = self._customer("Access Ltd")
        self._inv(partner, 100, 60, 40)
        self._rule()
        habit = self._refresh(partner)
        for user in (self.salesman, self.collector):
            self.assertEqual(
                partner.with_user(user).credit_suggested_policy_id, self.new_tier
            )
            with self.assertRaises(AccessError):
                partner.with_user(user).action_credit_apply_tier_suggestion()
            with self.assertRaises(AccessError):
                habit.with_user(user).action_dismiss_suggestion()
            with self.assertRaises(AccessError):
                habit.with_user(user).write({"suggested_policy_id": False})
        self.assertEqual(partner.credit_policy_id, self.tier)
        self.assertEqual(habit.suggested_policy_id, self.new_tier)

    def test_bad_rules(self):
        for vals in (
            {"months": 0},
            {"months": 7},
            {"threshold": -1},
            {"metric": "late_share", "threshold": 120},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self._rule(**vals)

    def test_shipped_rules(self):
        rules = self.env["credit.tier.suggestion.rule"].search(
            [("company_id", "=", self.company.id)]
        )
        new = self.company.credit_unvetted_policy_id
        dbt = rules.filtered(
            lambda r: r.metric == "days_beyond_terms" and r.months == 3
        )
        self.assertEqual(dbt.policy_id, new)
        self.assertEqual((dbt.operator, dbt.threshold), (">", 30))

    # ------------------------------------------------------------------ contacts
    def test_contact_roles(self):
        partner = self._customer("Roles Ltd")
        payer = self.env["res.partner"].create(
            {"name": "Pat Payer", "parent_id": partner.id}
        )
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        partner.write(
            {
                "credit_ap_contact_id": payer.id,
                "credit_decision_maker_id": payer.id,
                "credit_preferred_channel": "phone",
                "credit_file_note": "Call on Mondays",
            }
        )
        for bad in (stranger, partner):
            with self.subTest(bad=bad.name), self.assertRaises(ValidationError):
                partner.credit_ap_contact_id = bad
        case = self.env["credit.collection.case"].create(
            {"partner_id": partner.id, "company_id": self.company.id}
        )
        self.assertEqual(case.credit_ap_contact_id, payer)
        self.assertEqual(case.credit_preferred_channel, "phone")
        self._inv(partner, 100, 60, 40)
        self._refresh(partner)
        case.invalidate_recordset()
        self.assertAlmostEqual(case.habit_days_beyond_terms, 40)

    def test_broken_promises_counted(self):
        partner = self._customer("Promises Ltd")
        invoice = self._inv(partner, 100, 60, 40)
        case = self.env["credit.collection.case"].create(
            {"partner_id": partner.id, "company_id": self.company.id}
        )
        Promise = (
            self.env["credit.promise"]
            .sudo()
            .with_context(credit_promise_of_arrangement=True)
        )
        for days_ago in (10, 20, 400):  # the last one is too old
            Promise.create(
                {
                    "case_id": case.id,
                    "amount": 10,
                    "date": self.T - timedelta(days=days_ago),
                    "date_deadline": self.T - timedelta(days=days_ago),
                    "invoice_ids": [Command.set(invoice.ids)],
                    "residual_at_promise": 10,
                    "state": "broken",
                }
            )
        self.assertEqual(self._refresh(partner).broken_promises, 2)
