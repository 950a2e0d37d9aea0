# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The items of a write-off (``credit_writeoff.py``) and the checks of what
can be written off: an open receivable item of the case's customer, for a
positive amount, at most what it still owes."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount

from .open_items import item_domain


class CreditWriteoffLine(models.Model):
    """An item of a write-off and its written-off part, in the item's
    currency (and in company currency at the write-off date)."""

    _name = "credit.writeoff.line"
    _description = "Written-off Item"
    _order = "id"

    writeoff_id = fields.Many2one(
        "credit.writeoff", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="writeoff_id.company_id", store=True)
    item_id = fields.Many2one("account.move.line", required=True, ondelete="restrict")
    invoice_id = fields.Many2one(related="item_id.move_id", string="Document")
    date_maturity = fields.Date(related="item_id.date_maturity")
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_currency = fields.Monetary(
        string="Amount", currency_field="currency_id", required=True
    )
    amount = fields.Monetary(
        string="Amount (company currency)",
        currency_field="company_currency_id",
        compute="_compute_amount",
        store=True,
    )

    @api.depends("item_id")
    def _compute_currency_id(self):
        for line in self:
            line.currency_id = line.item_id.currency_id

    @api.depends("amount_currency", "writeoff_id.date")
    def _compute_amount(self):
        """Converted at the write-off date, as Odoo converts a payment's
        write-off: the reconciliation books the exchange difference against
        the item's rate."""
        for line in self:
            company = line.writeoff_id.company_id
            line.amount = line.currency_id._convert(
                line.amount_currency,
                company.currency_id,
                company,
                line.writeoff_id.date or fields.Date.context_today(line),
            )

    def _check_open(self):
        """Each item is an open receivable item of the case's customer, still
        owing at least its written-off part (the items are locked first: two
        managers writing off the same item wait for each other)."""
        items = self.item_id.sudo()
        if not items:
            raise UserError(self.env._("Choose at least one item to write off."))
        if len(items) != len(self):
            raise UserError(self.env._("An item is written off once per write-off."))
        Line = self.env["account.move.line"]
        Line.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM account_move_line WHERE id = ANY(%s) FOR UPDATE",
                items.ids,
            )
        )
        items.invalidate_recordset()
        writeoff = self.writeoff_id
        open_items = items.filtered_domain(
            item_domain(writeoff.company_id, writeoff.partner_id)
            & Domain("amount_residual_currency", ">", 0)
        )
        for line in self:
            line._check_amount(line.item_id.sudo() in open_items)

    def _check_amount(self, is_open):
        if not is_open:
            item = self.item_id.sudo()
            raise UserError(
                self.env._(
                    "%(item)s is not an open receivable of %(partner)s: it cannot "
                    "be written off.",
                    item=item.move_id.name or item.display_name,
                    partner=self.writeoff_id.partner_id.name,
                )
            )
        check_amount(self.env, self.item_id, self.amount_currency)


def check_amount(env, item, amount):
    """A positive ``amount`` (in the item's currency), at most what ``item``
    still owes: else a clear error."""
    item = item.sudo()
    currency = item.currency_id
    label = item.move_id.name or item.display_name
    if currency.compare_amounts(amount, 0.0) <= 0:
        raise UserError(
            env._(
                "The amount to write off %(item)s must be positive (untick the "
                "items to keep).",
                item=label,
            )
        )
    if currency.compare_amounts(amount, item.amount_residual_currency) > 0:
        raise UserError(
            env._(
                "%(item)s owes %(open)s: %(amount)s cannot be written off. Write "
                "off at most its open amount.",
                item=label,
                open=format_amount(env, item.amount_residual_currency, currency),
                amount=format_amount(env, amount, currency),
            )
        )
