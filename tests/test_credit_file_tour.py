# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tour: a manager applies a suggested tier (test_tours.py has the
other tours)."""

import importlib.util
import shutil
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DISABLED_MAIL_CONTEXT, make_invoice


@tagged("post_install", "-at_install")
class TestCreditFileTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not importlib.util.find_spec("websocket"):
            raise RuntimeError("websocket-client is missing: run `make setup`")
        if not shutil.which("chromium"):
            raise RuntimeError("Chromium is missing: run `make setup`")
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.manager = new_test_user(
            cls.env,
            "tour_file_manager",
            groups="account_credit_collection.group_manager,"
            "sales_team.group_sale_salesman_all_leads,account.group_account_manager",
        )
        Policy = cls.env["credit.collection.policy"]
        cls.tier = Policy.create({"name": "Tour Standard"})
        cls.watch = Policy.create({"name": "Tour Watch list"})
        cls.env["credit.tier.suggestion.rule"].create(
            {
                "sequence": 1,
                "metric": "days_beyond_terms",
                "operator": ">",
                "threshold": 30,
                "months": 1,
                "policy_id": cls.watch.id,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Slow Payer Ltd", "is_company": True}
        )
        cls.customer.credit_policy_id = cls.tier
        today = fields.Date.context_today(cls.env.user)
        make_invoice(
            cls.env,
            cls.customer,
            500.0,
            today - timedelta(days=40),
            invoice_date=today - timedelta(days=70),
        )
        cls.env["credit.payment.habit"]._refresh(
            cls.env.company, cls.customer.ids, today
        )

    def test_manager_applies_suggested_tier(self):
        self.assertEqual(self.customer.credit_suggested_policy_id, self.watch)
        self.start_tour(
            f"/odoo/res.partner/{self.customer.id}",
            "credit_collection_manager_apply_tier_suggestion",
            login="tour_file_manager",
        )
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.credit_policy_id, self.watch)
        self.assertFalse(self.customer.credit_suggested_policy_id)
        message = self.customer.message_ids[0]
        self.assertIn("Tour Watch list", message.body)
        self.assertIn("Tour Standard", message.body)
        self.assertEqual(message.author_id, self.manager.partner_id)
