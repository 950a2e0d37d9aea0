# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Concurrent confirmations for one customer through separate database
connections (real transactions, committed), as several Odoo workers would."""

import threading
import uuid

from odoo import api
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from .common import RealTransactionsCase, race_book

N_ORDERS = 4


@tagged("post_install", "-at_install")
class TestConfirmationRace(RealTransactionsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = uuid.uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            orders = cls._make_book(env)
            cls.order_ids = orders.ids
            cls.partner_id = orders.partner_id.id

    @classmethod
    def _make_book(cls, env):
        # each order fits in the limit alone; no two fit together
        return race_book(env, f"Race {cls.tag}", N_ORDERS)

    def test_exactly_one_concurrent_confirmation_passes(self):
        self._assert_exactly_one_confirmed("Credit limit")

    def _assert_exactly_one_confirmed(self, refusal):
        """Confirm every order of ``self.order_ids`` at once, each in its own
        committed transaction: exactly one passes, the others are refused
        with ``refusal`` in the message."""
        barrier = threading.Barrier(N_ORDERS, timeout=30)
        results = {}

        def confirm(order_id):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                # take every transaction's snapshot before any of them confirms
                env["sale.order"].browse(order_id).read(["state"])
                barrier.wait()

                def attempt():
                    env["sale.order"].browse(order_id).action_confirm()

                try:
                    retrying(attempt, env)
                    # real concurrent transactions: each worker commits its own
                    cr.commit()  # pylint: disable=invalid-commit
                    results[order_id] = "confirmed"
                except UserError as exc:
                    cr.rollback()
                    results[order_id] = f"refused: {exc}"
                except Exception as exc:  # noqa: BLE001 - reported below
                    cr.rollback()
                    results[order_id] = f"error: {exc!r}"

        threads = [
            threading.Thread(target=confirm, args=(oid,)) for oid in self.order_ids
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(len(results), N_ORDERS, results)
        confirmed = [oid for oid, res in results.items() if res == "confirmed"]
        refused = [oid for oid, res in results.items() if res.startswith("refused")]
        self.assertEqual(len(confirmed), 1, results)
        self.assertEqual(len(refused), N_ORDERS - 1, results)
        for oid in refused:
            self.assertIn(refusal, results[oid])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            states = env["sale.order"].browse(self.order_ids).mapped("state")
            self.assertEqual(states.count("sale"), 1)
            self.assertEqual(states.count("draft"), N_ORDERS - 1)


@tagged("post_install", "-at_install")
class TestPrepaymentRace(TestConfirmationRace):
    """Orders of a cash customer racing for the same money received: one
    transfer of 1,000 and four orders of 600. One payment never pays two
    orders."""

    @classmethod
    def _make_book(cls, env):
        orders = race_book(env, f"Cash race {cls.tag}", N_ORDERS)
        partner = orders.partner_id
        partner.credit_prepayment_only = True
        journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
        )
        payment = env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": 1000.0,
                "journal_id": journal.id,
            }
        )
        payment.action_post()
        return orders

    @classmethod
    def tearDownClass(cls):
        # committed data: leave no cash customer with blocked quotations to
        # the tests that look at the whole company (the dry run)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            orders = env["sale.order"].browse(cls.order_ids)
            orders.filtered(lambda o: o.state == "draft").action_cancel()
            orders.partner_id.credit_prepayment_only = False
        super().tearDownClass()

    def test_exactly_one_concurrent_confirmation_passes(self):
        self._assert_exactly_one_confirmed("still missing")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.order_ids)
            self.assertEqual(orders.mapped("credit_prepaid").count(True), 1)
