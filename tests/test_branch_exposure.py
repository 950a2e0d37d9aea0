# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestBranchExposure(CreditCollectionCommon):
    """A customer's receivables in the branches of a company count in its
    exposure, and the branch's in the company's (issue #18), as Odoo's own
    partner credit sums the whole company tree."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create(
            {"name": "Credit branch", "parent_id": cls.company.id}
        )
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                allowed_company_ids=(cls.company | cls.branch).ids,
            )
        )
        cls.customer = cls.customer.with_env(cls.env)
        # the branch books on its parent's accounts
        receivable = cls.customer.with_company(
            cls.company
        ).property_account_receivable_id
        cls.customer.with_company(
            cls.branch
        ).property_account_receivable_id = receivable

    def test_branch_receivables_in_the_exposure(self):
        self._invoice(self.customer, 800.0, due_days=10, company=self.branch)
        self._invoice(self.customer, 300.0, overdue_days=4)
        for company in (self.company, self.branch):
            exposure = self.customer._credit_exposure(company)[self.customer.id]
            self.assertEqual(exposure["not_due"], 800.0, company.name)
            self.assertEqual(exposure["overdue"], 300.0, company.name)
            _partner, one, _batch = self.customer._credit_check_data(company)
            self.assertEqual(one["total"], 1100.0, company.name)
        over = (
            self.env["res.partner"]
            .with_company(self.company)
            .search([("credit_over_limit", "=", True), ("id", "=", self.customer.id)])
        )
        self.assertEqual(over, self.customer)
        order = self._order(self.customer, 50.0)
        with self.assertRaisesRegex(UserError, "Credit limit"):
            order.action_confirm()
