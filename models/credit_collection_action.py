# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The escalation outbox: every action of the ladder is a record with an
idempotency key under a unique constraint. Planning inserts the keys (a second
plan inserts nothing); executing locks each planned action (``FOR UPDATE SKIP
LOCKED``) and writes its side effects — message, mail, invoice, hold — in the
same transaction as its state, so a retry, a crash or two concurrent runs
never do an action twice."""

import base64
import csv
import functools
import io
import logging
import re
from datetime import timedelta

import psycopg2
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import retrying
from odoo.tools import SQL, format_amount, format_date

from .clock import credit_today
from .credit_collection_rule import ACTION_TYPES, REMINDER_TYPES

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# a reminder still queued this long after it was posted is reported
QUEUED_TOO_LONG = timedelta(hours=24)


TRACEBACK = "Traceback (most recent call last)"
ERROR_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception)): (.+)$", re.M)


def readable_error(exc):
    """The error of a failed action as the collector reads it: the message,
    without the traceback some errors embed (e.g. a mail template that fails
    to render), but with the exception it ends on."""
    message = str(exc.args[0] if exc.args else exc)
    head, found, tail = message.partition(TRACEBACK)
    if not found:
        cause = exc.__cause__
        if cause is not None and str(cause) not in message:
            message = f"{message}\n{type(cause).__name__}: {cause}"
        return message
    causes = [
        f"{name}: {text.strip()}"
        for name, text in ERROR_LINE.findall(tail)
        if "Error while rendering" not in text
    ]
    return "\n".join(filter(None, [head.strip(), causes[0] if causes else ""]))


class DeliveryImpossible(UserError):
    """The action cannot succeed by retrying (no email address, bounce)."""


class NothingToDo(UserError):
    """The action has nobody to address: skipped, with the reason."""


class CreditCollectionAction(models.Model):
    _name = "credit.collection.action"
    _description = "Escalation Action"
    _order = "id desc"
    _check_company_auto = True
    _rec_name = "idempotency_key"

    idempotency_key = fields.Char(required=True, readonly=True, copy=False)
    case_id = fields.Many2one(
        "credit.collection.case",
        string="Collection Case",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    stage_id = fields.Many2one(
        "credit.collection.stage", string="Level", required=True, readonly=True
    )
    rule_id = fields.Many2one(
        "credit.collection.rule", readonly=True, ondelete="set null"
    )
    action_type = fields.Selection(ACTION_TYPES, required=True, readonly=True)
    cycle = fields.Integer(readonly=True)
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("done", "Done"),
            ("skipped", "Skipped"),
            ("failed", "Failed"),
        ],
        default="planned",
        required=True,
        readonly=True,
        index=True,
    )
    date_planned = fields.Date(readonly=True, index=True)
    date_done = fields.Datetime(readonly=True)
    user_id = fields.Many2one("res.users", string="Done by", readonly=True)
    blocked_reason = fields.Char(
        string="Waiting Because",
        readonly=True,
        help="Why a planned action waits: an unmatched incoming payment, the "
        "minimum interval between two reminders…",
    )
    skip_reason = fields.Char(readonly=True)
    error = fields.Text(readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    message_id = fields.Many2one("mail.message", readonly=True, ondelete="set null")
    delivery_state = fields.Selection(
        [
            ("queued", "Queued"),
            ("late", "Still queued"),
            ("sent", "Sent"),
            ("bounced", "Bounced"),
            ("failed", "Failed"),
        ],
        readonly=True,
    )
    attachment_id = fields.Many2one(
        "ir.attachment", string="Document", readonly=True, ondelete="set null"
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    hold_id = fields.Many2one("credit.hold", readonly=True, ondelete="set null")
    fee_move_id = fields.Many2one(
        "account.move", string="Fee Invoice", readonly=True, ondelete="restrict"
    )
    amount = fields.Monetary(string="Fee Amount", readonly=True)
    waived = fields.Boolean(readonly=True)
    fallback_of_id = fields.Many2one(
        "credit.collection.action",
        string="Letter Instead Of",
        readonly=True,
        ondelete="set null",
    )

    _idempotency_key_uniq = models.Constraint(
        "UNIQUE(idempotency_key)",
        "An escalation action is planned once: its key already exists.",
    )
    _state_date_idx = models.Index("(company_id, state, date_planned)")

    # ------------------------------------------------------------------ crud
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Escalation actions are planned by the escalation run; they "
                    "cannot be created by hand."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Escalation actions are written by the escalation run only. "
                    "Use the Retry, Skip or Waive buttons."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(
            self.env._(
                "Escalation actions are the audit trail of what was sent: they "
                "cannot be deleted."
            )
        )

    @api.depends("action_type", "partner_id", "stage_id")
    def _compute_display_name(self):
        labels = dict(self._fields["action_type"]._description_selection(self.env))
        for action in self:
            action.display_name = self.env._(
                "%(action)s — %(customer)s (%(stage)s)",
                action=labels.get(action.action_type),
                customer=action.partner_id.display_name,
                stage=action.stage_id.name,
            )

    # -------------------------------------------------------------- planning
    @api.model
    def _key(self, case, stage, rule, cycle, suffix=""):
        return f"case{case.id}/cycle{cycle}/stage{stage.id}/rule{rule.id}{suffix}"

    @api.model
    def _plan(self, cases, date):
        """Plan the actions of the stage each of ``cases`` is in, for its
        current cycle. Keys that exist already are left alone (``ON CONFLICT
        DO NOTHING``), so planning twice, or in two runs at once, plans once.
        Returns the actions this call inserted."""
        Policy = self.env["credit.collection.policy"]
        Rule = self.env["credit.collection.rule"]
        rows = []
        for company, company_cases in cases.sudo().grouped("company_id").items():
            rules_by_stage = Rule._rules_by_stage(company)
            if not rules_by_stage:
                continue
            default = Policy._get_default(company)
            for case in company_cases:
                if not case.active or case.stage_id not in rules_by_stage:
                    continue
                # the tier the case update stored (the runs update first)
                policy = case.policy_id or default
                for rule in rules_by_stage[case.stage_id]:
                    if rule._applies_to(policy):
                        rows.append(
                            (
                                self._key(
                                    case, case.stage_id, rule, case.escalation_cycle
                                ),
                                case,
                                rule,
                            )
                        )
        return self._insert_planned(rows, date)

    @api.model
    def _insert_planned(self, rows, date, fallback_of=None):
        """INSERT … ON CONFLICT DO NOTHING of (key, case, rule) rows."""
        if not rows:
            return self.browse()
        uid = self.env.uid
        now = self.env.cr.now()
        inserted = []
        for start in range(0, len(rows), 1000):
            values = SQL(", ").join(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, 'planned', %s, 0, %s, %s, %s, %s,"
                    " %s)",
                    key,
                    case.id,
                    case.partner_id.id,
                    case.company_id.id,
                    case.stage_id.id if not fallback_of else fallback_of.stage_id.id,
                    rule.id if rule else None,
                    rule.action_type if rule else "letter",
                    case.escalation_cycle,
                    date,
                    uid,
                    now,
                    uid,
                    now,
                    fallback_of.id if fallback_of else None,
                )
                for key, case, rule in rows[start : start + 1000]
            )
            # a concurrent run inserting the same keys makes this statement
            # fail with a serialization error: the caller retries the batch
            # (not an error worth logging)
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO credit_collection_action
                       (idempotency_key, case_id, partner_id, company_id, stage_id,
                        rule_id, action_type, cycle, state, date_planned,
                        attempt_count, create_uid, create_date, write_uid,
                        write_date, fallback_of_id)
                VALUES %s
           ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id
                    """,
                    values,
                ),
                log_exceptions=False,
            )
            inserted += self.env.cr.fetchall()
        return self.browse([row[0] for row in inserted])

    # ------------------------------------------------------------- execution
    @api.model
    def _execute_due(self, companies, date, cases=None, batch_size=50, commit=None):
        """Execute the planned actions (and the failed ones that may be
        retried) due by ``date``, in batches. Each batch locks its actions
        with ``FOR UPDATE SKIP LOCKED``: a concurrent run takes the others.
        ``commit``: a callable committing the batch (scheduler, concurrent
        runs); serialization failures are then retried. Returns the number
        of actions processed."""
        seen = []
        processed = 0
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
                return processed
            seen += batch
            processed += len(batch)
            if commit:
                commit(len(batch))

    @api.model
    def _execute_step(self, companies, date, cases, batch_size, seen, batch):
        """Lock the next batch of due actions (ids into ``batch``), execute."""
        batch[:] = self._lock_due(companies, date, cases, batch_size, seen)
        self.browse(batch)._execute_batch(date)

    @api.model
    def _lock_due(self, companies, date, cases, limit, seen):
        self.env.flush_all()
        case_filter = (
            SQL("AND case_id = ANY(%s)", cases.ids) if cases is not None else SQL()
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT id FROM credit_collection_action
             WHERE company_id = ANY(%(companies)s)
               AND (state = 'planned'
                    OR (state = 'failed' AND attempt_count < %(max)s))
               AND date_planned <= %(date)s
               AND id != ALL(%(seen)s)
               %(case_filter)s
          ORDER BY id
             LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED
                """,
                companies=companies.ids,
                max=MAX_ATTEMPTS,
                date=date,
                seen=seen,
                case_filter=case_filter,
                limit=limit,
            )
        )
        # a concurrent run may have executed them since this cache was read
        self.invalidate_model()
        return [row[0] for row in rows]

    def _execute_batch(self, date):
        actions = self.sudo().filtered(
            lambda a: a.state == "planned"
            or (a.state == "failed" and a.attempt_count < MAX_ATTEMPTS)
        )
        if not actions:
            return
        payments = {}
        for company, company_actions in actions.grouped("company_id").items():
            payments.update(
                company_actions.partner_id._credit_unmatched_payments(company)
            )
        for action in actions:
            try:
                with self.env.cr.savepoint():
                    action._execute_one(date, payments)
            except psycopg2.OperationalError:
                raise
            except NothingToDo as exc:
                action.write({"state": "skipped", "skip_reason": str(exc.args[0])})
            except Exception as exc:  # noqa: BLE001 — reported on the action
                _logger.info("Escalation action %s failed: %s", action.id, exc)
                action._fail(exc)

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

    def _execute_one(self, date, payments):
        self.ensure_one()
        reason = self._skip_reason()
        if reason:
            self.write(
                {"state": "skipped", "skip_reason": reason, "blocked_reason": False}
            )
            return
        blocked, wait_until = self._blocked_reason(date, payments)
        if blocked:
            vals = {"blocked_reason": blocked}
            if wait_until:
                vals["date_planned"] = wait_until
            if self.blocked_reason != blocked or wait_until:
                self.write(vals)
            return
        getattr(self, f"_execute_{self.action_type}")(date)
        self.write(
            {
                "state": "done",
                "date_done": fields.Datetime.now(),
                "user_id": self.env.uid,
                "blocked_reason": False,
                "error": False,
                "attempt_count": self.attempt_count + 1,
            }
        )
        if self.action_type in REMINDER_TYPES:
            self.case_id.last_reminder_date = fields.Datetime.now()

    def _skip_reason(self):
        case = self.case_id
        if self.action_type == "letter" and self.fallback_of_id:
            rule_ok = True
        else:
            rule_ok = self.rule_id and self.rule_id.active
        if not rule_ok:
            return self.env._("The escalation rule was removed or archived.")
        if not case.active:
            return self.env._("Everything is paid: the case is closed.")
        if case.escalation_cycle != self.cycle:
            return self.env._(
                "The overdue items were paid since: a new escalation cycle began."
            )
        if case.stage_id != self.stage_id:
            return self.env._(
                "The case moved to stage %(stage)s: that stage's actions apply.",
                stage=case.stage_id.name,
            )
        if self.action_type in REMINDER_TYPES + ("fee",):
            if case.stage_id.is_legal and self.action_type != "fee":
                return self.env._(
                    "Reminders stop once the case is handed over to legal."
                )
            if case.worst_days_overdue <= 0:
                return self.env._(
                    "Nothing to chase: every overdue item is paid, disputed or "
                    "under a promise to pay."
                )
        return False

    def _blocked_reason(self, date, payments):
        """(reason, wait until) when the action must wait."""
        if self.action_type not in REMINDER_TYPES + ("fee",):
            return False, False
        unmatched = payments.get(self.partner_id.id)
        if unmatched:
            return (
                self.env._(
                    "Held back: unmatched incoming payment %(payments)s — match it "
                    "to the invoices first.",
                    payments=unmatched,
                ),
                False,
            )
        if (
            self.action_type in REMINDER_TYPES
            and not self.fallback_of_id
            # a retry sends the same reminder again: no new interval
            and not self.message_id
        ):
            last = self.case_id.last_reminder_date
            policy = self.case_id.policy_id
            interval = policy.reminder_interval_days if policy else 0
            if last and interval:
                due = fields.Datetime.to_datetime(last).date() + timedelta(
                    days=interval
                )
                if due > date:
                    return (
                        self.env._(
                            "Minimum interval: the last reminder went out on "
                            "%(last)s; the next one may go on %(due)s.",
                            last=format_date(self.env, last),
                            due=format_date(self.env, due),
                        ),
                        due,
                    )
        return False, False

    def _log(self, body, attachments=None):
        """Log the executed action in the case's chatter."""
        return self.case_id.message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            attachment_ids=(attachments or self.env["ir.attachment"]).ids,
        )

    # ------------------------------------------------------ action handlers
    def _execute_email(self, date):
        case = self.case_id
        mails = self.env["mail.mail"].sudo()
        if self.message_id:
            # a retry of a reminder that was posted but not delivered: send the
            # same mail again, never a second message
            failed = mails.search(
                [
                    ("mail_message_id", "=", self.message_id.id),
                    ("state", "=", "exception"),
                ]
            )
            failed.mark_outgoing()
            self.delivery_state = "queued"
            return
        recipient = case._reminder_recipient()
        if not recipient.email:
            raise DeliveryImpossible(
                self.env._(
                    "%(customer)s has no email address: add one on the customer "
                    "(invoice address).",
                    customer=recipient.display_name,
                )
            )
        template = self.rule_id.mail_template_id
        messages = case.with_context(
            mail_notify_force_send=False,
            mail_post_autofollow=False,
        ).message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=recipient.ids,
        )
        self.write(
            {
                "message_id": messages[:1].id,
                "attachment_id": messages[:1].attachment_ids[:1].id,
                "delivery_state": "queued",
            }
        )

    def _execute_letter(self, date):
        case = self.case_id
        report = self.env.ref("account_credit_collection.action_report_credit_letter")
        content, report_type = (
            self.env["ir.actions.report"]
            .sudo()
            .with_context(lang=case.partner_id.lang)
            ._render_qweb_pdf(report, case.ids)
        )
        extension = "pdf" if report_type == "pdf" else "html"
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self.env._(
                        "Reminder letter %(customer)s %(date)s.%(ext)s",
                        customer=case.partner_id.name,
                        date=date,
                        ext=extension,
                    ),
                    "raw": content,
                    "res_model": case._name,
                    "res_id": case.id,
                    "mimetype": (
                        "application/pdf" if extension == "pdf" else "text/html"
                    ),
                }
            )
        )
        self.attachment_id = attachment
        body = self.env._(
            "Reminder letter (%(stage)s) to print and post to %(customer)s.",
            stage=self.stage_id.name,
            customer=case._reminder_recipient().display_name,
        )
        if self.fallback_of_id:
            body += " " + self.env._(
                "It replaces the reminder email that could not be delivered: %(error)s",
                error=self.fallback_of_id.error or "",
            )
        self.message_id = self._log(body, attachment)

    def _execute_activity(self, date):
        case = self.case_id
        rule = self.rule_id
        # the chosen assignee, else the rule's responsible, else whoever of
        # the collector and the salesperson the case has
        user = (
            {
                "collector": case.user_id,
                "salesperson": case.partner_id.user_id,
                "user": rule.activity_user_id,
            }[rule.activity_assign or "collector"]
            or rule.activity_user_id
            or case.user_id
            or case.partner_id.user_id
        )
        if not user:
            raise DeliveryImpossible(
                self.env._(
                    "Nobody to assign the activity to: set the case's collector or "
                    "the rule's Responsible user."
                )
            )
        activity = case.activity_schedule(
            activity_type_id=rule.activity_type_id.id,
            summary=rule.activity_summary or rule.activity_type_id.summary,
            note=rule.note or "",
            user_id=user.id,
            date_deadline=date + timedelta(days=rule.activity_days),
        )
        self.activity_id = activity
        self.message_id = self._log(
            self.env._(
                "Escalation (%(stage)s): activity %(activity)s scheduled for %(user)s.",
                stage=self.stage_id.name,
                activity=activity.summary or activity.activity_type_id.name,
                user=user.name,
            )
        )

    def _execute_notify(self, date):
        case = self.case_id
        salesperson = case.partner_id.user_id
        if not salesperson:
            raise NothingToDo(
                self.env._(
                    "%(customer)s has no salesperson to notify.",
                    customer=case.partner_id.display_name,
                )
            )
        self.message_id = case.message_post(
            body=self.env._(
                "%(customer)s reached the collection stage %(stage)s: "
                "%(overdue)s overdue, worst item %(days)s days overdue.",
                customer=case.partner_id.display_name,
                stage=self.stage_id.name,
                overdue=format_amount(self.env, case.amount_overdue, case.currency_id),
                days=case.worst_days_overdue,
            )
            + (
                " " + self.env._("New orders are stopped by a credit hold.")
                if self.stage_id.is_hold
                else ""
            ),
            subtype_xmlid="mail.mt_note",
            partner_ids=salesperson.partner_id.ids,
        )

    def _execute_hold(self, date):
        case = self.case_id
        case.partner_id._credit_sync_holds(case.company_id)
        hold = (
            self.env["credit.hold"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", case.partner_id.id),
                    ("company_id", "=", case.company_id.id),
                    ("state", "in", ("active", "overridden")),
                ],
                limit=1,
            )
        )
        if not hold:
            raise DeliveryImpossible(
                self.env._("No hold rule blocks this customer any more.")
            )
        self.hold_id = hold
        self.message_id = self._log(
            Markup(self.env._("Escalation (%(stage)s): credit hold %(hold)s."))
            % {
                "stage": self.stage_id.name,
                "hold": Markup(
                    '<a href="#" data-oe-model="credit.hold" data-oe-id="%s">%s</a>'
                )
                % (hold.id, hold.display_name),
            }
        )

    def _execute_legal(self, date):
        case = self.case_id
        items = case._collection_items(date)
        header = [
            self.env._("Reference"),
            self.env._("Date"),
            self.env._("Due Date"),
            self.env._("Days Overdue"),
            self.env._("Currency"),
            self.env._("Residual"),
            self.env._("Residual (Company Currency)"),
            self.env._("Disputed"),
        ]
        rows = [
            [
                item["name"],
                str(item["date"] or ""),
                str(item["date_due"] or ""),
                item["days_overdue"],
                item["currency"].name,
                item["residual_currency"],
                item["residual"],
                item["disputed"],
            ]
            for item in items
        ]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        attachments = self.env["ir.attachment"].sudo()
        base = self.env._(
            "Open items %(customer)s %(date)s", customer=case.partner_id.name, date=date
        )
        attachments |= attachments.create(
            {
                "name": f"{base}.csv",
                "raw": buffer.getvalue().encode(),
                "res_model": case._name,
                "res_id": case.id,
                "mimetype": "text/csv",
            }
        )
        xlsx = self._xlsx(header, rows)
        if xlsx:
            attachments |= attachments.create(
                {
                    "name": f"{base}.xlsx",
                    "datas": base64.b64encode(xlsx),
                    "res_model": case._name,
                    "res_id": case.id,
                    "mimetype": "application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                }
            )
        self.attachment_id = attachments[:1]
        self.message_id = self._log(
            self.env._(
                "Handed over to legal / agency (%(stage)s): reminders stop. The "
                "file of the %(count)s open items is attached.",
                stage=self.stage_id.name,
                count=len(items),
            ),
            attachments,
        )

    @api.model
    def _xlsx(self, header, rows):
        try:
            import xlsxwriter
        except ImportError:  # pragma: no cover - xlsxwriter is in Odoo's requirements
            return b""
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet()
        for col, value in enumerate(header):
            sheet.write(0, col, value)
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                sheet.write(row_index, col, value)
        workbook.close()
        return output.getvalue()

    # -------------------------------------------------------------------- fees
    def _execute_fee(self, date):
        case = self.case_id
        lines = case._fee_lines(date, self.rule_id)
        if not lines:
            raise DeliveryImpossible(
                self.env._("No fee is due: no fixed fee, interest or compensation.")
            )
        policy = case.policy_id
        company = case.company_id
        account = policy._fee_account()
        journal = policy.fee_journal_id or self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        if not journal:
            raise UserError(
                self.env._(
                    "No sales journal in %(company)s for the fee invoice.",
                    company=company.name,
                )
            )
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .with_context(default_move_type="out_invoice")
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": case.partner_id.id,
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "currency_id": company.currency_id.id,
                    "invoice_date": date,
                    "invoice_date_due": date,
                    "invoice_payment_term_id": False,
                    "ref": self.env._(
                        "Late payment fees — %(stage)s", stage=self.stage_id.name
                    ),
                    "credit_fee_action_id": self.id,
                    "invoice_line_ids": [
                        Command.create(
                            dict(
                                line,
                                product_id=policy.fee_product_id.id or False,
                                account_id=account.id,
                                quantity=1,
                                tax_ids=[Command.clear()],
                            )
                        )
                        for line in lines
                    ],
                }
            )
        )
        move.action_post()
        self.write({"fee_move_id": move.id, "amount": move.amount_total_signed})
        self.message_id = self._log(
            Markup(
                self.env._(
                    "Escalation (%(stage)s): fee invoice %(invoice)s of "
                    "%(amount)s posted."
                )
            )
            % {
                "stage": self.stage_id.name,
                "invoice": Markup(
                    '<a href="#" data-oe-model="account.move" data-oe-id="%s">%s</a>'
                )
                % (move.id, move.name),
                "amount": format_amount(self.env, move.amount_total, move.currency_id),
            }
        )

    def action_waive(self):
        """Manager: waive a fee — its invoice is reversed by a credit note."""
        self.env["credit.hold"]._check_manager()
        self.check_access("read")
        for action in self.sudo():
            if action.action_type != "fee" or not action.fee_move_id:
                raise UserError(self.env._("Only a posted fee can be waived."))
            if action.waived:
                continue
            reversal = action.fee_move_id._reverse_moves(
                [
                    {
                        "ref": self.env._(
                            "Waived by %(user)s: %(fee)s",
                            user=self.env.user.name,
                            fee=action.fee_move_id.name,
                        ),
                        "invoice_date": credit_today(self.env, action.company_id),
                    }
                ],
                cancel=True,
            )
            action.waived = True
            action.case_id.message_post(
                body=self.env._(
                    "Fee %(fee)s waived by %(user)s (credit note %(note)s).",
                    fee=action.fee_move_id.name,
                    user=self.env.user.name,
                    note=reversal.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    # ---------------------------------------------------------------- manual
    def action_retry(self):
        """Manager: try a failed or skipped action again on the next run."""
        self.env["credit.hold"]._check_manager()
        self.check_access("read")
        for action in self.sudo():
            if action.state not in ("failed", "skipped"):
                raise UserError(
                    self.env._("Only failed or skipped actions can be retried.")
                )
            action.write(
                {
                    "state": "planned",
                    "attempt_count": 0,
                    "skip_reason": False,
                    "date_planned": credit_today(self.env, action.company_id),
                }
            )
        return True

    def action_skip(self):
        """Manager: never do a planned action."""
        self.env["credit.hold"]._check_manager()
        self.check_access("read")
        for action in self.sudo():
            if action.state not in ("planned", "failed"):
                raise UserError(
                    self.env._("Only planned or failed actions can be skipped.")
                )
            action.write(
                {
                    "state": "skipped",
                    "skip_reason": self.env._(
                        "Skipped by %(user)s", user=self.env.user.name
                    ),
                }
            )
        return True

    # -------------------------------------------------------------- delivery
    @api.model
    def _check_deliveries(self, company):
        """Follow the reminder emails of ``company``: sent, bounced, failed
        (then retried on the next run, up to the attempts limit, and replaced
        by a letter when the tier says so) or queued too long — reported on
        the case."""
        actions = self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("action_type", "=", "email"),
                ("state", "=", "done"),
                ("message_id", "!=", False),
                ("delivery_state", "in", ("queued", "late")),
            ]
        )
        if not actions:
            return
        notifications = (
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", actions.message_id.ids),
                    ("notification_type", "=", "email"),
                ]
            )
            .grouped("mail_message_id")
        )
        now = fields.Datetime.now()
        for action in actions:
            mine = notifications.get(action.message_id, self.env["mail.notification"])
            mine = mine.filtered(
                lambda n, a=action: n.res_partner_id in a.message_id.partner_ids
            )
            statuses = set(mine.mapped("notification_status"))
            if "bounce" in statuses:
                note = mine.filtered(lambda n: n.notification_status == "bounce")[:1]
                action._delivery_failed(
                    "bounced",
                    self.env._(
                        "The reminder email to %(email)s bounced.",
                        email=note.res_partner_id.email or "",
                    ),
                    final=True,
                )
            elif statuses & {"exception", "canceled"}:
                note = mine.filtered(
                    lambda n: n.notification_status in ("exception", "canceled")
                )[:1]
                action._delivery_failed(
                    "failed",
                    self.env._(
                        "The reminder email could not be sent: %(reason)s",
                        reason=note.failure_reason or note.failure_type or "",
                    ),
                    final=False,
                )
            elif statuses and statuses <= {"sent"}:
                action.delivery_state = "sent"
                if action.case_id.delivery_issue:
                    action.case_id.delivery_issue = False
            elif (
                action.delivery_state == "queued"
                and action.date_done
                and now - action.date_done > QUEUED_TOO_LONG
            ):
                action.delivery_state = "late"
                issue = self.env._(
                    "The reminder email of %(date)s is still queued: check the "
                    "outgoing mail server.",
                    date=format_date(self.env, action.date_done),
                )
                action.case_id.delivery_issue = issue
                action.case_id.message_post(body=issue, subtype_xmlid="mail.mt_note")

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
        self.case_id.delivery_issue = error
        self.case_id.message_post(body=error, subtype_xmlid="mail.mt_note")
        if attempts >= MAX_ATTEMPTS:
            self._plan_fallback_letter()

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
