# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Faults during the escalation run:

* the scheduler process killed (SIGKILL) in the middle of a run, on committed
  data, then run again: nothing lost, nothing done twice;
* the statement / letter PDF failing for one customer: that action fails
  with the error, the run goes on;
* a mail template with a broken expression: the action fails with a
  readable error, the run goes on.

(SMTP down and back: test_escalation.TestEscalationDelivery; a crash raised
inside the run and concurrent runs: test_escalation_race.)"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import odoo.tools
from odoo import Command, api, fields
from odoo.tests import get_db_name, tagged
from odoo.tools import config

from .adversarial import record
from .common import RealTransactionsCase, make_invoice
from .test_escalation import EscalationCommon

N_CASES = 8
# each action takes this long in the killed process, so that the kill lands
# between committed batches (the only fault injected there: a slow run)
ACTION_DELAY = 0.4

SHELL_SCRIPT = """
import time
Action = env.registry["credit.collection.action"]
original = Action._execute_one

def slow(self, date, payments):
    result = original(self, date, payments)
    time.sleep({delay})
    return result

Action._execute_one = slow
cases = env["credit.collection.case"].browse({case_ids})
env["credit.collection.case"]._run_escalation(
    cases=cases, commit=True, action_batch_size=1
)
print("RUN FINISHED")
"""


