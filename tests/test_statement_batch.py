# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Statements of many cases in one wkhtmltopdf call (#20), the same text as
one by one, and Send Statement on demand (#19): real wkhtmltopdf, real
``pdftotext``, the real mail queue."""

import subprocess
import tempfile
from contextlib import contextmanager
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport

from .test_escalation import EscalationCommon

STATEMENT = "account_credit_collection.action_report_credit_statement"


def pdf_text(content):
    """The text of a PDF (poppler's pdftotext, layout kept)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        return subprocess.run(
            ["pdftotext", "-layout", pdf.name, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


# nothing listens there (port 9, discard)
CLOSED_URL = "http://127.0.0.1:9"


@tagged("post_install", "-at_install")
class StatementCommon(EscalationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.report = cls.env.ref(STATEMENT)
        cls.customers = cls.customer
        cls.invoices = {}
        for name, lang in (("Dupont SA", "fr_FR"), ("Brown Ltd", "en_US")):
            partner = cls._customer(name)
            partner.write({"email": f"ap@{lang.lower()}.example.com", "lang": lang})
            cls.customers |= partner
        for index, partner in enumerate(cls.customers):
            cls.invoices[partner] = cls._invoice(partner, 100.0 + index, overdue_days=5)
        cls.invoices[cls.customers[1]] |= cls._invoice(cls.customers[1], 50.0)

    @contextmanager
    def _wkhtmltopdf(self):
        """Real PDFs (Odoo renders HTML under tests unless forced), the
        wkhtmltopdf calls counted. wkhtmltopdf fetches the assets from this
        process' HTTP server: the registry lock is lifted, as HttpCase does."""
        env = self.env(context=dict(self.env.context, force_report_rendering=True))
        # pdftotext reads no text where wkhtmltopdf drew the report's web
        # fonts as outlines (Odoo's runner serves the assets, pytest does
        # not): the assets' URL is a closed port, so the text stays text
        # under both runners (rolled back with the test)
        env["ir.config_parameter"].sudo().set_param("report.url", CLOSED_URL)
        with (
            patch.object(Registry, "_lock", DummyRLock()),
            patch.object(
                IrActionsReport,
                "_run_wkhtmltopdf",
                autospec=True,
                side_effect=IrActionsReport._run_wkhtmltopdf,
            ) as calls,
        ):
            yield env, calls

    def _cases(self, partners=None):
        partners = partners or self.customers
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, partners)
        return self.Case.search(
            [("partner_id", "in", partners.ids), ("company_id", "=", self.company.id)]
        )

    def _escalate(self, env):
        cases = self._cases()
        return env["credit.collection.case"].sudo()._run_escalation(cases=cases.sudo())

    def _pdf_attachment(self, message):
        attachment = message.attachment_ids.filtered(
            lambda a: a.mimetype == "application/pdf"
        )
        self.assertEqual(len(attachment), 1)
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        return pdf_text(attachment.raw)


@tagged("post_install", "-at_install")
class TestStatementBatch(StatementCommon):
    def test_batched_statements_read_as_rendered_one_by_one(self):
        cases = self._cases()
        with self._wkhtmltopdf() as (env, calls):
            Report = env["ir.actions.report"]
            batched = Report._credit_render_pdfs(self.report, cases.ids)
            self.assertEqual(calls.call_count, 1)
            single = {
                case.id: Report.with_context(
                    lang=case.partner_id.lang
                )._render_qweb_pdf(STATEMENT, case.ids)[0]
                for case in cases
            }
        self.assertEqual(set(batched), set(cases.ids))
        for case in cases:
            text = pdf_text(batched[case.id])
            self.assertEqual(text, pdf_text(single[case.id]))
            for invoice in self.invoices[case.partner_id]:
                self.assertIn(invoice.name, text)
            self.assertIn(case.partner_id.name, text)
        # the French customer's statement is in French (dates day first)
        dupont = cases.filtered(lambda c: c.partner_id.lang == "fr_FR")
        due = self.invoices[dupont.partner_id][:1].invoice_date_due
        self.assertIn(due.strftime("%d/%m/%Y"), pdf_text(batched[dupont.id]))

    def test_pay_links_made_at_once(self):
        """The open invoices' portal tokens in one UPDATE (not one invoice
        write each); the statement's pay links carry them."""
        cases = self._cases()
        invoices = self.env["account.move"].union(*self.invoices.values())
        self.assertFalse(any(invoices.mapped("access_token")))
        cases._ensure_pay_tokens()
        self.assertTrue(all(invoices.mapped("access_token")))
        self.assertEqual(len(set(invoices.mapped("access_token"))), len(invoices))
        tokens = dict(zip(invoices, invoices.mapped("access_token"), strict=True))
        for case in cases:
            for item in case._collection_summary()["items"]:
                self.assertIn(tokens[item["move"]], item["pay_url"])
        self.assertEqual(
            dict(zip(invoices, invoices.mapped("access_token"), strict=True)), tokens
        )

    def test_statement_of_several_pages_in_a_batch(self):
        """A batch is split per page when each statement filled one page;
        otherwise its halves are rendered apart: the same statements."""
        long = self.customers[1]
        for index in range(30):
            self.invoices[long] |= self._invoice(long, 10.0 + index, overdue_days=3)
        cases = self._cases()
        with self._wkhtmltopdf() as (env, _calls):
            Report = env["ir.actions.report"]
            batched = Report._credit_render_pdfs(self.report, cases.ids)
            single = {
                case.id: Report.with_context(
                    lang=case.partner_id.lang
                )._render_qweb_pdf(STATEMENT, case.ids)[0]
                for case in cases
            }
        self.assertEqual(set(batched), set(cases.ids))
        for case in cases:
            self.assertEqual(pdf_text(batched[case.id]), pdf_text(single[case.id]))
        long_case = cases.filtered(lambda c: c.partner_id == long)
        self.assertGreater(pdf_text(batched[long_case.id]).count("\f"), 1)
        for invoice in self.invoices[long]:
            self.assertIn(invoice.name, pdf_text(batched[long_case.id]))

    def test_escalation_batch_renders_its_statements_at_once(self):
        with self._wkhtmltopdf() as (env, calls):
            summary = self._escalate(env)
        self.assertEqual(calls.call_count, 1)
        self.assertEqual(summary["processed"], 3)
        for case in self._cases():
            messages = self._reminder_messages(case)
            self.assertEqual(len(messages), 1)
            text = self._pdf_attachment(messages)
            self.assertIn(self.invoices[case.partner_id][0].name, text)
            self.assertEqual(
                self._actions(case.partner_id, state="done").action_type, "email"
            )

    def test_failed_batch_falls_back_to_one_by_one(self):
        """A case that cannot be rendered fails the batch: every other case
        gets its reminder once (rendered alone), the bad one fails alone."""
        bad = self._cases(self.customers[2])
        real = IrActionsReport._render_qweb_html

        def broken(report, ref, docids, data=None):
            if bad.id in docids:
                raise ValueError("broken statement")
            return real(report, ref, docids, data=data)

        with (
            self._wkhtmltopdf() as (env, calls),
            patch.object(
                IrActionsReport,
                "_render_qweb_html",
                autospec=True,
                side_effect=broken,
            ),
        ):
            self._escalate(env)
        self.assertEqual(calls.call_count, 2)
        for case in self._cases() - bad:
            self.assertEqual(len(self._reminder_messages(case)), 1)
            self._pdf_attachment(self._reminder_messages(case))
            self.assertEqual(self._actions(case.partner_id).state, "done")
        self.assertFalse(self._reminder_messages(bad))
        self.assertEqual(self._actions(bad.partner_id).state, "failed")
        self.assertIn("broken statement", self._actions(bad.partner_id).error)


@tagged("post_install", "-at_install")
class TestSendStatement(StatementCommon):
    def _statement_messages(self, case):
        template = self.env.ref("account_credit_collection.mail_template_statement")
        subject = template._render_field("subject", case.ids)[case.id]
        return self._reminder_messages(case).filtered(lambda m: m.subject == subject)

    def test_send_from_the_case_in_the_customers_language(self):
        dupont = self.customers[1]
        case = self._cases(dupont)
        template = self.env.ref("account_credit_collection.mail_template_statement")
        self.assertEqual(template._render_lang(case.ids)[case.id], "fr_FR")
        with self._wkhtmltopdf() as (env, calls):
            action = (
                case.with_env(env).with_user(self.collector).action_send_statement()
            )
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(calls.call_count, 1)
        message = self._statement_messages(case)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, dupont)
        text = self._pdf_attachment(message)
        for invoice in self.invoices[dupont]:
            self.assertIn(invoice.name, text)
        due = self.invoices[dupont][:1].invoice_date_due
        self.assertIn(due.strftime("%d/%m/%Y"), text)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.recipient_ids, dupont)
        # noted on the customer, with the PDF
        note = dupont.message_ids.filtered(lambda m: "Statement of account" in m.body)
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.collector.partner_id)
        self.assertEqual(note.attachment_ids.mimetype, "application/pdf")

    def test_send_from_the_customer_creates_the_missing_case(self):
        brown = self.customers[2]
        self.env.flush_all()
        self.assertFalse(self.Case.search([("partner_id", "=", brown.id)]))
        with self._wkhtmltopdf() as (env, _calls):
            brown.with_env(env).with_user(self.manager).action_send_statement()
        case = self.Case.search([("partner_id", "=", brown.id)])
        text = self._pdf_attachment(self._statement_messages(case))
        self.assertIn(self.invoices[brown].name, text)

    def test_list_send_renders_all_statements_at_once(self):
        """The customers list's bound action, on a selection."""
        self._cases()
        action = self.env.ref(
            "account_credit_collection.res_partner_action_send_statement"
        )
        self.assertEqual(action.binding_model_id.model, "res.partner")
        with self._wkhtmltopdf() as (env, calls):
            result = (
                action.with_env(env)
                .with_user(self.collector)
                .with_context(active_model="res.partner", active_ids=self.customers.ids)
                .run()
            )
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(calls.call_count, 1)
        for case in self._cases():
            message = self._statement_messages(case)
            self.assertEqual(len(message), 1)
            text = self._pdf_attachment(message)
            self.assertIn(self.invoices[case.partner_id][0].name, text)

    def test_errors(self):
        cases = self._cases()
        nomail = self._customer("No Mail Ltd")
        self._invoice(nomail, 10.0)
        with self.assertRaisesRegex(UserError, "No email address for No Mail Ltd"):
            (self.customers | nomail).with_user(self.collector).action_send_statement()
        self.assertFalse(any(self._statement_messages(case) for case in cases))
        paid = self._customer("Nothing Open Ltd")
        paid.email = "ap@open.example.com"
        with self.assertRaisesRegex(UserError, "Nothing is open for Nothing Open Ltd"):
            (self.customer | paid).with_user(self.collector).action_send_statement()
        with self.assertRaises(AccessError):
            cases[:1].with_user(self.salesman).action_send_statement()
