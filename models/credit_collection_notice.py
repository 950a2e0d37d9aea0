# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""No step without notice (issue #17): an escalation action whose rule says it
needs prior notice (``credit.collection.rule.prior_notice``: fees, the hold
announced to the customer, the hand-over to legal) waits until the customer
was sent this cycle's final notice — a reminder (email or letter, the letter
replacing a bounced email included) of the ladder's stage marked *Final
Notice*, done in the outbox — and the tier's days between reminders have
passed since; the hand-over also waits the tier's notice before hand-over.

A case standing beyond the final-notice stage (it entered the ladder late, or
climbed past it before the notice went out) gets that stage's reminders
planned under their own idempotency key, so the consolidated final notice
(it lists every overdue item) goes out once, before the gated steps. The case
shows the stage it reached; its credit hold, an internal credit decision,
applies at once. Without a stage marked Final Notice in the ladder nothing
waits."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date

from .credit_collection_rule import REMINDER_TYPES


class CreditCollectionCaseNotice(models.Model):
    # one model, one concern per file: the case's final notice
    _inherit = "credit.collection.case"  # pylint: disable=consider-merging-classes-inherited

    def _notice_ladder(self):
        """The automatic stages of the case's ladder (its tier's thresholds)."""
        self.ensure_one()
        policy = self.policy_id or self.env["credit.collection.policy"]._get_default(
            self.company_id
        )
        return self.env["credit.collection.stage"]._ladder(self.company_id, policy)

    def _final_notice_stage(self, ladder=None):
        """The stage of the case's ladder marked Final Notice (the last one
        when several are), or an empty recordset."""
        self.ensure_one()
        ladder = self._notice_ladder() if ladder is None else ladder
        return ladder.filtered("is_final_notice")[-1:]

    def _is_past_final_notice(self, ladder=None):
        """Whether the case stands beyond its final-notice stage: on a later
        stage of the ladder, or on a manual hold or legal stage."""
        self.ensure_one()
        ladder = self._notice_ladder() if ladder is None else ladder
        notice = self._final_notice_stage(ladder)
        if not notice or not self.stage_id:
            return False
        stages = list(ladder)
        if self.stage_id in stages:
            return stages.index(self.stage_id) > stages.index(notice)
        return self.stage_id.is_hold or self.stage_id.is_legal

    def _final_notice_actions(self, stage):
        """The final-notice reminders of the case's current cycle."""
        self.ensure_one()
        return (
            self.env["credit.collection.action"]
            .sudo()
            .search(
                Domain("case_id", "=", self.id)
                & Domain("cycle", "=", self.escalation_cycle)
                & Domain("stage_id", "=", stage.id)
                & Domain("action_type", "in", REMINDER_TYPES),
                order="id",
            )
        )

    def _handed_over(self):
        """Whether the case was handed over to legal in its current cycle."""
        self.ensure_one()
        return bool(
            self.env["credit.collection.action"]
            .sudo()
            .search_count(
                Domain("case_id", "=", self.id)
                & Domain("cycle", "=", self.escalation_cycle)
                & Domain("action_type", "=", "legal")
                & Domain("state", "=", "done"),
                limit=1,
            )
        )


class CreditCollectionActionNotice(models.Model):
    # one model, one concern per file: the record, the runner, the handlers,
    # the prior notice
    _inherit = "credit.collection.action"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------- planning
    @api.model
    def _notice_rows(self, case, policy, ladder, rules_by_stage):
        """(key, case, rule) of the final-notice stage's reminders for a case
        beyond that stage: the consolidated final notice. Its key is the one
        the stage would have planned: it goes out once per cycle."""
        if not case._is_past_final_notice(ladder):
            return []
        stage = case._final_notice_stage(ladder)
        return [
            (self._key(case, stage, rule, case.escalation_cycle), case, rule)
            for rule in rules_by_stage.get(stage, [])
            if rule.action_type in REMINDER_TYPES and rule._applies_to(policy)
        ]

    # ------------------------------------------------------------ the notice
    def _is_final_notice(self):
        """A reminder of a final-notice stage: the notice itself."""
        return self.action_type in REMINDER_TYPES and self.stage_id.is_final_notice

    def _final_notice_still_due(self):
        """A final notice still goes out when the case moved beyond its stage
        (it entered late, or climbed before the notice went out), until the
        case is handed over."""
        case = self.case_id
        return (
            self._is_final_notice()
            and case._is_past_final_notice()
            and self.stage_id == case._final_notice_stage()
            and not case._handed_over()
        )

    def _prior_notice(self):
        """none / notice / handover: what this action waits for."""
        if self._is_final_notice() or not self.rule_id:
            return "none"
        return self.rule_id.prior_notice or "none"

    def _notice_days(self, kind):
        """Days after the final notice: the tier's days between reminders,
        and for the hand-over at least its notice before hand-over."""
        case = self.case_id
        policy = case.policy_id or self.env["credit.collection.policy"]._get_default(
            case.company_id
        )
        days = policy.reminder_interval_days if policy else 0
        if kind == "handover":
            days = max(days, policy.legal_notice_days if policy else 0)
        return days

    def _notice_reason(self, date):
        """(reason, wait until) while the action waits for this cycle's final
        notice and the days after it, else (False, False)."""
        kind = self._prior_notice()
        if kind == "none":
            return False, False
        case = self.case_id
        stage = case._final_notice_stage()
        if not stage:
            return False, False
        notices = case._final_notice_actions(stage)
        days = self._notice_days(kind)
        sent = notices.filtered(lambda action: action.state == "done")
        if not sent:
            return self._notice_pending_reason(stage, notices, days), False
        sent_on = min(action._sent_on() for action in sent)
        due = sent_on + timedelta(days=days)
        if due <= date:
            return False, False
        return (
            self.env._(
                "Needs prior notice: waiting for the final notice of %(sent)s + "
                "%(days)s days, until %(due)s.",
                sent=format_date(self.env, sent_on),
                days=days,
                due=format_date(self.env, due),
            ),
            due,
        )

    def _sent_on(self):
        """The day a done action went out: its run's date (the day it was
        done for the actions done before the run date was kept)."""
        return self.date_run or fields.Datetime.to_datetime(self.date_done).date()

    def _notice_pending_reason(self, stage, notices, days):
        """Why the action waits while the final notice has not gone out."""
        pending = notices.filtered(lambda a: a.state in ("planned", "failed"))
        if pending:
            return self.env._(
                "Needs prior notice: waiting for the final notice (%(stage)s) "
                "planned for %(date)s + %(days)s days.",
                stage=stage.name,
                date=format_date(self.env, min(pending.mapped("date_planned"))),
                days=days,
            )
        if notices:
            return self.env._(
                "Needs prior notice: this cycle's final notice (%(stage)s) was "
                "not sent (retry it from the Escalation Outbox); then %(days)s "
                "days.",
                stage=stage.name,
                days=days,
            )
        return self.env._(
            "Needs prior notice: waiting for this cycle's final notice "
            "(%(stage)s, not planned yet: the case has not reached it, or no "
            "reminder rule of that stage applies to the tier); then %(days)s "
            "days.",
            stage=stage.name,
            days=days,
        )
