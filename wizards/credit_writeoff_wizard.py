# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from ..models.clock import credit_today
from ..models.credit_writeoff_line import check_amount


class CreditWriteoffWizard(models.TransientModel):
    """A Collections Manager writes off open items of a case: which items,
    how much of each (its open amount by default), why, when and to which
    account. Above the company's threshold it is a request for a second
    manager."""

    _name = "credit.writeoff.wizard"
    _description = "Write Off Receivables"

    case_id = fields.Many2one("credit.collection.case", required=True, readonly=True)
    partner_id = fields.Many2one(related="case_id.partner_id")
    company_id = fields.Many2one(related="case_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many(
        "credit.writeoff.wizard.line",
        "wizard_id",
        string="Items",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    reason = fields.Text(
        required=True,
        help="Why the debt is not collectable (insolvency, settlement, "
        "prescription, cost of collection…): on the entry and the case.",
    )
    date = fields.Date(
        compute="_compute_date",
        store=True,
        readonly=False,
        help="The accounting date of the entry: today or earlier.",
    )
    account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        compute="_compute_account_id",
        store=True,
        readonly=False,
        domain="[('account_type', 'in', ('expense', 'asset_current')), "
        "('company_ids', 'in', company_id)]",
        help="The bad-debt expense account, or the allowance for doubtful accounts.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        domain="[('type', '=', 'general'), ('company_id', '=', company_id)]",
    )
    amount_total = fields.Monetary(
        string="Total (company currency)",
        compute="_compute_amount_total",
        help="At the write-off date.",
    )
    needs_approval = fields.Boolean(compute="_compute_amount_total")

    @api.depends("case_id")
    def _compute_line_ids(self):
        for wizard in self:
            items = wizard.case_id._writeoff_items()
            wizard.line_ids = [Command.clear()] + [
                Command.create(
                    {"item_id": item.id, "amount": item.amount_residual_currency}
                )
                for item in items
            ]

    @api.depends("case_id")
    def _compute_date(self):
        for wizard in self:
            wizard.date = credit_today(self.env, wizard.case_id.company_id or None)

    @api.depends("case_id")
    def _compute_account_id(self):
        for wizard in self:
            company = wizard.case_id.company_id.sudo()
            wizard.account_id = company.credit_writeoff_account_id

    @api.depends("case_id")
    def _compute_journal_id(self):
        for wizard in self:
            company = wizard.case_id.company_id.sudo()
            wizard.journal_id = company.credit_writeoff_journal_id or (
                self.env["account.journal"]
                .sudo()
                .search(
                    [("type", "=", "general"), ("company_id", "=", company.id)],
                    limit=1,
                )
            )

    @api.depends("line_ids.amount", "line_ids.selected", "date")
    def _compute_amount_total(self):
        for wizard in self:
            company = wizard.company_id
            wizard.amount_total = sum(
                line.currency_id._convert(
                    line.amount, company.currency_id, company, wizard.date
                )
                for line in wizard.line_ids.filtered("selected")
                if line.currency_id
            )
            wizard.needs_approval = bool(company) and (
                company.currency_id.compare_amounts(
                    wizard.amount_total, company.credit_writeoff_threshold
                )
                > 0
            )

    def action_confirm(self):
        """Write off the chosen items: posted at once, or requested from a
        second manager above the threshold. Returns to the case."""
        self.ensure_one()
        case = self.case_id
        self.env["credit.writeoff"]._check_manager(case.company_id)
        self._check_input()
        writeoff = self.env["credit.writeoff"]._request(
            case,
            {
                "date": self.date,
                "reason": self.reason.strip(),
                "account_id": self.account_id.id,
                "journal_id": self.journal_id.id,
            },
            [(line.item_id, line.amount) for line in self.line_ids if line.selected],
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.writeoff",
            "res_id": writeoff.id,
            "view_mode": "form",
        }

    def _check_input(self):
        """Everything a user can get wrong, before anything is written."""
        company = self.case_id.company_id
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason of the write-off."))
        if not (self.date and self.account_id and self.journal_id):
            raise UserError(
                self.env._(
                    "Choose the date, the write-off account and the journal (the "
                    "company's are set in Settings, Credit & Collections)."
                )
            )
        if self.date > credit_today(self.env, company):
            raise UserError(
                self.env._("A write-off is dated today or earlier, not in the future.")
            )
        if company not in self.account_id.sudo().company_ids:
            raise UserError(
                self.env._(
                    "The write-off account %(account)s is not an account of "
                    "%(company)s.",
                    account=self.account_id.display_name,
                    company=company.name,
                )
            )
        if self.account_id.account_type not in ("expense", "asset_current"):
            raise UserError(
                self.env._(
                    "Write off to an expense account (bad debts) or to the "
                    "allowance for doubtful accounts (a current asset), not to "
                    "%(account)s.",
                    account=self.account_id.display_name,
                )
            )
        if self.journal_id.type != "general" or self.journal_id.company_id != company:
            raise UserError(
                self.env._(
                    "Write-offs are booked in a miscellaneous journal of %(company)s.",
                    company=company.name,
                )
            )
        selected = self.line_ids.filtered("selected")
        if not selected:
            raise UserError(self.env._("Choose at least one item to write off."))
        for line in selected:
            line._check_amount()


class CreditWriteoffWizardLine(models.TransientModel):
    _name = "credit.writeoff.wizard.line"
    _description = "Item to Write Off"
    _order = "date_maturity, id"

    wizard_id = fields.Many2one(
        "credit.writeoff.wizard", required=True, ondelete="cascade"
    )
    selected = fields.Boolean(string="Write Off", default=True)
    item_id = fields.Many2one("account.move.line", required=True, readonly=True)
    move_id = fields.Many2one(related="item_id.move_id", string="Document")
    date_maturity = fields.Date(related="item_id.date_maturity", store=True)
    currency_id = fields.Many2one(related="item_id.currency_id")
    amount_residual = fields.Monetary(
        string="Open Amount", related="item_id.amount_residual_currency"
    )
    amount = fields.Monetary(
        string="To Write Off", help="In the item's currency: at most its open amount."
    )

    def _check_amount(self):
        self.ensure_one()
        check_amount(self.env, self.item_id, self.amount)
