# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Bad input: every configuration model with wrong values ends in a clear
error naming the field, and nothing of the batch is written; imports through
Odoo's importer (``load``, what the import wizard calls) of promises and
disputes with bad rows are refused row by row, and nothing is imported."""

from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .adversarial import record
from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestAdversarialInput(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage = {
            name: cls.env.ref(f"account_credit_collection.stage_{name}")
            for name in ("current", "reminder", "second_reminder", "final_notice")
        }
        cls.invoice = cls._invoice(cls.customer, 300.0, overdue_days=10)
        cls.invoice2 = cls._invoice(cls.customer, 200.0, overdue_days=20)
        cls.other = cls._customer("Other Customer Ltd")
        cls.other_invoice = cls._invoice(cls.other, 100.0, overdue_days=5)
        cls.env.flush_all()
        cls.env["credit.collection.case"]._update_cases(
            cls.company, cls.customer | cls.other
        )
        cls.case = cls.env["credit.collection.case"].search(
            [("partner_id", "=", cls.customer.id)]
        )
        cls.billing = new_test_user(
            cls.env,
            "adv_input_billing",
            groups="account.group_account_invoice,sales_team.group_sale_salesman",
        )

    def _count(self, model):
        self.env.flush_all()
        return self.env[model].with_context(active_test=False).search_count([])

    def _refused(self, label, model, func, match):
        """``func`` must raise a UserError / ValidationError whose message
        contains ``match`` (the field), and leave ``model``'s rows unchanged."""
        before = self._count(model)
        # UserError: ValidationError and the other user errors
        with self.assertRaises(UserError) as caught:
            func()
        message = str(caught.exception.args[0])
        self.assertIn(match, message, f"{label}: {message}")
        self.assertEqual(self._count(model), before, f"{label}: half-written")
        record("bad input", "rejected", label)

    # ------------------------------------------------------------ configuration
    def test_configuration_models_refuse_wrong_values(self):
        Policy = self.env["credit.collection.policy"]
        valid_tier = {"name": "Valid tier", "use_credit_limit": False}
        for field, value, match in (
            ("default_credit_limit", -1.0, "Default Credit Limit"),
            ("overdue_amount_threshold", -1.0, "Overdue Amount Threshold"),
            ("overdue_days_threshold", -1, "Maximum Days Overdue"),
            ("broken_promises_threshold", -1, "Broken Promises Allowed"),
            ("promise_grace_days", -3, "Promise Grace Days"),
            ("reminder_interval_days", -7, "Days Between Reminders"),
            ("compensation_amount", -40.0, "Fixed Compensation per Invoice"),
            ("interest_rate", -1.0, "Late Interest"),
            ("interest_rate", 150.0, "late interest"),
            ("company_id", False, "needs a company"),
        ):
            bad = dict(valid_tier, name=f"Bad {field}", **{field: value})
            self._refused(
                f"tier {field}={value}",
                "credit.collection.policy",
                lambda bad=bad: Policy.create([valid_tier, bad]),
                match,
            )
            self._refused(
                f"tier write {field}={value}",
                "credit.collection.policy",
                lambda field=field, value=value: self.tier.write({field: value}),
                match,
            )
        self._refused(
            "tier charging fees with no product or account",
            "credit.collection.policy",
            lambda: Policy.create(
                [
                    valid_tier,
                    dict(
                        valid_tier,
                        interest_rate=5.0,
                        fee_product_id=False,
                        fee_account_id=False,
                    ),
                ]
            ),
            "Fee Product",
        )
        # a tier's own thresholds out of the stages' order
        self._refused(
            "tier thresholds out of order",
            "credit.collection.policy.stage",
            lambda: Policy.create(
                [
                    dict(
                        valid_tier,
                        stage_threshold_ids=[
                            Command.create(
                                {
                                    "stage_id": self.stage["final_notice"].id,
                                    "min_days_overdue": 5,
                                }
                            )
                        ],
                    )
                ]
            ),
            "From Days Overdue",
        )
        self._refused(
            "tier threshold negative",
            "credit.collection.policy.stage",
            lambda: self.tier.write(
                {
                    "stage_threshold_ids": [
                        Command.create(
                            {
                                "stage_id": self.stage["reminder"].id,
                                "min_days_overdue": -1,
                            }
                        )
                    ]
                }
            ),
            "days overdue",
        )
        # stages: negative threshold, an empty ladder
        Stage = self.env["credit.collection.stage"]
        self._refused(
            "stage negative days",
            "credit.collection.stage",
            lambda: Stage.create(
                [
                    {"name": "Fine", "min_days_overdue": 3},
                    {"name": "Bad", "min_days_overdue": -1},
                ]
            ),
            "days overdue",
        )
        automatic = Stage.search([("is_manual", "=", False)])
        self._refused(
            "empty ladder (archived)",
            "credit.collection.stage",
            lambda: automatic.write({"active": False}),
            "Active",
        )
        self._refused(
            "empty ladder (all manual)",
            "credit.collection.stage",
            lambda: automatic.write({"is_manual": True}),
            "Manual Only",
        )
        self._refused(
            "empty ladder (deleted)",
            "credit.collection.stage",
            lambda: automatic.unlink(),
            "Active",
        )
        # escalation rules
        Rule = self.env["credit.collection.rule"]
        reminder = self.stage["reminder"].id
        valid_rule = {
            "stage_id": reminder,
            "action_type": "letter",
            "active": False,
        }
        for vals, match in (
            ({"action_type": "email"}, "Email Template"),
            ({"action_type": "activity"}, "Activity Type"),
            (
                {
                    "action_type": "activity",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "activity_assign": "user",
                },
                "Responsible",
            ),
            (
                {
                    "action_type": "activity",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "activity_days": -2,
                },
                "Due in (Days)",
            ),
            ({"action_type": "fee", "fee_amount": -5.0}, "Fixed Fee"),
            ({"action_type": "hold"}, "Sets a Credit Hold"),
        ):
            self._refused(
                f"rule {vals}",
                "credit.collection.rule",
                lambda vals=vals: Rule.create(
                    [valid_rule, dict(valid_rule, **vals, active=True)]
                ),
                match,
            )
        no_fee_tier = Policy.create(dict(valid_tier, name="No fee product"))
        no_fee_tier.fee_product_id = False
        self._refused(
            "fee rule for a tier with no fee product or account",
            "credit.collection.rule",
            lambda: Rule.create(
                [
                    dict(
                        valid_rule,
                        action_type="fee",
                        fee_amount=10.0,
                        active=True,
                        policy_ids=[Command.set(no_fee_tier.ids)],
                    )
                ]
            ),
            "Fee Product",
        )

    def test_decisions_refuse_wrong_values(self):
        """Promises, disputes, overrides and manual holds with wrong values."""
        Promise = self.env["credit.promise"].with_user(self.collector)
        valid = {
            "case_id": self.case.id,
            "amount": 100.0,
            "date": self.today + timedelta(days=3),
            "invoice_ids": [Command.set(self.invoice.ids)],
        }
        for vals, match in (
            ({"amount": 0.0}, "positive amount"),
            ({"amount": -10.0}, "positive amount"),
            ({"date": self.today - timedelta(days=1)}, "in the past"),
            (
                {"invoice_ids": [Command.set(self.other_invoice.ids)]},
                self.other_invoice.name,
            ),
        ):
            self._refused(
                f"promise {list(vals)}",
                "credit.promise",
                lambda vals=vals: Promise.create([valid, dict(valid, **vals)]),
                match,
            )
        # no invoice chosen: the promise covers the case's overdue invoices
        promise = Promise.create(dict(valid, invoice_ids=[]))
        self.assertTrue(promise.invoice_ids)
        promise.action_cancel()
        Dispute = self.env["account.move.credit.dispute"].with_user(self.collector)
        draft = self._invoice(self.customer, 50.0, post=False)
        for move, amount, match in (
            (self.invoice, -5.0, "cannot be negative"),
            (self.invoice, 5000.0, "cannot exceed"),
            (draft, 10.0, "posted customer invoices"),
        ):
            self._refused(
                f"dispute {amount} on {move.state}",
                "account.move.credit.dispute",
                lambda move=move, amount=amount: Dispute.create(
                    {"move_id": move.id, "amount": amount}
                ).action_apply(),
                match,
            )
            self.assertFalse(self.invoice.credit_dispute_amount)
        Override = self.env["credit.hold.override"].with_user(self.manager)
        for vals, match in (
            ({"reason": " "}, "needs a reason"),
            ({"expiry_date": self.today - timedelta(days=1)}, "in the past"),
            ({"amount_cap": -100.0}, "cannot be negative"),
        ):
            self._refused(
                f"override {list(vals)}",
                "credit.hold",
                lambda vals=vals: Override.create(
                    dict(
                        {"partner_id": self.customer.id, "reason": "CFO"},
                        **vals,
                    )
                ).action_override(),
                match,
            )
        self._refused(
            "manual hold without reason",
            "credit.hold",
            lambda: self.env["credit.hold.manual"]
            .with_user(self.manager)
            .create({"partner_id": self.other.id, "reason": "  "})
            .action_set_hold(),
            "needs a reason",
        )

    # ------------------------------------------------------------------ imports
    def _load(self, model, fields_, rows, user):
        before = self._count(model)
        result = self.env[model].with_user(user).load(fields_, rows)
        self.assertEqual(self._count(model), before, "nothing imported")
        return result

    def _assert_rows_refused(self, result, bad_rows, matches):
        self.assertFalse(result["ids"], result)
        errors = [m for m in result["messages"] if m["type"] == "error"]
        by_row = {}
        for message in errors:
            by_row.setdefault(message.get("record"), []).append(message["message"])
        # Odoo's importer also repeats the first error of a failed batch on the
        # batch's first row: a valid row only carries such a copy
        for row in set(by_row) - set(bad_rows):
            for text in by_row.pop(row):
                self.assertTrue(
                    any(text in by_row.get(bad, []) for bad in bad_rows),
                    f"valid row {row} refused: {text}",
                )
        self.assertEqual(sorted(by_row), sorted(bad_rows), result["messages"])
        for row, match in zip(bad_rows, matches, strict=True):
            text = " ".join(by_row[row])
            self.assertIn(match, text, f"row {row}: {text}")
            self.assertNotIn("Traceback", text)
            record("bad input", "rejected", f"import row {row}: {match}")

    def test_import_promises_with_bad_rows(self):
        fields_ = ["case_id/.id", "amount", "date", "invoice_ids/.id"]
        tomorrow = str(self.today + timedelta(days=1))
        yesterday = str(self.today - timedelta(days=1))
        rows = [
            [str(self.case.id), "100", tomorrow, str(self.invoice.id)],  # valid
            [str(self.case.id), "-5", tomorrow, str(self.invoice.id)],
            [str(self.case.id), "100", yesterday, str(self.invoice.id)],
            [str(self.case.id), "100", tomorrow, str(self.other_invoice.id)],
            [str(self.case.id), "abc", tomorrow, str(self.invoice.id)],
            [str(self.case.id), "100", "31/02/2026", str(self.invoice.id)],
        ]
        result = self._load("credit.promise", fields_, rows, self.collector)
        self._assert_rows_refused(
            result,
            [1, 2, 3, 4, 5],
            [
                "positive amount",
                "in the past",
                self.other_invoice.name,
                "abc",
                "31/02/2026",
            ],
        )
        # the valid row alone goes in
        ok = (
            self.env["credit.promise"].with_user(self.collector).load(fields_, rows[:1])
        )
        self.assertTrue(ok["ids"], ok["messages"])

    def test_import_disputes_with_bad_rows(self):
        fields_ = [".id", "credit_dispute_amount", "credit_dispute_reason"]
        rows = [
            [str(self.invoice.id), "100", "Damaged goods"],  # valid
            [str(self.invoice2.id), "9999", "Too much"],
            [str(self.other_invoice.id), "-5", "Negative"],
            [str(self.invoice2.id), "many", "Not a number"],
        ]
        result = self._load("account.move", fields_, rows, self.billing)
        self._assert_rows_refused(
            result, [1, 2, 3], ["cannot exceed", "cannot be negative", "many"]
        )
        self.env.invalidate_all()
        self.assertFalse(self.invoice.credit_dispute_amount)
        self.assertFalse(self.invoice.credit_dispute_reason)
        # the valid row alone: a consistent dispute (state, chase, exposure)
        ok = self.env["account.move"].with_user(self.billing).load(fields_, rows[:1])
        self.assertEqual(ok["ids"], self.invoice.ids, ok["messages"])
        self.assertEqual(self.invoice.credit_dispute_amount, 100.0)
        self.assertEqual(self.invoice.credit_dispute_state, "open")
        # a collector without write access on invoices cannot import them
        refused = (
            self.env["account.move"]
            .with_user(self.collector)
            .load(fields_, [[str(self.invoice2.id), "50", "x"]])
        )
        self.assertFalse(refused["ids"])
        self.assertFalse(self.invoice2.credit_dispute_amount)
        record("bad input", "rejected", "dispute import without write access")
