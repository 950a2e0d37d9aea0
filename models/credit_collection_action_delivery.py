# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What became of the reminder emails: sent, bounced, failed (retried on the
next run up to the attempts limit, then replaced by a letter when the tier
says so) or queued too long. Every problem is reported on the case."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date

from .clock import credit_today
from .credit_collection_action_errors import MAX_ATTEMPTS

# a reminder still queued this long after it was posted is reported
QUEUED_TOO_LONG = timedelta(hours=24)
# the email notification statuses of a mail that was not sent (and may be
# sent again)
NOT_SENT = frozenset({"exception", "canceled"})


class CreditCollectionActionDelivery(models.Model):
    # one model, one concern per file: the record, the runner, the handlers
    _inherit = "credit.collection.action"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _check_deliveries(self, company):
        """Follow the reminder emails of ``company``: sent, bounced, failed
        (then retried on the next run, up to the attempts limit, and replaced
        by a letter when the tier says so) or queued too long — reported on
        the case."""
        actions = self.sudo().search(
            Domain("company_id", "=", company.id)
            & Domain("action_type", "=", "email")
            & Domain("state", "=", "done")
            & Domain("message_id", "!=", False)
            & Domain("delivery_state", "in", ("queued", "late"))
        )
        if not actions:
            return
        notifications = actions._email_notifications()
        now = fields.Datetime.now()
        for action in actions:
            mine = notifications.get(action.message_id, self.env["mail.notification"])
            action._follow_delivery(mine, now)

    def _email_notifications(self):
        """The email notifications of the actions' messages, by message."""
        return (
            self.env["mail.notification"]
            .sudo()
            .search(
                Domain("mail_message_id", "in", self.message_id.ids)
                & Domain("notification_type", "=", "email")
            )
            .grouped("mail_message_id")
        )

    def _follow_delivery(self, notifications, now):
        """Bring the delivery state up to date from the notifications of the
        action's message (those of its recipients)."""
        mine = notifications.filtered(
            lambda n: n.res_partner_id in self.message_id.partner_ids
        )
        statuses = set(mine.mapped("notification_status"))
        if "bounce" in statuses:
            self._delivery_bounced(mine)
        elif statuses & NOT_SENT:
            self._delivery_not_sent(mine)
        elif statuses and statuses <= {"sent"}:
            self._delivery_sent()
        elif (
            self.delivery_state == "queued"
            and self.date_done
            and now - self.date_done > QUEUED_TOO_LONG
        ):
            self._delivery_late()

    def _delivery_bounced(self, notifications):
        note = notifications.filtered(lambda n: n.notification_status == "bounce")[:1]
        self._delivery_failed(
            "bounced",
            self.env._(
                "The reminder email to %(email)s bounced.",
                email=note.res_partner_id.email or "",
            ),
            final=True,
        )

    def _delivery_not_sent(self, notifications):
        note = notifications.filtered(lambda n: n.notification_status in NOT_SENT)[:1]
        self._delivery_failed(
            "failed",
            self.env._(
                "The reminder email could not be sent: %(reason)s",
                reason=note.failure_reason or note.failure_type or "",
            ),
            final=False,
        )

    def _delivery_sent(self):
        self.delivery_state = "sent"
        if self.case_id.delivery_issue:
            self.case_id.delivery_issue = False

    def _delivery_late(self):
        self.delivery_state = "late"
        self._report_delivery_issue(
            self.env._(
                "The reminder email of %(date)s is still queued: check the "
                "outgoing mail server.",
                date=format_date(self.env, self.date_done),
            )
        )

    def _delivery_failed(self, delivery_state, error, final):
        self.ensure_one()
        attempts = MAX_ATTEMPTS if final else self.attempt_count
        self.write(
            {
                "state": "failed",
                "delivery_state": delivery_state,
                "error": error,
                "attempt_count": attempts,
            }
        )
        self._report_delivery_issue(error)
        if attempts >= MAX_ATTEMPTS:
            self._plan_fallback_letter()

    def _report_delivery_issue(self, issue):
        """Show the issue on the case and in its chatter."""
        self.case_id.delivery_issue = issue
        self.case_id.message_post(body=issue, subtype_xmlid="mail.mt_note")

    def _plan_fallback_letter(self):
        """A letter instead of an email that cannot be delivered (per tier)."""
        self.ensure_one()
        if self.action_type != "email" or not self.case_id.policy_id.fallback_letter:
            return self.browse()
        return self._insert_planned(
            [(self.idempotency_key + "/letter", self.case_id, None)],
            credit_today(self.env, self.company_id),
            fallback_of=self,
        )
