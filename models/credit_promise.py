# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_amount

from .clock import credit_today
from .open_items import PAID_STATES


class CreditPromise(models.Model):
    """A customer's promise to pay: it pauses the reminders of its invoices
    until its date (plus the tier's grace days); kept when payments cover it,
    partly kept when they cover part of it, broken otherwise — a broken
    promise moves the case one stage up.

    A promise never moves its case down the ladder by itself: the stage (and
    so a hold stage's credit hold) is computed from every overdue item,
    promised ones included. Only a promise a Collections Manager approved
    (``action_approve``, never the promise's author) takes its invoices out of
    the stage's figures until its deadline — which may lift the hold."""

    _name = "credit.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    case_id = fields.Many2one(
        "credit.collection.case", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="case_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True, tracking=True)
    date = fields.Date(
        string="Promised Date",
        required=True,
        tracking=True,
        default=lambda self: credit_today(self.env) + timedelta(days=7),
    )
    date_deadline = fields.Date(
        string="Escalation Paused Until",
        readonly=True,
        help="The promised date plus the grace days of the customer's credit tier.",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('company_id', '=', company_id),"
        " ('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('payment_state', 'in', ('not_paid', 'partial'))]",
        check_company=True,
    )
    residual_at_promise = fields.Monetary(readonly=True)
    amount_paid = fields.Monetary(compute="_compute_amount_paid")
    state = fields.Selection(
        [
            ("open", "Open"),
            ("kept", "Kept"),
            ("partly_kept", "Partly Kept"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded by",
        default=lambda self: self.env.user,
        readonly=True,
    )
    note = fields.Text()
    approved_by_id = fields.Many2one(
        "res.users",
        string="Approved by",
        readonly=True,
        copy=False,
        help="The Collections Manager who approved the promise: until its "
        "deadline its invoices no longer count for the case's stage, which "
        "may release a hold. Without approval a promise pauses the reminders "
        "of its invoices only.",
    )
    date_approved = fields.Datetime(readonly=True, copy=False)

    @api.depends("invoice_ids.amount_residual_signed", "residual_at_promise")
    def _compute_amount_paid(self):
        for promise in self:
            promise.amount_paid = max(
                promise.residual_at_promise - promise._current_residual(), 0.0
            )

    def _current_residual(self):
        self.ensure_one()
        return sum(
            0.0 if inv.payment_state in PAID_STATES else inv.amount_residual_signed
            for inv in self.invoice_ids
        )

    @api.constrains("amount", "invoice_ids", "date")
    def _check_promise(self):
        for promise in self:
            if promise.currency_id.compare_amounts(promise.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._("A promise to pay needs a positive amount.")
                )
            if not promise.invoice_ids:
                raise ValidationError(
                    self.env._(
                        "A promise to pay covers at least one open invoice: choose "
                        "the invoices it pays."
                    )
                )
            wrong = promise.invoice_ids.filtered(
                lambda inv, p=promise: inv.commercial_partner_id != p.partner_id
                or inv.company_id != p.company_id
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Invoices %(invoices)s are not %(partner)s's in this company.",
                        invoices=", ".join(wrong.mapped("name")),
                        partner=promise.partner_id.display_name,
                    )
                )

    @api.model
    def _default_invoices(self, case_id, today):
        case = self.env["credit.collection.case"].browse(case_id).sudo()
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", case.partner_id.id),
                    ("company_id", "=", case.company_id.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                ],
                order="invoice_date_due, id",
            )
        )
        overdue = invoices.filtered(
            lambda inv: inv.invoice_date_due and inv.invoice_date_due < today
        )
        return overdue or invoices

    # set when recorded (and by the evaluation): a promise's terms and its
    # outcome are never edited — cancel it and record a new one
    _SYSTEM_FIELDS = frozenset(
        {
            "state",
            "date_deadline",
            "residual_at_promise",
            "user_id",
            "approved_by_id",
            "date_approved",
        }
    )
    _TERMS_FIELDS = frozenset({"case_id", "amount", "date", "invoice_ids"})

    def _forged_error(self, names):
        return AccessError(
            self.env._(
                "A promise to pay is recorded open by its author; its terms and "
                "outcome are kept or broken by the payments only: %(fields)s cannot "
                "be set by hand.",
                fields=", ".join(sorted(names)),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.su and self.env.context.get("credit_promise_of_arrangement"):
            # a broken payment arrangement recorded as the broken promise it
            # counts as (credit_arrangement.py): its outcome known, its date past
            return super().create(vals_list)
        Case = self.env["credit.collection.case"].sudo()

        def today_of(vals):  # the case's company's today (its time zone)
            return credit_today(self.env, Case.browse(vals.get("case_id")).company_id)

        if not self.env.su:
            for vals in vals_list:
                forged = {
                    name
                    for name in self._SYSTEM_FIELDS & set(vals)
                    if not (
                        (name == "state" and vals[name] == "open")
                        or (name == "user_id" and vals[name] == self.env.uid)
                    )
                }
                if forged:
                    raise self._forged_error(forged)
        todays = []
        for vals in vals_list:
            today = today_of(vals)
            todays.append(today)
            date = fields.Date.to_date(vals.get("date"))
            if date and date < today:
                raise ValidationError(
                    self.env._(
                        "The promised date %(date)s is in the past.", date=vals["date"]
                    )
                )
            if not vals.get("invoice_ids") and vals.get("case_id"):
                # no invoice chosen: the promise covers the case's overdue
                # invoices (its open ones when none is overdue yet)
                vals["invoice_ids"] = [
                    Command.set(self._default_invoices(vals["case_id"], today).ids)
                ]
        promises = super().create(vals_list)
        for promise, today in zip(promises, todays, strict=True):
            # after the constraints: the amount is positive, the invoices right
            promise._check_tier_terms(today)
            grace = promise.partner_id._credit_policy(
                promise.company_id
            ).promise_grace_days
            promise.sudo().write(
                {
                    "date_deadline": promise.date + timedelta(days=grace),
                    "residual_at_promise": promise._current_residual(),
                }
            )
            promise.case_id.message_post(
                body=self.env._(
                    "Promise to pay %(amount)s by %(date)s recorded by %(user)s.",
                    amount=format_amount(self.env, promise.amount, promise.currency_id),
                    date=promise.date,
                    user=self.env.user.name,
                )
            )
        return promises

    def _check_tier_terms(self, today):
        """The customer's tier: how far a promise may reach (``promise_max_days``)
        and the smallest share of the case's overdue amount it must cover
        (``promise_min_share``, percent); 0: no limit."""
        self.ensure_one()
        case = self.case_id.sudo()
        date, amount = self.date, self.amount
        policy = case.partner_id._credit_policy(case.company_id)
        max_days = policy.promise_max_days
        if max_days and (date - today).days > max_days:
            raise ValidationError(
                self.env._(
                    "A promise to pay may reach %(days)s days at most for the "
                    "customers of tier %(tier)s: %(date)s is %(asked)s days away. "
                    "Propose a nearer date (or a payment arrangement).",
                    days=max_days,
                    tier=policy.display_name,
                    date=date,
                    asked=(date - today).days,
                )
            )
        currency = case.company_id.currency_id
        minimum = currency.round(case.amount_overdue * policy.promise_min_share / 100)
        if (
            currency.compare_amounts(minimum, 0.0) > 0
            and currency.compare_amounts(amount, minimum) < 0
        ):
            raise ValidationError(
                self.env._(
                    "A promise to pay covers at least %(share)s%% of the overdue "
                    "amount for the customers of tier %(tier)s: %(minimum)s, not "
                    "%(amount)s.",
                    share=policy.promise_min_share,
                    tier=policy.display_name,
                    minimum=format_amount(self.env, minimum, currency),
                    amount=format_amount(self.env, amount, currency),
                )
            )

    def write(self, vals):
        if not self.env.su and (self._SYSTEM_FIELDS | self._TERMS_FIELDS) & set(vals):
            raise self._forged_error(
                (self._SYSTEM_FIELDS | self._TERMS_FIELDS) & set(vals)
            )
        return super().write(vals)

    def action_cancel(self):
        self.check_access("write")
        self.filtered(lambda p: p.state == "open").sudo().write({"state": "cancelled"})
        return True

    def action_approve(self):
        """A Collections Manager approves open promises: until their deadline
        their invoices no longer count for the case's stage, so the case may
        leave a hold stage and its hold be released. Never by the promise's
        author; audited on the promise, the case and the customer's holds."""
        if not self.env.user.has_group("account_credit_collection.group_manager"):
            raise AccessError(
                self.env._("Only a Collections Manager can approve a promise to pay.")
            )
        self.check_access("write")
        for promise in self:
            if promise.state != "open":
                raise ValidationError(
                    self.env._(
                        "Only an open promise can be approved: the promise of "
                        "%(date)s is %(state)s.",
                        date=promise.date,
                        state=dict(
                            promise._fields["state"]._description_selection(self.env)
                        )[promise.state],
                    )
                )
            if promise.approved_by_id:
                raise ValidationError(
                    self.env._(
                        "The promise of %(date)s is already approved.",
                        date=promise.date,
                    )
                )
            if promise.user_id == self.env.user:
                raise AccessError(
                    self.env._(
                        "You recorded the promise of %(date)s: another Collections "
                        "Manager approves it.",
                        date=promise.date,
                    )
                )
        self.sudo().write(
            {"approved_by_id": self.env.uid, "date_approved": fields.Datetime.now()}
        )
        for promise in self:
            note = self.env._(
                "Promise to pay %(amount)s by %(date)s approved by %(user)s: its "
                "invoices no longer count for the case's stage until %(deadline)s.",
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=promise.date,
                user=self.env.user.name,
                deadline=promise.date_deadline,
            )
            promise.message_post(body=note)
            promise.case_id.sudo().message_post(body=note)
            holds = (
                self.env["credit.hold"]
                .sudo()
                .search(
                    [
                        ("partner_id", "=", promise.partner_id.id),
                        ("company_id", "=", promise.company_id.id),
                        ("state", "in", ("active", "overridden")),
                    ]
                )
            )
            for hold in holds:
                hold.message_post(body=note)
            # the stage, then the holds, follow the approval at once
            company = promise.company_id
            partner = promise.partner_id.sudo().with_company(company)
            self.env["credit.collection.case"].sudo()._update_cases(company, partner)
            self.env["credit.hold"].sudo()._sync_partners(partner, company)
        return True

    def _evaluate(self, today=None):
        """Open promises become kept when payments cover them; after their
        deadline, partly kept when payments covered part of them (no stage
        bump: the escalation simply resumes), broken otherwise. Returns the
        broken ones."""
        broken = self.browse()
        for promise in self.filtered(lambda p: p.state == "open"):
            # the promise's company's today (its time zone) unless given
            today_ = today or credit_today(self.env, promise.company_id)
            if (
                promise.currency_id.compare_amounts(promise.amount_paid, promise.amount)
                >= 0
            ):
                promise.state = "kept"
                promise.case_id.message_post(
                    body=self.env._(
                        "Promise to pay of %(date)s kept.", date=promise.date
                    )
                )
            elif promise.date_deadline and promise.date_deadline < today_:
                if promise.currency_id.compare_amounts(promise.amount_paid, 0.0) > 0:
                    promise.state = "partly_kept"
                    promise.case_id.message_post(
                        body=self.env._(
                            "Promise to pay of %(date)s partly kept: %(paid)s of "
                            "%(amount)s paid. The reminders resume.",
                            date=promise.date,
                            paid=format_amount(
                                self.env, promise.amount_paid, promise.currency_id
                            ),
                            amount=format_amount(
                                self.env, promise.amount, promise.currency_id
                            ),
                        )
                    )
                    continue
                promise.state = "broken"
                broken |= promise
        for promise in broken:
            promise.case_id._bump_stage_for_broken_promise(promise)
        return broken
