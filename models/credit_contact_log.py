# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The human contact log: the calls and visits of the collectors, with their
outcome, the contact spoken to and the next contact (a "Call" activity of the
case's collector). The case keeps its last human contact apart from the
automatic messages (reminders, letters); a search finds the overdue cases
nobody spoke to for the company's number of days."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain

from .clock import credit_today

CONTACT_KINDS = [("call", "Call"), ("visit", "Visit")]
CONTACT_OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("message_left", "Message Left"),
    ("promised", "Promised to Pay"),
    ("disputed", "Disputed"),
    ("refused", "Refused to Pay"),
    ("wrong_contact", "Wrong Contact"),
]


class CreditCollectionContact(models.Model):
    """A call or visit of a collector to a customer: a record, never edited
    by its author (a Collections Manager corrects it)."""

    _name = "credit.collection.contact"
    _description = "Customer Contact (Call or Visit)"
    _order = "date desc, id desc"
    _check_company_auto = True

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
    kind = fields.Selection(CONTACT_KINDS, required=True, default="call")
    date = fields.Date(
        required=True,
        default=lambda self: credit_today(self.env),
        help="The day of the call or visit (the company's today by default).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Logged by",
        readonly=True,
        default=lambda self: self.env.user,
        index=True,
    )
    outcome = fields.Selection(CONTACT_OUTCOMES, required=True)
    contact_id = fields.Many2one(
        "res.partner",
        string="Spoke to",
        domain="[('id', 'child_of', partner_id)]",
        help="The person of the customer spoken to.",
    )
    note = fields.Text()
    next_contact_date = fields.Date(
        help="Schedules a Call activity for the case's collector on that day.",
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    promise_id = fields.Many2one("credit.promise", readonly=True, ondelete="set null")

    # set on creation only: a manager corrects the rest
    _FROZEN_FIELDS = frozenset(
        {"case_id", "user_id", "activity_id", "promise_id", "next_contact_date"}
    )

    @api.depends("kind", "date", "outcome")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        for log in self:
            log.display_name = self.env._(
                "%(kind)s of %(date)s: %(outcome)s",
                kind=kinds.get(log.kind, ""),
                date=log.date or "",
                outcome=outcomes.get(log.outcome, ""),
            )

    # ------------------------------------------------------------- validation
    @api.constrains("date", "contact_id", "case_id")
    def _check_contact(self):
        for log in self:
            today = credit_today(self.env, log.company_id)
            if log.date > today:
                raise ValidationError(
                    self.env._(
                        "The contact date %(date)s is in the future: log a call "
                        "or visit once it happened.",
                        date=log.date,
                    )
                )
            contact = log.contact_id
            if contact and contact.commercial_partner_id != log.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(contact)s is not a contact of %(customer)s: choose one "
                        "of the customer's contacts.",
                        contact=contact.display_name,
                        customer=log.partner_id.display_name,
                    )
                )

    def _check_next_contact_date(self):
        for log in self.filtered("next_contact_date"):
            if log.next_contact_date < credit_today(self.env, log.company_id):
                raise ValidationError(
                    self.env._(
                        "The next contact date %(date)s is in the past: choose "
                        "today or a later day.",
                        date=log.next_contact_date,
                    )
                )

    # ------------------------------------------------------------------- crud
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                # the logger is the user who logs, whatever is sent
                vals["user_id"] = self.env.uid
                vals.pop("activity_id", None)
                vals.pop("promise_id", None)
            # on a case the user works (its company allowed)
            self.env["credit.collection.case"].browse(
                [vals["case_id"] for vals in vals_list if vals.get("case_id")]
            ).check_access("write")
        logs = super().create(vals_list)
        logs._check_next_contact_date()
        for log in logs:
            log._schedule_next_contact()
            log._post_on_case()
        return logs

    def write(self, vals):
        if not self.env.su:
            if not self.env.user.has_group("account_credit_collection.group_manager"):
                raise AccessError(
                    self.env._(
                        "A logged call or visit is a record: only a Collections "
                        "Manager corrects it."
                    )
                )
            frozen = self._FROZEN_FIELDS & set(vals)
            if frozen:
                raise AccessError(
                    self.env._(
                        "%(fields)s of a logged call or visit cannot be changed.",
                        fields=", ".join(sorted(frozen)),
                    )
                )
        return super().write(vals)

    def _schedule_next_contact(self):
        """The next contact: a Call activity on the case, for its collector
        (the logger when the case has none), on the chosen day."""
        self.ensure_one()
        if not self.next_contact_date:
            return
        case = self.case_id
        activity = case.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.next_contact_date,
            summary=self.env._("Call %(customer)s", customer=case.partner_id.name),
            note=self.note or "",
            user_id=(case.user_id or self.env.user).id,
        )
        self.sudo().activity_id = activity

    def _post_on_case(self):
        self.ensure_one()
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        body = self.env._(
            "%(kind)s by %(user)s on %(date)s: %(outcome)s.",
            kind=kinds[self.kind],
            user=self.user_id.name,
            date=self.date,
            outcome=outcomes[self.outcome],
        )
        if self.contact_id:
            body += " " + self.env._("Spoke to %(name)s.", name=self.contact_id.name)
        if self.note:
            body += " " + self.note
        if self.next_contact_date:
            body += " " + self.env._(
                "Next contact: %(date)s.", date=self.next_contact_date
            )
        self.case_id.message_post(body=body, subtype_xmlid="mail.mt_note")


