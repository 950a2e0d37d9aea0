# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Crash safety and concurrency of the escalation run, with real committed
transactions on separate database connections (as the scheduler and the
web workers run it)."""

import threading
import uuid
from datetime import timedelta
from unittest.mock import patch

from odoo import api, fields
from odoo.tests import tagged

from ..models.credit_collection_action import CreditCollectionAction
from .common import RealTransactionsCase, make_invoice

N_CUSTOMERS = 6


class Crash(BaseException):
    """Stands for the process dying: not an error the run may catch."""


@tagged("post_install", "-at_install")
class TestEscalationCrashAndRace(RealTransactionsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = uuid.uuid4().hex[:8]

    def _book(self, env):
        """Customers 5 and 20 days overdue (a reminder email; a second
        reminder email and a call): committed."""
        company = env.company
        company.email = company.email or "credit@mycompany.example.com"
        tier = env["credit.collection.policy"].create(
            {"name": f"Race tier {uuid.uuid4().hex[:6]}", "use_credit_limit": False}
        )
        collector = env.ref("base.user_admin")
        today = fields.Date.context_today(env.user)
        partners = env["res.partner"]
        for index in range(N_CUSTOMERS):
            partner = env["res.partner"].create(
                {
                    "name": f"Escalation race {self.tag} {index}",
                    "is_company": True,
                    "email": f"ap{index}@race-{self.tag}.example.com",
                }
            )
            partner.credit_policy_id = tier
            days = 5 if index % 2 else 20
            make_invoice(env, partner, 100.0 + index, today - timedelta(days=days))
            partners |= partner
        env.flush_all()
        Case = env["credit.collection.case"]
        Case._update_cases(company, partners)
        cases = Case.search([("partner_id", "in", partners.ids)])
        cases.user_id = collector
        return cases

    def _commit_book(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            case_ids = self._book(env).ids
            cr.commit()  # pylint: disable=invalid-commit
        return case_ids

    def _result(self, case_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            cases = env["credit.collection.case"].browse(case_ids)
            actions = env["credit.collection.action"].search(
                [("case_id", "in", case_ids)]
            )
            messages = env["mail.message"].search(
                [
                    ("model", "=", "credit.collection.case"),
                    ("res_id", "in", case_ids),
                    ("subtype_id", "=", env.ref("mail.mt_comment").id),
                ]
            )
            # the customers' reminders (followers may get their own copy)
            mails = env["mail.mail"].search(
                [
                    ("mail_message_id", "in", messages.ids),
                    ("recipient_ids", "in", cases.partner_id.ids),
                ]
            )
            activities = env["mail.activity"].search(
                [
                    ("res_model", "=", "credit.collection.case"),
                    ("res_id", "in", case_ids),
                ]
            )
            return {
                "actions": len(actions),
                "keys": len(set(actions.mapped("idempotency_key"))),
                "states": sorted(set(actions.mapped("state"))),
                "emails": len(actions.filtered(lambda a: a.action_type == "email")),
                "messages_per_case": sorted(
                    len(messages.filtered(lambda m, c=case: m.res_id == c.id))
                    for case in cases
                ),
                "mails": len(mails),
                "activities": len(activities),
            }

    def _expected(self):
        # 6 emails (one per customer), 3 calls for the 20-days customers
        return {
            "actions": N_CUSTOMERS + N_CUSTOMERS // 2,
            "keys": N_CUSTOMERS + N_CUSTOMERS // 2,
            "states": ["done"],
            "emails": N_CUSTOMERS,
            "messages_per_case": [1] * N_CUSTOMERS,
            "mails": N_CUSTOMERS,
            "activities": N_CUSTOMERS // 2,
        }

    def test_crash_halfway_then_rerun_does_each_action_once(self):
        case_ids = self._commit_book()
        original = CreditCollectionAction._execute_one
        calls = {"n": 0}

        def crashing(action, date, payments):
            calls["n"] += 1
            if calls["n"] == 4:
                raise Crash("killed after 3 actions")
            return original(action, date, payments)

        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            cases = env["credit.collection.case"].browse(case_ids)
            with (
                patch.object(CreditCollectionAction, "_execute_one", crashing),
                self.assertRaises(Crash),
            ):
                env["credit.collection.case"]._run_escalation(
                    cases=cases, commit=True, action_batch_size=2
                )
            cr.rollback()
        halfway = self._result(case_ids)
        # the first batch (2 actions) was committed, the crashed one was not
        self.assertEqual(halfway["actions"], self._expected()["actions"])
        self.assertEqual(sum(halfway["messages_per_case"]) + halfway["activities"], 2)
        self.assertEqual(halfway["states"], ["done", "planned"])
        # the rerun finishes the work; a third run changes nothing
        for _run in range(2):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                cases = env["credit.collection.case"].browse(case_ids)
                env["credit.collection.case"]._run_escalation(
                    cases=cases, commit=True, action_batch_size=2
                )
            self.assertEqual(self._result(case_ids), self._expected())

    def test_two_concurrent_runs_and_a_manual_one_do_each_action_once(self):
        case_ids = self._commit_book()
        runners = 3
        barrier = threading.Barrier(runners, timeout=30)
        errors = []

        def run(manual):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, api.SUPERUSER_ID, {})
                    cases = env["credit.collection.case"].browse(case_ids)
                    cases.read(["stage_id"])
                    barrier.wait()
                    if manual:
                        # the "Run Escalation" button: one transaction, retried
                        # by the RPC layer on a serialization failure
                        from odoo.service.model import retrying

                        retrying(lambda: cases.action_run_escalation(), env)
                        cr.commit()  # pylint: disable=invalid-commit
                    else:
                        env["credit.collection.case"]._run_escalation(
                            cases=cases, commit=True, action_batch_size=1
                        )
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))

        threads = [
            threading.Thread(target=run, args=(index == 2,)) for index in range(runners)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertEqual(errors, [])
        self.assertEqual(self._result(case_ids), self._expected())
