# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Figures that reconcile (issue #18): a property-based harness.

Random sequences of real accounting operations (invoices with instalments in
two currencies, on a customer or its contact, in the company or its branch;
payments with and without journal entry, on the customer or a contact;
credit notes; bank statement lines; disputes; reset to draft, cancel;
unreconcile; the date moving forward) run through the ORM on PostgreSQL.
After every step the figures of the addon (exposure, its one-customer twin,
the cases' figures, the over-limit search, the ledger's drift) are compared
with an **oracle written here** from Odoo's own journal items: their
commercial partner, residual in company currency and due date.

``make test`` runs a bounded, reproducible run (``CREDIT_HARNESS_EXAMPLES``
examples, default 200, of at most ``CREDIT_HARNESS_STEPS`` steps, seed
``CREDIT_HARNESS_SEED``, default 18); ``make fuzz`` runs thousands with a
random seed and prints it on failure. Each example runs in a savepoint,
rolled back after it.
"""

import os
from collections import defaultdict
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from ..models.aging import aging_bucket_key
from .common import CreditCollectionCommon

try:
    from hypothesis import HealthCheck, seed, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import (
        RuleBasedStateMachine,
        get_state_machine_test,
        initialize,
        invariant,
        precondition,
        rule,
    )
except ImportError:  # the installed wheel's tests: no dev dependencies
    RuleBasedStateMachine = None

EXAMPLES = int(os.environ.get("CREDIT_HARNESS_EXAMPLES", 200))
STEPS = int(os.environ.get("CREDIT_HARNESS_STEPS", 4))
SEED = int(os.environ.get("CREDIT_HARNESS_SEED", 18))

PAID_STATES = ("in_payment", "paid")


def _r(amount):
    return round(amount or 0.0, 2)


@tagged("post_install", "-at_install")
class TestFiguresHarness(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.branch = env["res.company"].create(
            {"name": "Harness branch", "parent_id": cls.company.id}
        )
        cls.env = env = env(
            context=dict(
                env.context,
                allowed_company_ids=(cls.company | cls.branch).ids,
            )
        )
        cls.companies = cls.company | cls.branch
        eur = env.ref("base.EUR")
        eur.active = True
        other = eur if cls.currency != eur else env.ref("base.USD")
        other.active = True
        env["res.currency.rate"].create(
            {
                "currency_id": other.id,
                "company_id": cls.company.id,
                "name": cls.today - timedelta(days=400),
                "rate": 0.8,
            }
        )
        cls.currencies = cls.currency | other
        cls.terms = [env["account.payment.term"]] + [
            env["account.payment.term"].create(
                {
                    "name": name,
                    "line_ids": [
                        Command.create(
                            {"value": "percent", "value_amount": pct, "nb_days": days}
                        )
                        for pct, days in parts
                    ],
                }
            )
            for name, parts in (
                ("Harness 50/50", ((50.0, 0), (50.0, 30))),
                ("Harness 30/30/40", ((30.0, 15), (30.0, 45), (40.0, 90))),
            )
        ]
        cls.limit_tier = env["credit.collection.policy"].create(
            {
                "name": "Harness limit",
                "company_id": cls.company.id,
                "use_credit_limit": True,
                "credit_limit_mode": "block",
                "default_credit_limit": 1500.0,
                "use_overdue_amount": False,
                "use_overdue_days": False,
            }
        )
        cls.customers = env["res.partner"]
        cls.contacts = env["res.partner"]
        for name in ("Harness A", "Harness B"):
            customer = env["res.partner"].create({"name": name, "is_company": True})
            for company in cls.companies:
                customer.with_company(company).credit_policy_id = cls.limit_tier
            cls.customers |= customer
            cls.contacts |= env["res.partner"].create(
                {"name": f"{name} contact", "parent_id": customer.id}
            )
        # a branch books in its parent's journals (core's branches)
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        with_entry = bank.copy({"name": "Harness outstanding", "code": "HOUT"})
        with_entry.inbound_payment_method_line_ids.payment_account_id = env[
            "account.account"
        ].create(
            {
                "name": "Harness outstanding receipts",
                "code": "101998",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        cls.journals = dict.fromkeys(
            cls.companies.ids, {"plain": bank, "entry": with_entry}
        )
        cls.env.flush_all()

    def setUp(self):
        super().setUp()
        self.addCleanup(self.env.cr.precommit.clear)

    # ------------------------------------------------------------ the oracle
    def oracle(self, today):
        """The figures from Odoo's journal items and documents: {(customer,
        company): {...}}."""
        env = self.env
        env.invalidate_all()
        expected = defaultdict(
            lambda: {
                "not_due": 0.0,
                "overdue": 0.0,
                "credits": 0.0,
                "draft": 0.0,
                "in_payment": 0.0,
                "disputed": 0.0,
                "oldest_due_date": False,
                "residual": 0.0,
                "items": 0,
                "worst_due": False,
                "expected": 0.0,
                "buckets": defaultdict(float),
            }
        )
        curves = {
            company.id: env["credit.collectability.curve"]._get_active(company)
            for company in self.companies
        }
        lines = env["account.move.line"].search(
            [
                ("company_id", "in", self.companies.ids),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("partner_id", "!=", False),
                ("reconciled", "=", False),
            ]
        )
        lines = lines.filtered(
            lambda line: line.move_id.payment_state not in PAID_STATES
            and line.amount_residual
        )  # not paid or being paid (a payment without entry)
        # a dispute is its invoice's: capped at what the invoice owes on its
        # open items, spread over them in proportion to their residuals
        owed = defaultdict(float)
        for line in lines:
            owed[line.move_id] += max(line.amount_residual, 0.0)
        for line in lines:
            move = line.move_id
            residual = line.amount_residual
            key = (line.partner_id.commercial_partner_id.id, line.company_id.id)
            fig = expected[key]
            due = line.date_maturity or line.date
            fig["residual"] += residual
            fig["items"] += 1
            # the aging table: each item by its own due date, credits not due
            bucket = aging_bucket_key((today - due).days) if residual > 0 else "not_due"
            fig["buckets"][bucket] += residual
            curve = curves[line.company_id.id]
            if curve.basis == "credit_age":
                age = (today - (move.invoice_date or line.date)).days
            else:
                age = (today - due).days
            if residual > 0:
                fig["expected"] += residual * curve._probability(age)
                dispute = (
                    min(move.credit_dispute_amount, owed[move]) * residual / owed[move]
                )
                fig["disputed"] += dispute
                if due < today:
                    fig["overdue"] += residual
                    if not fig["oldest_due_date"] or due < fig["oldest_due_date"]:
                        fig["oldest_due_date"] = due
                else:
                    fig["not_due"] += residual
                if dispute < residual - 0.005 and (
                    not fig["worst_due"] or due < fig["worst_due"]
                ):
                    fig["worst_due"] = due
            else:
                fig["expected"] += residual
                fig["credits"] += residual
        drafts = env["account.move"].search(
            [
                ("company_id", "in", self.companies.ids),
                ("state", "=", "draft"),
                ("move_type", "in", ("out_invoice", "out_refund")),
            ]
        )
        for move in drafts:
            key = (move.commercial_partner_id.id, move.company_id.id)
            expected[key]["draft"] += move.amount_total_signed
        payments = env["account.payment"].search(
            [
                ("company_id", "in", self.companies.ids),
                ("move_id", "=", False),
                ("state", "=", "in_process"),
                ("payment_type", "=", "inbound"),
            ]
        )
        for payment in payments:
            if any(inv.payment_state in PAID_STATES for inv in payment.invoice_ids):
                continue
            key = (payment.partner_id.commercial_partner_id.id, payment.company_id.id)
            expected[key]["in_payment"] -= payment.amount_company_currency_signed
        return expected

    EXPOSURE_KEYS = ("not_due", "overdue", "credits", "draft", "in_payment")

    def exposure_of(self, expected, customer, company):
        """The oracle's exposure of ``customer`` in ``company``: the open
        items of every company of its tree (the company and its branch, as
        Odoo's partner credit), the open documents of ``company``."""
        tree = self.companies.filtered(lambda c: c.root_id == company.root_id)
        exp = {"draft": 0.0, "in_payment": 0.0}
        for key in ("draft", "in_payment"):
            exp[key] = expected[(customer.id, company.id)][key]
        for key in ("not_due", "overdue", "credits", "disputed", "items"):
            exp[key] = sum(expected[(customer.id, c.id)][key] for c in tree)
        dates = [
            expected[(customer.id, c.id)]["oldest_due_date"]
            for c in tree
            if expected[(customer.id, c.id)]["oldest_due_date"]
        ]
        exp["oldest_due_date"] = min(dates) if dates else False
        exp["total"] = _r(sum(exp[k] for k in self.EXPOSURE_KEYS))
        return exp

    def check(self, today):
        env = self.env(context=dict(self.env.context, credit_collection_date=today))
        expected = self.oracle(today)
        self.assertEqual(env["credit.exposure.entry"]._drift(), [], "ledger drift")
        Case = env["credit.collection.case"]
        for company in self.companies:
            exposures = self.customers.with_env(env)._credit_exposure(company)
            case_figures = Case._case_figures(company)
            agings = Case.concat(
                *(
                    Case.new({"partner_id": customer.id, "company_id": company.id})
                    for customer in self.customers
                )
            )._aging_amounts(company, today)
            expected_over = set()
            for customer in self.customers:
                where = f"{customer.name} in {company.name} on {today}"
                # the exposure, and its one-customer twin of the confirmation
                exp = self.exposure_of(expected, customer, company)
                got = exposures.get(customer.id)
                if got is None:
                    self.assertEqual(exp["total"], 0.0, where)
                    self.assertFalse(exp["items"], where)
                else:
                    for k in self.EXPOSURE_KEYS + ("total", "disputed"):
                        self.assertAlmostEqual(got[k], exp[k], 2, f"{k}: {where}")
                    self.assertEqual(
                        got["oldest_due_date"], exp["oldest_due_date"], where
                    )
                    _partner, one, _batch = customer.with_env(env)._credit_check_data(
                        company
                    )
                    self.assertAlmostEqual(one["total"], exp["total"], 2, where)
                total = exp["total"]
                if not self.limit_tier.count_disputed:
                    total -= exp["disputed"]
                if _r(total - 1500.0) > 0:
                    expected_over.add(customer.id)
                # the case figures: the company's own items
                fig_exp = expected[(customer.id, company.id)]
                fig = case_figures.get(customer.id)
                if not fig_exp["items"]:
                    self.assertFalse(fig, f"case: {where}")
                    continue
                self.assertTrue(fig, f"case: {where}")
                self.assertAlmostEqual(fig["amount_residual"], fig_exp["residual"], 2)
                self.assertAlmostEqual(fig["amount_overdue"], fig_exp["overdue"], 2)
                self.assertEqual(fig["open_item_count"], fig_exp["items"], where)
                self.assertAlmostEqual(fig["amount_disputed"], fig_exp["disputed"], 2)
                self.assertAlmostEqual(fig["amount_expected"], fig_exp["expected"], 2)
                aging = agings.get((customer.id, company.id), {})
                self.assertEqual(
                    {k: _r(v) for k, v in aging.items() if _r(v)},
                    {k: _r(v) for k, v in fig_exp["buckets"].items() if _r(v)},
                    f"aging: {where}",
                )
                worst_due = fig_exp["worst_due"]
                worst = (today - worst_due).days if worst_due else 0
                self.assertEqual(
                    fig["worst_days_overdue"], max(worst, 0), f"worst: {where}"
                )
            # who is over the limit: the SQL search and the oracle agree
            over = (
                env["res.partner"]
                .with_company(company)
                .search(
                    [
                        ("credit_over_limit", "=", True),
                        ("id", "in", self.customers.ids),
                    ]
                )
            )
            self.assertEqual(set(over.ids), expected_over, f"over limit in {company}")

    # --------------------------------------------------------- the harness
    def test_figures_reconcile(self):
        """The harness: ``EXAMPLES`` random sequences of operations, the
        figures checked against the oracle after each step."""
        if RuleBasedStateMachine is None:
            self.skipTest("hypothesis is not installed")
        machine = build_machine(self)
        test = get_state_machine_test(
            machine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                print_blob=True,
                suppress_health_check=list(HealthCheck),
            ),
        )
        try:
            seed(SEED)(test)()
        except Exception as error:
            error.add_note(
                f"figures harness: seed {SEED} (CREDIT_HARNESS_SEED={SEED}"
                f" CREDIT_HARNESS_EXAMPLES={EXAMPLES} reproduces it)"
            )
            raise


