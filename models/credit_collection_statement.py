# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a collection case tells the customer and the collector: its open
items, their totals and aging (the statement, the reminders' table, the open
items on the case form)."""

from markupsafe import Markup

from odoo import models
from odoo.tools import SQL, format_amount, format_date

from .aging import aging_bucket_key, aging_bucket_sql, aging_labels
from .clock import credit_today
from .open_items import CUSTOMER, dispute_shares, open_items_sql

# the open items on the case form
OPEN_ITEM_ROW = Markup(
    "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
    "<td class='text-end'>%s</td><td>%s</td></tr>"
)
OPEN_ITEMS_TABLE = Markup(
    "<table class='table table-sm table-striped'><tr>"
    "<th>%s</th><th>%s</th><th class='text-end'>%s</th>"
    "<th class='text-end'>%s</th><th>%s</th></tr>%s</table>"
)
# the reminder's table (inline styles: it is mailed)
REMINDER_ROW = Markup(
    "<tr><td>%s</td><td>%s</td><td style='text-align:right'>%s</td>"
    "<td style='text-align:right'>%s</td><td>%s</td></tr>"
)
REMINDER_TOTAL_ROW = Markup(
    "<tr><td colspan='3'><strong>%s</strong></td>"
    "<td style='text-align:right'><strong>%s</strong></td><td></td></tr>"
)
REMINDER_HEAD = Markup(
    "<tr><th style='text-align:left'>%s</th><th style='text-align:left'>%s"
    "</th><th style='text-align:right'>%s</th><th style='text-align:right'>"
    "%s</th><th></th></tr>"
)
REMINDER_TABLE = Markup(
    "<table style='border-collapse:collapse;width:100%%' cellpadding='4'>%s%s%s</table>"
)
# invoices listed on the case form, at most (the aging table counts them all)
OPEN_ITEMS_LIMIT = 200

# the aging of the open items of some customers of a company: each item (an
# instalment, not its invoice) in the bucket of its own due date, credits
# (credit notes, unapplied payments) as not due, summed per bucket
AGING_QUERY = """
    SELECT %(customer)s AS partner_id, %(bucket)s AS bucket,
           SUM(line.amount_residual) AS amount
           %(open_items)s
  GROUP BY 1, 2
