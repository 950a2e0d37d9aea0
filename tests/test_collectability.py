# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import CreditCollectionCommon, make_invoice, use_linear_curves


@tagged("post_install", "-at_install")
class TestCollectabilityCurve(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Curve = cls.env["credit.collectability.curve"].with_context(
            active_test=False
        )
        cls.default = cls.Curve.search(
            [("company_id", "=", cls.company.id), ("basis", "=", "credit_age")]
        )
        cls.past_due = cls.Curve.search(
            [("company_id", "=", cls.company.id), ("basis", "=", "days_past_due")]
        )

    def _sql_values(self, curve, ages):
        rows = self.env.execute_query(
            SQL(
                "SELECT age, %s FROM unnest(%s::int[]) AS age ORDER BY age",
                curve._probability_sql(SQL("age")),
                ages,
            )
        )
        return [p for _age, p in rows]

    def test_shipped_curves(self):
        self.assertEqual(len(self.default), 1)
        self.assertEqual(len(self.past_due), 1)
        self.assertTrue(self.default.active)
        self.assertFalse(self.past_due.active)
        self.assertEqual(self.Curve._get_active(self.company), self.default)
        # both shipped as steps (issue #18): a band's rate holds to its end
        self.assertEqual((self.default | self.past_due).mapped("mode"), ["step"] * 2)
        # credit age, the seed's bands: within 60 d 1.0, within 100 d 0.8,
        # within 180 d 0.5, beyond 0.1 — at the band edges and inside
        credit_age = [
            (0, 1.0),
            (30, 1.0),
            (60, 1.0),
            (61, 0.8),
            (80, 0.8),
            (100, 0.8),
            (101, 0.5),
            (140, 0.5),
            (180, 0.5),
            (181, 0.1),
            (365, 0.1),
            (5000, 0.1),
        ]
        # days past due: 0.266 from one year, 0.136 from two years
        past_due = [
            (0, 1.0),
            (89, 1.0),
            (90, 0.85),
            (180, 0.7),
            (364, 0.7),
            (365, 0.266),
            (547, 0.266),
            (730, 0.136),
            (1500, 0.136),
        ]
        for curve, table in ((self.default, credit_age), (self.past_due, past_due)):
            for age, expected in table:
                self.assertAlmostEqual(curve._probability(age), expected, msg=age)
            # the SQL twin reads the same steps
            ages = [age for age, _p in table]
            self.assertEqual(
                [round(p, 9) for p in self._sql_values(curve, ages)],
                [round(p, 9) for _age, p in table],
            )
        # value lost per day: only on the day a band ends
        self.assertAlmostEqual(self.default._lost_per_day(59), 0.0)
        self.assertAlmostEqual(self.default._lost_per_day(60), 0.2)

    def test_linear_interpolation_python_and_sql(self):
        """A curve read linearly between its points (the former shipped
        points, the ``linear`` mode)."""
        linear = self.Curve.create(
            {
                "name": "Linear",
                "company_id": self.company.id,
                "basis": "credit_age",
                "mode": "linear",
                "active": False,
                "point_ids": [
                    Command.create({"age_days": age, "probability": p})
                    for age, p in [(60, 1.0), (100, 0.8), (180, 0.5), (365, 0.1)]
                ],
            }
        )
        past_due = self.past_due.copy({"mode": "linear", "active": False})
        cases = {
            80: 0.9,  # halfway 60 -> 100
            90: 0.85,
            140: 0.65,  # halfway 100 -> 180
            270: 0.5 - 0.4 * 90 / 185,
        }
        for age, expected in cases.items():
            self.assertAlmostEqual(linear._probability(age), expected)
        ages = sorted(cases) + [0, 60, 365, 1000]
        ages.sort()
        self.assertEqual(
            [round(p, 9) for p in self._sql_values(linear, ages)],
            [round(linear._probability(a), 9) for a in ages],
        )
        # days past due between one and two years
        self.assertAlmostEqual(past_due._probability(547.5), (0.266 + 0.136) / 2)
        # value lost per day: the drop over the next day
        self.assertAlmostEqual(linear._lost_per_day(30), 0.0)
        self.assertAlmostEqual(linear._lost_per_day(90), 0.005)
        self.assertAlmostEqual(linear._lost_per_day(400), 0.0)

    def test_new_company_gets_the_shipped_curves(self):
        company = self.env["res.company"].create({"name": "Curve Co"})
        curves = self.Curve.search([("company_id", "=", company.id)])
        self.assertEqual(
            sorted(curves.mapped(lambda c: (c.basis, c.active))),
            [("credit_age", True), ("days_past_due", False)],
        )

    def test_validation_errors_name_the_field(self):
        def points(*pairs):
            return [Command.clear()] + [
                Command.create({"age_days": a, "probability": p}) for a, p in pairs
            ]

        curve = self.past_due
        # editing one point directly is checked too
        with self.assertRaisesRegex(ValidationError, "cannot increase"):
            curve.point_ids.sorted("age_days")[-1].probability = 0.99
        self.env.invalidate_all()
        with self.assertRaisesRegex(ValidationError, "Probability must be between"):
            curve.write({"point_ids": points((0, 1.0), (30, 1.5))})
        with self.assertRaisesRegex(ValidationError, "Probability must be between"):
            curve.write({"point_ids": points((0, 1.0), (30, -0.1))})
        with self.assertRaisesRegex(
            ValidationError, "Probability — it cannot increase"
        ):
            curve.write({"point_ids": points((0, 0.5), (30, 0.9))})
        with self.assertRaisesRegex(ValidationError, "at least two points"):
            curve.write({"point_ids": points((0, 1.0))})
        with self.assertRaisesRegex(
            ValidationError, "Age \\(days\\) cannot be negative"
        ):
            curve.write({"point_ids": points((-5, 1.0), (30, 0.5))})
        with self.assertRaisesRegex(ValidationError, "each age appears once"):
            curve.write({"point_ids": points((10, 1.0), (10, 0.5), (30, 0.4))})
        with self.assertRaisesRegex(ValidationError, "at least two points"):
            self.Curve.create({"name": "Empty", "active": False, "point_ids": []})

    def test_exactly_one_active_curve_per_company(self):
        with self.assertRaisesRegex(ValidationError, "exactly one active"):
            self.default.active = False
        self.past_due.action_activate()
        self.assertTrue(self.past_due.active)
        self.assertFalse(self.default.active)
        self.assertEqual(self.Curve._get_active(self.company), self.past_due)
        # creating an active curve replaces the active one
        third = self.Curve.create(
            {
                "name": "Third",
                "basis": "credit_age",
                "point_ids": [
                    Command.create({"age_days": 0, "probability": 1.0}),
                    Command.create({"age_days": 90, "probability": 0.5}),
                ],
            }
        )
        self.assertTrue(third.active)
        self.assertFalse(self.past_due.active)
        with self.assertRaisesRegex(ValidationError, "cannot be deleted"):
            third.unlink()
        self.default.unlink()  # not active: fine

    def test_collectors_read_managers_write(self):
        self.default.with_user(self.collector).read(["name", "point_ids"])
        with self.assertRaises(AccessError):
            self.default.with_user(self.collector).write({"name": "Mine"})
        self.default.with_user(self.manager).write({"name": "Ours"})
        # another company's curves are not visible
        other = self.env["res.company"].create({"name": "Other curve Co"})
        foreign = self.Curve.search([("company_id", "=", other.id)])
        self.assertTrue(foreign)
        self.assertFalse(
            self.Curve.with_user(self.manager).search([("id", "in", foreign.ids)])
        )


@tagged("post_install", "-at_install")
class TestExpectedCollectible(CreditCollectionCommon):
    """A small book, hand-computed on the curves read linearly, the
    credit-age one on its former shipped points (the test invoices are dated
    on their due date: credit age = days past due = ``overdue_days``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_linear_curves(cls.env, cls.company)
        cls.Case = cls.env["credit.collection.case"]
        cls.a = cls._customer("Worklist A")
        cls.b = cls._customer("Worklist B")
        cls.c = cls._customer("Worklist C")
        cls.d = cls._customer("Worklist D")
        cls._invoice(cls.a, 1000.0, overdue_days=20)
        cls._invoice(cls.b, 1000.0, overdue_days=90)
        cls._invoice(cls.c, 2000.0, overdue_days=50)
        cls._invoice(cls.d, 500.0, overdue_days=200)
        cls._invoice(cls.d, 500.0, due_days=10)
        cls.partners = cls.a | cls.b | cls.c | cls.d
        cls.Case._update_cases(cls.company, cls.partners)

    def _case(self, partner):
        return self.Case.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def _invoices_of(self, partner):
        return self.env["account.move"].search(
            [("partner_id", "=", partner.id), ("move_type", "=", "out_invoice")]
        )

    def test_expected_collectible_and_loss(self):
        p200 = 0.5 - 0.4 * 20 / 185
        p230 = 0.5 - 0.4 * 50 / 185
        expected = {
            # partner: (expected, lost per day, days to next stage, loss avoided)
            # the loss avoided over the fixed horizon, 30 days for every case
            # A: 20 days, p = 1, p(50) = 1; Final notice at 30 days
            self.a: (1000.0, 0.0, 10, 0.0),
            # B: 90 days, p = 0.85, p(120) = 0.725; last stage (Legal)
            self.b: (850.0, 5.0, 30, 125.0),
            # C: 50 days, p = 1, p(80) = 0.9; Legal at 90 days (40 days away)
            self.c: (2000.0, 0.0, 40, 200.0),
            # D: 200 days (p200) and a current invoice (p = 1, not chased);
            # last stage
            self.d: (
                500.0 * p200 + 500.0,
                500.0 * 0.4 / 185,
                30,
                500.0 * (p200 - p230),
            ),
        }
        for partner, (exp, lost, days, avoided) in expected.items():
            case = self._case(partner)
            self.assertAlmostEqual(case.amount_expected, exp, places=2)
            self.assertAlmostEqual(case.amount_lost_per_day, lost, places=2)
            self.assertEqual(case.next_stage_days, days)
            self.assertAlmostEqual(case.amount_loss_avoided, avoided, places=2)
        # a second run changes nothing
        self.assertFalse(self.Case._update_cases(self.company, self.partners))

    def test_batch_query_equals_the_two_step_figures(self):
        """A batch's figures and worklist come from one query; they equal the
        figures query followed by the worklist's own (the path of a whole
        company), customer by customer, through a dispute, a promise, a
        customer with nothing due yet and a tier that moves the thresholds."""
        from ..models.credit_collection_case_figures import TierLadders

        stage = self.env.ref("account_credit_collection.stage_legal")
        tier = self.env["credit.collection.policy"].create(
            {
                "name": "Late legal",
                "company_id": self.company.id,
                "use_credit_limit": False,
                "stage_threshold_ids": [
                    Command.create({"stage_id": stage.id, "min_days_overdue": 150})
                ],
            }
        )
        e = self._customer("Worklist E", tier=tier)
        self._invoice(e, 700.0, overdue_days=100)
        f = self._customer("Worklist F")
        self._invoice(f, 300.0, due_days=5)
        disputed = self._invoice(self.c, 400.0, overdue_days=120)
        disputed.credit_dispute_amount = 400.0
        self.env["credit.promise"].create(
            {
                "case_id": self._case(self.b).id,
                "amount": 1000.0,
                "date": self.today + timedelta(days=5),
                "invoice_ids": [Command.set(self._invoices_of(self.b).ids)],
            }
        )
        self.env.flush_all()
        partners = self.partners | e | f
        curve = self.env["credit.collectability.curve"]._get_active(self.company)
        ladders = TierLadders(self.env, self.company, partners.ids)
        Case = self.Case.sudo()
        one = Case._case_figures(self.company, partners, curve, ladders)
        two = Case._case_figures(self.company, partners, curve=curve)
        Case._add_worklist_figures(self.company, curve, two, ladders.ladder, self.today)
        self.assertEqual(set(one), set(partners.ids))
        self.assertEqual(one.keys(), two.keys())
        for partner_id, values in two.items():
            for key, value in values.items():
                with self.subTest(partner=partner_id, key=key):
                    self.assertAlmostEqual(one[partner_id][key], value, places=6)
        self.assertEqual(one[e.id]["next_stage_days"], 50)

    def test_worklist_fixed_horizon_chaseable_only(self):
        """The worklist ranks on the company's fixed horizon, not the days to
        the next stage, and counts only what can be chased: not an invoice not
        yet due, not the disputed part, not an invoice under an open promise.
        Hand-computed on the linear former points (60: 1, 100: 0.8, 180: 0.5),
        horizon 10 days."""
        self.company.credit_worklist_horizon_days = 10
        g = self._customer("Worklist G")
        # chaseable, 55 days: p(55) = 1, p(65) = 0.975 -> 1000 * 0.025 = 25
        self._invoice(g, 1000.0, overdue_days=55)
        # 100 of 400 disputed, 120 days: p(120) = 0.725, p(130) = 0.6875
        # -> 300 * 0.0375 = 11.25
        disputed = self._invoice(g, 400.0, overdue_days=120)
        disputed.credit_dispute_amount = 100.0
        # promised, 90 days: not counted (600 * 0.05 = 30 otherwise)
        promised = self._invoice(g, 600.0, overdue_days=90)
        # not yet due, dated 90 days ago: not counted (500 * 0.05 otherwise)
        make_invoice(
            self.env,
            g,
            500.0,
            self.today + timedelta(days=10),
            invoice_date=self.today - timedelta(days=90),
            company=self.company,
        )
        self.Case._update_cases(self.company, g)
        self.env["credit.promise"].create(
            {
                "case_id": self._case(g).id,
                "amount": 600.0,
                "date": self.today + timedelta(days=5),
                "invoice_ids": [Command.set(promised.ids)],
            }
        )
        self.Case._update_cases(self.company, g)
        case = self._case(g)
        self.assertAlmostEqual(case.amount_loss_avoided, 36.25, places=2)
        # the next stage is shown, but is not the horizon: 120 days is on the
        # last stage (30 days)
        self.assertEqual(case.next_stage_days, 30)
        # the whole company's path (figures, then the worklist) agrees
        curve = self.env["credit.collectability.curve"]._get_active(self.company)
        figures = self.Case.sudo()._case_figures(self.company, curve=curve)
        from ..models.credit_collection_case_figures import TierLadders

        ladders = TierLadders(self.env, self.company, list(figures))
        self.Case.sudo()._add_worklist_figures(
            self.company, curve, figures, ladders.ladder, self.today
        )
        self.assertAlmostEqual(figures[g.id]["amount_loss_avoided"], 36.25, places=6)
        # a longer horizon, a larger loss: 30 days -> 1000 * (1 - p(85) =
        # 0.875) and 300 * (0.725 - p(150) = 0.6125)
        self.company.credit_worklist_horizon_days = 30
        self.Case._update_cases(self.company, g)
        self.assertAlmostEqual(case.amount_loss_avoided, 125.0 + 33.75, places=2)

    def test_worklist_order(self):
        action = self.env.ref(
            "account_credit_collection.credit_collection_case_action_worklist"
        )
        view = self.env.ref(
            "account_credit_collection.credit_collection_case_view_list_worklist"
        )
        self.assertEqual(action.view_id, view)
        self.assertIn('default_order="amount_loss_avoided desc', view.arch_db)
        cases = self.Case.with_user(self.collector).search(
            [("partner_id", "in", self.partners.ids)],
            order="amount_loss_avoided desc, id",
        )
        self.assertEqual(
            cases.partner_id.ids, [self.c.id, self.b.id, self.d.id, self.a.id]
        )

    def test_days_past_due_curve(self):
        """On the days-past-due curve the same book values differently."""
        curve = (
            self.env["credit.collectability.curve"]
            .with_context(active_test=False)
            .search(
                [("company_id", "=", self.company.id), ("basis", "=", "days_past_due")]
            )
        )
        curve.action_activate()
        self.Case._update_cases(self.company, self.partners)
        # B: 90 days past due -> 0.85
        self.assertAlmostEqual(self._case(self.b).amount_expected, 850.0, places=2)
        # A: 20 days past due -> 1 - 0.15 * 20 / 90
        self.assertAlmostEqual(
            self._case(self.a).amount_expected, 1000.0 * (1 - 0.15 * 20 / 90), places=2
        )

    def test_report_matches_cases(self):
        Report = self.env["credit.collection.report"].with_user(self.collector)
        rows = Report.search([("partner_id", "in", self.partners.ids)])
        self.assertEqual(len(rows), 5)
        by_partner = dict(
            Report._read_group(
                [("partner_id", "in", self.partners.ids)],
                ["partner_id"],
                ["amount_expected:sum"],
            )
        )
        for partner in self.partners:
            self.assertAlmostEqual(
                by_partner[partner], self._case(partner).amount_expected, places=2
            )
        buckets = dict(
            Report._read_group(
                [("partner_id", "in", self.partners.ids)],
                ["aging_bucket"],
                ["amount_residual:sum"],
            )
        )
        self.assertEqual(
            buckets,
            {
                "not_due": 500.0,
                "1_30": 1000.0,
                "31_60": 2000.0,
                "61_90": 1000.0,
                "181_365": 500.0,
            },
        )
        row = rows.filtered(lambda r: r.partner_id == self.b)
        self.assertAlmostEqual(row.probability, 0.85)
        self.assertEqual(row.policy_id, self.tier)
        self.assertEqual(row.stage_id, self._case(self.b).stage_id)
        self.assertEqual(row.days_past_due, 90)

    def test_update_query_count_does_not_grow_with_cases(self):
        more = self.env["res.partner"]
        for i in range(8):
            partner = self._customer(f"Worklist more {i}")
            self._invoice(partner, 100.0, overdue_days=10 * i)
            more |= partner
        self.Case._update_cases(self.company, more)
        self.env.invalidate_all()
        # as test_collection_case, plus the curve (search, points) and the
        # loss-avoided query
        with self.assertQueryCount(16):
            self.Case._update_cases(self.company, self.partners)
        self.env.invalidate_all()
        with self.assertQueryCount(16):
            self.Case._update_cases(self.company, self.partners | more)


@tagged("post_install", "-at_install")
class TestAmountAtRiskRule(CreditCollectionCommon):
    """Hold rule on the amount the curve does not expect to collect."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_linear_curves(cls.env, cls.company)
        cls.tier.write({"use_amount_at_risk": True, "amount_at_risk_threshold": 200.0})

    def _old_invoice(self, partner, amount, credit_age, days_overdue):
        """An invoice dated ``credit_age`` days ago, due ``days_overdue`` ago."""
        return make_invoice(
            self.env,
            partner,
            amount,
            self.today - timedelta(days=days_overdue),
            invoice_date=self.today - timedelta(days=credit_age),
        )

    def test_old_debt_weighs_more(self):
        # 120 days old, 30 days overdue (Final notice: not a hold stage):
        # p(120) = 0.725, at risk 275 > 200
        old = self._customer("At risk old")
        self._old_invoice(old, 1000.0, 120, 30)
        # the same amount, young: p(40) = 1, nothing at risk
        young = self._customer("At risk young")
        self._old_invoice(young, 1000.0, 40, 30)
        self.env["credit.collection.case"]._update_cases(self.company, old | young)
        reasons = old._credit_evaluate(self.company)
        self.assertEqual([r["rule"] for r in reasons], ["amount_at_risk"])
        self.assertEqual(reasons[0]["mode"], "block")
        self.assertAlmostEqual(reasons[0]["measured"], 275.0)
        self.assertIn("Amount at risk", reasons[0]["name"])
        self.assertFalse(young._credit_evaluate(self.company))
        # the hold synchronisation puts the old debtor on hold
        self.env["credit.hold"]._sync_partners(old | young, self.company)
        self.assertEqual(
            self._holds(old, state="active").reason_ids.rule, "amount_at_risk"
        )
        self.assertFalse(self._holds(young, state="active"))

    def test_threshold_cannot_be_negative(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.tier.amount_at_risk_threshold = -1.0
