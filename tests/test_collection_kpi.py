# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.credit_collectability_curve import (
    DEFAULT_CREDIT_AGE_POINTS,
    interpolate,
)
from ..wizards.credit_collectability_calibrate import pool_adjacent_violators
from ..wizards.credit_collection_kpi import countback_dso
from .common import CreditCollectionCommon


class PaymentMixin:
    @classmethod
    def _pay_on(cls, invoice, amount, date):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount,
                    "journal_id": cls.bank_journal.id,
                    "payment_date": date,
                }
            )
            ._create_payments()
        )


@tagged("post_install", "-at_install")
class TestCollectionKpi(PaymentMixin, CreditCollectionCommon):
    """KPIs of one collector's two customers over the last 90 days, against
    hand-computed values (invoices are dated on their due date, except the
    current one, dated today and due in 30 days)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.today
        cls.k1 = cls._customer("KPI One")
        cls.k2 = cls._customer("KPI Two")
        cls.other = cls._customer("KPI Other collector")
        # K1: 1000 from 200 days ago (unpaid), 600 from 100 days ago paid 50
        # days ago, 400 from 45 days ago (unpaid, 100 of it disputed)
        cls.i1 = cls._invoice(cls.k1, 1000.0, overdue_days=200)
        cls.i2 = cls._invoice(cls.k1, 600.0, overdue_days=100)
        cls._pay_on(cls.i2, 600.0, today - timedelta(days=50))
        cls.i3 = cls._invoice(cls.k1, 400.0, overdue_days=45)
        cls.i3.sudo().write(
            {"credit_dispute_amount": 100.0, "credit_dispute_state": "open"}
        )
        # K2: 300 due in 30 days, 500 from 10 days ago of which 200 paid
        cls.i4 = cls._invoice(cls.k2, 300.0, due_days=30)
        cls.i5 = cls._invoice(cls.k2, 500.0, overdue_days=10)
        cls._pay_on(cls.i5, 200.0, today - timedelta(days=5))
        # another collector's customer: not in the collector's KPIs
        cls._invoice(cls.other, 9999.0, overdue_days=20)
        Case = cls.env["credit.collection.case"]
        partners = cls.k1 | cls.k2 | cls.other
        Case._update_cases(cls.company, partners)
        cases = Case.search([("partner_id", "in", partners.ids)])
        cases.filtered(lambda c: c.partner_id != cls.other).user_id = cls.collector
        cases.filtered(lambda c: c.partner_id == cls.other).user_id = cls.manager
        # promises (due in the period): two kept, one broken; one later
        case1 = cases.filtered(lambda c: c.partner_id == cls.k1)
        Promise = cls.env["credit.promise"]
        for state, date in [
            ("kept", today),
            ("kept", today),
            ("broken", today),
            ("kept", today + timedelta(days=5)),
        ]:
            promise = Promise.create(
                {
                    "case_id": case1.id,
                    "amount": 10.0,
                    "date": date,
                    "invoice_ids": [Command.set(cls.i1.ids)],
                }
            )
            promise.state = state
        # a manual hold on K2
        cls.env["credit.hold"].with_user(cls.manager).action_create_manual(
            cls.k2, "KPI test"
        )
        cls.kpi = (
            cls.env["credit.collection.kpi"]
            .with_user(cls.collector)
            .create(
                {
                    "company_id": cls.company.id,
                    "user_id": cls.collector.id,
                    "date_from": today - timedelta(days=89),
                    "date_to": today,
                }
            )
        )

    def test_countback_function(self):
        # 2,000 receivables; sales 800, 400, then none, then 600, 1000
        periods = [(31, 800.0), (30, 400.0), (31, 0.0), (30, 600.0), (31, 1000.0)]
        self.assertAlmostEqual(countback_dso(2000.0, periods), 31 + 30 + 31 + 30 + 6.2)
        self.assertAlmostEqual(countback_dso(300.0, periods), 31 * 300 / 800)
        self.assertEqual(countback_dso(0.0, periods), 0.0)

    def test_receivables_and_ratios(self):
        kpi = self.kpi
        # end: 1000 + 400 + 300 + 300; overdue: 1000 + 400 + 300
        self.assertAlmostEqual(kpi.amount_receivable, 2000.0)
        self.assertAlmostEqual(kpi.amount_overdue, 1700.0)
        self.assertAlmostEqual(kpi.overdue_ratio, 85.0)
        # start (90 days ago): 1000 and 600 (paid later)
        self.assertAlmostEqual(kpi.amount_receivable_start, 1600.0)
        # sales in the period: 400 + 300 + 500
        self.assertAlmostEqual(kpi.amount_sales, 1200.0)
        # CEI = (1600 + 1200 - 2000) / (1600 + 1200 - 300)
        self.assertAlmostEqual(kpi.cei, 32.0)

    def test_dso_countback_and_add(self):
        today = self.today

        def days(k):
            return (
                (today - relativedelta(months=k))
                - (today - relativedelta(months=k + 1))
            ).days

        # 2000: month 0 sells 800 (I4, I5), month 1 400 (I3), month 2 none,
        # month 3 600 (I2), months 4 and 5 none, month 6 1000 (I1): 200 left
        expected = sum(days(k) for k in range(6)) + days(6) * 200 / 1000
        values = self.kpi._kpi_values()
        self.assertAlmostEqual(values["dso"], expected, places=6)
        # best possible: the 300 not yet due on month 0's 800
        best = days(0) * 300 / 800
        self.assertAlmostEqual(values["best_dso"], best, places=6)
        self.assertAlmostEqual(values["avg_days_delinquent"], expected - best, places=6)
        # the form shows them to one decimal
        self.assertAlmostEqual(self.kpi.dso, expected, places=1)

    def test_promises_disputes_holds(self):
        kpi = self.kpi
        self.assertEqual(kpi.promise_count, 3)
        self.assertAlmostEqual(kpi._kpi_values()["promise_kept_rate"], 200.0 / 3)
        # 100 disputed of 2000 due
        self.assertAlmostEqual(kpi.dispute_rate, 5.0)
        # K1's case is in Legal / agency: its credit is stopped (1000 + 400);
        # K2 is on hold by hand: 300 + 300
        stop = self.env["credit.hold"].search(
            [("partner_id", "=", self.k1.id), ("origin", "=", "stop")]
        )
        self.assertEqual(stop.stop_cause, "legal")
        self.assertAlmostEqual(kpi.amount_on_hold, 2000.0)

    def test_company_kpis_and_by_collector(self):
        kpi = self.env["credit.collection.kpi"].create(
            {
                "company_id": self.company.id,
                "date_from": self.today - timedelta(days=89),
                "date_to": self.today,
            }
        )
        self.assertAlmostEqual(kpi.amount_receivable, 2000.0 + 9999.0)
        self.assertAlmostEqual(kpi.amount_overdue, 1700.0 + 9999.0)
        action = kpi.action_by_collector()
        lines = self.env["credit.collection.kpi"].search(action["domain"])
        by_user = {line.user_id: line.amount_receivable for line in lines}
        self.assertAlmostEqual(by_user[self.collector], 2000.0)
        self.assertAlmostEqual(by_user[self.manager], 9999.0)

    def test_kpi_query_count_does_not_grow_with_customers(self):
        # the registry's caches (groups, access rules, xml ids) warm, whatever
        # the tests before this one cleared: only the KPI's queries count
        self.kpi._kpi_values()
        self.env.invalidate_all()
        with self.assertQueryCount(18):
            self.kpi._kpi_values()
        partners = self.env["res.partner"]
        for i in range(6):
            partner = self._customer(f"KPI more {i}")
            self._invoice(partner, 100.0, overdue_days=5 * i)
            partners |= partner
        Case = self.env["credit.collection.case"]
        Case._update_cases(self.company, partners)
        Case.search([("partner_id", "in", partners.ids)]).user_id = self.collector
        self.env.invalidate_all()
        with self.assertQueryCount(18):
            self.kpi._kpi_values()


@tagged("post_install", "-at_install")
class TestCalibration(PaymentMixin, CreditCollectionCommon):
    """A generated history whose true curve is known: invoices of 100 (random
    ages inside each band), each paid in full at an age in its band or never.
    For an age a, p(a) = amount paid at or after a / amount unpaid at a.
    Bands: never paid 9 invoices; paid within 0-89 days 54; 90-179 18;
    180-364 6; 365-539 2; 540+ 1. So p(0) = 81/90, p(90) = 27/36,
    p(180) = 9/18, p(365) = 3/12, p(540) = 1/10."""

    TRUE_CURVE = [(0, 0.9), (90, 0.75), (180, 0.5), (365, 0.25), (540, 0.1)]
    BANDS = [(0, 89, 54), (90, 179, 18), (180, 364, 6), (365, 539, 2), (540, 600, 1)]
    TOLERANCE = 0.01

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = random.Random(8)
        cls.Curve = cls.env["credit.collectability.curve"]
        cls.curve = cls.Curve.create(
            {
                "name": "To calibrate",
                "basis": "credit_age",
                "point_ids": [
                    Command.create({"age_days": age, "probability": p})
                    for age, p in [
                        (0, 1.0),
                        (90, 0.9),
                        (180, 0.8),
                        (365, 0.7),
                        (540, 0.6),
                    ]
                ],
            }
        )
        partner = cls._customer("Calibration history")
        cls.invoice_age = 700  # every invoice is 700 days old
        for _i in range(9):
            cls._invoice(partner, 100.0, overdue_days=cls.invoice_age)
        for low, high, count in cls.BANDS:
            for _i in range(count):
                invoice = cls._invoice(partner, 100.0, overdue_days=cls.invoice_age)
                paid_at = rng.randint(low, high)
                cls._pay_on(
                    invoice, 100.0, invoice.invoice_date + timedelta(days=paid_at)
                )

    def _wizard(self, **vals):
        return (
            self.env["credit.collectability.calibrate"]
            .with_user(self.manager)
            .create(
                dict(
                    {
                        "curve_id": self.curve.id,
                        "date_from": self.today - timedelta(days=800),
                        "date_to": self.today - timedelta(days=600),
                    },
                    **vals,
                )
            )
        )

    def test_fit_recovers_the_true_curve(self):
        wizard = self._wizard()
        wizard.action_fit()
        self.assertEqual(wizard.item_count, 90)
        self.assertFalse(wizard.is_fallback)
        fitted = {line.age_days: line.fitted_probability for line in wizard.line_ids}
        current = {line.age_days: line.current_probability for line in wizard.line_ids}
        for age, p in self.TRUE_CURVE:
            self.assertAlmostEqual(fitted[age], p, delta=self.TOLERANCE)
        self.assertEqual(current[90], 0.9)
        # adopt: the points are written and the chatter says so
        wizard.action_adopt()
        self.assertEqual(
            [(a, round(p, 2)) for a, p in self.curve._points()], self.TRUE_CURVE
        )
        self.assertTrue(self.curve.date_calibrated)
        self.assertIn("Calibrated by", self.curve.message_ids[:1].body)

    def test_thin_history_falls_back_to_the_default(self):
        # only invoices of the last 30 days: none in the period
        wizard = self._wizard(
            date_from=self.today - timedelta(days=30), date_to=self.today
        )
        wizard.action_fit()
        self.assertTrue(wizard.is_fallback)
        self.assertIn("too thin", wizard.note)
        self.assertIn("20", wizard.note)
        for line in wizard.line_ids:
            self.assertAlmostEqual(
                line.fitted_probability,
                interpolate(DEFAULT_CREDIT_AGE_POINTS, line.age_days, "step"),
            )

    def test_collectors_cannot_calibrate(self):
        with self.assertRaises(AccessError):
            self.env["credit.collectability.calibrate"].with_user(
                self.collector
            ).create({"curve_id": self.curve.id})

    def test_cron_adopts_a_thick_history_only(self):
        Curve = self.env["credit.collectability.curve"]
        # the default period (two years to 90 days ago) holds the 90 invoices
        Curve._cron_calibrate()
        self.assertEqual(
            [(a, round(p, 2)) for a, p in self.curve._points()], self.TRUE_CURVE
        )
        # a company without history keeps its curve
        company = self.env["res.company"].create({"name": "No history Co"})
        curve = Curve._get_active(company)
        before = curve._points()
        Curve._cron_calibrate()
        self.assertEqual(curve._points(), before)
        self.assertFalse(curve.date_calibrated)
        cron = self.env.ref(
            "account_credit_collection.ir_cron_calibrate_collectability"
        )
        self.assertFalse(cron.active)


@tagged("post_install", "-at_install")
class TestCalibrationSettled(PaymentMixin, CreditCollectionCommon):
    """Calibration on settled outcomes, on a hand-made history (invoices of
    100, credit age, grid 0, 90 and 180 days): 300 days old, 4 paid at 30
    days, 2 paid at 120 days, 2 never paid; 120 days old, 4 still open
    (censored: younger than the grid's last age, their outcome is unknown)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.curve = cls.env["credit.collectability.curve"].create(
            {
                "name": "Settled outcomes",
                "basis": "credit_age",
                "point_ids": [
                    Command.create({"age_days": age, "probability": p})
                    for age, p in [(0, 1.0), (90, 0.9), (180, 0.8)]
                ],
            }
        )
        partner = cls._customer("Settled history")
        for paid_at in (30, 30, 30, 30, 120, 120, None, None):
            invoice = cls._invoice(partner, 100.0, overdue_days=300)
            if paid_at:
                cls._pay_on(
                    invoice, 100.0, invoice.invoice_date + timedelta(days=paid_at)
                )
        for _i in range(4):
            cls._invoice(partner, 100.0, overdue_days=120)

    def test_open_young_invoices_are_censored(self):
        wizard = (
            self.env["credit.collectability.calibrate"]
            .with_user(self.manager)
            .create(
                {
                    "curve_id": self.curve.id,
                    "date_from": self.today - timedelta(days=400),
                    "date_to": self.today - timedelta(days=100),
                    "min_items": 5,
                }
            )
        )
        wizard.action_fit()
        self.assertEqual(wizard.item_count, 12)
        lines = {line.age_days: line for line in wizard.line_ids}
        # 0 days: 8 settled invoices, 600 of 800 collected (counting the 4
        # young open ones as never collected: 600 of 1,200 = 0.5)
        self.assertEqual(lines[0].item_count, 8)
        self.assertAlmostEqual(lines[0].fitted_probability, 0.75)
        # 90 days: 4 outstanding, 200 of 400 collected (0.25 with them)
        self.assertEqual(lines[90].item_count, 4)
        self.assertAlmostEqual(lines[90].fitted_probability, 0.5)
        # 180 days: the 2 never paid
        self.assertAlmostEqual(lines[180].fitted_probability, 0.0)

    def test_monotone_by_pool_adjacent_violators(self):
        """Rates 0.8, 0.6, 0.8 observed on 10, 5 and 4 invoices: the two last
        pool into (0.6 x 5 + 0.8 x 4) / 9, where a running minimum gave 0.6;
        an age nobody reached keeps the curve unless it violates."""
        wizard = self.env["credit.collectability.calibrate"].create(
            {"curve_id": self.curve.id}
        )
        stats = {0: (1000.0, 800.0, 10), 90: (500.0, 300.0, 5), 180: (400.0, 320.0, 4)}
        fitted, _vals = wizard._fit_history(
            [0, 90, 180], stats, self.curve._points(), 19
        )
        self.assertEqual(
            fitted, {0: 0.8, 90: round(6.2 / 9, 4), 180: round(6.2 / 9, 4)}
        )
        # 0.9 at 90 days on the curve, nobody observed: pooled with 0 weight
        stats = {0: (1000.0, 800.0, 10), 180: (400.0, 200.0, 4)}
        fitted, _vals = wizard._fit_history(
            [0, 90, 180], stats, self.curve._points(), 14
        )
        self.assertEqual(fitted, {0: 0.8, 90: 0.8, 180: 0.5})
        # (0.5 x 3 + 0.7 + 0.9) / 5 = 0.62
        pooled = pool_adjacent_violators([0.5, 0.7, 0.9, 0.2], [3, 1, 1, 5])
        for value, expected in zip(pooled, [0.62, 0.62, 0.62, 0.2], strict=True):
            self.assertAlmostEqual(value, expected)


