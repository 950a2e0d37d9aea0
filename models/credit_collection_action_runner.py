# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Planning and running the escalation outbox. Planning inserts one action per
idempotency key (``ON CONFLICT DO NOTHING``: a second plan, or a concurrent
one, inserts nothing). The runner locks the due actions in batches (``FOR
UPDATE SKIP LOCKED``: a concurrent run takes the others) and executes each in
its own savepoint, so that its side effects and its state are written
together or not at all."""

import functools
import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.service.model import retrying
from odoo.tools import SQL, format_date

from .credit_collection_action_errors import (
    MAX_ATTEMPTS,
    DeliveryImpossible,
    NothingToDo,
    readable_error,
)
from .credit_collection_rule import REMINDER_TYPES
from .unmatched_payments import unmatched_payments

_logger = logging.getLogger(__name__)

# the actions that chase the customer for money: they stop when nothing is
# overdue any more and wait while an incoming payment is not matched
CHASING_TYPES = REMINDER_TYPES + ("fee",)
# rows per INSERT statement when planning
PLAN_CHUNK = 1000


class CreditCollectionActionRunner(models.Model):
    # one model, one concern per file: the record, the runner, the handlers
    _inherit = "credit.collection.action"  # pylint: disable=consider-merging-classes-inherited

    # -------------------------------------------------------------- planning
    @api.model
    def _plan(self, cases, date):
        """Plan the actions of the stage each of ``cases`` is in, for its
        current cycle. Keys that exist already are left alone (``ON CONFLICT
        DO NOTHING``), so planning twice, or in two runs at once, plans once.
        Returns the actions this call inserted."""
        rows = []
        for company, company_cases in cases.sudo().grouped("company_id").items():
            rows += self._plan_rows(company, company_cases)
            # the rhythm: repetitions, new overdue invoices, monthly statements
            rows += self._rhythm_rows(company, company_cases, date)
        return self._insert_planned(rows, date)

    @api.model
    def _plan_rows(self, company, cases):
        """(key, case, rule) of the rules of each case's stage that apply to
        its tier."""
        rules_by_stage = self.env["credit.collection.rule"]._rules_by_stage(company)
        if not rules_by_stage:
            return []
        default = self.env["credit.collection.policy"]._get_default(company)
        Stage = self.env["credit.collection.stage"]
        ladders = {}
        rows = []
        for case in cases:
            if not case.active:
                continue
            # the tier the case update stored (the runs update first)
            policy = case.policy_id or default
            if policy not in ladders:
                ladders[policy] = Stage._ladder(company, policy)
            # a case beyond the final notice gets it first (lower ids: the
            # runner executes it before the steps that wait for it)
            rows += self._notice_rows(case, policy, ladders[policy], rules_by_stage)
            stage, cycle = case.stage_id, case.escalation_cycle
            rows += [
                (self._key(case, stage, rule, cycle), case, rule)
                for rule in rules_by_stage.get(stage, [])
                if rule._applies_to(policy)
            ]
        return rows

    @api.model
    def _insert_planned(self, rows, date, fallback_of=None):
        """INSERT … ON CONFLICT DO NOTHING of (key, case, rule) rows."""
        if not rows:
            return self.browse()
        stamp = (self.env.uid, self.env.cr.now())
        inserted = []
        for start in range(0, len(rows), PLAN_CHUNK):
            values = SQL(", ").join(
                self._planned_values(row, date, fallback_of, stamp)
                for row in rows[start : start + PLAN_CHUNK]
            )
            inserted += self._insert_values(values)
        return self.browse(inserted)

    @api.model
    def _planned_values(self, row, date, fallback_of, stamp):
        """The VALUES tuple of one planned action, on its rule's stage (a
        fallback letter has no rule and keeps the stage of the email it
        replaces). A row may carry a dict of extras (the rhythm:
        ``credit_collection_rhythm.py``): repetition, new items, type."""
        key, case, rule, *extras = row
        extra = extras[0] if extras else {}
        uid, now = stamp
        stage = extra.get("stage") or (
            fallback_of.stage_id if fallback_of else rule.stage_id
        )
        return SQL(
            "(%s, %s, %s, %s, %s, %s, %s, %s, 'planned', %s, 0, %s, %s, %s, %s, %s, "
            "%s, %s)",
            key,
            case.id,
            case.partner_id.id,
            case.company_id.id,
            stage.id,
            rule.id if rule else None,
            extra.get("action_type") or (rule.action_type if rule else "letter"),
            case.escalation_cycle,
            date,
            uid,
            now,
            uid,
            now,
            fallback_of.id if fallback_of else None,
            extra.get("repetition", 0),
            extra.get("new_items", False),
        )

    @api.model
    def _insert_values(self, values):
        """Insert the planned ``values``; the ids of the rows inserted."""
        # a concurrent run inserting the same keys makes this statement fail
        # with a serialization error: the caller retries the batch (not an
        # error worth logging)
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO credit_collection_action
                   (idempotency_key, case_id, partner_id, company_id, stage_id,
                    rule_id, action_type, cycle, state, date_planned,
                    attempt_count, create_uid, create_date, write_uid,
                    write_date, fallback_of_id, repetition, new_items)
            VALUES %s
       ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id
                """,
                values,
            ),
            log_exceptions=False,
        )
        return [row[0] for row in self.env.cr.fetchall()]

    # ---------------------------------------------------------------- runner
    @api.model
    def _execute_due(self, companies, date, cases=None, batch_size=50, commit=None):
        """Execute the planned actions (and the failed ones that may be
        retried) due by ``date``, in batches. Each batch locks its actions
        with ``FOR UPDATE SKIP LOCKED``: a concurrent run takes the others.
        ``commit``: a callable committing the batch (scheduler, concurrent
        runs); serialization failures are then retried. Returns the number
        of actions processed."""
        seen = []
        while True:
            batch = []
            step = functools.partial(
                self._execute_step, companies, date, cases, batch_size, seen, batch
            )
            if commit:
                retrying(step, self.env)
            else:
                step()
            if not batch:
                return len(seen)
            seen += batch
            if commit:
                commit(len(batch))

    @api.model
    def _execute_step(self, companies, date, cases, batch_size, seen, batch):
        """Lock the next batch of due actions (ids into ``batch``), execute."""
        batch[:] = self._lock_due(companies, date, cases, batch_size, seen)
        self.browse(batch)._execute_batch(date)

    @api.model
    def _due_domain(self):
        """May run: planned, or failed with attempts left."""
        return Domain("state", "=", "planned") | (
            Domain("state", "=", "failed") & Domain("attempt_count", "<", MAX_ATTEMPTS)
        )

    @api.model
    def _lock_due(self, companies, date, cases, limit, seen):
        """Lock the next ``limit`` actions due by ``date`` that are not in
        ``seen`` and no concurrent run holds; their ids."""
        self.env.flush_all()
        domain = (
            self._due_domain()
            & Domain("company_id", "in", companies.ids)
            & Domain("date_planned", "<=", date)
            & Domain("id", "not in", seen)
        )
        if cases is not None:
            domain &= Domain("case_id", "in", cases.ids)
        query = self._search(domain, limit=limit, order="id", bypass_access=True)
        rows = self.env.execute_query(SQL("%s FOR UPDATE SKIP LOCKED", query.select()))
        # a concurrent run may have executed them since this cache was read
        self.invalidate_model()
        return [row[0] for row in rows]

    def _execute_batch(self, date):
        actions = self.sudo().filtered_domain(self._due_domain())
        if not actions:
            return
        payments = actions._unmatched_payments()
        # the statements and letters of the batch in one wkhtmltopdf call
        actions = actions._with_prerendered_pdfs(date, payments)
        for action in actions:
            action._execute_guarded(date, payments)

    def _unmatched_payments(self):
        """{customer id: unmatched incoming payments} of the actions."""
        payments = {}
        for company, company_actions in self.grouped("company_id").items():
            payments.update(
                unmatched_payments(
                    self.env,
                    company_actions.partner_id.commercial_partner_id.ids,
                    company,
                )
            )
        return payments

    def _execute_guarded(self, date, payments):
        """Execute in a savepoint: an action that fails is rolled back and
        reported on itself; the batch goes on."""
        try:
            with self.env.cr.savepoint():
                self._execute_one(date, payments)
        except psycopg2.OperationalError:
            raise
        except NothingToDo as exc:
            self.write({"state": "skipped", "skip_reason": str(exc.args[0])})
        except Exception as exc:  # noqa: BLE001 — reported on the action
            _logger.info("Escalation action %s failed: %s", self.id, exc)
            self._fail(exc)

    def _fail(self, exc):
        final = isinstance(exc, DeliveryImpossible)
        self.write(
            {
                "state": "failed",
                "error": readable_error(exc),
                "attempt_count": MAX_ATTEMPTS if final else self.attempt_count + 1,
            }
        )
        if final or self.attempt_count >= MAX_ATTEMPTS:
            self._plan_fallback_letter()

    def _wait(self, blocked, wait_until):
        """Leave the action planned, saying why (and until when) it waits."""
        vals = {"blocked_reason": blocked}
        if wait_until:
            vals["date_planned"] = wait_until
        if self.blocked_reason != blocked or wait_until:
            self.write(vals)

    def _mark_done(self, date=None):
        self.write(
            {
                "state": "done",
                "date_done": fields.Datetime.now(),
                "date_run": date,
                "user_id": self.env.uid,
                "blocked_reason": False,
                "error": False,
                "attempt_count": self.attempt_count + 1,
            }
        )
        if self.action_type in REMINDER_TYPES:
            self.case_id.last_reminder_date = fields.Datetime.now()

    # ------------------------------------------------ skip and wait reasons
    def _skip_reason(self):
        """Why the action is not to be done any more (False: it is)."""
        case = self.case_id
        if not (self._is_fallback_letter() or (self.rule_id and self.rule_id.active)):
            return self.env._("The escalation rule was removed or archived.")
        if not case.active:
            return self.env._("Everything is paid: the case is closed.")
        if case.escalation_cycle != self.cycle:
            return self.env._(
                "The overdue items were paid since: a new escalation cycle began."
            )
        if case.stage_id != self.stage_id and not self._final_notice_still_due():
            return self.env._(
                "The case moved to stage %(stage)s: that stage's actions apply.",
                stage=case.stage_id.name,
            )
        return self._chase_skip_reason()

    def _is_fallback_letter(self):
        """A letter replacing an email: it has no rule of its own."""
        return self.action_type == "letter" and self.fallback_of_id

    def _chase_skip_reason(self):
        """Why a reminder or fee no longer chases the customer."""
        if self.action_type not in CHASING_TYPES:
            return False
        case = self.case_id
        if (
            case.stage_id.is_legal
            and self.action_type != "fee"
            and not self._final_notice_still_due()
        ):
            return self.env._("Reminders stop once the case is handed over to legal.")
        if case.worst_days_overdue <= 0:
            return self.env._(
                "Nothing to chase: every overdue item is paid, disputed or "
                "under a promise to pay."
            )
        if case._overdue_all_promised():
            return self.env._(
                "Paused: every overdue invoice is under a promise to pay (the "
                "stage stays)."
            )
        return False

    def _blocked_reason(self, date, payments):
        """(reason, wait until) when the action must wait: an unmatched
        payment, the final notice it needs first, the minimum interval."""
        unmatched = payments.get(self.partner_id.id)
        if unmatched and self.action_type in CHASING_TYPES:
            return (
                self.env._(
                    "Held back: unmatched incoming payment %(payments)s — match it "
                    "to the invoices first.",
                    payments=unmatched,
                ),
                False,
            )
        blocked, wait_until = self._notice_reason(date)
        if blocked:
            return blocked, wait_until
        if self._keeps_reminder_interval():
            return self._interval_reason(date)
        return False, False

    def _keeps_reminder_interval(self):
        """A reminder of the ladder waits the tier's minimum interval after
        the last one; a fallback letter does not."""
        return (
            self.action_type in REMINDER_TYPES
            and not self.fallback_of_id
            # a retry sends the same reminder again: no new interval
            and not self.message_id
        )

    def _interval_reason(self, date):
        """(reason, next allowed date) while the minimum interval since the
        case's last reminder runs, else (False, False)."""
        last = self.case_id.last_reminder_date
        policy = self.case_id.policy_id
        interval = policy.reminder_interval_days if policy else 0
        if not (last and interval):
            return False, False
        due = fields.Datetime.to_datetime(last).date() + timedelta(days=interval)
        if due <= date:
            return False, False
        return (
            self.env._(
                "Minimum interval: the last reminder went out on "
                "%(last)s; the next one may go on %(due)s.",
                last=format_date(self.env, last),
                due=format_date(self.env, due),
            ),
            due,
        )
