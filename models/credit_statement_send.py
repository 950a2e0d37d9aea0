# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Statement of account on demand: _Send Statement_ on the case and the
customer, one or many (list action). The email (template ``lang``: the
customer's) carries the statement PDF in the customer's language; it is posted
on the case, and noted on the customer. A selection renders its statements in
one wkhtmltopdf call (``credit_statement_batch.py``).

A customer without any open item gets no statement (nothing to state); a
customer whose open items net to zero, or who owes nothing overdue yet, does:
the statement lists the open invoices and credits."""

from markupsafe import Markup

from odoo import models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

STATEMENT_REPORT = "account_credit_collection.action_report_credit_statement"
STATEMENT_TEMPLATE = "account_credit_collection.mail_template_statement"


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    def action_send_statement(self):
        """Email the statement of account of each case to its customer."""
        self._check_statement_access()
        closed = self.filtered(lambda case: not case.active)
        if closed:
            names = closed.partner_id.mapped("display_name")
            raise UserError(
                self.env._(
                    "Nothing is open for %(customers)s: no statement to send.",
                    customers=", ".join(names),
                )
            )
        cases = self.sudo()
        recipients = cases._statement_recipients()
        cases._send_statements(recipients)
        return self._statement_notification(cases)

    def _statement_cases(self, company, customers):
        """The open cases of ``customers`` in ``company``; customers with open
        items and no case yet (invoiced since the last daily run) get theirs."""
        domain = (
            Domain("partner_id", "in", customers.ids)
            & Domain("company_id", "=", company.id)
            & Domain("active", "=", True)
        )
        cases = self.search(domain)
        missing = customers - cases.partner_id
        if missing:
            self.env.flush_all()
            self._update_cases(company, missing)
            cases = self.search(domain)
        return cases

    def _check_statement_access(self):
        """Collectors and Collections managers, on cases they may read."""
        if not self.env.user.has_group("account_credit_collection.group_user"):
            raise AccessError(
                self.env._("Only collection users send statements of account.")
            )
        self.check_access("read")

    def _statement_recipients(self):
        """{case: its customer's invoice address}; all of them have an email
        or nothing is sent."""
        recipients = {case: case._reminder_recipient() for case in self}
        missing = [p.display_name for p in recipients.values() if not p.email]
        if missing:
            raise UserError(
                self.env._(
                    "No email address for %(customers)s: add one on the customer "
                    "(invoice address), then send again.",
                    customers=", ".join(missing),
                )
            )
        return recipients

    def _send_statements(self, recipients):
        """Post the statement email on each case (the mail queue sends it)
        and note it on the customer."""
        template = self.env.ref(STATEMENT_TEMPLATE)
        cases = self.with_context(
            mail_notify_force_send=False, mail_post_autofollow=False
        )._with_prerendered(self.env.ref(STATEMENT_REPORT))
        for case in cases:
            message = case.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=recipients[case].ids,
            )
            case._note_statement_on_customer(message, recipients[case])

    def _note_statement_on_customer(self, message, recipient):
        attachments = message.attachment_ids
        copies = attachments and attachments[:1].copy(
            {"res_model": "res.partner", "res_id": self.partner_id.id}
        )
        self.partner_id.message_post(
            body=Markup(
                self.env._("Statement of account (%(company)s) sent to %(recipient)s.")
            )
            % {"company": self.company_id.name, "recipient": recipient.email},
            subtype_xmlid="mail.mt_note",
            attachment_ids=copies.ids if copies else [],
        )

    def _statement_notification(self, cases):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Statement of account"),
                "message": self.env._(
                    "%(count)s statement(s) sent: %(customers)s.",
                    count=len(cases),
                    customers=", ".join(cases.partner_id.mapped("display_name")),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_send_statement(self):
        """Email each customer the statement of account of each company of
        the current ones where something is open."""
        Case = self.env["credit.collection.case"]
        Case._check_statement_access()
        customers = self.commercial_partner_id
        cases = Case.sudo().browse()
        for company in self.env.companies:
            cases |= Case.sudo()._statement_cases(company, customers)
        missing = customers - cases.partner_id
        if missing:
            raise UserError(
                self.env._(
                    "Nothing is open for %(customers)s: no statement to send.",
                    customers=", ".join(missing.mapped("display_name")),
                )
            )
        return cases.with_env(self.env).action_send_statement()
