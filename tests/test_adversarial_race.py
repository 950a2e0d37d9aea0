# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Concurrent confirmations through the HTTP server: parallel JSON-RPC
requests (one thread each, standard library client), served by the real
threaded server on committed data, each in its own worker transaction. The
customer's limit admits exactly one of the orders.

(Two schedulers and a manual run at the same moment: test_escalation_race;
four direct database connections: test_credit_race.)"""

import threading
import uuid

from odoo import api
from odoo.tests import get_db_name, new_test_user, tagged
from odoo.tools import config

from .adversarial import record
from .common import RealTransactionsCase, race_book
from .rpc_clients import JsonRpcClient, RpcError

N_REQUESTS = 6


@tagged("post_install", "-at_install")
class TestAdversarialHttpRace(RealTransactionsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = uuid.uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            user = new_test_user(
                env,
                f"adv_race_{cls.tag}",
                groups="sales_team.group_sale_salesman_all_leads",
            )
            cls.login, cls.uid = user.login, user.id
            # each order fits in the limit alone; no two fit together
            orders = race_book(env, f"HTTP race {cls.tag}", N_REQUESTS, user=user)
            cls.order_ids = orders.ids
            cr.commit()  # pylint: disable=invalid-commit

    def test_parallel_jsonrpc_confirmations_exactly_one_passes(self):
        base_url = f"http://127.0.0.1:{config['http_port']}"
        barrier = threading.Barrier(N_REQUESTS, timeout=30)
        results = {}

        def confirm(order_id):
            client = JsonRpcClient(base_url, get_db_name(), self.uid, self.login)
            try:
                barrier.wait()
                client("sale.order", "action_confirm", [order_id])
                results[order_id] = "confirmed"
            except RpcError as error:
                results[order_id] = f"{error.kind}: {error.message}"
            except Exception as error:  # noqa: BLE001 - reported below
                results[order_id] = f"client error: {error!r}"

        threads = [
            threading.Thread(target=confirm, args=(order_id,))
            for order_id in self.order_ids
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        confirmed = [oid for oid, res in results.items() if res == "confirmed"]
        refused = [oid for oid, res in results.items() if res.startswith("UserError")]
        for oid in self.order_ids:
            record(
                "concurrent confirmations",
                "passed" if oid in confirmed else "refused",
                f"order {oid}: {results.get(oid)}",
                ok=oid in confirmed or oid in refused,
            )
        self.assertEqual(len(results), N_REQUESTS, results)
        self.assertEqual(len(confirmed), 1, results)
        self.assertEqual(len(refused), N_REQUESTS - 1, results)
        for oid in refused:
            self.assertIn("Credit limit", results[oid])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            states = env["sale.order"].browse(self.order_ids).mapped("state")
            self.assertEqual(states.count("sale"), 1)
            self.assertEqual(states.count("draft"), N_REQUESTS - 1)
