# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The escalation run: per company, follow the reminders' delivery, bring the
cases up to date and plan their stage's actions batch by batch, then execute
the planned actions (the outbox, ``credit_collection_action.py``)."""

import functools

from odoo import api, models
from odoo.fields import Domain
from odoo.service.model import retrying

from .clock import credit_today


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    # above this many selected cases, the manual run plans the actions now and
    # leaves their execution to the escalation job (in the background)
    MANUAL_RUN_LIMIT = 100

    def action_run_escalation(self):
        """Run the escalation now for the selected cases (many cases: plan
        now, execute in the background)."""
        self.check_access("write")
        if len(self) > self.MANUAL_RUN_LIMIT:
            planned = self._plan_for_background()
            return self._notification(
                "info",
                self.env._(
                    "%(planned)s actions planned for %(cases)s cases; the "
                    "escalation job executes them in the background (see the "
                    "Escalation Outbox).",
                    planned=len(planned),
                    cases=len(self),
                ),
            )
        summary = self.sudo()._run_escalation(cases=self.sudo())
        return self._notification(
            "success",
            self.env._(
                "%(planned)s actions planned, %(processed)s processed.", **summary
            ),
            next={"type": "ir.actions.act_window_close"},
        )

    def _plan_for_background(self):
        """Bring the cases up to date, plan their actions and wake the
        escalation job up to execute them. Returns the actions planned."""
        Action = self.env["credit.collection.action"]
        planned = Action.browse()
        for company, company_cases in self.sudo().grouped("company_id").items():
            self._update_cases(company, company_cases.partner_id)
            planned |= Action._plan(
                company_cases.filtered("active"), credit_today(self.env, company)
            )
        self.env.ref("account_credit_collection.ir_cron_escalate")._trigger()
        return planned

    def _notification(self, kind, message, **params):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "title": self.env._("Escalation run"),
                "message": message,
                **params,
            },
        }

    @api.model
    def _cron_escalate(self):
        """The escalation job: execute the planned actions (those a manual run
        left to the background, those the daily run had no time left for),
        committed in batches. The cases are brought up to date and their
        actions planned by the daily run (``_cron_daily_run``)."""
        quiet = self.with_context(mail_notify_force_send=False)
        Action = self.env["credit.collection.action"].sudo()
        for company in quiet._escalation_companies(None, None):
            Action._check_deliveries(company)
            quiet._commit_escalation_step()
            Action.with_context(mail_notify_force_send=False)._run_due(
                company,
                credit_today(self.env, company),
                batch_size=50,
                commit=quiet._commit_escalation_step,
            )

    @api.model
    def _cron_daily_run(self, commit=True):
        """The daily run, one pipeline computing the figures once: the
        exposure ledger rebuilt, then per company and batch of customers
        (listed from the ledger) the cases brought up to date and their
        stage's actions planned, each batch committed; then the planned
        actions executed (a hold stage's actions set the holds). The automatic
        holds follow the rules on their own: right before each commit that
        changes a customer's receivables, and hourly (``credit_hold_sync``).
        Every step is idempotent, so a run stopped halfway resumes where it
        stopped. ``commit``: commit each step (the scheduler)."""
        self.env["credit.exposure.entry"].sudo()._rebuild()
        if commit:
            self._commit_escalation_step()
        return self._run_escalation(commit=commit)

    @api.model
    def _run_escalation(
        self,
        companies=None,
        cases=None,
        date=None,
        commit=False,
        batch_size=500,
        action_batch_size=50,
    ):
        """The escalation run: follow the reminder emails, bring the cases up
        to date, plan the actions of each case's stage (idempotency keys) and execute
        the planned ones. ``commit``: commit each batch (scheduler, concurrent
        runs; resumable). Returns {"planned", "processed"}."""
        # every mail of the run (reminders, notices to salespeople) goes
        # through the outgoing queue: nothing is sent inside the run's
        # transactions
        quiet = {"mail_notify_force_send": False}
        return self.with_context(**quiet)._escalate(
            companies,
            cases.with_context(**quiet) if cases is not None else None,
            date,
            commit,
            batch_size,
            action_batch_size,
        )

    @api.model
    def _escalate(self, companies, cases, date, commit, batch_size, action_batch_size):
        Action = self.env["credit.collection.action"].sudo()
        commit_step = self._commit_escalation_step if commit else None
        summary = {"planned": 0, "processed": 0}
        for company in self._escalation_companies(companies, cases):
            run_date = date or credit_today(self.env, company)
            Action._check_deliveries(company)
            partner_ids = self._escalation_partner_ids(company, cases)
            if commit:
                commit_step()
            planned, finished = self._plan_escalation(
                company, partner_ids, run_date, batch_size, commit_step
            )
            summary["planned"] += planned
            if not finished:
                return summary
            # the actions reason on the run's date too (a fee invoice's case
            # update, the reminders' tables)
            dated = Action.with_context(credit_collection_date=run_date)
            # (spread over workers as queue_job jobs when it is switched on)
            summary["processed"] += dated._run_due(
                company,
                run_date,
                cases=cases,
                batch_size=action_batch_size,
                commit=commit_step,
            )
        return summary

    @api.model
    def _escalation_companies(self, companies, cases):
        """The companies of ``cases`` when given, else ``companies``, else all."""
        if cases is not None:
            companies = cases.company_id
        return companies or self.env["res.company"].search(Domain("id", "!=", False))

    @api.model
    def _escalation_partner_ids(self, company, cases):
        """The customers the run brings up to date in ``company``: those of
        ``cases`` when given, else all with open items or an open case."""
        if cases is None:
            return self._partner_ids_to_update(company)
        return cases.filtered(lambda c: c.company_id == company).partner_id.ids

    @api.model
    def _plan_escalation(self, company, partner_ids, run_date, batch_size, commit_step):
        """Update and plan the cases of ``partner_ids`` batch by batch (each
        batch committed, and retried on a serialization failure, with
        ``commit_step``). Returns the actions planned and whether the run may
        go on (the scheduler asks it to stop when its time is up)."""
        planned = 0
        for partners in self._partner_batches(partner_ids, batch_size):
            plan = functools.partial(self._plan_batch, company, partners, run_date)
            if not commit_step:
                planned += plan()
                continue
            planned += retrying(plan, self.env)
            if commit_step(len(partners)) <= 0:
                return planned, False
        return planned, True

    @api.model
    def _plan_batch(self, company, partners, run_date):
        """Bring the cases of ``partners`` up to date on ``run_date`` and plan
        the actions of their stage; returns how many were planned."""
        self.with_context(credit_collection_date=run_date)._update_cases(
            company, partners
        )
        cases = self.sudo().search(
            Domain("company_id", "=", company.id)
            & Domain("partner_id", "in", partners.ids)
            & Domain("active", "=", True)
        )
        return len(self.env["credit.collection.action"].sudo()._plan(cases, run_date))

    @api.model
    def _commit_escalation_step(self, count=0):
        """Commit the run's progress: through the scheduler's progress when
        run by it (which answers how much time is left), else plainly."""
        if self.env.context.get("cron_id"):
            return self.env["ir.cron"]._commit_progress(count)
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return float("inf")
