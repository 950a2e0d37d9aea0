# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo.tests import TransactionCase, freeze_time, tagged

from ..models.clock import credit_today


@tagged("post_install", "-at_install")
class TestClock(TransactionCase):
    """One "today" (issue #18): the company's day, whoever asks; a dry run's
    date when it sets one."""

    @freeze_time("2026-03-01 20:00:00")  # UTC: 2 March in Tokyo, 1 March in New York
    def test_today_in_the_company_time_zone(self):
        company = self.env.company
        env = self.env(context=dict(self.env.context, tz="America/New_York"))
        company.partner_id.tz = False
        self.assertEqual(credit_today(env, company), date(2026, 3, 1))
        company.partner_id.tz = "Asia/Tokyo"
        self.assertEqual(credit_today(env, company), date(2026, 3, 2))
        self.assertEqual(credit_today(env), date(2026, 3, 2))
        dry_run = env(context=dict(env.context, credit_collection_date="2026-04-10"))
        self.assertEqual(credit_today(dry_run, company), date(2026, 4, 10))