@tagged("post_install", "-at_install")
class TestSchedulerKilled(RealTransactionsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = uuid.uuid4().hex[:8]

    def _commit_book(self):
        """Customers 5 days overdue: one reminder email each. Committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env.company
            company.email = company.email or "credit@mycompany.example.com"
            tier = env["credit.collection.policy"].create(
                {"name": f"Kill tier {self.tag}", "use_credit_limit": False}
            )
            today = fields.Date.context_today(env.user)
            partners = env["res.partner"]
            for index in range(N_CASES):
                partner = env["res.partner"].create(
                    {
                        "name": f"Killed run {self.tag} {index}",
                        "is_company": True,
                        "email": f"ap{index}@kill-{self.tag}.example.com",
                        "credit_policy_id": tier.id,
                    }
                )
                make_invoice(env, partner, 100.0 + index, today - timedelta(days=5))
                partners |= partner
            env.flush_all()
            Case = env["credit.collection.case"]
            Case._update_cases(company, partners)
            case_ids = Case.search([("partner_id", "in", partners.ids)]).ids
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._cancel_book, partners.ids)
        self.assertEqual(len(case_ids), N_CASES)
        return case_ids

    def _cancel_book(self, partner_ids):
        """The data is committed: cancel the invoices and close the cases, so
        that the tests that run later do not chase these customers."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            partners = env["res.partner"].browse(partner_ids)
            moves = env["account.move"].search([("partner_id", "in", partner_ids)])
            moves.button_draft()
            moves.button_cancel()
            env.flush_all()
            env["credit.collection.case"]._update_cases(env.company, partners)
            cr.commit()  # pylint: disable=invalid-commit

    def _outbox(self, case_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
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
            mails = env["mail.mail"].search([("mail_message_id", "in", messages.ids)])
            return {
                "actions": len(actions),
                "keys": len(set(actions.mapped("idempotency_key"))),
                "done": len(actions.filtered(lambda a: a.state == "done")),
                "states": sorted(set(actions.mapped("state"))),
                "messages_per_case": sorted(
                    len(messages.filtered(lambda m, c=cid: m.res_id == c))
                    for cid in case_ids
                ),
                "mails": len(mails),
                "message_links": len(actions.message_id),
            }

    def _backends(self, pid):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [f"odoo-{pid}"],
            )
            return cr.fetchone()[0]

    @staticmethod
    def _kill(process):
        if process.poll() is None:
            process.kill()
        # (its output already read by the test, or the child not dead yet:
        # nothing more to do)
        with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
            process.communicate(timeout=30)

    def test_scheduler_killed_mid_batch_then_rerun(self):
        case_ids = self._commit_book()
        # odoo is a namespace package: odoo-bin sits beside odoo/tools/
        odoo_bin = Path(odoo.tools.__file__).resolve().parents[2] / "odoo-bin"
        command = [
            sys.executable,
            str(odoo_bin),
            "shell",
            "-c",
            config["config"],
            "-d",
            get_db_name(),
            "--no-http",
            "--log-level=warn",
        ]
        with tempfile.TemporaryFile("w+") as script:
            script.write(SHELL_SCRIPT.format(delay=ACTION_DELAY, case_ids=case_ids))
            script.seek(0)
            process = subprocess.Popen(
                command,
                stdin=script,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        # whatever happens below (a timeout, a failed assertion), the child
        # does not outlive the test: a child left idle in its transaction
        # would hold its row locks for the rest of the run
        self.addCleanup(self._kill, process)
        # wait until the first batches are committed, then kill
        deadline = time.monotonic() + 120
        halfway = None
        while time.monotonic() < deadline and process.poll() is None:
            state = self._outbox(case_ids)
            if state["done"] >= 2:
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        else:
            process.kill()  # no batch committed in time (or it ended alone)
        output = process.communicate(timeout=30)[0]
        self.assertEqual(process.returncode, -signal.SIGKILL, output)
        self.assertNotIn("RUN FINISHED", output)
        # the killed process' transaction is gone (its row locks with it)
        for _wait in range(200):
            if not self._backends(process.pid):
                break
            time.sleep(0.05)
        self.assertEqual(self._backends(process.pid), 0)
        halfway = self._outbox(case_ids)
        # every action was planned (and committed) before the execution began;
        # the batches committed before the kill are done, the rest planned
        self.assertEqual(halfway["actions"], N_CASES)
        self.assertEqual(halfway["keys"], N_CASES)
        self.assertEqual(halfway["states"], ["done", "planned"], halfway)
        self.assertGreaterEqual(halfway["done"], 2)
        self.assertLess(halfway["done"], N_CASES)
        self.assertEqual(halfway["message_links"], halfway["done"])
        self.assertEqual(sum(halfway["messages_per_case"]), halfway["done"])
        # the next run finishes the work; one more changes nothing
        expected = {
            "actions": N_CASES,
            "keys": N_CASES,
            "done": N_CASES,
            "states": ["done"],
            "messages_per_case": [1] * N_CASES,
            "mails": N_CASES,
            "message_links": N_CASES,
        }
        for _run in range(2):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                env["credit.collection.case"]._run_escalation(
                    cases=env["credit.collection.case"].browse(case_ids),
                    commit=True,
                    action_batch_size=1,
                )
            self.assertEqual(self._outbox(case_ids), expected)
        record(
            "faults",
            "handled",
            f"scheduler SIGKILLed after {halfway['done']}/{N_CASES} actions",
        )


@tagged("post_install", "-at_install")
class TestRenderingFaults(EscalationCommon):
    def _customers(self, count, prefix):
        customers = self.env["res.partner"]
        for index in range(count):
            customer = self._customer(f"{prefix} {index} Ltd")
            customer.email = f"ap{index}@{prefix.lower()}.example.com"
            self._invoice(customer, 100.0 + index, overdue_days=5)
            customers |= customer
        return customers

    def test_pdf_rendering_fails_for_one_case(self):
        customers = self._customers(3, "Render")
        broken, fine, no_email = customers
        no_email.email = False  # its reminder becomes a letter (also a PDF)
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, customers)
        broken_cases = self._case(broken) | self._case(no_email)
        Report = type(self.env["ir.actions.report"])
        original = Report._render_qweb_pdf

        def failing(report, report_ref, res_ids=None, data=None):
            if self.env["ir.actions.report"]._get_report(
                report_ref
            ).model == "credit.collection.case" and set(res_ids or []) & set(
                broken_cases.ids
            ):
                raise RuntimeError("wkhtmltopdf crashed (injected)")
            return original(report, report_ref, res_ids=res_ids, data=data)

        with patch.object(Report, "_render_qweb_pdf", failing):
            summary = self._run(customers)
        email = self._actions(broken, action_type="email")
        self.assertEqual(email.state, "failed")
        self.assertIn("wkhtmltopdf crashed (injected)", email.error)
        self.assertFalse(email.message_id, "nothing half-sent")
        self.assertFalse(self._reminder_messages(self._case(broken)))
        letter = self._actions(no_email, action_type="letter")
        self.assertEqual(letter.state, "failed")
        self.assertIn("wkhtmltopdf crashed (injected)", letter.error)
        self.assertFalse(letter.attachment_id)
        # the rest of the run went on
        done = self._actions(fine, action_type="email")
        self.assertEqual(done.state, "done", done.error)
        self.assertEqual(len(self._reminder_messages(self._case(fine))), 1)
        self.assertGreaterEqual(summary["processed"], 4)
        # once rendering works again, the failed ones are retried: once each
        self._run(customers)
        for action in email | letter:
            self.assertEqual(action.state, "done", action.error)
        self.assertEqual(len(self._reminder_messages(self._case(broken))), 1)
        self.assertEqual(len(self._reminder_messages(self._case(fine))), 1)
        record("faults", "handled", "statement/letter PDF rendering failing")

    def test_broken_template_expression_fails_the_action_only(self):
        """Odoo refuses to save a template that does not render; a template
        that breaks afterwards (e.g. a field of an uninstalled module: written
        here in SQL, as an upgrade would leave it) fails its action with a
        readable error and the run goes on."""
        self.tier.reminder_interval_days = 0
        Template = self.env["mail.template"]
        model = self.env["ir.model"]._get_id("credit.collection.case")
        broken_body = '<p>Dear <t t-out="object.no_such_field.name"/></p>'
        broken_subject = "{{ object.partner_id.name + 1 }}"
        # Odoo tries a template on a record of its model when it is saved
        customers = self._customers(2, "Template")
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, customers)
        for vals in ({"body_html": broken_body}, {"subject": broken_subject}):
            with self.assertRaisesRegex(Exception, "save your template"):
                with self.env.cr.savepoint():
                    Template.create(dict({"name": "Broken", "model_id": model}, **vals))
            record("bad input", "rejected", f"mail template {list(vals)[0]}")
        templates = {
            key: Template.create(
                {
                    "name": f"Will break ({key})",
                    "model_id": model,
                    "subject": "Reminder",
                    "body_html": "<p>Hello</p>",
                }
            )
            for key in ("body", "subject")
        }
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_template SET body_html = jsonb_build_object('en_US', %s)"
            " WHERE id = %s",
            [broken_body, templates["body"].id],
        )
        self.env.cr.execute(
            "UPDATE mail_template SET subject = jsonb_build_object('en_US', %s)"
            " WHERE id = %s",
            [broken_subject, templates["subject"].id],
        )
        Template.invalidate_model()
        rules = {
            key: self.env["credit.collection.rule"].create(
                {
                    "stage_id": self.stage["reminder"].id,
                    "action_type": "email",
                    "mail_template_id": template.id,
                    "policy_ids": [Command.set(self.tier.ids)],
                }
            )
            for key, template in templates.items()
        }
        self._run(customers)
        for customer in customers:
            for key, rule in rules.items():
                action = self._actions(customer, rule_id=rule.id)
                self.assertEqual(action.state, "failed", key)
                self.assertFalse(action.message_id)
                # readable: what failed and why, not a traceback
                self.assertNotIn("Traceback", action.error)
                self.assertIn("Failed to render", action.error)
                if key == "body":
                    self.assertIn("no_such_field", action.error)
                else:
                    self.assertIn("TypeError", action.error)
                    self.assertIn("partner_id.name", action.error)
                record("faults", "handled", f"template {key} broken at run time")
            # the shipped reminder of the same stage went out
            shipped = self._actions(
                customer,
                rule_id=self.env.ref(
                    "account_credit_collection.rule_reminder_email"
                ).id,
            )
            self.assertEqual(shipped.state, "done", shipped.error)
            self.assertEqual(len(self._reminder_messages(self._case(customer))), 1)