"""


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    # ----------------------------------------------------------- the case form
    def _compute_open_items_html(self):
        labels = aging_labels(self.env)
        aging = {}
        for company, cases in self.grouped("company_id").items():
            aging.update(cases._aging_amounts(company, credit_today(self.env, company)))
        for case in self:
            today = credit_today(self.env, case.company_id)
            buckets = dict.fromkeys(labels, 0.0)
            buckets.update(aging.get((case.partner_id.id, case.company_id.id), {}))
            case.open_items_html = case._aging_table_html(
                labels, buckets
            ) + case._open_invoices_table_html(case._open_invoices(), today)

    def _aging_amounts(self, company, today):
        """{(customer id, company id): {bucket: amount}} of the open items of
        the cases ``self`` of ``company``, in one grouped query: each item in
        the bucket of its own due date (an invoice's instalments may sit in
        different buckets), credits as not due, whatever their number."""
        days = SQL("(%s::date - COALESCE(line.date_maturity, line.date))", today)
        rows = self.env.execute_query(
            SQL(
                AGING_QUERY,
                customer=SQL(CUSTOMER),
                bucket=SQL(
                    "CASE WHEN line.amount_residual < 0 THEN 'not_due' ELSE %s END",
                    aging_bucket_sql(days),
                ),
                open_items=open_items_sql(self.env, company, self.partner_id.ids),
            )
        )
        aging = {}
        for partner_id, bucket, amount in rows:
            aging.setdefault((partner_id, company.id), {})[bucket] = amount
        return aging

    def _open_invoices(self):
        """The customer's open invoices and credit notes, oldest due first."""
        domain = self._open_moves_domain(("out_invoice", "out_refund"))
        return (
            self.env["account.move"]
            .sudo()
            .search(domain, order="invoice_date_due, id", limit=OPEN_ITEMS_LIMIT)
        )

    def _aging_table_html(self, labels, buckets):
        head = Markup("").join(
            Markup("<th class='text-end'>%s</th>") % label for label in labels.values()
        )
        amounts = Markup("").join(
            Markup("<td class='text-end'>%s</td>")
            % format_amount(self.env, amount, self.currency_id)
            for amount in buckets.values()
        )
        return Markup(
            "<table class='table table-sm'><tr>%s</tr><tr>%s</tr></table>"
        ) % (head, amounts)

    def _open_invoices_table_html(self, moves, today):
        rows = Markup("").join(
            OPEN_ITEM_ROW
            % (
                move.name,
                format_date(self.env, move.invoice_date_due),
                max(_days_overdue(move, today), 0),
                format_amount(self.env, move.amount_residual_signed, self.currency_id),
                move.credit_dispute_reason or "",
            )
            for move in moves
        )
        return OPEN_ITEMS_TABLE % (
            self.env._("Invoice"),
            self.env._("Due"),
            self.env._("Days overdue"),
            self.env._("Residual"),
            self.env._("Dispute"),
            rows,
        )

    # ------------------------------------------------ statement and reminders
    def _reminder_recipient(self):
        """The customer's invoice address (the commercial partner otherwise)."""
        self.ensure_one()
        partner = self.partner_id
        address = partner.address_get(["invoice"]).get("invoice")
        return self.env["res.partner"].browse(address) if address else partner

    def _collection_items(self, date=None, overdue_only=False):
        """Open receivable items of the case, oldest first, as dicts: each in
        its own currency and in the company's. ``overdue_only``: the overdue
        items that are not fully disputed, and the credits (credit notes,
        unapplied payments) that net them — what a reminder lists."""
        self.ensure_one()
        date = date or credit_today(self.env, self.company_id)
        lines = self._open_lines()
        if overdue_only:
            lines = lines.filtered(lambda line: self._is_reminded(line, date))
        return [self._collection_item(line, date) for line in lines]

    def _open_lines(self):
        """The case's open receivable items, oldest due first."""
        rows = self.env.execute_query(
            SQL(
                "SELECT line.id %s ORDER BY COALESCE(line.date_maturity, line.date), "
                "line.id",
                open_items_sql(self.env, self.company_id, self.partner_id.ids),
            )
        )
        return self.env["account.move.line"].sudo().browse([r[0] for r in rows])

    def _is_reminded(self, line, date):
        """A reminder lists the credits, and the overdue items that are not
        fully disputed."""
        residual = line.amount_residual
        if residual <= 0:
            return True
        overdue = (date - (line.date_maturity or line.date)).days > 0
        currency = self.company_id.currency_id
        return overdue and currency.compare_amounts(_disputed(line), residual) < 0

    def _collection_item(self, line, date):
        move = line.move_id
        due = line.date_maturity or line.date
        residual = line.amount_residual
        is_invoice = move.move_type in ("out_invoice", "out_receipt")
        return {
            "line": line,
            "move": move,
            "name": move.name if move.name != "/" else (line.name or ""),
            "ref": move.ref or "",
            "date": move.invoice_date or line.date,
            "date_due": due,
            "days_overdue": max((date - due).days, 0),
            "currency": line.currency_id,
            "residual_currency": line.amount_residual_currency,
            "residual": residual,
            "disputed": _disputed(line),
            "is_credit": residual < 0,
            "pay_url": (
                move.get_base_url() + move._get_share_url(redirect=True)
                if is_invoice and residual > 0
                else False
            ),
        }

    def _collection_summary(self, date=None, overdue_only=False):
        """What the reminder and the statement print: items, totals per
        currency and aging buckets (company currency)."""
        self.ensure_one()
        date = date or credit_today(self.env, self.company_id)
        items = self._collection_items(date, overdue_only=overdue_only)
        totals = {}
        for item in items:
            totals[item["currency"]] = (
                totals.get(item["currency"], 0.0) + item["residual_currency"]
            )
        return {
            "date": date,
            "items": items,
            "totals": list(totals.items()),
            "buckets": self._aging_buckets(items, date),
            "total": sum(item["residual"] for item in items),
        }

    def _aging_buckets(self, items, date):
        """(label, amount) of each aging bucket over ``items``."""
        labels = aging_labels(self.env)
        amounts = dict.fromkeys(labels, 0.0)
        for item in items:
            # credits (credit notes, unapplied payments) count as not due
            key = (
                "not_due"
                if item["is_credit"]
                else aging_bucket_key((date - item["date_due"]).days)
            )
            amounts[key] += item["residual"]
        return [(labels[key], amount) for key, amount in amounts.items()]

    def _reminder_table_html(self):
        """The overdue items a reminder lists (with the credits that net them)
        and the total due per currency, in the rendering language."""
        self.ensure_one()
        summary = self._collection_summary(overdue_only=True)
        rows = Markup("").join(
            REMINDER_ROW
            % (
                # a "new" badge: ``credit_collection_rhythm.py``
                self._reminder_item_label(item, summary["items"]),
                format_date(self.env, item["date_due"]),
                item["days_overdue"] or "",
                format_amount(self.env, item["residual_currency"], item["currency"]),
                self._pay_link(item["pay_url"]),
            )
            for item in summary["items"]
        )
        totals = Markup("").join(
            REMINDER_TOTAL_ROW
            % (
                self.env._("Total due (%(currency)s)", currency=currency.name),
                format_amount(self.env, amount, currency),
            )
            for currency, amount in summary["totals"]
        )
        return REMINDER_TABLE % (self._reminder_head_html(), rows, totals)

    def _pay_link(self, url):
        if not url:
            return ""
        return Markup("<a href='%s'>%s</a>") % (url, self.env._("Pay now"))

    def _reminder_head_html(self):
        return REMINDER_HEAD % (
            self.env._("Invoice"),
            self.env._("Due date"),
            self.env._("Days overdue"),
            self.env._("Amount due"),
        )


def _disputed(line):
    """The disputed part of an open item: its share of its invoice's dispute
    (``open_items.dispute_shares``)."""
    return dispute_shares(line.move_id).get(line, 0.0)


def _days_overdue(move, today):
    """Days since the invoice's due date (0 without one; negative: not due)."""
    return (today - move.invoice_date_due).days if move.invoice_date_due else 0
