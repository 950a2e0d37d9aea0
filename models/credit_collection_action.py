# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The escalation outbox: every action of the ladder is a record with an
idempotency key under a unique constraint. Planning inserts the keys (a second
plan inserts nothing); executing locks each planned action (``FOR UPDATE SKIP
LOCKED``) and writes its side effects — message, mail, invoice, hold — in the
same transaction as its state, so a retry, a crash or two concurrent runs
never do an action twice.

This file holds the record: its fields, its guards and the manager's buttons.
Planning and the runner live in ``credit_collection_action_runner.py``, what
each action type does (the fee invoice included) in
``credit_collection_action_handlers.py``, the follow-up of the reminder emails
in ``credit_collection_action_delivery.py``; how an action fails in
``credit_collection_action_errors.py``."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .clock import credit_today
from .credit_collection_rule import ACTION_TYPES


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
    date_run = fields.Date(
        string="Run Date",
        readonly=True,
        help="The day of the run that did the action (the company's date, or "
        "the date the run was made for): the final notice's date for the steps "
        "that wait for it.",
    )
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

    # -------------------------------------------------------------- crud
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

    # ----------------------------------------------------------- buttons
    def action_waive(self):
        """Manager: waive a fee — its invoice is reversed by a credit note."""
        self._check_manager_access()
        for action in self.sudo():
            if action.action_type != "fee" or not action.fee_move_id:
                raise UserError(self.env._("Only a posted fee can be waived."))
            if not action.waived:
                action._waive_fee()
        return True

    def action_retry(self):
        """Manager: try a failed or skipped action again on the next run."""
        self._check_manager_access()
        message = self.env._("Only failed or skipped actions can be retried.")
        for action in self.sudo():
            action._check_state(("failed", "skipped"), message)
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
        self._check_manager_access()
        message = self.env._("Only planned or failed actions can be skipped.")
        reason = self.env._("Skipped by %(user)s", user=self.env.user.name)
        for action in self.sudo():
            action._check_state(("planned", "failed"), message)
            action.write({"state": "skipped", "skip_reason": reason})
        return True

    # ---------------------------------------------------------- business
    @api.model
    def _key(self, case, stage, rule, cycle, suffix=""):
        return f"case{case.id}/cycle{cycle}/stage{stage.id}/rule{rule.id}{suffix}"

    def _execute_one(self, date, payments):
        """Do this action now, unless it is to be skipped or must wait. The
        runner calls it for each action it locked (it stays on this class:
        the crash tests patch it here)."""
        self.ensure_one()
        reason = self._skip_reason()
        if reason:
            self.write(
                {"state": "skipped", "skip_reason": reason, "blocked_reason": False}
            )
            return
        blocked, wait_until = self._blocked_reason(date, payments)
        if blocked:
            self._wait(blocked, wait_until)
            return
        getattr(self, f"_execute_{self.action_type}")(date)
        self._mark_done(date)

    def _check_manager_access(self):
        """The buttons: a Collections manager, on actions they may read."""
        self.env["credit.hold"]._check_manager()
        self.check_access("read")

    def _check_state(self, states, message):
        if self.state not in states:
            raise UserError(message)

    def _waive_fee(self):
        reversal = self._reverse_fee()
        self.waived = True
        self.case_id.message_post(
            body=self.env._(
                "Fee %(fee)s waived by %(user)s (credit note %(note)s).",
                fee=self.fee_move_id.name,
                user=self.env.user.name,
                note=reversal.name,
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _reverse_fee(self):
        """The credit note cancelling the fee invoice, dated today."""
        return self.fee_move_id._reverse_moves(
            [
                {
                    "ref": self.env._(
                        "Waived by %(user)s: %(fee)s",
                        user=self.env.user.name,
                        fee=self.fee_move_id.name,
                    ),
                    "invoice_date": credit_today(self.env, self.company_id),
                }
            ],
            cancel=True,
        )
