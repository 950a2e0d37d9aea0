# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestCommercialPartner(CreditCollectionCommon):
    """The figures are the customer's, the commercial partner: the items of
    its contacts (an invoice addressed to a person of the company, a payment
    received from one) count for it, in the exposure ledger, the exposure,
    the over-limit search and the collection case (issue #18)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jane at Acme", "parent_id": cls.customer.id}
        )

    def _over_limit(self):
        return self.env["res.partner"].search(
            [("credit_over_limit", "=", True), ("id", "=", self.customer.id)]
        )

    def _receive_on_contact(self, amount):
        """Money received from the contact, not matched to any invoice: a
        posted payment with a journal entry whose receivable line carries the
        contact."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.contact.id,
                "amount": amount,
                "journal_id": self._outstanding_journal().id,
                "date": self.today,
            }
        )
        payment.action_post()
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.partner_id, self.contact)
        return payment

    def test_money_received_on_a_contact_reduces_the_exposure(self):
        """1,000 owed, 1,000 received on a contact: the exposure is 0 and an
        order that fits the limit again is confirmed."""
        self._invoice(self.customer, 1000.0, due_days=10)
        order = self._order(self.customer, 600.0)
        self.assertEqual(
            self.customer._credit_exposure(self.company)[self.customer.id]["total"],
            1000.0,
        )
        self.assertFalse(self._over_limit())  # at the limit, not above
        self._receive_on_contact(1000.0)
        exposure = self.customer._credit_exposure(self.company)[self.customer.id]
        self.assertEqual(exposure["credits"], -1000.0)
        self.assertEqual(exposure["total"], 0.0)
        _commercial, one, _batch = self.customer._credit_check_data(self.company)
        self.assertEqual(one["total"], 0.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._over_limit())

    def _entry_on_contact(self, amount, overdue_days):
        """A journal entry (not an invoice) whose receivable line carries the
        contact: Odoo puts the commercial partner on an invoice's lines, but
        not on a manual entry's or a payment's."""
        receivable = self.customer.property_account_receivable_id
        income = self.env["account.account"].search(
            [("account_type", "=", "income"), ("company_ids", "in", self.company.id)],
            limit=1,
        )
        due = self.today - timedelta(days=overdue_days)
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": due,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": self.contact.id,
                            "debit": amount,
                            "date_maturity": due,
                        }
                    ),
                    Command.create({"account_id": income.id, "credit": amount}),
                ],
            }
        )
        move.action_post()
        return move

    def test_invoice_on_a_contact_counts_for_its_company(self):
        """An item on a contact counts for the company: in the exposure, the
        over-limit search and one collection case, the company's."""
        self._entry_on_contact(700.0, overdue_days=12)
        self._invoice(self.customer, 500.0, overdue_days=3)
        exposure = self.customer._credit_exposure(self.company)[self.customer.id]
        self.assertEqual(exposure["overdue"], 1200.0)
        self.assertEqual(exposure["oldest_overdue_days"], 12)
        self.assertEqual(self._over_limit(), self.customer)
        Case = self.env["credit.collection.case"].with_context(active_test=False)
        Case._update_cases(self.company)
        cases = Case.search([("partner_id", "in", (self.customer | self.contact).ids)])
        self.assertEqual(cases.partner_id, self.customer)
        self.assertEqual(cases.amount_overdue, 1200.0)
        self.assertEqual(cases.worst_days_overdue, 12)
        self.assertEqual(cases.open_item_count, 2)
        # the batch update (the daily run's) agrees
        Case._update_cases(self.company, self.customer)
        self.assertEqual(cases.amount_overdue, 1200.0)
        self.assertEqual(len(cases._open_lines()), 2)

    def test_contact_moving_to_another_company(self):
        """A contact moved to another company takes its open items along:
        the ledger's rows move (a trigger on the commercial partner)."""
        other = self._customer("Other Ltd", limit=100.0)
        self._receive_on_contact(400.0)
        self.contact.parent_id = other
        self.env.flush_all()
        self.assertEqual(self.env["credit.exposure.entry"]._drift(), [])
        exposures = (self.customer | other)._credit_exposure(self.company)
        self.assertEqual(exposures.get(self.customer.id, {}).get("total", 0.0), 0.0)
        self.assertEqual(exposures[other.id]["credits"], -400.0)

    def test_statement_line_from_a_contact(self):
        """A bank statement line from the contact matched to the customer's
        invoice (what the bank reconciliation does): the invoice is paid; left
        on the receivable account unmatched, it is the customer's credit."""
        invoice = self._invoice(self.customer, 300.0, due_days=10)
        unmatched = self._invoice(self.customer, 200.0, due_days=10)
        for amount, match in ((300.0, invoice), (200.0, None)):
            st_line = self.env["account.bank.statement.line"].create(
                {
                    "journal_id": self.bank_journal.id,
                    "partner_id": self.contact.id,
                    "amount": amount,
                    "date": self.today,
                    "payment_ref": "Jane pays",
                }
            )
            _liquidity, suspense, _other = st_line._seek_for_lines()
            st_line.move_id.with_context(skip_readonly_check=True).write(
                {
                    "line_ids": [
                        Command.update(
                            suspense.id,
                            {
                                "account_id": invoice.line_ids.filtered(
                                    lambda line: line.account_type == "asset_receivable"
                                ).account_id.id,
                                "partner_id": self.contact.id,
                            },
                        )
                    ]
                }
            )
            if match:
                (
                    suspense
                    | match.line_ids.filtered(
                        lambda line: line.account_type == "asset_receivable"
                    )
                ).reconcile()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(unmatched.payment_state, "not_paid")
        exposure = self.customer._credit_exposure(self.company)[self.customer.id]
        self.assertEqual(exposure["not_due"], 200.0)
        self.assertEqual(exposure["credits"], -200.0)
        self.assertEqual(exposure["total"], 0.0)