def build_machine(case):  # noqa: C901
    """The state machine of ``case`` (a ``TestFiguresHarness``): one example
    is a savepoint, rolled back at its end."""

    env = case.env
    amounts = st.integers(min_value=1, max_value=40).map(lambda n: n * 50.0)
    fractions = st.sampled_from([0.25, 0.5, 1.0])

    class Figures(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.savepoint = env.cr.savepoint()
            self.today = case.today
            self.invoices = env["account.move"]
            self.payments = env["account.payment"]

        def teardown(self):
            self.savepoint.close(rollback=True)
            env.invalidate_all()
            env.cr.precommit.clear()

        # -------------------------------------------------------- helpers
        def _partner(self, index, on_contact):
            return (case.contacts if on_contact else case.customers)[index]

        def _posted(self, states=None):
            moves = self.invoices.filtered(lambda m: m.state == "posted")
            if states:
                moves = moves.filtered(lambda m: m.payment_state in states)
            return moves

        def _receivable(self, move):
            return move.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            )

        # ---------------------------------------------------------- rules
        @initialize(
            index=st.integers(0, 1),
            on_contact=st.booleans(),
            amount=amounts,
            currency=st.integers(0, 1),
            term=st.integers(1, 2),
            days_ago=st.integers(0, 150),
            branch=st.booleans(),
        )
        def first_invoice(
            self, index, on_contact, amount, currency, term, days_ago, branch
        ):
            """Every example starts with an invoice in instalments."""
            self.invoice(
                index, on_contact, amount, currency, term, days_ago, branch, False
            )

        @rule(
            index=st.integers(0, 1),
            on_contact=st.booleans(),
            amount=amounts,
            currency=st.integers(0, 1),
            term=st.integers(0, 2),
            days_ago=st.integers(0, 150),
            branch=st.booleans(),
            refund=st.booleans(),
        )
        def invoice(
            self, index, on_contact, amount, currency, term, days_ago, branch, refund
        ):
            company = case.branch if branch else case.company
            date = self.today - timedelta(days=days_ago)
            vals = {
                "move_type": "out_refund" if refund else "out_invoice",
                "partner_id": self._partner(index, on_contact).id,
                "company_id": company.id,
                "invoice_date": date,
                "date": date,
                "currency_id": case.currencies[currency].id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Harness",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
            if case.terms[term] and not refund:
                vals["invoice_payment_term_id"] = case.terms[term].id
            else:
                vals["invoice_date_due"] = date + timedelta(days=30)
            move = env["account.move"].with_company(company).create(vals)
            move.action_post()
            self.invoices |= move

        @precondition(lambda self: self._posted(("not_paid", "partial")))
        @rule(data=st.data(), fraction=fractions, with_entry=st.booleans())
        def pay(self, data, fraction, with_entry):
            """Register a payment on an open invoice (with the wizard): with
            a journal entry, or without (the invoice in payment)."""
            move = data.draw(
                st.sampled_from(self._posted(("not_paid", "partial"))), "invoice"
            )
            kind = "entry" if with_entry else "plain"
            wizard = (
                env["account.payment.register"]
                .with_company(move.company_id)
                .with_context(active_model="account.move", active_ids=move.ids)
                .create(
                    {
                        "journal_id": case.journals[move.company_id.id][kind].id,
                        "payment_date": self.today,
                    }
                )
            )
            if fraction < 1.0:
                wizard.amount = move.currency_id.round(wizard.amount * fraction)
            if wizard.amount > 0:
                wizard._create_payments()

        @rule(
            index=st.integers(0, 1),
            on_contact=st.booleans(),
            amount=amounts,
            with_entry=st.booleans(),
            branch=st.booleans(),
        )
        def receive(self, index, on_contact, amount, with_entry, branch):
            """Money received on account (not matched to an invoice), from
            the customer or its contact."""
            company = case.branch if branch else case.company
            kind = "entry" if with_entry else "plain"
            payment = (
                env["account.payment"]
                .with_company(company)
                .create(
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": self._partner(index, on_contact).id,
                        "amount": amount,
                        "company_id": company.id,
                        "journal_id": case.journals[company.id][kind].id,
                        "date": self.today,
                    }
                )
            )
            if not with_entry:
                # no outstanding account: no journal entry (Community forces
                # one on a payment created directly)
                payment.outstanding_account_id = False
            payment.action_post()
            self.payments |= payment

        @precondition(lambda self: self._posted(("not_paid", "partial")))
        @rule(data=st.data())
        def apply_credit(self, data):
            """Apply an open credit (credit note, payment) of the customer to
            one of its invoices."""
            move = data.draw(
                st.sampled_from(self._posted(("not_paid", "partial"))), "invoice"
            )
            credits = env["account.move.line"].search(
                [
                    ("company_id", "=", move.company_id.id),
                    ("account_id", "in", self._receivable(move).account_id.ids),
                    (
                        "partner_id.commercial_partner_id",
                        "=",
                        move.commercial_partner_id.id,
                    ),
                    ("reconciled", "=", False),
                    ("parent_state", "=", "posted"),
                    ("amount_residual", "<", 0),
                ]
            )
            if move.move_type == "out_invoice" and credits:
                credit = data.draw(st.sampled_from(credits), "credit")
                move.js_assign_outstanding_line(credit.id)

        @precondition(lambda self: self._posted())
        @rule(data=st.data(), cancel=st.booleans())
        def credit_note(self, data, cancel):
            """Reverse an invoice: a credit note matched with it (cancel) or
            left open."""
            move = data.draw(st.sampled_from(self._posted()), "invoice")
            if move.move_type != "out_invoice":
                return
            reversal = move._reverse_moves(
                [{"invoice_date": self.today, "date": self.today}], cancel=cancel
            )
            if reversal.state == "draft":
                reversal.action_post()
            self.invoices |= reversal

        @precondition(lambda self: self._posted())
        @rule(data=st.data(), on_contact=st.booleans(), fraction=fractions)
        def statement_line(self, data, on_contact, fraction):
            """A bank statement line matched (on the receivable account) with
            an invoice, from the customer or its contact."""
            move = data.draw(st.sampled_from(self._posted()), "invoice")
            if move.move_type != "out_invoice" or not move.amount_residual:
                return
            receivable = self._receivable(move).filtered(
                lambda line: not line.reconciled
            )
            if not receivable:
                return
            partner = move.commercial_partner_id
            if on_contact:
                partner = case.contacts.filtered(lambda c: c.parent_id == partner)
            st_line = (
                env["account.bank.statement.line"]
                .with_company(move.company_id)
                .create(
                    {
                        "journal_id": case.journals[move.company_id.id]["plain"].id,
                        "partner_id": partner.id,
                        "amount": move.company_currency_id.round(
                            abs(move.amount_residual_signed) * fraction
                        ),
                        "date": self.today,
                        "payment_ref": "Harness",
                    }
                )
            )
            _liquidity, suspense, _other = st_line._seek_for_lines()
            st_line.move_id.with_context(skip_readonly_check=True).write(
                {
                    "line_ids": [
                        Command.update(
                            suspense.id,
                            {
                                "account_id": receivable.account_id[:1].id,
                                "partner_id": partner.id,
                            },
                        )
                    ]
                }
            )
            (suspense | receivable).reconcile()

        @precondition(lambda self: self._posted())
        @rule(data=st.data(), fraction=st.sampled_from([0.0, 0.3, 0.5, 1.0]))
        def dispute(self, data, fraction):
            move = data.draw(st.sampled_from(self._posted()), "invoice")
            if move.move_type != "out_invoice":
                return
            move.credit_dispute_amount = move.company_currency_id.round(
                abs(move.amount_residual_signed) * fraction
            )

        @precondition(lambda self: self._posted())
        @rule(data=st.data(), cancel=st.booleans())
        def reset_to_draft(self, data, cancel):
            move = data.draw(st.sampled_from(self._posted()), "invoice")
            move.button_draft()
            if cancel:
                move.button_cancel()

        @precondition(lambda self: self.invoices.filtered(lambda m: m.state == "draft"))
        @rule(data=st.data())
        def repost(self, data):
            drafts = self.invoices.filtered(lambda m: m.state == "draft")
            data.draw(st.sampled_from(drafts), "draft").action_post()

        @precondition(lambda self: self._posted())
        @rule(data=st.data())
        def unreconcile(self, data):
            move = data.draw(st.sampled_from(self._posted()), "invoice")
            self._receivable(move).remove_move_reconcile()

        @rule(days=st.integers(1, 120))
        def time_passes(self, days):
            self.today += timedelta(days=days)

        @invariant()
        def figures_reconcile(self):
            env.flush_all()
            case.check(self.today)

    Figures.__name__ = "Figures"
    return Figures
