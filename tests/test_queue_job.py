# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The escalation spread over OCA queue_job workers. These tests need a
database where queue_job is installed (``make test`` makes one and runs them
there, with CREDIT_COLLECTION_QUEUE_TESTS=1); everywhere else they skip."""

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from unittest import SkipTest
from unittest.mock import patch

import odoo
from odoo import api, fields
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import get_db_name, tagged
from odoo.tools import config

from ..models import credit_collection_action_runner as runner_module
from ..models import credit_collection_escalation as escalation_module
from ..models.credit_collection_action_queue import QUEUE_CHANNEL, QUEUE_PARAM
from .common import RealTransactionsCase, make_invoice
from .test_escalation import EscalationCommon


def require_queue_job(registry):
    """Skip without queue_job, unless the run says it is installed."""
    if "queue.job" in registry:
        return
    if os.environ.get("CREDIT_COLLECTION_QUEUE_TESTS") == "1":
        raise AssertionError("queue_job is not installed in the queue tests' database")
    raise SkipTest("OCA queue_job is not installed in this database")


class Rollback(Exception):
    """Undoes a run inside a savepoint."""


@tagged("post_install", "-at_install")
class TestQueuePathSameAsCron(EscalationCommon):
    @classmethod
    def setUpClass(cls):
        require_queue_job(Registry(get_db_name()))
        super().setUpClass()

    def _book(self):
        """Customers at every step of the ladder, one without an email
        address, one with an unmatched incoming payment."""
        customers = self.env["res.partner"]
        for index, days in enumerate((5, 5, 20, 35, 50, 70, 100)):
            customer = self._customer(f"Queue book {index} Ltd")
            customer.email = (
                f"ap{index}@queue-book.example.com" if index != 1 else False
            )
            self._invoice(customer, 100.0 + index, overdue_days=days)
            customers |= customer
        self._invoice(customers[0], 40.0, overdue_days=60)
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, customers)
        return self.Case.sudo().search([("partner_id", "in", customers.ids)])

    def _escalation_outcome(self, cases, queued):
        """Run the background escalation on ``cases`` (queued: then perform
        its jobs, twice: a retried job does nothing more), undo it; what it
        did, per customer."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(QUEUE_PARAM, "1" if queued else "0")
        no_commit = patch.object(
            type(self.Case),
            "_commit_escalation_step",
            lambda self, count=0: float("inf"),
        )

        # the test's transaction is not committed
        def no_retry(module):
            return patch.object(module, "retrying", lambda func, env: func())

        outcome = None
        with contextlib.suppress(Rollback), self.env.cr.savepoint():
            with no_commit, no_retry(escalation_module), no_retry(runner_module):
                self.Case.sudo()._run_escalation(
                    cases=cases, commit=True, action_batch_size=2
                )
            jobs = self._jobs(cases)
            if queued:
                batches = [job.records.ids for job in jobs]
                self.assertEqual(max(map(len, batches)), 2)
                self.assertEqual(len(sum(batches, [])), len(set(sum(batches, []))))
                self.assertEqual(set(jobs.mapped("channel")), {QUEUE_CHANNEL})
                # the next background run does not enqueue them again
                again = self.Action._enqueue_due(self.company, self.today, cases, 2)
                self.assertFalse(again)
                self._perform(jobs)
                first = self._snapshot(cases)
                self._perform(jobs)
                self.assertEqual(self._snapshot(cases), first)
            else:
                self.assertFalse(jobs)
            outcome = self._snapshot(cases)
            raise Rollback
        self.env.invalidate_all()
        return outcome

    def _jobs(self, cases):
        """The jobs executing actions of ``cases``."""
        actions = self.Action.sudo().search([("case_id", "in", cases.ids)])
        return (
            self.env["queue.job"]
            .sudo()
            .search([("model_name", "=", "credit.collection.action")])
            .filtered(lambda job: job.records <= actions)
        )

    def _perform(self, jobs):
        from odoo.addons.queue_job.job import Job

        # in the order they were enqueued (one worker: queue_job runs a
        # channel's jobs of the same priority first in, first out)
        for job in jobs.sorted("id"):
            Job.load(self.env, job.uuid).perform()

    def _snapshot(self, cases):
        self.env.flush_all()
        self.env.invalidate_all()
        rows = []
        for action in self.Action.sudo().search([("case_id", "in", cases.ids)]):
            name = action.partner_id.name
            rows.append(
                (
                    name,
                    action.idempotency_key.replace(f"case{action.case_id.id}/", name),
                    action.action_type,
                    action.state,
                    action.stage_id.name,
                    action.skip_reason or "",
                    action.blocked_reason or "",
                    action.attempt_count,
                    bool(action.message_id),
                )
            )
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search_count(
                [("model", "=", "credit.collection.case"), ("res_id", "in", cases.ids)]
            )
        )
        return sorted(rows), mails

    def test_queue_path_plans_and_executes_what_the_cron_does(self):
        self.maxDiff = None
        cases = self._book()
        cron = self._escalation_outcome(cases, queued=False)
        queued = self._escalation_outcome(cases, queued=True)
        self.assertEqual(queued, cron)
        rows, mails = cron
        self.assertIn("done", {row[3] for row in rows})
        self.assertGreater(mails, 0)

    def test_manual_run_stays_synchronous(self):
        cases = self._book()
        self.env["ir.config_parameter"].sudo().set_param(QUEUE_PARAM, "1")
        summary = self.Case.sudo()._run_escalation(cases=cases)
        self.assertGreater(summary["processed"], 0)
        self.assertFalse(self._jobs(cases))


