# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import format_amount

from ..models.clock import credit_today
from ..models.open_items import item_domain


class CreditWriteoffRecovery(models.TransientModel):
    """Money received on written-off debt: an entry that credits the
    company's recovery (income) account. Its debit is the customer's
    receivable, reconciled with the outstanding payment or credit chosen, or,
    for money not registered yet, the receipts account of a bank or cash
    journal (the bank statement is matched to it later, as to a payment)."""

    _name = "credit.writeoff.recovery"
    _description = "Book a Recovery of Written-off Debt"

    case_id = fields.Many2one("credit.collection.case", required=True, readonly=True)
    partner_id = fields.Many2one(related="case_id.partner_id")
    company_id = fields.Many2one(related="case_id.company_id")
    writeoff_id = fields.Many2one(
        "credit.writeoff",
        string="Write-off",
        compute="_compute_writeoff_id",
        store=True,
        readonly=False,
        domain="[('case_id', '=', case_id), ('state', '=', 'posted')]",
    )
    available_credit_ids = fields.Many2many(
        "account.move.line", compute="_compute_available_credit_ids"
    )
    credit_line_id = fields.Many2one(
        "account.move.line",
        string="Outstanding Payment",
        domain="[('id', 'in', available_credit_ids)]",
        help="A payment or credit of the customer not matched to any invoice: "
        "it is reconciled with the recovery.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Received in",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        help="Without an outstanding payment: the bank or cash journal the "
        "money came in.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    amount = fields.Monetary(compute="_compute_amount", store=True, readonly=False)
    date = fields.Date(
        default=lambda self: credit_today(self.env),
        required=True,
    )
    account_id = fields.Many2one(
        "account.account",
        string="Recovery Account",
        compute="_compute_account_id",
        store=True,
        readonly=False,
        domain="[('account_type', 'in', ('income', 'income_other')), "
        "('company_ids', 'in', company_id)]",
    )

    @api.depends("case_id")
    def _compute_writeoff_id(self):
        for wizard in self:
            posted = wizard.case_id.sudo().writeoff_ids.filtered(
                lambda w: w.state == "posted"
            )
            wizard.writeoff_id = posted[:1]

    @api.depends("case_id")
    def _compute_available_credit_ids(self):
        for wizard in self:
            wizard.available_credit_ids = wizard._credit_lines()

    @api.depends("case_id")
    def _compute_account_id(self):
        for wizard in self:
            wizard.account_id = (
                wizard.case_id.company_id.sudo().credit_recovery_account_id
            )

    @api.depends("credit_line_id", "journal_id")
    def _compute_currency_id(self):
        for wizard in self:
            wizard.currency_id = (
                wizard.credit_line_id.currency_id
                or wizard.journal_id.currency_id
                or wizard.case_id.company_id.currency_id
            )

    @api.depends("credit_line_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = -wizard.credit_line_id.amount_residual_currency

    def _credit_lines(self):
        """The customer's outstanding payments and credits: open receivable
        items with a negative residual."""
        case = self.case_id
        if not case:
            return self.env["account.move.line"]
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                item_domain(case.company_id, case.partner_id)
                & Domain("amount_residual_currency", "<", 0)
            )
        )

    # ---------------------------------------------------------------- booking
    def action_book(self):
        self.ensure_one()
        writeoff = self.writeoff_id
        writeoff._check_manager(self.case_id.company_id)
        self._check_input()
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(self._move_values())
        )
        move.action_post()
        if self.credit_line_id:
            debit = move.line_ids.filtered(
                lambda line: line.account_id != self.account_id
            )
            (debit | self.credit_line_id.sudo()).reconcile()
        writeoff.sudo().recovery_move_ids = [Command.link(move.id)]
        note = self.env._(
            "Recovery of %(amount)s on written-off debt booked by %(user)s (%(move)s).",
            amount=format_amount(self.env, self.amount, self.currency_id),
            user=self.env.user.name,
            move=move.name,
        )
        writeoff.sudo().message_post(body=note)
        self.case_id.message_post(body=note)
        return {"type": "ir.actions.act_window_close"}

    def _check_input(self):
        company = self.case_id.company_id
        if (
            self.writeoff_id.case_id != self.case_id
            or self.writeoff_id.state != "posted"
        ):
            raise UserError(
                self.env._("Choose a posted write-off of this case to recover.")
            )
        if self.credit_line_id and self.credit_line_id not in self._credit_lines():
            raise UserError(
                self.env._(
                    "%(payment)s is not an outstanding payment of %(partner)s.",
                    payment=self.credit_line_id.sudo().display_name,
                    partner=self.partner_id.name,
                )
            )
        if not self.credit_line_id and not self.journal_id:
            raise UserError(
                self.env._(
                    "Choose the customer's outstanding payment, or the bank or "
                    "cash journal the money came in."
                )
            )
        if self.journal_id and (
            self.journal_id.type not in ("bank", "cash")
            or self.journal_id.company_id != company
        ):
            raise UserError(
                self.env._(
                    "The money comes in on a bank or cash journal of the company."
                )
            )
        if not self.account_id:
            raise UserError(
                self.env._(
                    "Choose the recovery account (the company's is set in "
                    "Settings, Credit & Collections)."
                )
            )
        if company not in self.account_id.sudo().company_ids or (
            self.account_id.account_type not in ("income", "income_other")
        ):
            raise UserError(
                self.env._(
                    "Book the recovery on an income account of %(company)s.",
                    company=company.name,
                )
            )
        if self.date > credit_today(self.env, company):
            raise UserError(self.env._("A recovery is dated today or earlier."))
        self._check_amount()

    def _check_amount(self):
        currency = self.currency_id
        if currency.compare_amounts(self.amount, 0.0) <= 0:
            raise UserError(self.env._("The amount recovered must be positive."))
        if self.credit_line_id:
            available = -self.credit_line_id.sudo().amount_residual_currency
            if currency.compare_amounts(self.amount, available) > 0:
                raise UserError(
                    self.env._(
                        "%(payment)s has %(available)s not matched: at most that "
                        "is booked as a recovery.",
                        payment=self.credit_line_id.sudo().move_id.name,
                        available=format_amount(self.env, available, currency),
                    )
                )
        company = self.company_id
        remaining = self.writeoff_id.amount - self.writeoff_id.amount_recovered
        if company.currency_id.compare_amounts(self._amount_company(), remaining) > 0:
            raise UserError(
                self.env._(
                    "Only %(remaining)s of this write-off is not recovered yet.",
                    remaining=format_amount(self.env, remaining, company.currency_id),
                )
            )

    def _amount_company(self):
        company = self.company_id
        return self.currency_id._convert(
            self.amount, company.currency_id, company, self.date
        )

    def _move_values(self):
        balance = self._amount_company()
        if self.credit_line_id:
            credit = self.credit_line_id.sudo()
            journal = self.writeoff_id.journal_id
            debit = {
                "account_id": credit.account_id.id,
                "partner_id": credit.partner_id.id,
            }
        else:
            journal = self.journal_id
            debit = {"account_id": self._receipts_account().id}
        label = self.env._(
            "Recovery of written-off debt of %(partner)s", partner=self.partner_id.name
        )
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": self.company_id.id,
            "date": self.date,
            "ref": label,
            "line_ids": [
                Command.create(
                    dict(
                        debit,
                        name=label,
                        partner_id=debit.get("partner_id", self.partner_id.id),
                        currency_id=self.currency_id.id,
                        amount_currency=self.amount,
                        balance=balance,
                    )
                ),
                Command.create(
                    {
                        "name": label,
                        "account_id": self.account_id.id,
                        "partner_id": self.partner_id.id,
                        "currency_id": self.currency_id.id,
                        "amount_currency": -self.amount,
                        "balance": -balance,
                    }
                ),
            ],
        }

    def _receipts_account(self):
        """Where money received on the journal waits for the bank statement:
        its incoming payments' outstanding account, else its own account."""
        journal = self.journal_id.sudo()
        method = journal.inbound_payment_method_line_ids.filtered("payment_account_id")[
            :1
        ]
        account = method.payment_account_id or journal.default_account_id
        if not account:
            raise UserError(
                self.env._(
                    "%(journal)s has no account to receive money on.",
                    journal=journal.display_name,
                )
            )
        return account
