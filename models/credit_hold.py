# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_amount, html_escape

from .clock import credit_today

HOLD_STATES = [
    ("active", "Active"),
    ("overridden", "Overridden"),
    ("released", "Released"),
]
HOLD_ORIGINS = [
    ("rule", "Hold rule"),
    ("order", "Order over limit"),
    ("manual", "Manual"),
    ("stop", "Credit stop"),
]
# why a customer's credit was stopped (credit_stop.py)
STOP_CAUSES = [
    ("legal", "Handed to legal"),
    ("written_off", "Written off"),
    ("stage", "Collection stage"),
    ("bad_faith", "Bad faith"),
]
MANAGER_GROUP = "account_credit_collection.group_manager"


class CreditHold(models.Model):
    """A credit hold on a customer in a company. Never deleted: the audit trail."""

    _name = "credit.hold"
    _description = "Credit Hold"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_sequence, create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        domain=[("is_company", "=", True)],
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        HOLD_STATES, default="active", required=True, readonly=True, tracking=True
    )
    state_sequence = fields.Integer(compute="_compute_state_sequence", store=True)
    origin = fields.Selection(HOLD_ORIGINS, required=True, readonly=True)
    reason_ids = fields.One2many(
        "credit.hold.reason", "hold_id", string="Reasons", readonly=True
    )
    note = fields.Text(
        string="Manual Hold Reason", readonly=True, help="Why a manager set the hold."
    )
    order_id = fields.Many2one(
        "sale.order",
        readonly=True,
        help="The order whose confirmation raised this hold.",
    )
    # credit stop (credit_stop.py)
    stop_cause = fields.Selection(STOP_CAUSES, readonly=True)
    stop_date = fields.Date(
        string="Credit Stopped On",
        readonly=True,
        help="The company's date the credit stop was set.",
    )
    stop_lift_date = fields.Date(
        string="Can Be Lifted From",
        readonly=True,
        help="The end of the tier's cooling-off period: a Collections Manager "
        "cannot lift the credit stop before this date.",
    )
    stop_case_id = fields.Many2one(
        "credit.collection.case",
        string="Stopped by Case",
        readonly=True,
        ondelete="set null",
    )
    user_id = fields.Many2one(
        "res.users", string="Set by", readonly=True, default=lambda self: self.env.user
    )
    # release
    release_date = fields.Datetime(readonly=True, tracking=True)
    released_by_id = fields.Many2one("res.users", readonly=True)
    release_note = fields.Text(readonly=True)
    # release request (by a salesperson)
    release_requested_by_id = fields.Many2one("res.users", readonly=True, tracking=True)
    release_request_date = fields.Datetime(readonly=True)
    # override
    override_reason = fields.Text(readonly=True, tracking=True)
    override_user_id = fields.Many2one(
        "res.users", string="Overridden by", readonly=True, tracking=True
    )
    override_date = fields.Datetime(readonly=True)
    override_expiry = fields.Date(
        string="Override Valid Until",
        readonly=True,
        tracking=True,
        help="After this date, the override no longer lets orders through.",
    )
    override_amount_cap = fields.Monetary(
        readonly=True,
        tracking=True,
        help="Total of the orders that may be confirmed under this override. "
        "0 means no cap.",
    )
    override_order_ids = fields.One2many(
        "sale.order",
        "credit_hold_override_id",
        string="Orders Confirmed Under Override",
    )
    override_used_amount = fields.Monetary(compute="_compute_override_used_amount")
    release_hint = fields.Html(compute="_compute_release_hint", sanitize=True)

    @api.depends("partner_id", "origin", "create_date")
    def _compute_name(self):
        origins = dict(self._fields["origin"]._description_selection(self.env))
        for hold in self:
            hold.name = self.env._(
                "%(origin)s hold on %(partner)s",
                origin=origins.get(hold.origin, ""),
                partner=hold.partner_id.display_name or "",
            )

    @api.depends("state")
    def _compute_state_sequence(self):
        order = {"active": 1, "overridden": 2, "released": 3}
        for hold in self:
            hold.state_sequence = order.get(hold.state, 9)

    @api.depends("override_order_ids.amount_total", "override_order_ids.state")
    def _compute_override_used_amount(self):
        for hold in self:
            hold.override_used_amount = sum(
                order.amount_total / (order.currency_rate or 1.0)
                for order in hold.sudo().override_order_ids
                if order.state == "sale"
            )

    @api.depends("reason_ids.release_hint")
    def _compute_release_hint(self):
        for hold in self:
            hints = [r.release_hint for r in hold.reason_ids if r.release_hint]
            hold.release_hint = (
                Markup("<ul>%s</ul>")
                % Markup("").join(Markup("<li>%s</li>") % h for h in hints)
                if hints
                else False
            )

    @api.constrains("override_expiry", "override_amount_cap", "state")
    def _check_override(self):
        for hold in self.filtered(lambda h: h.state == "overridden"):
            if not hold.override_reason:
                raise ValidationError(self.env._("An override needs a reason."))
            if hold.override_amount_cap < 0:
                raise ValidationError(
                    self.env._("The override amount cap cannot be negative.")
                )

    # the decision and its audit: written by the actions only (release,
    # override, request), never directly — not even by a manager
    _AUDIT_FIELDS = frozenset(
        {
            "partner_id",
            "company_id",
            "state",
            "origin",
            "reason_ids",
            "note",
            "order_id",
            "stop_cause",
            "stop_date",
            "stop_lift_date",
            "stop_case_id",
            "user_id",
            "release_date",
            "released_by_id",
            "release_note",
            "release_requested_by_id",
            "release_request_date",
            "override_reason",
            "override_user_id",
            "override_date",
            "override_expiry",
            "override_amount_cap",
            "override_order_ids",
        }
    )

    def write(self, vals):
        if not self.env.su and self._AUDIT_FIELDS & set(vals):
            raise AccessError(
                self.env._(
                    "A credit hold is changed through its actions only (Release, "
                    "Override, Request Credit Release): %(fields)s cannot be "
                    "written directly.",
                    fields=", ".join(sorted(self._AUDIT_FIELDS & set(vals))),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Credit holds are the audit trail of credit decisions and are never "
                "deleted. Release the hold instead."
            )
        )

    # ------------------------------------------------------------------ access
    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Collections manager can set, release or override credit "
                    "holds."
                )
            )

    @api.model
    def _credit_team(self, company, group=None):
        """The active internal users of ``group`` (default: the Collections
        Managers) who work in ``company``: who is asked to decide."""
        group = group or self.env.ref(MANAGER_GROUP)
        return group.sudo().all_user_ids.filtered(
            lambda u: u.active and not u.share and company in u.company_ids
        )

    @api.model
    def _check_company_allowed(self, company):
        """Credit decisions are taken in one's own companies only."""
        if not self.env.su and company - self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You cannot take credit decisions in %(company)s: it is not "
                    "one of your companies.",
                    company=company.sudo().display_name,
                )
            )

    # ----------------------------------------------------------------- helpers
    def _is_override_usable(self, amount=0.0, today=None):
        """Whether this override lets an order of ``amount`` (company currency)
        through now."""
        self.ensure_one()
        today = today or credit_today(self.env, self.company_id)
        if self.state != "overridden":
            return False
        if self.override_expiry and self.override_expiry < today:
            return False
        if self.override_amount_cap:
            remaining = self.override_amount_cap - self.override_used_amount
            if self.currency_id.compare_amounts(amount, remaining) > 0:
                return False
        return True

    @api.model
    def _find_usable_override(self, partner, company, amount):
        """The most recent override of ``partner`` in ``company`` that lets an
        order or invoice of ``amount`` (company currency) through now."""
        overrides = self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "=", "overridden"),
            ],
            order="override_date desc, id desc",
        )
        if overrides and self._active_stops(partner, company):
            return overrides.browse()  # a credit stop is never overridden
        for hold in overrides:
            if hold._is_override_usable(amount):
                return hold
        return overrides.browse()

    def _set_reasons(self, reasons):
        """Replace the reason lines by ``reasons`` (dicts from the policy)."""
        self.ensure_one()
        commands = [(5, 0, 0)] + [(0, 0, self._reason_values(r)) for r in reasons]
        self.sudo().write({"reason_ids": commands})

    @api.model
    def _reason_values(self, reason):
        """The values of a reason line from a reason dict of the policy."""
        return {
            "rule": reason["rule"],
            "mode": reason["mode"],
            "name": reason["name"],
            "measured": reason.get("measured", 0.0),
            "threshold": reason.get("threshold", 0.0),
            "is_amount": reason.get("is_amount", True),
            "release_hint": reason.get("hint", ""),
        }

    def _notify_salespeople(self, body):
        """Tell the salespeople of the customer's open quotations."""
        for hold in self:
            orders = (
                self.env["sale.order"]
                .sudo()
                .search(
                    [
                        (
                            "partner_invoice_id.commercial_partner_id",
                            "=",
                            hold.partner_id.id,
                        ),
                        ("company_id", "=", hold.company_id.id),
                        ("state", "in", ("draft", "sent")),
                    ],
                    limit=50,
                )
            )
            partners = orders.user_id.partner_id | hold.partner_id.user_id.partner_id
            hold.sudo().message_post(
                body=body,
                partner_ids=partners.ids,
                subtype_xmlid="mail.mt_comment",
            )

    # ----------------------------------------------------------------- actions
    @api.model
    def action_create_manual(self, partner, reason, company=None):
        """Set a manual hold (manager only)."""
        self._check_manager()
        if not reason or not reason.strip():
            raise UserError(self.env._("A manual credit hold needs a reason."))
        company = company or self.env.company
        self._check_company_allowed(company)
        partner = partner.commercial_partner_id
        hold = self.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "origin": "manual",
                "note": reason,
                "user_id": self.env.user.id,
            }
        )
        hold._set_reasons(
            [
                {
                    "rule": "manual",
                    "mode": "block",
                    "name": self.env._("Manual hold: %(reason)s", reason=reason),
                    "is_amount": False,
                    "hint": self.env._("ask a credit manager to release the hold"),
                }
            ]
        )
        hold.message_post(
            body=self.env._(
                "Manual credit hold set by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            )
        )
        return hold

    def action_release(self, note=None):
        """Release holds (manager only)."""
        self._check_manager()
        self.check_access("write")
        self._check_not_stop(self.env._("released"))
        for hold in self.filtered(lambda h: h.state != "released"):
            hold.sudo()._release(
                note or self.env._("Released by %(user)s.", user=self.env.user.name),
                user=self.env.user,
            )
        return True

    def action_open_override_wizard(self):
        self.ensure_one()
        return self._action_override_wizard(
            self.partner_id, self.company_id, default_hold_id=self.id
        )

    @api.model
    def _action_override_wizard(self, partner, company, **defaults):
        """The override wizard for ``partner`` in ``company`` (managers only)."""
        self._check_manager()
        self._check_company_allowed(company)
        self._active_stops(partner, company)._check_not_stop(self.env._("overridden"))
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.hold.override",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": partner.id,
                "default_company_id": company.id,
                **defaults,
            },
        }

    def _release(self, note, user=None):
        self.write(
            {
                "state": "released",
                "release_date": fields.Datetime.now(),
                "released_by_id": (user or self.env.user).id,
                "release_note": note,
            }
        )
        self.activity_unlink(["account_credit_collection.mail_act_credit_release"])
        self._notify_salespeople(
            Markup("%s<br/>%s")
            % (
                self.env._("The credit hold is released: orders can be confirmed."),
                note,
            )
        )

    def _override(self, reason, expiry=None, amount_cap=0.0, order=None):
        """Override (manager only): orders may be confirmed until ``expiry`` and
        up to ``amount_cap`` (company currency, 0 = no cap). Not while the
        customer's credit is stopped."""
        self._check_manager()
        self._check_not_stop(self.env._("overridden"))
        for hold in self:
            hold._active_stops(hold.partner_id, hold.company_id)._check_not_stop(
                self.env._("overridden")
            )
        today = credit_today(self.env, self.company_id[:1] or None)
        if not reason or not reason.strip():
            raise UserError(self.env._("An override needs a reason."))
        if expiry and expiry < today:
            raise UserError(
                self.env._("The override expiry %(date)s is in the past.", date=expiry)
            )
        if amount_cap and amount_cap < 0:
            raise UserError(self.env._("The override amount cap cannot be negative."))
        for hold in self:
            hold.sudo().write(
                {
                    "state": "overridden",
                    "override_reason": reason,
                    "override_user_id": self.env.user.id,
                    "override_date": fields.Datetime.now(),
                    "override_expiry": expiry or False,
                    "override_amount_cap": amount_cap or 0.0,
                }
            )
            details = [self.env._("Reason: %(reason)s", reason=reason)]
            if expiry:
                details.append(self.env._("valid until %(date)s", date=expiry))
            if amount_cap:
                details.append(
                    self.env._(
                        "up to %(amount)s of orders",
                        amount=format_amount(self.env, amount_cap, hold.currency_id),
                    )
                )
            if order:
                details.append(self.env._("for order %(order)s", order=order.name))
            hold.activity_unlink(["account_credit_collection.mail_act_credit_release"])
            hold._notify_salespeople(
                Markup("<b>%s</b><br/>%s")
                % (
                    self.env._(
                        "Credit hold overridden by %(user)s",
                        user=self.env.user.name,
                    ),
                    html_escape(", ".join(details)),
                )
            )
        return True


class CreditHoldReason(models.Model):
    _name = "credit.hold.reason"
    _description = "Credit Hold Reason"
    _order = "id"

    hold_id = fields.Many2one(
        "credit.hold", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="hold_id.company_id", store=True)
    currency_id = fields.Many2one(related="hold_id.currency_id")
    rule = fields.Selection(
        [
            ("limit", "Credit limit"),
            ("overdue_amount", "Overdue amount"),
            ("overdue_days", "Oldest overdue item"),
            ("prepayment", "Prepayment only"),
            ("stage", "Collection stage"),
            ("broken_promises", "Broken promises"),
            ("amount_at_risk", "Amount at risk"),
            ("manual", "Manual hold"),
            ("stop", "Credit stop"),
        ],
        required=True,
    )
    mode = fields.Selection([("block", "Block"), ("warn", "Warn")], required=True)
    name = fields.Char(string="Reason", required=True)
    is_amount = fields.Boolean(default=True)
    measured = fields.Float(digits=(16, 2))
    threshold = fields.Float(digits=(16, 2))
    release_hint = fields.Char(string="What Would Release It")
