# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestDisputeShares(CreditCollectionCommon):
    """A dispute belongs to its invoice (issue #18): capped at what the
    invoice still owes, spread over its open instalments in proportion to
    their residuals; never counted once per instalment, and a dispute of one
    instalment's amount does not stop the chase of the invoice."""

    def _instalments_invoice(self, partner):
        """1,000 in two instalments of 500, due 40 and 10 days ago."""
        term = self.env["account.payment.term"].create(
            {
                "name": "Two instalments",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 30}
                    ),
                ],
            }
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": self.today - timedelta(days=40),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service",
                            "quantity": 1,
                            "price_unit": 1000.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _figures(self, partner):
        exposure = partner._credit_exposure(self.company)[partner.id]
        case = self.env["credit.collection.case"]._case_figures(self.company, partner)[
            partner.id
        ]
        return exposure, case

    def test_dispute_spread_over_the_instalments(self):
        partner = self.customer
        invoice = self._instalments_invoice(partner)
        invoice.credit_dispute_amount = 500.0  # one instalment's amount
        exposure, case = self._figures(partner)
        self.assertAlmostEqual(exposure["disputed"], 500.0)  # not 1,000
        self.assertAlmostEqual(exposure["disputed_overdue"], 500.0)
        self.assertAlmostEqual(case["amount_disputed"], 500.0)
        # half of each instalment still to chase: the oldest one leads
        self.assertEqual(case["worst_days_overdue"], 40)
        reminded = (
            self.env["credit.collection.case"]
            .new({"partner_id": partner.id, "company_id": self.company.id})
            ._collection_items(overdue_only=True)
        )
        self.assertEqual(len(reminded), 2)
        self.assertAlmostEqual(sum(item["disputed"] for item in reminded), 500.0)

        # 800 paid: the dispute is capped at the 200 still owed
        self._pay_with_entry(invoice, 800.0)
        exposure, case = self._figures(partner)
        self.assertAlmostEqual(exposure["overdue"], 200.0)
        self.assertAlmostEqual(exposure["disputed"], 200.0)
        self.assertAlmostEqual(case["amount_disputed"], 200.0)
        self.assertEqual(case["worst_days_overdue"], 0)  # all of it disputed
        self.assertEqual(self.env["credit.exposure.entry"]._drift(), [])

        # the payment undone: the shares follow
        self._receivable(invoice).remove_move_reconcile()
        exposure, case = self._figures(partner)
        self.assertAlmostEqual(exposure["disputed"], 500.0)
        self.assertEqual(case["worst_days_overdue"], 40)

    def _receivable(self, move):
        return move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

    def test_rebuild_keeps_the_shares(self):
        invoice = self._instalments_invoice(self.customer)
        invoice.credit_dispute_amount = 300.0
        self.env["credit.exposure.entry"]._rebuild()
        exposure, _case = self._figures(self.customer)
        self.assertAlmostEqual(exposure["disputed"], 300.0)
        invoice.credit_dispute_amount = 0.0
        exposure, _case = self._figures(self.customer)
        self.assertAlmostEqual(exposure["disputed"], 0.0)
        self.assertEqual(self.env["credit.exposure.entry"]._drift(), [])
