# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from ..models import credit_collection_statement
from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestCaseAging(CreditCollectionCommon):
    """The case's aging table (issue #18): each instalment in the bucket of
    its own due date, grouped in SQL, every open item counted (the list of
    invoices beside it may be cut)."""

    def test_instalments_in_their_own_buckets(self):
        self.tier.use_credit_limit = False
        partner = self._customer("Instalments customer")
        term = self.env["account.payment.term"].create(
            {
                "name": "Half now, half in 60 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 60}
                    ),
                ],
            }
        )
        date = self.today - timedelta(days=40)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date,
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
        self._invoice(partner, 70.0, move_type="out_refund")
        self._invoice(partner, 30.0, overdue_days=5)
        Case = self.env["credit.collection.case"]
        Case._update_cases(self.company, partner)
        case = Case.search([("partner_id", "=", partner.id)])
        # the list shows one invoice only: the aging still counts every item
        with patch.object(credit_collection_statement, "OPEN_ITEMS_LIMIT", 1):
            case.invalidate_recordset(["open_items_html"])
            html = str(case.open_items_html)
        self.assertIn("430.00", html)  # not due: 500 - 70 of credit
        self.assertIn("500.00", html)  # 31-60: the first instalment
        self.assertEqual(
            case._aging_amounts(self.company, self.today)[
                (partner.id, self.company.id)
            ],
            {"31_60": 500.0, "1_30": 30.0, "not_due": 430.0},
        )
