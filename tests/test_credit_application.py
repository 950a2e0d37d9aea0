# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Credit decided before the sale: credit applications approved by amount
band, credit limits written only by the credit team, unvetted customers on
the New customer tier, credit reviews."""

from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestCreditApplication(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            "ccol_invoicing_user",
            groups="account.group_account_invoice,base.group_partner_manager",
            company_id=cls.company.id,
        )
        cls.manager2 = new_test_user(
            cls.env,
            "ccol_manager_two",
            groups="account_credit_collection.group_manager,"
            "sales_team.group_sale_salesman_all_leads",
            company_id=cls.company.id,
        )
        cls.company.credit_application_threshold = 50000.0
        cls.new_tier = cls.company.credit_unvetted_policy_id
        cls.standard = cls.env["credit.collection.policy"]._get_default(cls.company)
        cls.term = cls.env.ref("account.account_payment_term_30days")

    def _application(self, partner, limit, user=None, **vals):
        return (
            self.env["credit.application"]
            .with_user(user or self.salesman)
            .create(
                dict(
                    {
                        "partner_id": partner.id,
                        "requested_limit": limit,
                        "payment_term_id": self.term.id,
                        "policy_id": self.standard.id,
                    },
                    **vals,
                )
            )
        )

    def _recommend(self, application, recommendation="approve"):
        application.with_user(self.collector).write(
            {"recommendation": recommendation, "recommendation_note": "Good payer"}
        )

    # ---------------------------------------------------------- new customers
    def test_new_customer_gets_the_unvetted_tier(self):
        self.assertEqual(self.new_tier.name, "New customer")
        self.assertEqual(self.new_tier.default_credit_limit, 5000.0)
        partner = self.env["res.partner"].create(
            {"name": "Fresh Customer Ltd", "is_company": True}
        )
        self.assertEqual(
            partner.with_company(self.company).credit_policy_id, self.new_tier
        )
        # a contact follows its company: no tier of its own
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": partner.id}
        )
        self.assertFalse(contact.with_company(self.company).credit_policy_id)
        # the New customer tier's low default limit applies: 6,000 is refused
        order = self._order(partner, 6000.0, user=self.salesman)
        with self.assertRaisesRegex(UserError, "Credit limit"):
            order.with_user(self.salesman).action_confirm()
        self._order(partner, 4000.0, user=self.salesman).with_user(
            self.salesman
        ).action_confirm()

    def test_existing_customers_keep_their_tier(self):
        # the setting applies to customers created afterwards only
        self.company.credit_unvetted_policy_id = False
        before = self.env["res.partner"].create(
            {"name": "Old Customer", "is_company": True}
        )
        self.company.credit_unvetted_policy_id = self.new_tier
        self.assertFalse(before.with_company(self.company).credit_policy_id)
        self.assertEqual(before._credit_policy(self.company), self.standard)

    # -------------------------------------------------------- credit decisions
    def test_only_the_credit_team_decides_on_credit(self):
        for user in (self.salesman, self.collector, self.accountant):
            for vals in (
                {"credit_limit": 1000000.0},
                {"use_partner_credit_limit": True, "credit_limit": 1000000.0},
                {"credit_policy_id": self.standard.id},
                {"credit_prepayment_only": False},
                {"credit_review_date": self.today},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaisesRegex(AccessError, "credit application"):
                        self.customer.with_user(user).write(vals)
        with self.assertRaisesRegex(AccessError, "credit application"):
            self.env["res.partner"].with_user(self.accountant).create(
                {"name": "Self-granted", "credit_limit": 1e6}
            )
        self.assertEqual(self.customer.credit_limit, 1000.0)
        # a manager (who may edit contacts) may, and the change is logged:
        # old → new, who
        self.manager.group_ids = [(4, self.env.ref("base.group_partner_manager").id)]
        self.customer.with_user(self.manager).credit_limit = 2500.0
        log = self.customer.message_ids[:1].body
        self.assertIn("Credit decision", log)
        self.assertIn(self.manager.name, log)
        self.assertRegex(log, r"1,000\.00.*→.*2,500\.00")

    # ------------------------------------------------------------ applications
    def test_application_approved_by_a_manager_sets_limit_term_and_tier(self):
        partner = self.env["res.partner"].create(
            {"name": "Vetted Ltd", "is_company": True}
        )
        application = self._application(partner, 20000.0)
        self.assertEqual(len(application.score_ids), 5)  # the shipped scorecard
        application.score_ids.with_user(self.collector).write({"score": 8})
        self.assertAlmostEqual(application.score, 80.0)
        application.action_submit()
        self.assertEqual(application.state, "submitted")
        # the requester cannot change it once submitted, nor approve it
        with self.assertRaises(UserError):
            application.with_user(self.salesman).requested_limit = 90000.0
        with self.assertRaisesRegex(UserError, "no recommendation"):
            application.with_user(self.manager).action_approve()
        self._recommend(application)
        application.with_user(self.manager).action_approve()
        self.assertEqual(application.state, "applied")
        self.assertEqual(application.first_approver_id, self.manager)
        partner = partner.with_company(self.company)
        self.assertEqual(partner.credit_limit, 20000.0)
        self.assertTrue(partner.use_partner_credit_limit)
        self.assertEqual(partner.credit_policy_id, self.standard)
        self.assertEqual(partner.property_payment_term_id, self.term)
        self.assertEqual(
            partner.credit_review_date, self.today + relativedelta(months=12)
        )
        self.assertIn(application.name, partner.message_ids[:1].body)
        # now the order of 15,000 is confirmed on credit
        order = self._order(partner, 15000.0, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_documents_belong_to_the_application(self):
        partner = self.env["res.partner"].create(
            {"name": "Docs Ltd", "is_company": True}
        )
        document = (
            self.env["ir.attachment"]
            .with_user(self.salesman)
            .create({"name": "balance-sheet.pdf", "raw": b"%PDF-1.4 figures"})
        )
        application = self._application(
            partner,
            1000.0,
            document_ids=[(6, 0, document.ids)],
            user_id=self.manager.id,  # forged: the requester is who asks
        )
        self.assertEqual(application.user_id, self.salesman)
        self.assertEqual(
            (document.res_model, document.res_id),
            ("credit.application", application.id),
        )
        # the credit manager reads what the salesperson attached
        self.assertEqual(
            document.with_user(self.manager).read(["name"])[0]["name"],
            "balance-sheet.pdf",
        )

    def test_large_application_needs_a_second_approver(self):
        partner = self.env["res.partner"].create(
            {"name": "Big Ltd", "is_company": True}
        )
        application = self._application(partner, 80000.0)
        application.action_submit()
        self._recommend(application)
        self.assertTrue(application.needs_second_approval)
        application.with_user(self.manager).action_approve()
        self.assertEqual(application.state, "submitted")
        with self.assertRaisesRegex(AccessError, "second approver"):
            application.with_user(self.manager).action_approve()
        application.with_user(self.manager2).action_approve()
        self.assertEqual(application.state, "applied")
        self.assertEqual(application.second_approver_id, self.manager2)
        self.assertEqual(partner.with_company(self.company).credit_limit, 80000.0)

    def test_second_approver_from_the_configured_group(self):
        group = self.env.ref("account.group_account_manager")
        self.company.credit_application_group_id = group
        partner = self.env["res.partner"].create(
            {"name": "Band Ltd", "is_company": True}
        )
        application = self._application(partner, 60000.0)
        application.action_submit()
        self._recommend(application)
        application.with_user(self.manager).action_approve()
        with self.assertRaisesRegex(AccessError, "member"):
            application.with_user(self.manager2).action_approve()
        self.manager2.group_ids = [(4, group.id)]
        application.with_user(self.manager2).action_approve()
        self.assertEqual(application.state, "applied")

    def test_nobody_approves_their_own_application(self):
        partner = self.env["res.partner"].create(
            {"name": "Own Ltd", "is_company": True}
        )
        application = self._application(partner, 1000.0, user=self.manager)
        application.with_user(self.manager).action_submit()
        self._recommend(application)
        with self.assertRaisesRegex(AccessError, "their own"):
            application.with_user(self.manager).action_approve()
        with self.assertRaisesRegex(AccessError, "Collections Manager"):
            application.with_user(self.collector).action_approve()
        self.assertFalse(partner.with_company(self.company).use_partner_credit_limit)

    def test_refused_application_changes_nothing(self):
        partner = self.env["res.partner"].create({"name": "No Ltd", "is_company": True})
        application = self._application(partner, 5000.0)
        application.action_submit()
        self._recommend(application, "refuse")
        with self.assertRaisesRegex(UserError, "recommends refusing"):
            application.with_user(self.manager).action_approve()
        application.with_user(self.manager).action_refuse()
        self.assertEqual(application.state, "refused")
        self.assertEqual(
            partner.with_company(self.company).credit_policy_id, self.new_tier
        )

    def test_bad_input_is_refused_with_nothing_written(self):
        partner = self.env["res.partner"].create(
            {"name": "Bad Ltd", "is_company": True}
        )
        contact = self.env["res.partner"].create(
            {"name": "Clerk", "parent_id": partner.id}
        )
        count = self.env["credit.application"].search_count([])
        for limit in (0.0, -10.0):
            with self.assertRaisesRegex(ValidationError, "above zero"):
                with self.env.cr.savepoint():
                    self._application(partner, limit)
        with self.assertRaisesRegex(ValidationError, "not to its contact"):
            with self.env.cr.savepoint():
                self._application(contact, 1000.0)
        self.assertEqual(self.env["credit.application"].search_count([]), count)
        application = self._application(partner, 1000.0)
        for vals in ({"state": "applied"}, {"approved_limit": 1e9}):
            with self.assertRaises(AccessError):
                application.with_user(self.salesman).write(vals)
        with self.assertRaises(AccessError):
            application.with_user(self.salesman).write({"recommendation": "approve"})

    # ---------------------------------------------------------------- reviews
    def test_review_date_gives_the_managers_an_activity_then_lapses(self):
        partner = self.env["res.partner"].create(
            {"name": "Review Ltd", "is_company": True}
        )
        application = self._application(partner, 3000.0)
        application.action_submit()
        self._recommend(application)
        application.with_user(self.manager).action_approve()
        partner = partner.with_company(self.company)
        self._reviews_on(self.today)
        self.assertFalse(partner.activity_ids)  # not due yet
        due = partner.credit_review_date
        self._reviews_on(due)
        self._reviews_on(due)  # once
        activity = partner.activity_ids.filtered(
            lambda a: a.summary == "Credit review due"
        )
        self.assertEqual(len(activity), 1)
        self.assertTrue(
            activity.user_id.has_group("account_credit_collection.group_manager")
        )
        # lapsed a month later: back to the tier's default limit, if the
        # company says so
        lapsed = due + relativedelta(months=1, days=1)
        self._reviews_on(lapsed)
        self.assertTrue(partner.use_partner_credit_limit)
        self.company.credit_review_lapse_reset = True
        self._reviews_on(lapsed)
        self.assertFalse(partner.use_partner_credit_limit)
        self.assertIn("Credit review lapsed", partner.message_ids[:1].body)

    def _reviews_on(self, day):
        """The credit review job as if today were ``day`` (the addon's one
        clock: the dry run's date)."""
        self.env["credit.application"].with_context(
            credit_collection_date=day
        )._cron_credit_reviews()


@tagged("post_install", "-at_install")
class TestPaymentTermRule(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.write(
            {
                "use_payment_term": True,
                "max_payment_term_days": 30,
                "payment_term_mode": "block",
                "block_invoice_posting": True,
            }
        )
        cls.days30 = cls.env.ref("account.account_payment_term_30days")
        cls.days45 = cls.env.ref("account.account_payment_term_45days")

    def test_longer_term_than_the_tier_allows_is_refused(self):
        order = self._order(self.customer, 100.0, user=self.salesman)
        order.payment_term_id = self.days45
        self.assertEqual(order.credit_check_state, "block")
        self.assertIn("Payment term of 45 days", order.credit_check_html)
        with self.assertRaisesRegex(UserError, "at most 30 days"):
            order.with_user(self.salesman).action_confirm()
        order.payment_term_id = self.days30
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_warn_mode_confirms_and_logs(self):
        self.tier.payment_term_mode = "warn"
        order = self._order(self.customer, 100.0, user=self.salesman)
        order.payment_term_id = self.days45
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn("Payment term of 45 days", order.message_ids[:1].body)

    def test_invoice_with_a_longer_term_is_not_posted(self):
        invoice = self._invoice(self.customer, 100.0, post=False)
        invoice.invoice_payment_term_id = self.days45
        with self.assertRaisesRegex(UserError, "Payment term of 45 days"):
            invoice.action_post()
        invoice.invoice_payment_term_id = self.days30
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_negative_maximum_term_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "negative"):
            with self.env.cr.savepoint():
                self.tier.max_payment_term_days = -1
        self.assertEqual(self.tier.max_payment_term_days, 30)

    def test_shipped_new_customer_tier_allows_30_days(self):
        new_tier = self.company.credit_unvetted_policy_id
        self.assertTrue(new_tier.use_payment_term)
        self.assertEqual(new_tier.max_payment_term_days, 30)
