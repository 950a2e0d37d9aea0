# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Statements (and reminder letters) of many cases in one wkhtmltopdf call.

Odoo's report engine renders the records of a batch into one PDF and splits it
per record (``_render_qweb_pdf_prepare_streams``: one top-level heading per
record). The PDFs are handed to the usual per-record rendering (the mail
template's report, the letter) through the context, so every email and letter
is built exactly as before, each in its own savepoint: a batch that cannot be
rendered or split falls back to rendering one by one."""

import io
import logging
from collections import defaultdict

import lxml.html
import psycopg2

from odoo import api, models, modules, tools
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from odoo.addons.base.models.ir_actions_report import _wkhtml

from .open_items import open_items_sql

_logger = logging.getLogger(__name__)

# the context key carrying the PDFs rendered ahead
PRERENDERED = "credit_prerendered_pdfs"
# records per wkhtmltopdf call
RENDER_CHUNK = 100
# the record's part of a report body
ARTICLE = "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"


class PrerenderedPdfs:
    """{(report id, record id): PDF bytes} rendered ahead (compared by
    identity in the context)."""

    __slots__ = ("pdfs",)

    def __init__(self, pdfs):
        self.pdfs = pdfs

    def get(self, report, res_id):
        return self.pdfs.get((report.id, res_id))


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _pre_render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        """A record's PDF rendered ahead in its batch, as if rendered now."""
        prerendered = self.env.context.get(PRERENDERED)
        if prerendered and res_ids and len(res_ids) == 1:
            res_id = res_ids[0] if isinstance(res_ids, list) else res_ids
            content = prerendered.get(self._get_report(report_ref), res_id)
            if content is not None:
                stream = io.BytesIO(content)
                return {res_id: {"stream": stream, "attachment": None}}, "pdf"
        return super()._pre_render_qweb_pdf(report_ref, res_ids=res_ids, data=data)

    @api.model
    def _credit_renders_pdf(self):
        """Whether a report renders to PDF here (Odoo renders HTML under
        tests unless asked, and without wkhtmltopdf)."""
        testing = modules.module.current_test or tools.config["test_enable"]
        if testing and not self.env.context.get("force_report_rendering"):
            return False
        return self.get_wkhtmltopdf_state() == "ok"

    @api.model
    def _credit_render_pdfs(self, report, res_ids):
        """{record id: PDF bytes} of ``report`` for ``res_ids``, one
        wkhtmltopdf call per chunk, split per record by the report engine.
        The records of a chunk that fails are left out: their caller renders
        them one by one."""
        res_ids = list(dict.fromkeys(res_ids))
        if len(res_ids) < 2 or not self._credit_renders_pdf():
            return {}
        report = self._get_report(report)
        pdfs = {}
        for start in range(0, len(res_ids), RENDER_CHUNK):
            pdfs.update(
                self._credit_render_chunk(report, res_ids[start : start + RENDER_CHUNK])
            )
        return pdfs

    @api.model
    def _credit_render_chunk(self, report, res_ids):
        """{record id: PDF} of a chunk; {} when it fails."""
        try:
            with self.env.cr.savepoint():
                if _patched_qt():
                    return self._credit_render_documents(report, res_ids)
                return self._credit_render_one_document(report, res_ids)
        except psycopg2.OperationalError:
            raise
        except Exception as exc:  # noqa: BLE001 — rendered one by one instead
            _logger.warning(
                "Batched rendering of %s failed (%s): one by one instead",
                report.report_name,
                exc,
            )
            return {}

    @api.model
    def _credit_render_documents(self, report, res_ids):
        """wkhtmltopdf with patched Qt: the report engine renders one
        document per record in one call and splits the PDF per record."""
        streams = self.with_context(webp_as_jpg=True)._render_qweb_pdf_prepare_streams(
            report, {"report_type": "pdf"}, res_ids=res_ids
        )
        pdfs = {
            res_id: data["stream"].getvalue()
            for res_id, data in streams.items()
            if res_id in res_ids and data["stream"]
        }
        return pdfs if len(pdfs) == len(res_ids) else {}

    @api.model
    def _credit_render_one_document(self, report, res_ids):
        """wkhtmltopdf without patched Qt (Debian's) converts one document
        per call: the records' pages (the report engine's bodies) in one
        document, each from a new page, split per page when each record
        filled one page (as the report engine does); otherwise the halves
        are rendered apart, down to single records (a record alone: its
        whole document, as rendered one by one)."""
        engine = self.with_context(debug=False, webp_as_jpg=True)
        data = {"report_type": "pdf", "debug": False}
        html = engine._render_qweb_html(report, res_ids, data=data)[0]
        bodies, html_ids, header, footer, paper = report.with_context(
            debug=False
        )._prepare_html(html, report_model=report.model)
        if html_ids != res_ids:
            raise UserError(
                self.env._("The report does not print one page set per record.")
            )
        content = engine._run_wkhtmltopdf(
            bodies if len(bodies) == 1 else [_one_document(bodies)],
            report_ref=report,
            header=header,
            footer=footer,
            landscape=self.env.context.get("landscape"),
            specific_paperformat_args=paper,
            set_viewport_size=self.env.context.get("set_viewport_size"),
        )
        if len(res_ids) == 1:
            return {res_ids[0]: content}
        reader = PdfFileReader(io.BytesIO(content))
        if len(reader.pages) == len(res_ids):
            return dict(zip(res_ids, _pages(reader), strict=True))
        half = len(res_ids) // 2
        return {
            **self._credit_render_one_document(report, res_ids[:half]),
            **self._credit_render_one_document(report, res_ids[half:]),
        }


def _patched_qt():
    """Whether wkhtmltopdf converts several documents in one call."""
    return "(with patched qt)" in _wkhtml().version


def _one_document(bodies):
    """The report engine's bodies (one HTML document per record) as one
    document: the first one's page, the others' articles after its own, each
    from a new page."""
    roots = [lxml.html.fromstring(body) for body in bodies]
    articles = [root.xpath(ARTICLE)[0] for root in roots]
    previous = articles[0]
    for article in articles[1:]:
        article.set("style", f"page-break-before: always; {article.get('style', '')}")
        previous.addnext(article)
        previous = article
    return lxml.html.tostring(roots[0], encoding="unicode", doctype="<!DOCTYPE html>")


def _pages(reader):
    """Each page of a PDF as a PDF of its own."""
    for page in reader.pages:
        writer = PdfFileWriter()
        writer.add_page(page)
        stream = io.BytesIO()
        writer.write(stream)
        yield stream.getvalue()


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    def _with_prerendered(self, report):
        """The cases, with ``report`` rendered ahead for all of them."""
        if len(self) > 1 and self.env["ir.actions.report"]._credit_renders_pdf():
            self._ensure_pay_tokens()
        pdfs = (
            self.env["ir.actions.report"].sudo()._credit_render_pdfs(report, self.ids)
        )
        if not pdfs:
            return self
        return self.with_context(
            **{
                PRERENDERED: PrerenderedPdfs(
                    {(report.id, i): c for i, c in pdfs.items()}
                )
            }
        )

    def _ensure_pay_tokens(self):
        """The portal tokens of the pay links the statements print (open
        invoices without one), in one UPDATE per company: the token is made
        once in an invoice's life, at its first statement, where writing it
        on each invoice (``_portal_ensure_token``) recomputes the invoice's
        lines, about 90 ms each."""
        self.env["account.move"].flush_model(["access_token"])
        for company, cases in self.sudo().grouped("company_id").items():
            self.env.execute_query(
                SQL(
                    """
                UPDATE account_move SET access_token = gen_random_uuid()::text
                 WHERE access_token IS NULL
                   AND move_type IN ('out_invoice', 'out_receipt')
                   AND id IN (SELECT line.move_id %s AND line.amount_residual > 0)
                    """,
                    open_items_sql(self.env, company, cases.partner_id.ids),
                )
            )
        self.env["account.move"].invalidate_model(["access_token"])


class CreditCollectionAction(models.Model):
    _inherit = "credit.collection.action"

    def _with_prerendered_pdfs(self, date, payments):
        """The actions of a batch, with the PDFs their emails and letters
        will attach rendered ahead: one wkhtmltopdf call per report."""
        cases_by_report = defaultdict(set)
        for action in self:
            for report in action._pdf_reports():
                if action._will_render(date, payments):
                    cases_by_report[report].add(action.case_id.id)
        Report = self.env["ir.actions.report"].sudo()
        pdfs = {}
        if cases_by_report and Report._credit_renders_pdf():
            self.env["credit.collection.case"].browse(
                set().union(*cases_by_report.values())
            )._ensure_pay_tokens()
        for report, case_ids in cases_by_report.items():
            rendered = Report._credit_render_pdfs(report, sorted(case_ids))
            pdfs.update({(report.id, i): c for i, c in rendered.items()})
        if not pdfs:
            return self
        return self.with_context(**{PRERENDERED: PrerenderedPdfs(pdfs)})

    def _pdf_reports(self):
        """The case reports this action renders as PDF when it runs."""
        if self.message_id:  # a retry sends the mail already rendered
            return self.env["ir.actions.report"]
        if self.action_type == "letter":
            return self.env.ref("account_credit_collection.action_report_credit_letter")
        if self.action_type == "email":
            return self.rule_id.mail_template_id.report_template_ids.filtered(
                lambda r: r.report_type == "qweb-pdf" and r.model == self.case_id._name
            )
        return self.env["ir.actions.report"]

    def _will_render(self, date, payments):
        """Neither skipped nor waiting (as ``_execute_one`` decides now)."""
        return not self._skip_reason() and not self._blocked_reason(date, payments)[0]