class CreditCollectionCase(models.Model):
    """The case's last human contact, apart from the automatic messages."""

    _inherit = "credit.collection.case"

    contact_ids = fields.One2many(
        "credit.collection.contact", "case_id", string="Calls and Visits"
    )
    last_contact_date = fields.Date(
        string="Last Human Contact",
        compute="_compute_last_contact",
        store=True,
        index=True,
        help="The day of the last call or visit logged on the case (the "
        "automatic reminders and letters are not counted).",
    )
    last_contact_outcome = fields.Selection(
        CONTACT_OUTCOMES, compute="_compute_last_contact", store=True
    )
    last_contact_user_id = fields.Many2one(
        "res.users",
        string="Last Contact by",
        compute="_compute_last_contact",
        store=True,
    )
    days_since_contact = fields.Integer(
        string="Days Since Human Contact", compute="_compute_days_since_contact"
    )
    needs_contact = fields.Boolean(
        string="Overdue, No Recent Contact",
        compute="_compute_needs_contact",
        search="_search_needs_contact",
        help="Overdue and nobody called or visited the customer for the "
        "company's number of days (Settings, default 14).",
    )

    @api.depends("contact_ids.date", "contact_ids.outcome", "contact_ids.user_id")
    def _compute_last_contact(self):
        for case in self:
            last = case.contact_ids.sorted(lambda c: (c.date, c.id))[-1:]
            case.last_contact_date = last.date
            case.last_contact_outcome = last.outcome
            case.last_contact_user_id = last.user_id

    def _compute_days_since_contact(self):
        for case in self:
            if case.last_contact_date:
                today = credit_today(self.env, case.company_id)
                case.days_since_contact = (today - case.last_contact_date).days
            else:
                case.days_since_contact = 0

    def _compute_needs_contact(self):
        found = self.search(Domain("id", "in", self.ids) & self._needs_contact_domain())
        for case in self:
            case.needs_contact = case in found

    def _search_needs_contact(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        domain = self._needs_contact_domain()
        return domain if (operator == "=") == value else ~domain

    @api.model
    def _needs_contact_domain(self):
        """Overdue cases with no human contact since the company's gap: on
        stored fields, one cutoff day per allowed company."""
        by_company = []
        for company in self.env.companies:
            cutoff = credit_today(self.env, company) - timedelta(
                days=company.credit_contact_gap_days or 14
            )
            by_company.append(
                Domain("company_id", "=", company.id)
                & (
                    Domain("last_contact_date", "=", False)
                    | Domain("last_contact_date", "<=", cutoff)
                )
            )
        return Domain("amount_overdue", ">", 0) & Domain.OR(by_company)

    def _check_write(self, vals):
        if {"last_contact_date", "last_contact_outcome", "last_contact_user_id"} & set(
            vals
        ):
            raise AccessError(
                self.env._(
                    "The last human contact comes from the logged calls and "
                    "visits: log one instead."
                )
            )
        return super()._check_write(vals)

    # ---------------------------------------------------------------- actions
    def action_log_call(self):
        return self._action_log_contact("call")

    def action_log_visit(self):
        return self._action_log_contact("visit")

    def _action_log_contact(self, kind):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call")
            if kind == "call"
            else self.env._("Log a Visit"),
            "res_model": "credit.collection.contact.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id, "default_kind": kind},
        }

    def action_view_contacts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Calls and Visits"),
            "res_model": "credit.collection.contact",
            "view_mode": "list,form",
            "domain": [("case_id", "=", self.id)],
            "context": {"default_case_id": self.id, "create": False},
        }


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_contact_gap_days = fields.Integer(
        string="Days Without Human Contact",
        default=14,
        help="An overdue case nobody called or visited for this many days is "
        "found by the filter No Recent Contact.",
    )

    _credit_contact_gap_positive = models.Constraint(
        "CHECK (credit_contact_gap_days > 0)",
        "The days without human contact are at least one.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_contact_gap_days = fields.Integer(
        related="company_id.credit_contact_gap_days", readonly=False
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_credit_log_call(self):
        return self._credit_case_for_contact()._action_log_contact("call")

    def action_credit_log_visit(self):
        return self._credit_case_for_contact()._action_log_contact("visit")

    def _credit_case_for_contact(self):
        self.ensure_one()
        case = self.env["credit.collection.case"].search(
            [
                ("partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", self.env.company.id),
            ],
            limit=1,
        )
        if not case:
            raise ValidationError(
                self.env._(
                    "%(customer)s has no collection case in %(company)s: calls "
                    "are logged on the case of a customer with open receivables.",
                    customer=self.commercial_partner_id.display_name,
                    company=self.env.company.name,
                )
            )
        return case
