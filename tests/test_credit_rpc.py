# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Enforcement through the external API of a running Odoo server."""

import xmlrpc.client

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

TINY_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestCreditHoldRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        tier = cls.env["credit.collection.policy"].create(
            {"name": "RPC tier", "company_id": company.id, "use_credit_limit": True}
        )
        cls.partner = cls.env["res.partner"].create(
            {"name": "RPC Held Customer", "is_company": True}
        )
        cls.partner.write(
            {
                "credit_policy_id": tier.id,
                "credit_limit": 100.0,
                "use_partner_credit_limit": True,
            }
        )
        cls.salesman = new_test_user(
            cls.env, "ccol_rpc_sales", groups="sales_team.group_sale_salesman"
        )
        cls.manager = new_test_user(
            cls.env,
            "ccol_rpc_manager",
            groups="account_credit_collection.group_manager,"
            "sales_team.group_sale_salesman_all_leads",
        )
        product = cls.env["product.product"].create(
            {"name": "RPC service", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.partner.id,
                "user_id": cls.salesman.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "price_unit": 500.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )

    def _execute(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def test_xmlrpc_confirm_is_refused(self):
        with self.assertRaisesRegex(xmlrpc.client.Fault, "on credit hold"):
            self._execute(
                self.salesman, "sale.order", "action_confirm", [self.order.id]
            )
        with self.assertRaisesRegex(xmlrpc.client.Fault, "on credit hold"):
            self._execute(
                self.salesman, "sale.order", "write", [self.order.id], {"state": "sale"}
            )
        with self.assertRaisesRegex(xmlrpc.client.Fault, "on credit hold"):
            self._execute(
                self.salesman,
                "sale.order",
                "action_confirm",
                [self.order.id],
                context={"credit_collection_bypass_hold": True, "bypass_risk": True},
            )
        self.assertEqual(self.order.state, "draft")

    def test_xmlrpc_salesperson_cannot_override_or_edit(self):
        hold = (
            self.env["credit.hold"]
            .with_user(self.manager)
            .action_create_manual(self.partner, "RPC audit")
        )
        for method, args in (
            ("write", ([hold.id], {"state": "released"})),
            ("unlink", ([hold.id],)),
            ("action_release", ([hold.id],)),
            ("action_open_override_wizard", ([hold.id],)),
        ):
            with self.subTest(method=method):
                with self.assertRaises(xmlrpc.client.Fault):
                    self._execute(self.salesman, "credit.hold", method, *args)
        with self.assertRaises(xmlrpc.client.Fault):
            self._execute(
                self.salesman,
                "res.partner",
                "write",
                [self.partner.id],
                {"credit_prepayment_only": False, "credit_policy_id": False},
            )
        self.assertEqual(hold.state, "active")

    def test_portal_signature_asks_for_prepayment_instead_of_confirming(self):
        self.order.write({"require_signature": True, "require_payment": False})
        self.order.action_quotation_sent()
        token = self.order._portal_ensure_token()
        result = self.make_jsonrpc_request(
            f"/my/orders/{self.order.id}/accept",
            {"access_token": token, "name": "Buyer", "signature": TINY_PNG},
        )
        self.assertNotIn("error", result)
        self.assertIn("allow_payment=yes", result["redirect_url"])
        self.assertEqual(self.order.state, "sent")
        self.assertEqual(self.order.signed_by, "Buyer")

    def test_jsonrpc_request_release_then_manager_override(self):
        self.authenticate(self.salesman.login, self.salesman.login)
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/sale.order/action_credit_request_release",
            {
                "model": "sale.order",
                "method": "action_credit_request_release",
                "args": [[self.order.id]],
                "kwargs": {},
            },
        )
        hold = self.env["credit.hold"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(hold.release_requested_by_id, self.salesman)
        self.authenticate(self.manager.login, self.manager.login)
        action = self.make_jsonrpc_request(
            "/web/dataset/call_kw/sale.order/action_credit_override",
            {
                "model": "sale.order",
                "method": "action_credit_override",
                "args": [[self.order.id]],
                "kwargs": {},
            },
        )
        wizard_id = self.make_jsonrpc_request(
            "/web/dataset/call_kw/credit.hold.override/create",
            {
                "model": "credit.hold.override",
                "method": "create",
                "args": [{"reason": "Approved by the CFO"}],
                "kwargs": {"context": action["context"]},
            },
        )
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/credit.hold.override/action_override",
            {
                "model": "credit.hold.override",
                "method": "action_override",
                "args": [[wizard_id]],
                "kwargs": {},
            },
        )
        self.assertEqual(hold.state, "overridden")
        self.assertEqual(hold.override_user_id, self.manager)
        self._execute(self.salesman, "sale.order", "action_confirm", [self.order.id])
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(self.order.credit_hold_override_id, hold)
