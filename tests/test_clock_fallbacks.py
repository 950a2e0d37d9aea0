# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import CreditCollectionCommon, make_invoice

# 20:00 UTC: 2 March in Tokyo (the company), 1 March in New York (the user)
# and in the current company of a multi-company user (no time zone of its own)
EVENING = "2026-03-01 20:00:00"


@tagged("post_install", "-at_install")
class TestClockFallbacks(CreditCollectionCommon):
    """One "today" (issue #18): what fell back on another clock reads the
    company's — its time zone, and a dry run's date — not the user's, the
    current company's or UTC: a stage moved by hand and its pin, a broken
    promise's pin, the payment term of a document without a date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elsewhere_company = cls.env["res.company"].create(
            {"name": "Clock elsewhere"}
        )
        cls.company.partner_id.tz = "Asia/Tokyo"
        # the time zones are cached per company: not for the next tests
        cls.addClassCleanup(cls.env.registry.clear_cache)
        cls.manager.write(
            {
                "company_ids": [Command.link(cls.elsewhere_company.id)],
                "tz": "America/New_York",
            }
        )

    def _elsewhere(self, user=None):
        """An environment of ``user`` (default: the test's) in New York whose
        current company is another one, without a time zone."""
        return self.env(
            user=user or self.env.user,
            context=dict(
                self.env.context,
                tz="America/New_York",
                allowed_company_ids=[self.elsewhere_company.id, self.company.id],
            ),
        )

    def _overdue_case(self, name):
        partner = self._customer(name)
        invoice = make_invoice(
            self.env, partner, 500.0, date(2026, 2, 1), company=self.company
        )
        self.Case = self.env["credit.collection.case"]
        self.Case._update_cases(self.company, partner)
        case = self.Case.search([("partner_id", "=", partner.id)])
        self.assertTrue(case)
        return case, invoice

    @freeze_time(EVENING)
    def test_hand_set_pin_on_the_company_day(self):
        case, _invoice = self._overdue_case("Pinned by hand")
        stage = self.env.ref("account_credit_collection.stage_final_notice")
        case = case.with_env(self._elsewhere(self.manager))
        # 1 March is yesterday for the company
        with self.assertRaisesRegex(UserError, "pin expiry date is in the past"):
            case.write({"stage_id": stage.id, "pin_expiry": date(2026, 3, 1)})
        case.write({"stage_id": stage.id})
        self.assertTrue(case.is_pinned)
        # 30 days from 2 March (not from 1 March: 31 March)
        self.assertEqual(case.pin_expiry, date(2026, 4, 1))

    def test_broken_promise_pin_on_the_company_day(self):
        with freeze_time(EVENING):
            case, invoice = self._overdue_case("Promise breaker")
            promise = self.env["credit.promise"].create(
                {
                    "case_id": case.id,
                    "amount": 500.0,
                    "date": date(2026, 3, 3),
                    "invoice_ids": [Command.set(invoice.ids)],
                }
            )
        # nothing paid: the daily run of 20 March (21 March in Tokyo) breaks
        # it, the case moves one stage up, pinned 30 days from the company's
        # day (from 20 March: 19 April)
        with freeze_time("2026-03-20 20:00:00"):
            self.Case.with_env(self._elsewhere()).sudo()._update_cases(
                self.company, case.partner_id
            )
            self.assertEqual(promise.state, "broken")
            self.assertTrue(case.is_pinned)
            self.assertIn("Broken promise", case.pin_reason)
            self.assertEqual(case.pin_expiry, date(2026, 4, 20))

    @freeze_time(EVENING)
    def test_undated_document_term_from_the_company_day(self):
        invoice = make_invoice(
            self.env, self.customer, 100.0, date(2026, 3, 31), post=False
        )
        invoice.invoice_date = False
        invoice.invoice_date_due = date(2026, 3, 31)
        self.assertFalse(invoice.invoice_date)
        # from 2 March in Tokyo (30 days from 1 March in New York)
        invoice = invoice.with_env(self._elsewhere())
        self.assertEqual(invoice._credit_payment_term_days(), 29)
        # a dry run's date
        dry_run = invoice.with_context(credit_collection_date="2026-03-11")
        self.assertEqual(dry_run._credit_payment_term_days(), 20)

    @freeze_time(EVENING)
    def test_invoice_level_report_and_promise_on_the_company_day(self):
        """Read from another current company (1 March), an invoice of the
        Tokyo company due on 1 March is 1 day overdue (2 March there), in its
        collection level and in the receivables analysis; a promise of 1
        March is in the past there."""
        partner = self._customer("Tokyo debtor")
        invoice = make_invoice(
            self.env, partner, 500.0, date(2026, 3, 1), company=self.company
        )
        elsewhere = self._elsewhere(self.manager)
        self.assertEqual(invoice.with_env(elsewhere).credit_days_overdue, 1)
        report = (
            self.env["credit.collection.report"]
            .with_env(elsewhere)
            .search([("move_id", "=", invoice.id)])
        )
        self.assertEqual(report.days_past_due, 1)
        self.Case = self.env["credit.collection.case"]
        self.Case._update_cases(self.company, partner)
        case = self.Case.search([("partner_id", "=", partner.id)])
        with self.assertRaisesRegex(Exception, "in the past"):
            self.env["credit.promise"].with_env(elsewhere).create(
                {"case_id": case.id, "amount": 500.0, "date": date(2026, 3, 1)}
            )
