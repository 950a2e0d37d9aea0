# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The escalation's execution spread over workers with OCA ``queue_job``,
when it is installed and switched on (no dependency: detected at run time).
The background runs enqueue their due actions in batches, one job per batch
on the channel ``root.credit_collection``, so that every Odoo worker of every
host sharing the database executes them. A job locks the actions of its batch
(``FOR UPDATE SKIP LOCKED``: a concurrent run or job holding one does it) and
executes those still due, in its one transaction: a job killed halfway is
rolled back whole and run again by queue_job, and one retried after it
committed finds its actions done and does nothing."""

import logging

from odoo import api, models
from odoo.fields import Domain
from odoo.tools import SQL, split_every, str2bool

_logger = logging.getLogger(__name__)

QUEUE_PARAM = "account_credit_collection.queue_job"
QUEUE_CHANNEL = "root.credit_collection"


class CreditCollectionActionQueue(models.Model):
    # one model, one concern per file: the queue_job execution
    _inherit = "credit.collection.action"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _queue_enabled(self):
        """queue_job is installed and the switch (a system parameter) is on."""
        if "queue.job" not in self.env:
            return False
        param = self.env["ir.config_parameter"].sudo().get_param(QUEUE_PARAM)
        return str2bool(param or "0", False)

    @api.model
    def _run_due(self, companies, date, cases=None, batch_size=50, commit=None):
        """The background runs' execution of the due actions: enqueued as
        jobs when queue_job is on, else executed here (``_execute_due``).
        Returns the number of actions executed here (0 when enqueued)."""
        if commit and self._queue_enabled():
            self._enqueue_due(companies, date, cases, batch_size)
            return 0
        return self._execute_due(
            companies, date, cases=cases, batch_size=batch_size, commit=commit
        )

    @api.model
    def _enqueue_due(self, companies, date, cases, batch_size):
        """One job per batch of the actions due by ``date`` that no waiting
        job holds already. Returns the actions enqueued."""
        domain = (
            self._due_domain()
            & Domain("company_id", "in", companies.ids)
            & Domain("date_planned", "<=", date)
        )
        if cases is not None:
            domain &= Domain("case_id", "in", cases.ids)
        actions = self.sudo().search(domain, order="id") - self._waiting_in_jobs()
        channel = self._queue_channel()
        # imported here: queue_job is not a dependency
        from odoo.addons.queue_job.job import identity_exact

        for batch in split_every(batch_size, actions.ids, self.browse):
            batch.with_delay(
                channel=channel,
                identity_key=identity_exact,
                description=self.env._(
                    "Escalation: execute %(count)s due actions", count=len(batch)
                ),
            )._execute_job(date)
        _logger.info("Escalation: %s due actions enqueued on %s", len(actions), channel)
        return actions

    @api.model
    def _waiting_in_jobs(self):
        """The actions of the jobs not started yet or running: the next run
        (the hourly escalation job) does not enqueue them again."""
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                Domain("model_name", "=", self._name)
                & Domain("method_name", "=", "_execute_job")
                & Domain(
                    "state",
                    "in",
                    ("wait_dependencies", "pending", "enqueued", "started"),
                )
            )
        )
        return self.browse({id_ for job in jobs for id_ in job.records.ids})

    @api.model
    def _queue_channel(self):
        """The escalation's channel, created under root when missing."""
        Channel = self.env["queue.job.channel"].sudo()
        if not Channel.search_count(Domain("complete_name", "=", QUEUE_CHANNEL)):
            Channel.create(
                {
                    "name": QUEUE_CHANNEL.split(".")[-1],
                    "parent_id": self.env.ref("queue_job.channel_root").id,
                }
            )
        return QUEUE_CHANNEL

    def _execute_job(self, date):
        """The job: lock the actions of the batch that no one else holds and
        execute those still due (a retried job skips the ones done), then the
        letters it planned instead of emails that could not be delivered (as
        the runner's next batch would)."""
        quiet = self.sudo().with_context(
            mail_notify_force_send=False, credit_collection_date=date
        )
        locked = quiet.browse(self._lock_batch())
        locked._execute_batch(date)
        letters = quiet.search(
            quiet._due_domain()
            & Domain("fallback_of_id", "in", locked.ids)
            & Domain("date_planned", "<=", date)
        )
        letters._execute_batch(date)
        return self.env._(
            "%(count)s actions executed", count=len(locked) + len(letters)
        )

    def _lock_batch(self):
        """Lock the batch's actions (``FOR UPDATE SKIP LOCKED``); their ids."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM credit_collection_action WHERE id IN %s "
                "ORDER BY id FOR UPDATE SKIP LOCKED",
                tuple(self.ids) or (0,),
            )
        )
        # a concurrent run may have executed them since this cache was read
        self.invalidate_model()
        return [row[0] for row in rows]
