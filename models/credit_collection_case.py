# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The collection case: the board record and its stage machine (the write
guard, the pins, the broken-promise bump). Its figures and daily update
(``credit_collection_case_figures.py``), its statement and reminder content
(``credit_collection_statement.py``), its fee lines
(``credit_collection_fee.py``) and the escalation run
(``credit_collection_escalation.py``) live beside it."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

from .aging import AGING_SELECTION, aging_bucket_key
from .clock import credit_today
from .open_items import item_domain


class CreditCollectionCase(models.Model):
    """The collection file of a customer in a company: one per commercial
    partner and company with open receivables. The collections kanban."""

    _name = "credit.collection.case"
    _description = "Collection Case"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "worst_days_overdue desc, amount_overdue desc, id"
    _check_company_auto = True
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True, readonly=True, tracking=True)
    stage_id = fields.Many2one(
        "credit.collection.stage",
        index=True,
        tracking=True,
        ondelete="restrict",
        copy=False,
        group_expand="_read_group_stage_ids",
        domain="[('company_id', 'in', (company_id, False))]",
    )
    date_stage = fields.Datetime(
        string="In Stage Since", readonly=True, default=fields.Datetime.now
    )
    days_in_stage = fields.Integer(compute="_compute_days_in_stage")
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        tracking=True,
        domain="[('share', '=', False)]",
        index=True,
    )
    salesperson_id = fields.Many2one(
        related="partner_id.user_id", string="Salesperson", store=True, index=True
    )
    next_action_date = fields.Date(tracking=True)
    worst_days_overdue = fields.Integer(
        readonly=True,
        help="Days overdue of the oldest escalatable item (not disputed).",
    )
    amount_overdue = fields.Monetary(readonly=True)
    amount_residual = fields.Monetary(string="Total Due", readonly=True)
    amount_disputed = fields.Monetary(readonly=True)
    open_item_count = fields.Integer(string="Open Items", readonly=True)
    # collectability (the company's active curve)
    amount_expected = fields.Monetary(
        string="Expected Collectible",
        readonly=True,
        help="Sum of the open items' residual times the probability of collecting "
        "them at their age, on the company's collectability curve (credits count "
        "in full).",
    )
    amount_lost_per_day = fields.Monetary(
        string="Value Lost per Day",
        readonly=True,
        help="What one more day of delay costs: sum of the open items' residual "
        "times the drop of the collectability curve over the next day.",
    )
    amount_loss_avoided = fields.Monetary(
        string="Expected Loss Avoided",
        readonly=True,
        help="What is lost if the case waits the company's worklist horizon "
        "(30 days by default, the same for every case): sum of the chaseable "
        "items' (past due, not under an open promise) undisputed residual "
        "times (p(age now) - p(age then)). The worklist is ranked by it.",
    )
    next_stage_days = fields.Integer(
        string="Days to Next Stage",
        readonly=True,
        help="Days until the worst item reaches the next stage's threshold (30 "
        "on the last stage; 0 when nothing is escalatable).",
    )
    on_hold = fields.Boolean(
        compute="_compute_on_hold", search="_search_on_hold", string="On Credit Hold"
    )
    promise_ids = fields.One2many("credit.promise", "case_id", string="Promises to Pay")
    # computed in credit_collection_statement.py
    open_items_html = fields.Html(
        string="Open Items and Aging",
        compute="_compute_open_items_html",
        sanitize=False,
    )
    # the human contact (calls, visits): credit_contact_log.py
    last_message_date = fields.Datetime(
        string="Last Message",
        compute="_compute_last_message_date",
        help="When a message was last posted on the case for its followers "
        "(the automatic reminders included; the calls and visits are the last "
        "human contact).",
    )
    has_open_promise = fields.Boolean(compute="_compute_has_open_promise")
    # a stage pinned by a manager (or by a broken promise): the scheduler keeps
    # it until it expires or a payment comes in
    is_pinned = fields.Boolean(string="Stage Pinned", readonly=True, tracking=True)
    pin_reason = fields.Char(readonly=True, tracking=True)
    pin_expiry = fields.Date(string="Pinned Until", readonly=True, tracking=True)
    pin_user_id = fields.Many2one("res.users", string="Pinned by", readonly=True)
    pin_residual = fields.Monetary(readonly=True)
    policy_id = fields.Many2one(
        "credit.collection.policy",
        string="Credit Tier",
        readonly=True,
        index=True,
        help="The customer's credit tier in the case's company (its default tier "
        "when it has none).",
    )
    aging_bucket = fields.Selection(
        AGING_SELECTION,
        compute="_compute_aging_bucket",
        store=True,
        help="The bucket of the worst escalatable item's days overdue.",
    )
    # escalation: each stage's actions happen once per cycle; a new cycle
    # starts when nothing is overdue any more (back to the first stage) or the
    # case closes
    escalation_cycle = fields.Integer(default=1, readonly=True, copy=False)
    action_ids = fields.One2many(
        "credit.collection.action", "case_id", string="Escalation Actions"
    )
    action_count = fields.Integer(compute="_compute_action_count")
    last_reminder_date = fields.Datetime(
        readonly=True,
        help="When the customer was last sent a reminder (email or letter).",
    )
    delivery_issue = fields.Char(
        readonly=True,
        tracking=True,
        help="The last reminder bounced, failed or stays queued: check the "
        "customer's email address.",
    )

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "A customer has one collection case per company.",
    )

    # ----------------------------------------------------------------- compute
    def _compute_days_in_stage(self):
        now = fields.Datetime.now()
        for case in self:
            case.days_in_stage = (now - case.date_stage).days if case.date_stage else 0

    def _compute_on_hold(self):
        groups = dict(
            self.env["credit.hold"]
            .sudo()
            ._read_group(
                Domain("partner_id", "in", self.partner_id.ids)
                & Domain("company_id", "in", self.company_id.ids)
                & Domain("state", "=", "active"),
                ["partner_id"],
                ["company_id:array_agg"],
            )
        )
        for case in self:
            case.on_hold = case.company_id.id in (groups.get(case.partner_id) or [])

    def _compute_has_open_promise(self):
        promises = (
            self.env["credit.promise"]
            .sudo()
            .search(Domain("case_id", "in", self.ids) & Domain("state", "=", "open"))
        )
        open_cases = set(promises.case_id.ids)
        for case in self:
            case.has_open_promise = case.id in open_cases

    def _overdue_all_promised(self, today=None):
        """Whether every overdue open item of the case is under an open promise
        whose deadline is still ahead: the reminders then pause (the stage
        stays — a promise pauses the reminders of its invoices only)."""
        self.ensure_one()
        today = today or credit_today(self.env, self.company_id)
        overdue = self._overdue_moves(today)
        return bool(overdue) and not (overdue - self._promised_moves(today))

    def _overdue_moves(self, today):
        """The documents of the case's overdue open items on ``today``."""
        self.ensure_one()
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                item_domain(self.company_id, self.partner_id.ids)
                & Domain("date_maturity", "<", today)
                & Domain("amount_residual", ">", 0)
            )
            .move_id
        )

    def _promised_moves(self, today):
        """The invoices of the case's open promises whose deadline is ahead
        on ``today``: their reminders pause."""
        self.ensure_one()
        return (
            self.env["credit.promise"]
            .sudo()
            .search(
                [
                    ("case_id", "=", self.id),
                    ("state", "=", "open"),
                    ("date_deadline", ">=", today),
                ]
            )
            .invoice_ids
        )

    def _compute_last_message_date(self):
        groups = dict(
            self.env["mail.message"]
            .sudo()
            ._read_group(
                Domain("model", "=", self._name)
                & Domain("res_id", "in", self.ids)
                & Domain("message_type", "=", "comment"),
                ["res_id"],
                ["date:max"],
            )
        )
        for case in self:
            case.last_message_date = groups.get(case.id, False)

    def _compute_action_count(self):
        counts = dict(
            self.env["credit.collection.action"]._read_group(
                Domain("case_id", "in", self.ids), ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.action_count = counts.get(case, 0)

    @api.depends("worst_days_overdue")
    def _compute_aging_bucket(self):
        for case in self:
            case.aging_bucket = aging_bucket_key(case.worst_days_overdue)

    def _search_on_hold(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        self.env["credit.hold"].flush_model(["partner_id", "company_id", "state"])
        held = SQL(
            "SELECT c.id FROM credit_collection_case c JOIN credit_hold h"
            " ON h.partner_id = c.partner_id AND h.company_id = c.company_id"
            " WHERE h.state = 'active'"
        )
        positive = (operator == "=") == value
        return Domain("id", "in" if positive else "not in", held)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        company_ids = self.env.companies.ids
        return stages.sudo().search(
            Domain("company_id", "in", company_ids + [False]), order=stages._order
        )

    # ------------------------------------------------------------------- crud
    # figures maintained by the stage machine only
    _SYSTEM_FIELDS = frozenset(
        {
            "partner_id",
            "company_id",
            "active",
            "date_stage",
            "worst_days_overdue",
            "amount_overdue",
            "amount_residual",
            "amount_disputed",
            "open_item_count",
            "amount_expected",
            "amount_lost_per_day",
            "amount_loss_avoided",
            "next_stage_days",
            "is_pinned",
            "pin_user_id",
            "pin_residual",
            "escalation_cycle",
            "policy_id",
            "last_reminder_date",
            "delivery_issue",
            # credit_assessment.py: the latest assessment, recorded there
            "assessment_situation",
            "assessment_date",
            "assessment_user_id",
        }
    )
    # what a manager (or a broken promise) may set on a case
    _MANAGER_FIELDS = frozenset({"stage_id", "pin_reason", "pin_expiry"})
    PIN_DAYS = 30

    @api.model_create_multi
    def create(self, vals_list):
        cases = super().create(vals_list)
        cases._stop_credit_for_stage()
        return cases

    def write(self, vals):
        if self.env.su:
            result = super().write(self._with_date_stage(vals))
        else:
            self._check_write(vals)
            if "stage_id" not in vals:
                return super().write(vals)
            # moved by hand (kanban drag, status bar): pinned
            vals = self._with_date_stage(self._pinned_by_hand(vals))
            for case in self:
                super(CreditCollectionCase, case).write(
                    dict(vals, pin_residual=case.amount_residual)
                )
            result = True
        if vals.get("stage_id"):
            # a stage that stops credit: the customer's credit stop
            # (credit_stop.py), which outlives the case
            self._stop_credit_for_stage()
        return result

    # ---------------------------------------------------------------- actions
    def action_unpin(self):
        self.env["credit.hold"]._check_manager()
        self.check_access("write")
        self.sudo()._unpin(
            self.env._("Pin removed by %(user)s", user=self.env.user.name)
        )
        return True

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    def action_open_items(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Open items of %(partner)s", partner=self.partner_id.name
            ),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": list(
                self._open_moves_domain(("out_invoice", "out_refund", "out_receipt"))
            ),
            "context": {"create": False},
        }

    def action_view_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_credit_collection.credit_collection_action_action"
        )
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"search_default_group_state": 0}
        return action

    # ----------------------------------------------------------- stage machine
    def _check_write(self, vals):
        """A user edits neither the figures nor, unless a manager, the stage
        and its pin."""
        if self._SYSTEM_FIELDS & set(vals):
            raise AccessError(
                self.env._(
                    "The figures of a collection case are computed from the "
                    "open receivables; they cannot be edited."
                )
            )
        if self._MANAGER_FIELDS & set(vals):
            self.env["credit.hold"]._check_manager()

    @api.model
    def _with_date_stage(self, vals):
        """``vals``, dated now when they move the stage."""
        if "stage_id" not in vals:
            return vals
        return dict(vals, date_stage=fields.Datetime.now())

    def _pinned_by_hand(self, vals):
        """``vals`` of a stage moved by the user: pinned by them, until the
        expiry they chose (``PIN_DAYS`` from today by default)."""
        # the cases' company's today (its time zone), not the user's
        today = credit_today(self.env, self.company_id[:1] or None)
        expiry = vals.get("pin_expiry") or today + timedelta(days=self.PIN_DAYS)
        if fields.Date.to_date(expiry) < today:
            raise UserError(self.env._("The pin expiry date is in the past."))
        reason = vals.get("pin_reason") or self.env._(
            "Moved by %(user)s", user=self.env.user.name
        )
        return dict(vals, **self._pin_values(self.env.user, reason, expiry))

    @api.model
    def _pin_values(self, user, reason, expiry):
        return {
            "is_pinned": True,
            "pin_user_id": user.id,
            "pin_reason": reason,
            "pin_expiry": expiry,
        }

    def _unpin(self, note):
        for case in self.filtered("is_pinned"):
            case.write({"is_pinned": False, "pin_reason": False, "pin_expiry": False})
            case.message_post(body=note)

    def _bump_stage_for_broken_promise(self, promise):
        """A broken promise: the case moves one stage up, pinned there."""
        self.ensure_one()
        target = self._stage_above()
        reason = self.env._("Broken promise to pay of %(date)s", date=promise.date)
        expiry = credit_today(self.env, self.company_id) + timedelta(days=self.PIN_DAYS)
        self.sudo().write(
            {
                "stage_id": target.id,
                **self._pin_values(self.env.ref("base.user_root"), reason, expiry),
                "pin_residual": self.amount_residual,
            }
        )
        self.message_post(
            body=self.env._(
                "The promise to pay of %(date)s is broken: the case moves to "
                "%(stage)s.",
                date=promise.date,
                stage=target.name,
            )
        )

    def _stage_above(self):
        """The stage after the case's on its tier's ladder (the last one stays
        the last; a case off the ladder counts as on its first stage)."""
        ladder = self.env["credit.collection.stage"]._ladder(
            self.company_id, self.partner_id._credit_policy(self.company_id)
        )
        stages = list(ladder)
        if not stages:
            return self.stage_id
        index = stages.index(self.stage_id) if self.stage_id in stages else 0
        return stages[min(index + 1, len(stages) - 1)]

    def _open_moves_domain(self, move_types):
        """The customer's documents of ``move_types`` in the case's company
        with an open receivable item."""
        self.ensure_one()
        return Domain("move_type", "in", move_types) & Domain(
            "line_ids", "any", item_domain(self.company_id, self.partner_id)
        )
