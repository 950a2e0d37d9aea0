# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The write-off of a case's open receivable items: one balanced entry that
credits each item (its partner, its currency) and debits the company's
bad-debt expense (or the allowance for doubtful accounts), each item
reconciled with its written-off part. Above the company's threshold the
write-off is a request until a second Collections Manager approves it.
Reversible by a manager (Odoo's reversal, which un-reconciles); money
received later is booked as a recovery (``wizards/credit_writeoff_recovery.py``).

Records are written by the methods below only (as superuser, after their
checks): managers read them, nobody writes them directly."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import SQL, format_amount, format_date

from .clock import credit_today
from .credit_hold import MANAGER_GROUP

WRITTEN_OFF_STAGE = "account_credit_collection.stage_written_off"


class CreditWriteoff(models.Model):
    """A write-off of receivables of a collection case: requested, posted,
    refused or reversed, with who decided what and when."""

    _name = "credit.writeoff"
    _description = "Write-off of Receivables"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    case_id = fields.Many2one(
        "credit.collection.case",
        string="Collection Case",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    partner_id = fields.Many2one(
        related="case_id.partner_id", store=True, string="Customer", index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [
            ("to_approve", "To Approve"),
            ("posted", "Posted"),
            ("refused", "Refused"),
            ("reversed", "Reversed"),
        ],
        required=True,
        readonly=True,
        tracking=True,
        default="to_approve",
    )
    date = fields.Date(
        required=True, readonly=True, help="The accounting date of the entry."
    )
    reason = fields.Text(required=True, readonly=True)
    account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        required=True,
        readonly=True,
        help="The bad-debt expense account or the allowance for doubtful accounts.",
    )
    journal_id = fields.Many2one(
        "account.journal", required=True, readonly=True, check_company=True
    )
    line_ids = fields.One2many(
        "credit.writeoff.line", "writeoff_id", string="Items", readonly=True
    )
    amount = fields.Monetary(
        readonly=True,
        tracking=True,
        help="Total written off, in company currency at the write-off date.",
    )
    move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True, copy=False
    )
    reversal_move_id = fields.Many2one(
        "account.move", string="Reversal Entry", readonly=True, copy=False
    )
    requested_by_id = fields.Many2one("res.users", string="Requested by", readonly=True)
    date_requested = fields.Datetime(readonly=True)
    approved_by_id = fields.Many2one(
        "res.users",
        string="Approved by",
        readonly=True,
        help="The second Collections Manager, for a write-off above the "
        "company's threshold.",
    )
    date_approved = fields.Datetime(readonly=True)
    date_posted = fields.Datetime(readonly=True)
    refused_by_id = fields.Many2one("res.users", string="Refused by", readonly=True)
    reversed_by_id = fields.Many2one("res.users", string="Reversed by", readonly=True)
    date_reversed = fields.Datetime(readonly=True)
    recovery_move_ids = fields.Many2many(
        "account.move",
        "credit_writeoff_recovery_move_rel",
        "writeoff_id",
        "move_id",
        string="Recoveries",
        readonly=True,
        copy=False,
    )
    amount_recovered = fields.Monetary(
        compute="_compute_amount_recovered",
        help="Money received on this written-off debt, booked as recoveries "
        "(company currency).",
    )

    @api.depends("recovery_move_ids.state", "recovery_move_ids.line_ids.credit")
    def _compute_amount_recovered(self):
        """The credit of the recovery entries posted and not reversed (each
        credits the recovery account once)."""
        for writeoff in self:
            moves = writeoff.recovery_move_ids.filtered(
                lambda m: m.state == "posted" and not m.reversal_move_ids
            )
            writeoff.amount_recovered = sum(moves.line_ids.mapped("credit"))

    @api.depends("partner_id", "date", "amount")
    def _compute_display_name(self):
        for writeoff in self:
            writeoff.display_name = self.env._(
                "Write-off of %(amount)s for %(partner)s (%(date)s)",
                amount=format_amount(self.env, writeoff.amount, writeoff.currency_id),
                partner=writeoff.partner_id.name or "",
                date=format_date(self.env, writeoff.date) if writeoff.date else "",
            )

    # ------------------------------------------------------------ the request
    @api.model
    def _request(self, case, vals, lines):
        """A manager writes off ``lines`` ([(item, amount in its currency)])
        of ``case``: posted at once, or a request when the total is above the
        company's threshold. ``vals``: date, reason, account_id, journal_id."""
        self._check_manager(case.company_id)
        company = case.company_id
        writeoff = self.sudo().create(
            dict(
                vals,
                case_id=case.id,
                company_id=company.id,
                requested_by_id=self.env.user.id,
                date_requested=fields.Datetime.now(),
                line_ids=[
                    Command.create({"item_id": item.id, "amount_currency": amount})
                    for item, amount in lines
                ],
            )
        )
        writeoff.line_ids._check_open()
        writeoff.amount = sum(writeoff.line_ids.mapped("amount"))
        if writeoff._needs_approval():
            writeoff._ask_approval()
        else:
            writeoff._post()
        return writeoff

    def _needs_approval(self):
        self.ensure_one()
        company = self.company_id
        return (
            company.currency_id.compare_amounts(
                self.amount, company.credit_writeoff_threshold
            )
            > 0
        )

    def _ask_approval(self):
        self.ensure_one()
        note = self.env._(
            "Write-off of %(amount)s requested by %(user)s (above the threshold "
            "of %(threshold)s): a second Collections Manager approves it. "
            "Reason: %(reason)s",
            amount=format_amount(self.env, self.amount, self.currency_id),
            user=self.env.user.name,
            threshold=format_amount(
                self.env, self.company_id.credit_writeoff_threshold, self.currency_id
            ),
            reason=self.reason,
        )
        self.sudo().message_post(body=note)
        self.case_id.message_post(body=note)
        approvers = self.env["credit.hold"]._credit_team(self.company_id) - (
            self.requested_by_id
        )
        for user in approvers[:10]:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._(
                    "Approve the write-off of %(partner)s",
                    partner=self.partner_id.name,
                ),
            )

    # --------------------------------------------------------------- actions
    def action_approve(self):
        """A second Collections Manager, not the requester, approves: the
        write-off is posted."""
        for writeoff in self:
            writeoff._check_manager(writeoff.company_id)
            writeoff._check_state("to_approve")
            if self.env.user == writeoff.requested_by_id:
                raise UserError(
                    self.env._(
                        "You requested this write-off: another Collections "
                        "Manager approves it."
                    )
                )
            writeoff.sudo().write(
                {
                    "approved_by_id": self.env.user.id,
                    "date_approved": fields.Datetime.now(),
                }
            )
            writeoff.sudo().activity_unlink(["mail.mail_activity_data_todo"])
            writeoff._post()
        return True

    def action_refuse(self):
        for writeoff in self:
            writeoff._check_manager(writeoff.company_id)
            writeoff._check_state("to_approve")
            writeoff.sudo().write(
                {"state": "refused", "refused_by_id": self.env.user.id}
            )
            writeoff.sudo().activity_unlink(["mail.mail_activity_data_todo"])
            note = self.env._(
                "Write-off of %(amount)s refused by %(user)s.",
                amount=format_amount(self.env, writeoff.amount, writeoff.currency_id),
                user=self.env.user.name,
            )
            writeoff.sudo().message_post(body=note)
            writeoff.case_id.message_post(body=note)
        return True

    def action_reverse(self):
        """A manager reverses a posted write-off: Odoo's reversal of the entry
        (its items un-reconciled, their residuals restored); the case goes
        back to the stage its items give."""
        for writeoff in self:
            writeoff._check_manager(writeoff.company_id)
            writeoff._check_state("posted")
            if writeoff.recovery_move_ids.filtered(
                lambda m: m.state == "posted" and not m.reversal_move_ids
            ):
                raise UserError(
                    self.env._(
                        "Money was recovered on this write-off: reverse its "
                        "recovery entries first."
                    )
                )
            today = credit_today(self.env, writeoff.company_id)
            move = writeoff.move_id.sudo()
            reversal = move._reverse_moves(
                [
                    {
                        "date": max(today, move.date),
                        "ref": self.env._("Reversal of: %(move)s", move=move.name),
                    }
                ],
                cancel=True,
            )
            writeoff.sudo().write(
                {
                    "state": "reversed",
                    "reversal_move_id": reversal.id,
                    "reversed_by_id": self.env.user.id,
                    "date_reversed": fields.Datetime.now(),
                }
            )
            note = self.env._(
                "Write-off of %(amount)s reversed by %(user)s (%(move)s): its "
                "items are open again.",
                amount=format_amount(self.env, writeoff.amount, writeoff.currency_id),
                user=self.env.user.name,
                move=reversal.name,
            )
            writeoff.sudo().message_post(body=note)
            writeoff.case_id.message_post(body=note)
            writeoff.case_id._leave_written_off()
        return True

    def action_open_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    # ---------------------------------------------------------------- posting
    def _post(self):
        """One balanced entry: each item credited with its written-off part
        (its partner, its currency), the write-off account debited with the
        total; posted, each item reconciled with its part; the case moves to
        Written off."""
        self.ensure_one()
        self.line_ids._check_open()
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(self._move_values())
        )
        move.action_post()
        counterparts = move.line_ids.filtered(
            lambda line: line.account_id != self.account_id
        ).sorted("id")
        for line, counterpart in zip(
            self.line_ids.sorted("id"), counterparts, strict=True
        ):
            (line.item_id.sudo() | counterpart).reconcile()
        self.sudo().write(
            {
                "state": "posted",
                "move_id": move.id,
                "amount": -sum(counterparts.mapped("balance")),
                "date_posted": fields.Datetime.now(),
            }
        )
        note = self.env._(
            "Written off: %(amount)s (%(move)s) on %(account)s. Reason: %(reason)s",
            amount=format_amount(self.env, self.amount, self.currency_id),
            move=move.name,
            account=self.account_id.display_name,
            reason=self.reason,
        )
        self.sudo().message_post(body=note)
        self.case_id.message_post(body=note)
        self.case_id._enter_written_off()

    def _move_values(self):
        self.ensure_one()
        lines = self.line_ids.sorted("id")
        item_lines = [
            Command.create(
                {
                    "name": self.env._(
                        "Write-off of %(item)s", item=line.item_id.move_id.name
                    ),
                    "account_id": line.item_id.account_id.id,
                    "partner_id": line.item_id.partner_id.id,
                    "currency_id": line.currency_id.id,
                    "amount_currency": -line.amount_currency,
                    "balance": -line.amount,
                }
            )
            for line in lines
        ]
        expense = Command.create(
            {
                "name": self.env._("Bad debt: %(reason)s", reason=self.reason),
                "account_id": self.account_id.id,
                "partner_id": self.partner_id.id,
                "balance": sum(lines.mapped("amount")),
            }
        )
        return {
            "move_type": "entry",
            "journal_id": self.journal_id.id,
            "company_id": self.company_id.id,
            "date": self.date,
            "ref": self.env._(
                "Write-off of %(partner)s: %(reason)s",
                partner=self.partner_id.name,
                reason=self.reason,
            ),
            "line_ids": item_lines + [expense],
        }

    # ----------------------------------------------------------------- checks
    @api.model
    def _check_manager(self, company):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a Collections Manager writes off receivables.")
            )
        self.env["credit.hold"]._check_company_allowed(company)

    def _check_state(self, state):
        """The write-off is in ``state``, read under a row lock: two managers
        deciding on it at once wait for each other (the second sees what the
        first did)."""
        self.ensure_one()
        self.env.cr.execute(
            SQL("SELECT id FROM credit_writeoff WHERE id = %s FOR UPDATE", self.id)
        )
        self.invalidate_recordset(["state"])
        if self.state != state:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(writeoff)s is %(state)s: this is done on a write-off "
                    "that is %(expected)s.",
                    writeoff=self.display_name,
                    state=states[self.state],
                    expected=states[state],
                )
            )
