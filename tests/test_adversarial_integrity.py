# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Data integrity after a full escalation cycle on a generated book
(tests/book_generator.py): some invoices fully disputed, some paid in full
just before the run. Checked independently of the engine's own figures:

* no reminder (email or letter) lists a paid or fully disputed invoice;
* every hold has its reasons;
* every case is in the stage of its worst escalatable item on its tier's
  ladder;
* the exposure's receivable components reconcile to the receivable account
  balance of every customer."""

import re
from collections import defaultdict

from odoo import fields
from odoo.tests import TransactionCase, tagged

from . import book_generator as gen
from .adversarial import record
from .common import DISABLED_MAIL_CONTEXT


@tagged("post_install", "-at_install")
class TestAdversarialIntegrity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.env.company
        cls.company.email = cls.company.email or "credit@mycompany.example.com"
        cls.today = fields.Date.context_today(cls.env.user)
        summary = gen.generate_book(
            cls.env,
            gen.BookParams(
                customers=16,
                invoices=160,
                seed=11,
                open_share=0.5,
                orders=4,
                second_company=False,
                name_prefix="[ADV] ",
            ),
        )
        cls.partners = cls.env["res.partner"].browse(
            [pid for ids in summary["customer_ids"].values() for pid in ids]
        )
        overdue = cls._open_invoices().filtered(
            lambda m: m.invoice_date_due < cls.today
        )
        # fully dispute some overdue invoices, pay some others in full
        cls.disputed = overdue[::5]
        for move in cls.disputed:
            cls.env["account.move.credit.dispute"].create(
                {"move_id": move.id, "amount": move.amount_residual_signed}
            ).action_apply()
        cls.paid = (overdue - cls.disputed)[::4]
        journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        for move in cls.paid:
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create({"journal_id": journal.id})._create_payments()
        cls.env.flush_all()
        Case = cls.env["credit.collection.case"]
        Case._update_cases(cls.company, cls.partners)
        cls.cases = Case.search([("partner_id", "in", cls.partners.ids)])
        Case._run_escalation(cases=cls.cases)
        cls.env.invalidate_all()

    @classmethod
    def _open_invoices(cls):
        return cls.env["account.move"].search(
            [
                ("company_id", "=", cls.company.id),
                ("partner_id", "in", cls.partners.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )

    def _check(self, label, problems):
        record(
            "integrity checks",
            "passed" if not problems else "failed",
            label,
            ok=not problems,
        )
        self.assertEqual(problems, [], label)

    def test_reminders_never_list_paid_or_disputed_items(self):
        actions = self.env["credit.collection.action"].search(
            [
                ("case_id", "in", self.cases.ids),
                ("action_type", "in", ("email", "letter")),
                ("state", "=", "done"),
            ]
        )
        self.assertTrue(actions, "the run sent reminders")
        excluded = self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "in", self.partners.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                "|",
                ("payment_state", "in", ("paid", "in_payment", "reversed")),
                ("id", "in", self.disputed.ids),
            ]
        )
        self.assertTrue(self.paid <= excluded)
        problems = []
        for action in actions:
            # what the reminder chases: the email's body, the letter
            chased = (
                str(action.message_id.body)
                if action.action_type == "email"
                else action.attachment_id.raw.decode(errors="replace")
            )
            # the statement of account attached to the email lists the whole
            # account: no paid item, and a disputed one only marked as such
            statement = (
                action.attachment_id.raw.decode(errors="replace")
                if action.action_type == "email" and action.attachment_id
                else ""
            )
            self.assertTrue(chased.strip(), f"{action.display_name}: empty")
            for move in excluded.filtered(
                lambda m, a=action: m.commercial_partner_id == a.partner_id
            ):
                pattern = re.escape(move.name) + r"(?!\d)"
                if re.search(pattern, chased):
                    problems.append(f"{action.display_name} chases {move.name}")
                for found in re.finditer(pattern, statement):
                    after = statement[found.end() : found.end() + 200]
                    if move not in self.disputed or "(disputed)" not in after:
                        problems.append(
                            f"{action.display_name}: statement lists {move.name}"
                        )
        self._check(f"{len(actions)} reminders list no paid/disputed item", problems)

    def test_every_hold_has_reasons(self):
        holds = self.env["credit.hold"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        self.assertTrue(holds, "the book has customers on hold")
        problems = [
            f"{hold.display_name} ({hold.state})"
            for hold in holds
            if not hold.reason_ids or not all(hold.reason_ids.mapped("name"))
        ]
        self._check(f"{len(holds)} holds have their reasons", problems)

    def test_case_stage_is_the_worst_escalatable_item(self):
        Stage = self.env["credit.collection.stage"]
        worst = defaultdict(int)
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "in", self.partners.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", ">", 0),
            ]
        )
        for line in lines:
            move = line.move_id
            if move.payment_state in ("paid", "in_payment"):
                continue
            if move.credit_dispute_amount >= line.amount_residual:
                continue
            due = line.date_maturity or line.date
            days = (self.today - due).days
            partner = line.partner_id.commercial_partner_id
            worst[partner.id] = max(worst[partner.id], days)
        problems = []
        checked = 0
        for case in self.cases.filtered("active"):
            policy = case.partner_id._credit_policy(self.company)
            ladder = Stage._ladder(self.company, policy)
            days = max(worst[case.partner_id.id], 0)
            if case.worst_days_overdue != days:
                problems.append(
                    f"{case.display_name}: {case.worst_days_overdue} days, "
                    f"worst item {days}"
                )
            if case.is_pinned:
                continue
            expected = Stage._stage_for_days(ladder, days)
            checked += 1
            if case.stage_id != expected:
                problems.append(
                    f"{case.display_name}: stage {case.stage_id.name}, "
                    f"{days} days → {expected.name}"
                )
        self.assertGreater(checked, 5)
        self._check(f"{checked} case stages match the ladder", problems)

    def test_exposure_reconciles_to_the_receivable_balance(self):
        partners = self.partners.with_company(self.company)
        exposures = partners._credit_exposure(self.company)
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "in", self.partners.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ],
            ["partner_id"],
            ["balance:sum"],
        )
        balance = {partner.id: amount for partner, amount in groups}
        # open items of invoices already being paid (registered payment
        # without journal entry): on the account, not in the exposure
        in_payment = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "in", self.partners.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("move_id.payment_state", "in", ("in_payment", "paid")),
            ],
            ["partner_id"],
            ["amount_residual:sum"],
        )
        on_the_way = {partner.id: amount for partner, amount in in_payment}
        currency = self.company.currency_id
        problems = []
        for partner in self.partners:
            exposure = exposures.get(partner.id) or {}
            receivable = sum(
                exposure.get(key, 0.0) for key in ("not_due", "overdue", "credits")
            )
            expected = balance.get(partner.id, 0.0) - on_the_way.get(partner.id, 0.0)
            if currency.compare_amounts(receivable, expected):
                problems.append(
                    f"{partner.name}: exposure {receivable:.2f} "
                    f"(not due {exposure.get('not_due', 0):.2f}, overdue "
                    f"{exposure.get('overdue', 0):.2f}, credits "
                    f"{exposure.get('credits', 0):.2f}) != balance {expected:.2f}"
                )
        self._check(
            f"{len(self.partners)} exposures reconcile to the receivable balance",
            problems,
        )