N_CASES = 6
BATCH = 3
RUNNER_CHANNELS = f"root:4,{QUEUE_CHANNEL}:2"


@tagged("post_install", "-at_install")
class TestQueueWorkerKilled(RealTransactionsCase):
    """Two Odoo servers with the queue_job runner on the committed test
    database; the one executing a batch is killed (SIGKILL) halfway through
    it: nothing is lost, nothing is done twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        require_queue_job(cls.registry)
        cls.tag = uuid.uuid4().hex[:8]

    def _env(self, cr):
        return api.Environment(cr, api.SUPERUSER_ID, {})

    def _commit_book_and_jobs(self):
        """Customers with an overdue invoice (a reminder email each), their
        actions planned and enqueued (2 jobs of 3): committed."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env.company.email = env.company.email or "credit@mycompany.example.com"
            tier = env["credit.collection.policy"].create(
                {"name": f"Queue tier {self.tag}", "use_credit_limit": False}
            )
            today = fields.Date.context_today(env.user)
            partners = env["res.partner"]
            for index in range(N_CASES):
                partner = env["res.partner"].create(
                    {
                        "name": f"Queue kill {self.tag} {index}",
                        "is_company": True,
                        "email": f"ap{index}@kill-{self.tag}.example.com",
                        "credit_policy_id": tier.id,
                    }
                )
                make_invoice(env, partner, 100.0 + index, today - timedelta(days=5))
                partners |= partner
            env.flush_all()
            Case = env["credit.collection.case"]
            Case._update_cases(env.company, partners)
            cases = Case.search([("partner_id", "in", partners.ids)])
            env["ir.config_parameter"].set_param(QUEUE_PARAM, "1")
            Case._run_escalation(cases=cases, commit=True, action_batch_size=BATCH)
            self.addCleanup(self._clean, partners.ids)
            return cases.ids

    def _clean(self, partner_ids):
        """Cancel the book's invoices and switch the queue off, so that the
        tests that run later do not chase these customers."""
        with self.registry.cursor() as cr:
            retrying(functools.partial(self._cancel, partner_ids, cr), self._env(cr))

    def _cancel(self, partner_ids, cr):
        env = self._env(cr)
        moves = env["account.move"].search([("partner_id", "in", partner_ids)])
        moves.button_draft()
        moves.button_cancel()
        env.flush_all()
        partners = env["res.partner"].browse(partner_ids)
        env["credit.collection.case"]._update_cases(env.company, partners)
        env["ir.config_parameter"].set_param(QUEUE_PARAM, "0")

    def _state(self, case_ids):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            actions = env["credit.collection.action"].search(
                [("case_id", "in", case_ids)], order="id"
            )
            messages = env["mail.message"].search(
                [
                    ("model", "=", "credit.collection.case"),
                    ("res_id", "in", case_ids),
                    ("subtype_id", "=", env.ref("mail.mt_comment").id),
                ]
            )
            mails = env["mail.mail"].search([("mail_message_id", "in", messages.ids)])
            jobs = (
                env["queue.job"]
                .search([("model_name", "=", "credit.collection.action")], order="id")
                .filtered(lambda job: job.records <= actions)
            )
            return {
                "actions": actions.ids,
                "done": actions.filtered(lambda a: a.state == "done").ids,
                "keys": len(set(actions.mapped("idempotency_key"))),
                "messages_per_case": sorted(
                    len(messages.filtered(lambda m, c=cid: m.res_id == c))
                    for cid in case_ids
                ),
                "mails": len(mails),
                "jobs": [
                    (job.records.ids, job.state, job.retry, job.worker_pid)
                    for job in jobs
                ],
            }

    @staticmethod
    def _free_port():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def _server(self, log):
        """An Odoo server with the queue_job runner (its own HTTP port)."""
        # odoo is a namespace package: odoo-bin sits beside odoo/tools/
        odoo_bin = Path(odoo.tools.__file__).resolve().parents[2] / "odoo-bin"
        port = self._free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                str(odoo_bin),
                "-c",
                config["config"],
                "-d",
                get_db_name(),
                "--http-interface=127.0.0.1",
                f"--http-port={port}",
                "--load=base,web,queue_job",
                "--max-cron-threads=0",
                "--log-level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ODOO_QUEUE_JOB_CHANNELS": RUNNER_CHANNELS},
        )
        self.addCleanup(self._kill, process)
        return process

    @staticmethod
    def _kill(process):
        if process.poll() is None:
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)

    def _blocked_backend(self, blocker_pid, servers):
        """(server, query) of a server's backend waiting for ``blocker``."""
        by_name = {f"odoo-{server.pid}": server for server in servers}
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT application_name, query FROM pg_stat_activity
                    WHERE %s = ANY(pg_blocking_pids(pid))
                      AND application_name IN %s""",
                [blocker_pid, tuple(by_name)],
            )
            row = cr.fetchone()
        return row and (by_name[row[0]], row[1])

    def _backends(self, pid):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [f"odoo-{pid}"],
            )
            return cr.fetchone()[0]

    def _wait(self, condition, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")

    def test_worker_killed_mid_batch(self):
        case_ids = self._commit_book_and_jobs()
        planned = self._state(case_ids)
        self.assertEqual(len(planned["actions"]), N_CASES)
        self.assertEqual(len(planned["jobs"]), N_CASES // BATCH)
        first_job_actions = planned["jobs"][0][0]
        # hold the case of the first job's second action: its worker executes
        # the first action, then waits on that case, halfway through the batch
        blocker = self.registry.cursor()
        self.addCleanup(blocker.close)
        blocker.execute(
            """SELECT case_id FROM credit_collection_action WHERE id = %s""",
            [first_job_actions[1]],
        )
        held_case = blocker.fetchone()[0]
        blocker.execute(
            "SELECT id FROM credit_collection_case WHERE id = %s FOR NO KEY UPDATE",
            [held_case],
        )
        blocker.execute("SELECT pg_backend_pid()")
        blocker_pid = blocker.fetchone()[0]
        with tempfile.TemporaryFile("w+") as log:
            servers = {self._server(log), self._server(log)}
            victim, query = self._wait(
                lambda: self._blocked_backend(blocker_pid, servers),
                180,
                "a worker to block",
            )
            self.assertIn("credit_collection_case", query)
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=30)
            blocker.rollback()  # the killed worker's transaction ends
            self._wait(lambda: not self._backends(victim.pid), 60, "its backends")
            halfway = self._state(case_ids)
            # the killed batch committed nothing (its first action included)
            self.assertFalse(set(first_job_actions) & set(halfway["done"]), halfway)
            survivor = (servers - {victim}).pop()
            done = self._wait(
                lambda: (
                    (state := self._state(case_ids))["done"] == state["actions"]
                    and all(job[1] == "done" for job in state["jobs"])
                    and state
                ),
                240,
                "the surviving worker to finish",
            )
            self.assertIsNone(survivor.poll())
            log.seek(0)
            output = log.read()
        self.assertEqual(done["keys"], N_CASES)
        self.assertEqual(done["messages_per_case"], [1] * N_CASES, output)
        self.assertEqual(done["mails"], N_CASES, output)
        # the killed job was found dead and run again, by the survivor
        killed_job, other_job = done["jobs"]
        self.assertEqual(killed_job[2], 2, done["jobs"])
        self.assertEqual(killed_job[3], survivor.pid)
        self.assertEqual(other_job[1], "done")
