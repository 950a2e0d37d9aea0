# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment arrangements (issue #17, point 4): an instalment plan for a
customer in difficulty. A collector proposes it on a case (the customer's
overdue invoices it covers, an optional down payment, the instalments, an
optional waiver of fees and interest) and submits it; a Collections Manager
other than its requester approves it. While it is kept the case is under
arrangement: the reminders of its invoices pause, its stage stays (the tier
says whether its hold stays too), each instalment is reminded before its
date and kept, late (within the tier's grace days) or broken. A broken plan
resumes the escalation one stage above where it was paused and counts as a
broken promise. How the escalation follows it: credit_arrangement_escalation.py."""

from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_amount, format_date

from .clock import credit_today
from .open_items import PAID_STATES

ARRANGEMENT_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("active", "Approved"),
    ("completed", "Completed"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
# an arrangement's terms are edited in draft only
TERMS_FIELDS = frozenset(
    {
        "case_id",
        "invoice_ids",
        "down_payment",
        "down_payment_date",
        "waive_fees",
        "line_ids",
    }
)
# set by the workflow and the daily evaluation only
SYSTEM_FIELDS = frozenset(
    {
        "state",
        "standing",
        "user_id",
        "approved_by_id",
        "date_approved",
        "residual_at_approval",
        "paused_stage_id",
        "keeps_hold",
        "date_closed",
    }
)


class CreditArrangement(models.Model):
    _name = "credit.arrangement"
    _description = "Payment Arrangement"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    # two managers approving two plans of one case at the same moment: the
    # database keeps one (the check in action_approve gives the message)
    _one_kept_per_case = models.UniqueIndex(
        "(case_id) WHERE state = 'active'",
        "A case is under one payment arrangement at a time: cancel the other first.",
    )

    case_id = fields.Many2one(
        "credit.collection.case",
        string="Collection Case",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    partner_id = fields.Many2one(
        related="case_id.partner_id", string="Customer", store=True, index=True
    )
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Requested by",
        default=lambda self: self.env.user,
        readonly=True,
    )
    state = fields.Selection(
        ARRANGEMENT_STATES,
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    standing = fields.Selection(
        [("kept", "Kept"), ("late", "Late")],
        readonly=True,
        tracking=True,
        help="While approved: kept when every instalment due is paid, late when "
        "one is overdue within the tier's grace days.",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "credit_arrangement_invoice_rel",
        "arrangement_id",
        "move_id",
        string="Invoices Covered",
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('company_id', '=', company_id),"
        " ('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('payment_state', 'in', ('not_paid', 'partial'))]",
        check_company=True,
    )
    amount_covered = fields.Monetary(
        compute="_compute_amounts",
        help="What the covered invoices still owe (at approval once approved).",
    )
    down_payment = fields.Monetary()
    down_payment_date = fields.Date(default=lambda self: credit_today(self.env))
    waive_fees = fields.Boolean(
        string="Waive Fees and Interest",
        help="While the plan is kept, no fee, interest or compensation is "
        "charged on the covered invoices.",
    )
    line_ids = fields.One2many(
        "credit.arrangement.line", "arrangement_id", string="Instalments"
    )
    amount_scheduled = fields.Monetary(
        compute="_compute_amounts",
        help="The down payment plus the instalments: equals the covered amount.",
    )
    amount_paid = fields.Monetary(compute="_compute_amounts")
    amount_remaining = fields.Monetary(compute="_compute_amounts")
    next_instalment_date = fields.Date(compute="_compute_next_instalment")
    residual_at_approval = fields.Monetary(readonly=True, copy=False)
    paused_stage_id = fields.Many2one(
        "credit.collection.stage",
        string="Paused at Stage",
        readonly=True,
        copy=False,
        help="The case's stage when the plan was approved: a broken plan "
        "resumes the escalation one stage above.",
    )
    keeps_hold = fields.Boolean(
        readonly=True,
        copy=False,
        help="The tier's rule when the plan was approved: whether the stage's "
        "credit hold stays while the plan is kept.",
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_approved = fields.Datetime(readonly=True, copy=False)
    date_closed = fields.Date(
        string="Closed on",
        readonly=True,
        copy=False,
        help="When the plan was completed, broken or cancelled.",
    )
    note = fields.Text(help="The customer's situation, what was agreed.")

    # ----------------------------------------------------------------- compute
    @api.depends(
        "invoice_ids.amount_residual_signed",
        "invoice_ids.payment_state",
        "line_ids.amount",
        "down_payment",
        "residual_at_approval",
        "state",
    )
    def _compute_amounts(self):
        for arrangement in self:
            residual = arrangement._current_residual()
            approved = arrangement.state not in ("draft", "submitted", "cancelled")
            covered = arrangement.residual_at_approval if approved else residual
            arrangement.amount_covered = covered
            arrangement.amount_scheduled = arrangement.down_payment + sum(
                arrangement.line_ids.mapped("amount")
            )
            arrangement.amount_paid = max(covered - residual, 0.0) if approved else 0.0
            arrangement.amount_remaining = residual if approved else covered

    @api.depends("line_ids.date", "line_ids.state")
    def _compute_next_instalment(self):
        for arrangement in self:
            due = arrangement.line_ids.filtered(lambda line: line.state != "kept")
            arrangement.next_instalment_date = due[:1].date

    @api.depends("partner_id", "line_ids")
    def _compute_display_name(self):
        for arrangement in self:
            arrangement.display_name = self.env._(
                "Payment arrangement %(customer)s (%(count)s instalments)",
                customer=arrangement.partner_id.display_name or "",
                count=len(arrangement.line_ids),
            )

    def _current_residual(self):
        self.ensure_one()
        return sum(
            0.0 if inv.payment_state in PAID_STATES else inv.amount_residual_signed
            for inv in self.invoice_ids
        )

    # -------------------------------------------------------------- validation
    @api.constrains(
        "case_id", "invoice_ids", "down_payment", "down_payment_date", "line_ids"
    )
    def _check_arrangement(self):
        for arrangement in self.filtered(lambda a: a.state in ("draft", "submitted")):
            arrangement._check_terms(credit_today(self.env, arrangement.company_id))

    def _check_terms(self, today):
        """The plan's terms, in the order a user fixes them: the invoices,
        the amounts, the dates, then whether the instalments add up."""
        self.ensure_one()
        self._check_invoices(today)
        self._check_amounts()
        self._check_dates(today)
        currency = self.currency_id
        covered = self._current_residual()
        expected = currency.round(covered - self.down_payment)
        scheduled = currency.round(sum(self.line_ids.mapped("amount")))
        if currency.compare_amounts(scheduled, expected) != 0:
            raise ValidationError(
                self.env._(
                    "The instalments add up to %(scheduled)s: they must add up to "
                    "the covered amount %(covered)s less the down payment "
                    "%(down)s, that is %(expected)s.",
                    scheduled=format_amount(self.env, scheduled, currency),
                    covered=format_amount(self.env, covered, currency),
                    down=format_amount(self.env, self.down_payment, currency),
                    expected=format_amount(self.env, expected, currency),
                )
            )

    def _check_invoices(self, today):
        if not self.invoice_ids:
            raise ValidationError(
                self.env._(
                    "A payment arrangement covers at least one overdue invoice: "
                    "choose the invoices it pays."
                )
            )
        wrong = self.invoice_ids.filtered(
            lambda inv: inv.commercial_partner_id != self.partner_id
            or inv.company_id != self.company_id
        )
        if wrong:
            raise ValidationError(
                self.env._(
                    "Invoices %(invoices)s are not %(partner)s's in this company.",
                    invoices=", ".join(wrong.mapped("name")),
                    partner=self.partner_id.display_name,
                )
            )
        not_overdue = self.invoice_ids.filtered(
            lambda inv: inv.move_type != "out_invoice"
            or inv.state != "posted"
            or inv.payment_state in PAID_STATES
            or not inv.invoice_date_due
            or inv.invoice_date_due >= today
        )
        if not_overdue:
            raise ValidationError(
                self.env._(
                    "A payment arrangement covers open overdue invoices only: "
                    "%(invoices)s are not.",
                    invoices=", ".join(not_overdue.mapped("name")),
                )
            )

    def _check_amounts(self):
        currency = self.currency_id
        if not self.line_ids:
            raise ValidationError(
                self.env._("A payment arrangement needs at least one instalment.")
            )
        if currency.compare_amounts(self.down_payment, 0.0) < 0:
            raise ValidationError(self.env._("The down payment cannot be negative."))
        for line in self.line_ids:
            if currency.compare_amounts(line.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "The instalment of %(date)s needs a positive amount.",
                        date=format_date(self.env, line.date),
                    )
                )

    def _check_dates(self, today):
        if (
            self.down_payment
            and self.down_payment_date
            and self.down_payment_date < today
        ):
            raise ValidationError(
                self.env._(
                    "The down payment date %(date)s is in the past.",
                    date=format_date(self.env, self.down_payment_date),
                )
            )
        previous = self.down_payment_date if self.down_payment else None
        for line in self.line_ids.sorted(lambda line: (line.date, line.id)):
            if line.date < today:
                raise ValidationError(
                    self.env._(
                        "The instalment date %(date)s is in the past.",
                        date=format_date(self.env, line.date),
                    )
                )
            if previous and line.date <= previous:
                raise ValidationError(
                    self.env._(
                        "The instalment dates must increase: %(date)s comes after "
                        "the down payment or another instalment of the same date.",
                        date=format_date(self.env, line.date),
                    )
                )
            previous = line.date

    # --------------------------------------------------------------------- crud
    def _forged_error(self, names):
        return AccessError(
            self.env._(
                "A payment arrangement is approved by a Collections Manager and "
                "kept or broken by the payments only: %(fields)s cannot be set by "
                "hand.",
                fields=", ".join(sorted(names)),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                forged = {
                    name
                    for name in SYSTEM_FIELDS & set(vals)
                    if not (
                        (name == "state" and vals[name] == "draft")
                        or (name == "user_id" and vals[name] == self.env.uid)
                    )
                }
                if forged:
                    raise self._forged_error(forged)
        arrangements = super().create(vals_list)
        for arrangement in arrangements:
            arrangement._post_on_case(
                self.env._(
                    "Payment arrangement proposed by %(user)s: %(count)s "
                    "instalments for %(amount)s.",
                    user=self.env.user.name,
                    count=len(arrangement.line_ids),
                    amount=format_amount(
                        self.env, arrangement.amount_covered, arrangement.currency_id
                    ),
                )
            )
        return arrangements

    def write(self, vals):
        if not self.env.su:
            if SYSTEM_FIELDS & set(vals):
                raise self._forged_error(SYSTEM_FIELDS & set(vals))
            if TERMS_FIELDS & set(vals):
                self._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_draft_only(self):
        if self.filtered(lambda a: a.state not in ("draft", "cancelled")):
            raise UserError(
                self.env._(
                    "A submitted or approved payment arrangement is kept as the "
                    "record of what was agreed: cancel it instead."
                )
            )

    def _check_draft(self):
        for arrangement in self:
            if arrangement.state != "draft":
                raise UserError(
                    self.env._(
                        "Only a draft payment arrangement can be changed: %(name)s "
                        "is %(state)s. Cancel it and propose a new one.",
                        name=arrangement.display_name,
                        state=arrangement._state_label(),
                    )
                )

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # ------------------------------------------------------------------ workflow
    def action_submit(self):
        """The collector submits the plan to a Collections Manager."""
        self.check_access("write")
        for arrangement in self:
            if arrangement.state != "draft":
                raise UserError(
                    self.env._("Only a draft payment arrangement can be submitted.")
                )
            arrangement._check_terms(credit_today(self.env, arrangement.company_id))
        self.sudo().write({"state": "submitted"})
        for arrangement in self:
            arrangement._post_on_case(
                self.env._(
                    "Payment arrangement submitted by %(user)s for approval.",
                    user=self.env.user.name,
                )
            )
        return True

    def action_draft(self):
        """Back to draft, to change a submitted plan."""
        self.check_access("write")
        if self.filtered(lambda a: a.state != "submitted"):
            raise UserError(
                self.env._("Only a submitted payment arrangement goes back to draft.")
            )
        self.sudo().write({"state": "draft"})
        return True

    def action_approve(self):
        """A Collections Manager, never the plan's requester, approves it: the
        case is under arrangement from now on."""
        if not self.env.user.has_group("account_credit_collection.group_manager"):
            raise AccessError(
                self.env._(
                    "Only a Collections Manager can approve a payment arrangement."
                )
            )
        self.check_access("write")
        for arrangement in self:
            arrangement._check_approvable()
        for arrangement in self:
            arrangement._approve()
        return True

    def _check_approvable(self):
        self.ensure_one()
        if self.state != "submitted":
            raise UserError(
                self.env._(
                    "Only a submitted payment arrangement can be approved: "
                    "%(name)s is %(state)s.",
                    name=self.display_name,
                    state=self._state_label(),
                )
            )
        if self.env.user in (self.user_id | self.create_uid):
            raise AccessError(
                self.env._(
                    "You requested %(name)s: another Collections Manager approves it.",
                    name=self.display_name,
                )
            )
        other = self.search(
            Domain("case_id", "=", self.case_id.id)
            & Domain("state", "=", "active")
            & Domain("id", "!=", self.id)
        )
        if other:
            raise UserError(
                self.env._(
                    "The case is already under the payment arrangement %(name)s: "
                    "cancel it first.",
                    name=other[:1].display_name,
                )
            )
        self._check_terms(credit_today(self.env, self.company_id))

    def _approve(self):
        case = self.case_id.sudo()
        policy = self.partner_id._credit_policy(self.company_id)
        self.sudo().write(
            {
                "state": "active",
                "standing": "kept",
                "approved_by_id": self.env.uid,
                "date_approved": fields.Datetime.now(),
                "residual_at_approval": self._current_residual(),
                "paused_stage_id": case.stage_id.id,
                "keeps_hold": policy.arrangement_keeps_hold,
            }
        )
        case.arrangement_id = self
        note = self.env._(
            "Payment arrangement approved by %(user)s: the escalation of its "
            "invoices pauses at stage %(stage)s while it is kept (the credit hold "
            "%(hold)s).",
            user=self.env.user.name,
            stage=case.stage_id.name,
            hold=self.env._("stays")
            if self.keeps_hold
            else self.env._("of the stage is lifted"),
        )
        self._post_on_case(note, holds=True)
        self._follow_up_case()

    def action_cancel(self):
        """Cancel a plan: a draft or submitted one by its collector, an
        approved one by a Collections Manager (the escalation then resumes
        where it is, without a bump)."""
        self.check_access("write")
        if self.filtered(lambda a: a.state == "active") and not self.env.user.has_group(
            "account_credit_collection.group_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only a Collections Manager can cancel an approved payment "
                    "arrangement."
                )
            )
        if self.filtered(lambda a: a.state not in ("draft", "submitted", "active")):
            raise UserError(
                self.env._("Only an open payment arrangement can be cancelled.")
            )
        for arrangement in self:
            was_active = arrangement.state == "active"
            arrangement._close(
                "cancelled",
                self.env._(
                    "Payment arrangement cancelled by %(user)s.",
                    user=self.env.user.name,
                ),
            )
            if was_active:
                arrangement._follow_up_case()
        return True

    def _close(self, state, note):
        """End the plan in ``state``; the case is no longer under it."""
        self.ensure_one()
        today = credit_today(self.env, self.company_id)
        self.sudo().write({"state": state, "date_closed": today})
        case = self.case_id.sudo()
        if case.arrangement_id == self:
            case.arrangement_id = False
        self._post_on_case(note)

    def _follow_up_case(self):
        """The stage, then the holds, follow the plan at once."""
        company = self.company_id
        partner = self.partner_id.sudo().with_company(company)
        self.env["credit.collection.case"].sudo()._update_cases(company, partner)
        self.env["credit.hold"].sudo()._sync_partners(partner, company)

    def _post_on_case(self, note, holds=False):
        """``note`` on the plan, its case and, with ``holds``, the customer's
        open holds."""
        self.message_post(body=note)
        self.case_id.sudo().message_post(body=note, subtype_xmlid="mail.mt_note")
        if not holds:
            return
        for hold in (
            self.env["credit.hold"]
            .sudo()
            .search(
                Domain("partner_id", "=", self.partner_id.id)
                & Domain("company_id", "=", self.company_id.id)
                & Domain("state", "in", ("active", "overridden"))
            )
        ):
            hold.message_post(body=note)

    # -------------------------------------------------------------- evaluation
    def _schedule(self):
        """(date, amount, line) of the down payment (no line) and the
        instalments, in date order."""
        self.ensure_one()
        schedule = []
        if self.currency_id.compare_amounts(self.down_payment, 0.0) > 0:
            schedule.append((self.down_payment_date, self.down_payment, None))
        schedule += [
            (line.date, line.amount, line)
            for line in self.line_ids.sorted(lambda line: (line.date, line.id))
        ]
        return schedule

    def _evaluate(self, today):
        """The daily evaluation of approved plans: the payments on the covered
        invoices are matched against the schedule cumulatively; an instalment
        is kept when they cover it, late within the tier's grace days after
        its date, broken after them — the plan is then broken. Paid in full:
        completed. Returns the broken plans."""
        broken = self.browse()
        for arrangement in self.filtered(lambda a: a.state == "active"):
            if arrangement._evaluate_one(today):
                broken |= arrangement
        return broken

    def _evaluate_one(self, today):
        """Returns whether the plan broke."""
        currency = self.currency_id
        if currency.compare_amounts(self.amount_remaining, 0.0) <= 0:
            self._close(
                "completed",
                self.env._("Payment arrangement completed: every instalment is paid."),
            )
            return False
        grace = self.partner_id._credit_policy(self.company_id).arrangement_grace_days
        paid, cumulative, standing = self.amount_paid, 0.0, "kept"
        for date, amount, line in self._schedule():
            cumulative += amount
            if currency.compare_amounts(paid, cumulative) >= 0:
                state = "kept"
            elif today <= date:
                state = "pending"
            elif today <= date + timedelta(days=grace):
                state = standing = "late"
            else:
                self._set_line_state(line, "broken", today)
                self._break(date, amount)
                return True
            self._set_line_state(line, state, today)
        if self.standing != standing:
            self.sudo().standing = standing
            if standing == "late":
                self._post_on_case(
                    self.env._(
                        "Payment arrangement late: an instalment is overdue (%(paid)s "
                        "paid so far). It breaks after %(grace)s days of grace.",
                        paid=format_amount(self.env, paid, currency),
                        grace=grace,
                    )
                )
        return False

    @api.model
    def _set_line_state(self, line, state, today):
        if not line or line.state == state:
            return
        vals = {"state": state}
        if state == "kept":
            vals["date_paid"] = today
        line.sudo().write(vals)

    def _break(self, date, amount):
        """The plan is broken: it counts as a broken promise to pay and the
        escalation resumes one stage above where it was paused."""
        currency = self.currency_id
        note = self.env._(
            "Payment arrangement broken: the instalment of %(amount)s due on "
            "%(date)s is not paid after the grace days (%(paid)s of %(total)s "
            "paid). The escalation resumes.",
            amount=format_amount(self.env, amount, currency),
            date=format_date(self.env, date),
            paid=format_amount(self.env, self.amount_paid, currency),
            total=format_amount(self.env, self.residual_at_approval, currency),
        )
        self.sudo().standing = False
        self._close("broken", note)
        self._record_broken_promise(date)
        self.case_id.sudo()._bump_stage_for_broken_arrangement(self)

    def _record_broken_promise(self, date):
        """A broken plan counts as a broken promise to pay (the broken
        promises hold rule, the KPIs): recorded as one, linked to the plan."""
        invoices = self.invoice_ids.filtered(
            lambda inv: inv.payment_state not in PAID_STATES
        )
        amount = self.amount_remaining
        if not invoices or self.currency_id.compare_amounts(amount, 0.0) <= 0:
            return self.env["credit.promise"]
        return (
            self.env["credit.promise"]
            .sudo()
            .with_context(credit_promise_of_arrangement=True)
            .create(
                {
                    "case_id": self.case_id.id,
                    "amount": amount,
                    "date": date,
                    "date_deadline": date,
                    "invoice_ids": [Command.set(invoices.ids)],
                    "residual_at_promise": amount,
                    "state": "broken",
                    "user_id": self.user_id.id,
                    "arrangement_id": self.id,
                    "note": self.env._(
                        "Broken payment arrangement: %(name)s",
                        name=self.display_name,
                    ),
                }
            )
        )

    # ------------------------------------------------------------------ views
    def _remaining_instalments(self):
        """(date, amount, state label) of the instalments not paid yet."""
        self.ensure_one()
        labels = dict(
            self.env["credit.arrangement.line"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        return [
            (line.date, line.amount, labels[line.state])
            for line in self.line_ids.sorted(lambda line: (line.date, line.id))
            if line.state != "kept"
        ]


class CreditArrangementLine(models.Model):
    _name = "credit.arrangement.line"
    _description = "Payment Arrangement Instalment"
    _order = "date, id"
    _check_company_auto = True

    arrangement_id = fields.Many2one(
        "credit.arrangement", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="arrangement_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="arrangement_id.currency_id")
    date = fields.Date(required=True)
    amount = fields.Monetary(required=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("kept", "Kept"),
            ("late", "Late"),
            ("broken", "Broken"),
        ],
        default="pending",
        required=True,
        readonly=True,
    )
    date_paid = fields.Date(string="Paid on", readonly=True)

    @api.constrains("date", "amount")
    def _check_instalment(self):
        self.arrangement_id._check_arrangement()

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if {"state", "date_paid"} & set(vals):
                    raise self.env["credit.arrangement"]._forged_error(
                        {"state", "date_paid"} & set(vals)
                    )
            arrangement_ids = {vals.get("arrangement_id") for vals in vals_list}
            self.env["credit.arrangement"].browse(
                [i for i in arrangement_ids if i]
            )._check_draft()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if {"state", "date_paid"} & set(vals):
                raise self.env["credit.arrangement"]._forged_error(
                    {"state", "date_paid"} & set(vals)
                )
            self.arrangement_id._check_draft()
            if "arrangement_id" in vals:
                self.env["credit.arrangement"].browse(
                    vals["arrangement_id"]
                )._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_draft_only(self):
        if not self.env.su:
            self.arrangement_id.exists().filtered(
                lambda a: a.state != "cancelled"
            )._check_draft()
