# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestExposureOrders(CreditCollectionCommon):
    """The open orders' ledger (models/credit_exposure_order.py) is kept by
    PostgreSQL triggers: after every change of a confirmed order it equals
    the orders' part not invoiced yet (``_drift``, checked at the end of
    every test of the suite), and the exposure reads it instead of the
    orders' lines: a few rows per customer, whatever its number of orders."""

    def _rows(self, partner):
        self.env.flush_all()
        return self.env.execute_query(
            SQL(
                "SELECT amount FROM credit_exposure_order"
                " WHERE partner_id = %s ORDER BY amount",
                partner.id,
            )
        )

    def _orders(self, partner, exclude=None):
        self.assertEqual(self.env["credit.exposure.entry"]._drift(), [])
        exp = partner._credit_exposure(self.company, exclude_order=exclude)
        _commercial, one, _batch = partner._credit_check_data(
            self.company, exclude_order=exclude
        )
        self.assertEqual(one, exp[partner.id])
        return exp[partner.id]["orders"]

    def test_life_of_orders(self):
        partner = self.customer
        order = self._order(partner, 100.0)
        self.assertEqual(self._rows(partner), [])  # a quotation: nothing
        order.action_confirm()
        self.assertEqual(self._rows(partner), [(100.0,)])
        self.assertAlmostEqual(self._orders(partner), 100.0)
        # more quantity on the confirmed order, a second line, a note
        order.order_line.product_uom_qty = 3
        order.order_line = [
            Command.create(
                {"product_id": self.product.id, "price_unit": 20.0, "tax_ids": []}
            ),
            Command.create({"display_type": "line_note", "name": "note"}),
        ]
        self.assertAlmostEqual(self._orders(partner), 320.0)
        # invoiced in part: what is left to invoice
        order.order_line[0].qty_delivered = 1
        order.order_line[1].qty_delivered = 1
        invoice = order._create_invoices()
        invoice.invoice_line_ids.filtered(
            lambda line: line.price_unit == 100.0
        ).quantity = 1
        self.assertAlmostEqual(self._orders(partner), 200.0)
        invoice.action_post()
        self.assertAlmostEqual(self._orders(partner), 200.0)
        # cancelled: nothing left (the invoice counts as an open item)
        order._action_cancel()
        self.assertAlmostEqual(self._orders(partner), 0.0)

    def test_the_order_checked_is_left_out(self):
        partner = self.customer
        first = self._order(partner, 100.0)
        second = self._order(partner, 40.0)
        (first | second).action_confirm()
        self.assertAlmostEqual(self._orders(partner), 140.0)
        self.assertAlmostEqual(self._orders(partner, exclude=second), 100.0)
        # a quotation left out: it was not counted
        quotation = self._order(partner, 7.0)
        self.assertAlmostEqual(self._orders(partner, exclude=quotation), 140.0)

    def test_currency_rate_and_company_and_address(self):
        partner = self.customer
        order = self._order(partner, 100.0)
        order.action_confirm()
        order.currency_rate = 2.0  # 100 in the order's currency: 50
        self.assertAlmostEqual(self._orders(partner), 50.0)
        # the invoice address moves to another customer
        other = self._customer("Other Customer Ltd", limit=1000.0)
        order.partner_invoice_id = other
        self.assertAlmostEqual(self._orders(partner), 0.0)
        self.assertAlmostEqual(self._orders(other), 50.0)
        # the invoice address (a contact) moves to another company
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": other.id}
        )
        order.partner_invoice_id = contact
        self.assertAlmostEqual(self._orders(other), 50.0)
        contact.parent_id = partner
        self.assertEqual(contact.commercial_partner_id, partner)
        self.assertAlmostEqual(self._orders(other), 0.0)
        self.assertAlmostEqual(self._orders(partner), 50.0)

    def test_sql_changes_are_seen(self):
        partner = self.customer
        order = self._order(partner, 100.0)
        order.action_confirm()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order_line SET price_total = 60 WHERE order_id = %s",
            [order.id],
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(self._orders(partner), 60.0)
        self.env.cr.execute("DELETE FROM sale_order WHERE id = %s", [order.id])
        self.env.invalidate_all()
        self.assertAlmostEqual(self._orders(partner), 0.0)

    def test_rebuild_repairs_and_compacts(self):
        """The daily rebuild replaces the deltas by one row per customer and
        company, and repairs a ledger changed behind the triggers' back; the
        exposure reads the ledger, not the orders."""
        partner = self.customer
        orders = self._order(partner, 100.0) | self._order(partner, 50.0)
        orders.action_confirm()
        orders[0].order_line.product_uom_qty = 2
        self.assertGreater(len(self._rows(partner)), 1)
        self.env.cr.execute(
            "INSERT INTO credit_exposure_order (partner_id, company_id, amount)"
            " VALUES (%s, %s, 999)",
            (partner.id, self.company.id),
        )
        drift = self.env["credit.exposure.entry"]._drift()
        self.assertEqual([(d[0], d[2]) for d in drift], [(partner.id, None)])
        exp = partner._credit_exposure(self.company)[partner.id]
        self.assertAlmostEqual(exp["orders"], 250.0 + 999)
        self.env["credit.collection.case"]._cron_update_cases()
        self.assertEqual(self._rows(partner), [(250.0,)])
        self.assertAlmostEqual(self._orders(partner), 250.0)