@tagged("post_install", "-at_install")
class TestAnalyticsAccess(CreditCollectionCommon):
    def test_menus_and_multi_company(self):
        menus = self.env["ir.ui.menu"]
        worklist = self.env.ref(
            "account_credit_collection.credit_collection_case_menu_worklist"
        )
        report = self.env.ref("account_credit_collection.credit_collection_report_menu")
        kpi = self.env.ref("account_credit_collection.credit_collection_kpi_menu")
        curves = self.env.ref(
            "account_credit_collection.credit_collectability_curve_menu"
        )
        collector_menus = menus.with_user(self.collector)._visible_menu_ids()
        manager_menus = menus.with_user(self.manager)._visible_menu_ids()
        for menu in (worklist, report, kpi):
            self.assertIn(menu.id, collector_menus)
        # curves are configuration: under the managers' menu
        self.assertEqual(
            curves.parent_id, self.env.ref("account_credit_collection.menu_config")
        )
        self.assertEqual(
            curves.parent_id.group_ids,
            self.env.ref("account_credit_collection.group_manager"),
        )
        self.assertIn(curves.id, manager_menus)
        # another company's open items are not in the collector's analysis
        other = self.env["res.company"].create({"name": "Analysis Other Co"})
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=other, install_demo=False
        )
        mine = self._customer("Analysis mine")
        self._invoice(mine, 100.0, overdue_days=5)
        theirs = self._customer("Analysis theirs", company=other)
        self._invoice(theirs, 200.0, overdue_days=5, company=other)
        self.collector.company_ids |= other
        Report = self.env["credit.collection.report"].with_user(self.collector)
        rows = Report.with_context(allowed_company_ids=self.company.ids).search(
            [("partner_id", "in", (mine | theirs).ids)]
        )
        self.assertEqual(rows.partner_id, mine)
        both = Report.with_context(
            allowed_company_ids=[self.company.id, other.id]
        ).search([("partner_id", "in", (mine | theirs).ids)])
        self.assertEqual(both.partner_id, mine | theirs)
        # KPIs: collectors use them, for their companies only
        kpi_form = (
            self.env["credit.collection.kpi"]
            .with_user(self.collector)
            .create({"company_id": self.company.id})
        )
        self.assertAlmostEqual(kpi_form.amount_receivable, 100.0)
