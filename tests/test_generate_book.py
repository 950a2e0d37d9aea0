# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo/benchmark book generator (tests/book_generator.py, run by
tools/generate_book.py) produces a
consistent book whose open items follow the requested aging distribution."""

from collections import Counter, defaultdict
from datetime import date

from lxml import etree

from odoo.fields import Domain
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from . import book_generator as gen
from .common import case_snapshot

AS_OF = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestGenerateBook(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.aging = {
            "not_due": 30,
            "1_30": 20,
            "31_60": 10,
            "61_90": 10,
            "91_180": 10,
            "181_365": 10,
            "365_plus": 10,
        }
        cls.summary = gen.generate_book(
            cls.env,
            gen.BookParams(
                customers=16,
                invoices=200,
                seed=7,
                as_of=AS_OF,
                open_share=0.4,
                aging=cls.aging,
                orders=8,
                name_prefix="[T] ",
            ),
        )
        cls.main = cls.env.company
        cls.second = cls.env["res.company"].search(
            [("name", "=", "Credit Demo Europe")], limit=1
        )
        behaviour_of = {}
        for behaviour, ids in cls.summary["customer_ids"].items():
            for pid in ids:
                behaviour_of[pid] = behaviour
        cls.behaviour_of = behaviour_of
        cls.partners = cls.env["res.partner"].browse(list(behaviour_of))

    def _open_invoices(self, company):
        return self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", self.partners.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )

    def test_open_invoices_follow_the_requested_aging(self):
        planned = self.summary["companies"][self.main.name]["planned_open"]
        self.assertEqual(sum(planned.values()), 80)  # 40 % of 200
        self.assertEqual(planned, gen.plan_bucket_counts(80, self.aging))
        for company in (self.main, self.second):
            with self.subTest(company=company.name):
                found = Counter(
                    gen.bucket_of((AS_OF - inv.invoice_date_due).days)
                    for inv in self._open_invoices(company)
                )
                expected = self.summary["companies"][company.name]["planned_open"]
                self.assertEqual(dict(found), {k: v for k, v in expected.items() if v})
        # every aging bucket holds open items in the main company
        self.assertTrue(all(planned[code] > 0 for code in gen.BUCKET_CODES))

    def test_receivable_balance_equals_open_items(self):
        """Per customer and company, the receivable balance equals the sum of
        the residuals of its open receivable items: every payment and credit
        note is reconciled consistently."""
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "in", self.partners.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertTrue(lines)
        balance = defaultdict(float)
        residual = defaultdict(float)
        for line in lines:
            key = (line.partner_id.id, line.company_id.id)
            balance[key] += line.balance
            residual[key] += line.amount_residual
            if line.reconciled:
                self.assertTrue(line.company_currency_id.is_zero(line.amount_residual))
        for key, value in balance.items():
            currency = self.env["res.company"].browse(key[1]).currency_id
            self.assertAlmostEqual(
                value, residual[key], places=currency.decimal_places, msg=str(key)
            )
        # paid invoices are fully reconciled
        paid = self.env["account.move"].search(
            [("partner_id", "in", self.partners.ids), ("payment_state", "=", "paid")]
        )
        self.assertTrue(paid)
        self.assertTrue(all(m.currency_id.is_zero(m.amount_residual) for m in paid))

    def test_open_items_match_payment_behaviour(self):
        for inv in self._open_invoices(self.main) | self._open_invoices(self.second):
            behaviour = self.behaviour_of[inv.partner_id.id]
            bucket = gen.bucket_of((AS_OF - inv.invoice_date_due).days)
            self.assertIn(bucket, gen.BEHAVIOURS[behaviour]["open"], inv.name)
        counts = self.summary["customers"]
        self.assertEqual(sum(counts.values()), 16)
        self.assertTrue(all(counts.get(b) for b in gen.BEHAVIOURS))

    def test_book_has_partials_credits_payments_currency_orders(self):
        info = self.summary["companies"][self.main.name]
        partial = self._open_invoices(self.main).filtered(
            lambda m: m.payment_state == "partial"
        )
        self.assertEqual(len(partial), info["partial_payments"])
        self.assertTrue(partial)
        # unapplied credit notes stay open; applied ones are reconciled
        refunds = self.env["account.move"].search(
            [
                ("company_id", "=", self.main.id),
                ("partner_id", "in", self.partners.ids),
                ("move_type", "=", "out_refund"),
                ("state", "=", "posted"),
            ]
        )
        self.assertEqual(len(refunds), info["credit_notes"])
        open_refunds = refunds.filtered(lambda m: m.payment_state == "not_paid")
        self.assertEqual(len(open_refunds), info["credit_notes_unapplied"])
        # payments on account: posted, receivable line not reconciled
        on_account = self.env["account.payment"].search(
            [
                ("company_id", "=", self.main.id),
                ("partner_id", "in", self.partners.ids),
                ("memo", "=", "Payment on account"),
            ]
        )
        self.assertEqual(len(on_account), info["unapplied_payments"])
        self.assertTrue(on_account)
        for pay in on_account:
            receivable = pay.move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            self.assertFalse(receivable.reconciled)
        # the foreign-currency customer is invoiced in EUR, residual converted
        foreign = self.env["account.move"].search(
            [
                ("company_id", "=", self.main.id),
                ("partner_id", "in", info["foreign_customers"]),
                ("move_type", "=", "out_invoice"),
            ]
        )
        self.assertTrue(foreign)
        self.assertEqual(set(foreign.currency_id.mapped("name")), {"EUR"})
        self.assertEqual(self.main.currency_id.name, "USD")
        inv = foreign[0]
        self.assertNotAlmostEqual(
            inv.amount_total, abs(inv.amount_total_signed), places=2
        )
        # orders: confirmed and quotations
        orders = self.env["sale.order"].search(
            [("partner_id", "in", self.partners.ids), ("company_id", "=", self.main.id)]
        )
        states = Counter(orders.mapped("state"))
        self.assertEqual(states["sale"], info["sale_orders"])
        self.assertEqual(states["draft"], info["quotations"])
        self.assertTrue(states["sale"])
        # second company: its own currency and book
        self.assertEqual(self.second.currency_id.name, "EUR")
        self.assertTrue(self._open_invoices(self.second))

    def test_overdue_menu_lists_exactly_the_overdue_invoices(self):
        action = self.env.ref("account_credit_collection.account_move_action_overdue")
        arch = etree.fromstring(
            self.env["account.move"].get_view(action.search_view_id.id, "search")[
                "arch"
            ]
        )
        default_filters = [
            key.removeprefix("search_default_")
            for key in safe_eval(action.context)
            if key.startswith("search_default_")
        ]
        domain = Domain(safe_eval(action.domain))
        for name in default_filters:
            node = arch.xpath(f"//filter[@name='{name}']")[0]
            domain &= Domain(safe_eval(node.get("domain")))
        # 'today' in the filter is resolved by the ORM at the real date
        found = self.env["account.move"].search(
            domain & Domain("partner_id", "in", self.partners.ids)
        )
        expected = (
            self._open_invoices(self.main) | self._open_invoices(self.second)
        ).filtered(lambda m: m.invoice_date_due < date.today())
        self.assertEqual(found, expected)
        self.assertTrue(found)

    def test_scheduler_matches_event_driven_cases_on_the_book(self):
        """The cases the events built while the book was posted and paid are
        exactly what the daily scheduler computes; a second run changes
        nothing."""
        self.env.cr.flush()  # run the event-driven updates queued for commit
        Case = self.env["credit.collection.case"].with_context(active_test=False)
        cases = Case.search([("partner_id", "in", self.partners.ids)])
        self.assertTrue(cases)
        event_driven = case_snapshot(self.partners)
        Case._cron_update_cases()
        self.assertEqual(case_snapshot(self.partners), event_driven)
        for company in (self.main, self.second):
            self.assertFalse(Case._update_cases(company, self.partners))
        # every customer with open receivables has a case in each company
        for company in (self.main, self.second):
            with_items = self._open_invoices(company).commercial_partner_id
            with_cases = cases.filtered(
                lambda c, co=company: c.company_id == co and c.active
            ).partner_id
            self.assertLessEqual(with_items, with_cases)

    def test_params_are_validated(self):
        with self.assertRaisesRegex(ValueError, "customers must be at least"):
            gen.BookParams(customers=2, invoices=10).validate()
        with self.assertRaisesRegex(ValueError, "unknown aging buckets"):
            gen.BookParams(aging={"2_weeks": 1}).validate()
        counts = gen.plan_bucket_counts(7, gen.DEFAULT_AGING)
        self.assertEqual(sum(counts.values()), 7)
