# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What each type of escalation action does: ``_execute_<action_type>(date)``.
A handler writes its side effects (message, mail, document, hold, fee
invoice) and the references to them on the action; the runner writes the
state in the same savepoint. A handler raises ``DeliveryImpossible`` when a
retry cannot help and ``NothingToDo`` when there is nobody to address."""

import base64
import csv
import io
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_amount

from .credit_collection_action_errors import DeliveryImpossible, NothingToDo

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


class CreditCollectionActionHandlers(models.Model):
    # one model, one concern per file: the record, the runner, the handlers
    _inherit = "credit.collection.action"  # pylint: disable=consider-merging-classes-inherited

    # ----------------------------------------------------------------- email
    def _execute_email(self, date):
        if self.message_id:
            # a retry of a reminder that was posted but not delivered: send the
            # same mail again, never a second message
            self._resend_email()
            return
        messages = self._post_reminder(self._email_recipient())
        self.write(
            {
                "message_id": messages[:1].id,
                "attachment_id": messages[:1].attachment_ids[:1].id,
                "delivery_state": "queued",
            }
        )

    def _resend_email(self):
        failed = (
            self.env["mail.mail"]
            .sudo()
            .search(
                Domain("mail_message_id", "=", self.message_id.id)
                & Domain("state", "=", "exception")
            )
        )
        failed.mark_outgoing()
        self.delivery_state = "queued"

    def _email_recipient(self):
        recipient = self.case_id._reminder_recipient()
        if not recipient.email:
            raise DeliveryImpossible(
                self.env._(
                    "%(customer)s has no email address: add one on the customer "
                    "(invoice address).",
                    customer=recipient.display_name,
                )
            )
        return recipient

    def _post_reminder(self, recipient):
        """The rule's template posted on the case (the mail goes out with the
        mail queue, not now)."""
        return self.case_id.with_context(
            mail_notify_force_send=False,
            mail_post_autofollow=False,
        ).message_post_with_source(
            self.rule_id.mail_template_id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=recipient.ids,
        )

    # ---------------------------------------------------------------- letter
    def _execute_letter(self, date):
        attachment = self._render_letter(date)
        self.attachment_id = attachment
        self.message_id = self._log(self._letter_note(), attachment)

    def _render_letter(self, date):
        """The reminder letter as a document of the case (PDF, or HTML where
        no PDF renderer is installed)."""
        case = self.case_id
        report = self.env.ref("account_credit_collection.action_report_credit_letter")
        content, report_type = (
            self.env["ir.actions.report"]
            .sudo()
            .with_context(lang=case.partner_id.lang)
            ._render_qweb_pdf(report, case.ids)
        )
        extension = "pdf" if report_type == "pdf" else "html"
        name = self.env._(
            "Reminder letter %(customer)s %(date)s.%(ext)s",
            customer=case.partner_id.name,
            date=date,
            ext=extension,
        )
        mimetype = "application/pdf" if extension == "pdf" else "text/html"
        return self._attach(name, mimetype, raw=content)

    def _letter_note(self):
        body = self.env._(
            "Reminder letter (%(stage)s) to print and post to %(customer)s.",
            stage=self.stage_id.name,
            customer=self.case_id._reminder_recipient().display_name,
        )
        if self.fallback_of_id:
            body += " " + self.env._(
                "It replaces the reminder email that could not be delivered: %(error)s",
                error=self.fallback_of_id.error or "",
            )
        return body

    # -------------------------------------------------------------- activity
    def _execute_activity(self, date):
        rule = self.rule_id
        user = self._activity_user()
        activity = self.case_id.activity_schedule(
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

    def _activity_user(self):
        """The chosen assignee, else the rule's responsible, else whoever of
        the collector and the salesperson the case has."""
        case, rule = self.case_id, self.rule_id
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
        return user

    # ---------------------------------------------------------------- notify
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
            body=self._notify_body(),
            subtype_xmlid="mail.mt_note",
            partner_ids=salesperson.partner_id.ids,
        )

    def _notify_body(self):
        case = self.case_id
        body = self.env._(
            "%(customer)s reached the collection stage %(stage)s: "
            "%(overdue)s overdue, worst item %(days)s days overdue.",
            customer=case.partner_id.display_name,
            stage=self.stage_id.name,
            overdue=format_amount(self.env, case.amount_overdue, case.currency_id),
            days=case.worst_days_overdue,
        )
        if self.stage_id.is_hold:
            body += " " + self.env._("New orders are stopped by a credit hold.")
        return body

    # ------------------------------------------------------------------ hold
    def _execute_hold(self, date):
        hold = self._synced_hold()
        self.hold_id = hold
        self.message_id = self._log(
            Markup(self.env._("Escalation (%(stage)s): credit hold %(hold)s."))
            % {
                "stage": self.stage_id.name,
                "hold": self._link(hold, hold.display_name),
            }
        )

    def _synced_hold(self):
        """The customer's hold once the hold rules are applied to it."""
        case = self.case_id
        self.env["credit.hold"]._sync_partners(case.partner_id, case.company_id)
        hold = (
            self.env["credit.hold"]
            .sudo()
            .search(
                Domain("partner_id", "=", case.partner_id.id)
                & Domain("company_id", "=", case.company_id.id)
                & Domain("state", "in", ("active", "overridden")),
                limit=1,
            )
        )
        if not hold:
            raise DeliveryImpossible(
                self.env._("No hold rule blocks this customer any more.")
            )
        return hold

    # ----------------------------------------------------------------- legal
    def _execute_legal(self, date):
        items = self.case_id._collection_items(date)
        attachments = self._attach_open_items(date, *self._open_items_table(items))
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

    def _open_items_table(self, items):
        """(header, rows) of the open items handed over."""
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
        return self._open_items_header(), rows

    def _open_items_header(self):
        return [
            self.env._("Reference"),
            self.env._("Date"),
            self.env._("Due Date"),
            self.env._("Days Overdue"),
            self.env._("Currency"),
            self.env._("Residual"),
            self.env._("Residual (Company Currency)"),
            self.env._("Disputed"),
        ]

    def _attach_open_items(self, date, header, rows):
        """The open items as CSV, and as XLSX where xlsxwriter is installed."""
        base = self.env._(
            "Open items %(customer)s %(date)s",
            customer=self.case_id.partner_id.name,
            date=date,
        )
        attachments = self._attach(f"{base}.csv", "text/csv", raw=_csv(header, rows))
        xlsx = self._xlsx(header, rows)
        if xlsx:
            attachments |= self._attach(
                f"{base}.xlsx", XLSX_MIMETYPE, datas=base64.b64encode(xlsx)
            )
        return attachments

    @api.model
    def _xlsx(self, header, rows):
        try:
            import xlsxwriter
        except ImportError:  # pragma: no cover - xlsxwriter is in Odoo's requirements
            return b""
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet()
        for row_index, row in enumerate([header, *rows]):
            for col, value in enumerate(row):
                sheet.write(row_index, col, value)
        workbook.close()
        return output.getvalue()

    # ------------------------------------------------------------------- fee
    def _execute_fee(self, date):
        lines = self.case_id._fee_lines(date, self.rule_id)
        if not lines:
            raise DeliveryImpossible(
                self.env._("No fee is due: no fixed fee, interest or compensation.")
            )
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(self.case_id.company_id)
            .with_context(default_move_type="out_invoice")
            .create(self._fee_invoice_vals(date, lines))
        )
        move.action_post()
        self.write({"fee_move_id": move.id, "amount": move.amount_total_signed})
        self.message_id = self._log(self._fee_note(move))

    def _fee_invoice_vals(self, date, lines):
        """The fee invoice: due at once, on the tier's fee account."""
        case = self.case_id
        account = case.policy_id._fee_account()
        journal = self._fee_journal()
        return {
            "move_type": "out_invoice",
            "partner_id": case.partner_id.id,
            "company_id": case.company_id.id,
            "journal_id": journal.id,
            "currency_id": case.company_id.currency_id.id,
            "invoice_date": date,
            "invoice_date_due": date,
            "invoice_payment_term_id": False,
            "ref": self.env._(
                "Late payment fees — %(stage)s", stage=self.stage_id.name
            ),
            "credit_fee_action_id": self.id,
            "invoice_line_ids": self._fee_line_commands(lines, account),
        }

    def _fee_line_commands(self, lines, account):
        """One untaxed invoice line per fee line of the case."""
        product = self.case_id.policy_id.fee_product_id
        return [
            Command.create(
                dict(
                    line,
                    product_id=product.id or False,
                    account_id=account.id,
                    quantity=1,
                    tax_ids=[Command.clear()],
                )
            )
            for line in lines
        ]

    def _fee_journal(self):
        """The tier's fee journal, else the company's first sales journal."""
        company = self.case_id.company_id
        journal = self.case_id.policy_id.fee_journal_id or self.env[
            "account.journal"
        ].search(
            Domain("type", "=", "sale") & Domain("company_id", "=", company.id), limit=1
        )
        if not journal:
            raise UserError(
                self.env._(
                    "No sales journal in %(company)s for the fee invoice.",
                    company=company.name,
                )
            )
        return journal

    def _fee_note(self, move):
        return Markup(
            self.env._(
                "Escalation (%(stage)s): fee invoice %(invoice)s of %(amount)s posted."
            )
        ) % {
            "stage": self.stage_id.name,
            "invoice": self._link(move, move.name),
            "amount": format_amount(self.env, move.amount_total, move.currency_id),
        }

    # --------------------------------------------------------------- helpers
    def _log(self, body, attachments=None):
        """Log the executed action in the case's chatter."""
        return self.case_id.message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            attachment_ids=(attachments or self.env["ir.attachment"]).ids,
        )

    @api.model
    def _link(self, record, label):
        """A link to ``record`` in a chatter message."""
        return Markup('<a href="#" data-oe-model="%s" data-oe-id="%s">%s</a>') % (
            record._name,
            record.id,
            label,
        )

    def _attach(self, name, mimetype, **content):
        """A document of the case; ``content``: ``raw`` or ``datas``."""
        case = self.case_id
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    **content,
                    "res_model": case._name,
                    "res_id": case.id,
                    "mimetype": mimetype,
                }
            )
        )
