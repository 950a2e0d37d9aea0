# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Credit applications: credit is granted to vetted customers only. A
salesperson or a collector asks for a limit, a payment term and a tier with
the customer's references and figures; the analyst scores it and recommends;
a Collections Manager approves it (and, above the company's threshold, a
second approver of the configured group); nobody approves their own. The
approval writes the customer's limit, term and tier (past the credit-decision
guard, res_partner_credit_decision.py) and sets the next credit review."""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .clock import credit_today
from .credit_hold import MANAGER_GROUP
from .res_partner_credit_decision import APPLYING_KEY


class CreditApplication(models.Model):
    _name = "credit.application"
    _description = "Credit Application"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default="/", required=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        tracking=True,
        index=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        help="The company (commercial partner) the credit is for.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Requested By",
        default=lambda self: self.env.user,
        readonly=True,
        tracking=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("refused", "Refused"),
            ("applied", "Applied"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    # what is asked
    requested_limit = fields.Monetary(
        required=True, tracking=True, currency_field="currency_id"
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Requested Payment Term",
        tracking=True,
        check_company=True,
    )
    policy_id = fields.Many2one(
        "credit.collection.policy",
        string="Proposed Tier",
        tracking=True,
        check_company=True,
        domain="[('company_id', '=', company_id)]",
    )
    # what is known
    trade_references = fields.Text(
        help="Suppliers who sell to the customer on credit: name, contact, "
        "limit and payment experience."
    )
    bank_references = fields.Text(help="The customer's bank and what it says.")
    annual_revenue = fields.Monetary(currency_field="currency_id")
    equity = fields.Monetary(currency_field="currency_id")
    years_in_business = fields.Integer()
    document_ids = fields.Many2many(
        "ir.attachment",
        string="Documents",
        help="Financial statements, trade references, signed forms.",
    )
    score_ids = fields.One2many(
        "credit.application.score", "application_id", string="Scorecard", copy=True
    )
    score = fields.Float(
        compute="_compute_score",
        store=True,
        help="The weighted scorecard, 0 to 100.",
    )
    recommendation = fields.Selection(
        [
            ("approve", "Approve as requested"),
            ("reduce", "Approve a lower limit"),
            ("refuse", "Refuse"),
        ],
        tracking=True,
        help="The credit analyst's recommendation.",
    )
    recommended_limit = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="The limit the analyst recommends (a lower one than requested).",
    )
    recommendation_note = fields.Text(string="Analyst's Note")
    # the decision
    approved_limit = fields.Monetary(
        currency_field="currency_id", readonly=True, copy=False, tracking=True
    )
    needs_second_approval = fields.Boolean(compute="_compute_needs_second_approval")
    first_approver_id = fields.Many2one(
        "res.users", readonly=True, copy=False, tracking=True
    )
    second_approver_id = fields.Many2one(
        "res.users", readonly=True, copy=False, tracking=True
    )
    decision_date = fields.Date(readonly=True, copy=False)
    refusal_reason = fields.Text(readonly=True, copy=False, tracking=True)
    review_date = fields.Date(
        string="Next Review",
        readonly=True,
        copy=False,
        help="When the customer's credit is reviewed again.",
    )

    # ---------------------------------------------------------------- compute
    @api.depends("score_ids.score", "score_ids.weight")
    def _compute_score(self):
        for application in self:
            lines = application.score_ids
            weight = sum(lines.mapped("weight"))
            application.score = (
                sum(line.score * line.weight for line in lines) / weight * 10.0
                if weight
                else 0.0
            )

    @api.depends("requested_limit", "recommended_limit", "recommendation", "company_id")
    def _compute_needs_second_approval(self):
        for application in self:
            application.needs_second_approval = (
                application.company_id.currency_id.compare_amounts(
                    application._limit_to_grant(),
                    application.company_id.credit_application_threshold,
                )
                > 0
            )

    def _limit_to_grant(self):
        self.ensure_one()
        if self.recommendation == "reduce" and self.recommended_limit:
            return self.recommended_limit
        return self.requested_limit

    # ------------------------------------------------------------ constraints
    @api.constrains("requested_limit", "recommended_limit")
    def _check_limits(self):
        for application in self:
            if application.requested_limit <= 0:
                raise ValidationError(
                    self.env._(
                        "The requested credit limit of %(application)s must be "
                        "above zero: a customer without credit is on the "
                        "Prepayment only tier.",
                        application=application.name,
                    )
                )
            if application.recommended_limit < 0:
                raise ValidationError(
                    self.env._("The recommended limit cannot be negative.")
                )

    @api.constrains("partner_id")
    def _check_partner(self):
        for application in self:
            partner = application.partner_id
            if partner != partner.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Credit is granted to a company, not to its contact "
                        "%(contact)s: make the application for %(company)s.",
                        contact=partner.display_name,
                        company=partner.commercial_partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su:
                # the requester is whoever asks (self-approval is refused on it)
                vals["user_id"] = self.env.user.id
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("credit.application") or "/"
                )
        applications = super().create(vals_list)
        applications.filtered(lambda a: not a.score_ids)._add_criteria()
        applications._attach_documents()
        return applications

    _DECISION_FIELDS = frozenset(
        {
            "state",
            "approved_limit",
            "first_approver_id",
            "second_approver_id",
            "decision_date",
            "refusal_reason",
            "review_date",
        }
    )

    # what may change once submitted: the analyst's work
    _ANALYSIS_FIELDS = frozenset(
        {"recommendation", "recommended_limit", "recommendation_note", "score_ids"}
    )
    _ALWAYS_FIELDS = frozenset({"document_ids", "message_main_attachment_id"})

    def write(self, vals):
        if not self.env.su:
            self._check_write(set(vals))
        result = super().write(vals)
        if "document_ids" in vals:
            self._attach_documents()
        return result

    def _attach_documents(self):
        """Documents uploaded on the form belong to the application: whoever
        may read it reads them (an attachment of no record is its uploader's
        only)."""
        for application in self:
            loose = application.sudo().document_ids.filtered(
                lambda a: not a.res_id and a.create_uid == self.env.user
            )
            if loose:
                loose.write({"res_model": self._name, "res_id": application.id})

    def _check_write(self, names):
        if self._DECISION_FIELDS & names:
            raise AccessError(
                self.env._(
                    "A credit application's state and decision change through "
                    "its buttons only (Submit, Approve, Refuse)."
                )
            )
        if {"recommendation", "recommended_limit"} & names and not (
            self.env.user.has_group("account_credit_collection.group_user")
        ):
            raise AccessError(
                self.env._("The credit team (Collections users) recommends.")
            )
        names = names - self._ALWAYS_FIELDS
        if not names:
            return
        if self.filtered(lambda a: a.state not in ("draft", "submitted")) or (
            self.filtered(lambda a: a.state == "submitted")
            and names - self._ANALYSIS_FIELDS
        ):
            raise UserError(
                self.env._(
                    "A submitted application is only scored and recommended; a "
                    "decided one is not changed. Reset it to draft, or make a "
                    "new application."
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if self.filtered(lambda a: a.state in ("approved", "applied")):
            raise UserError(
                self.env._(
                    "An approved credit application is the record of a credit "
                    "decision: it cannot be deleted."
                )
            )

    def _add_criteria(self):
        """A scorecard line for each active criterion of the company."""
        Criterion = self.env["credit.application.criterion"].sudo()
        for application in self:
            criteria = Criterion.search(
                [("company_id", "=", application.company_id.id)]
            )
            if criteria:
                # the company's scorecard, whoever opens the application
                application.sudo().score_ids = [
                    fields.Command.create({"criterion_id": criterion.id})
                    for criterion in criteria
                ]

    # ---------------------------------------------------------------- actions
    def _sudo_write(self, vals):
        return self.sudo().write(vals)

    def action_submit(self):
        for application in self:
            if application.state != "draft":
                raise UserError(
                    self.env._(
                        "%(application)s was already submitted.",
                        application=application.name,
                    )
                )
            application._check_limits()
            application._check_partner()
            application._sudo_write({"state": "submitted"})
            managers = application._credit_managers()
            for manager in managers[:10]:
                application.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=manager.id,
                    summary=self.env._(
                        "Credit application %(name)s to decide",
                        name=application.name,
                    ),
                )
        return True

    def action_approve(self):
        """A Collections Manager approves; above the company's threshold a
        second approver of the configured group approves too. Nobody
        approves an application they requested, nor approves twice."""
        for application in self:
            application._check_can_approve()
            user = self.env.user
            if not application.first_approver_id:
                application._sudo_write({"first_approver_id": user.id})
                application.message_post(
                    body=self.env._("First approval by %(user)s.", user=user.name)
                )
                if application.needs_second_approval:
                    application._ask_second_approval()
                    continue
            else:
                application._sudo_write({"second_approver_id": user.id})
            application._approve()
        return True

    def _check_can_approve(self):
        self.ensure_one()
        user = self.env.user
        if self.state != "submitted":
            raise UserError(
                self.env._(
                    "Only a submitted application is approved (%(application)s "
                    "is %(state)s).",
                    application=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ],
                )
            )
        if not self.recommendation:
            raise UserError(
                self.env._(
                    "%(application)s has no recommendation yet: the analyst "
                    "recommends before anyone approves.",
                    application=self.name,
                )
            )
        if self.recommendation == "refuse":
            raise UserError(
                self.env._(
                    "The analyst recommends refusing %(application)s: change "
                    "the recommendation or refuse it.",
                    application=self.name,
                )
            )
        if user in (self.user_id | self.create_uid):
            raise AccessError(
                self.env._(
                    "Nobody approves their own credit application: another "
                    "Collections Manager approves %(application)s.",
                    application=self.name,
                )
            )
        if not self.first_approver_id:
            if not user.has_group(MANAGER_GROUP):
                raise AccessError(
                    self.env._("A Collections Manager approves credit applications.")
                )
            return
        if user == self.first_approver_id:
            raise AccessError(
                self.env._(
                    "%(application)s needs a second approver: not %(user)s again.",
                    application=self.name,
                    user=user.name,
                )
            )
        group = self._second_approvers_group()
        if user not in group.all_user_ids:
            raise AccessError(
                self.env._(
                    "The second approval of %(application)s is given by a member "
                    "of %(group)s.",
                    application=self.name,
                    group=group.display_name,
                )
            )

    def _second_approvers_group(self):
        """Who gives the second approval: the company's group, else the
        Collections Managers."""
        return self.company_id.credit_application_group_id or self.env.ref(
            MANAGER_GROUP
        )

    def _ask_second_approval(self):
        users = self.env["credit.hold"]._credit_team(
            self.company_id, self._second_approvers_group()
        ) - (self.first_approver_id | self.user_id)
        for user in users[:10]:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._(
                    "Second approval of credit application %(name)s",
                    name=self.name,
                ),
            )

    def _approve(self):
        """Approved: written on the customer (limit, term, tier, next
        review), then applied."""
        self.ensure_one()
        today = credit_today(self.env, self.company_id)
        months = self.company_id.credit_review_months
        self._sudo_write(
            {
                "state": "approved",
                "approved_limit": self._limit_to_grant(),
                "decision_date": today,
                "review_date": today + relativedelta(months=months)
                if months > 0
                else False,
            }
        )
        self._apply()
        self.activity_ids.action_feedback(feedback=self.env._("Approved"))

    def _apply(self):
        """Write the decision on the customer, as the application (the credit
        decision guard lets it through and logs it with this application)."""
        self.ensure_one()
        # the approver may not see the accounting fields: the application
        # writes them (as itself: the guard logs it with the approver's name)
        partner = self.partner_id.with_company(self.company_id).sudo()
        vals = {
            "credit_limit": self.approved_limit,
            "use_partner_credit_limit": True,
            "credit_review_date": self.review_date,
        }
        if self.policy_id:
            vals["credit_policy_id"] = self.policy_id.id
        if self.payment_term_id:
            vals["property_payment_term_id"] = self.payment_term_id.id
        data = self.env.cr.precommit.data
        outer = data.get(APPLYING_KEY)
        data[APPLYING_KEY] = self
        try:
            partner.write(vals)
        finally:
            data[APPLYING_KEY] = outer
        self._sudo_write({"state": "applied"})
        self.message_post(
            body=self.env._(
                "Applied to %(customer)s: credit limit %(limit)s.",
                customer=partner.display_name,
                limit=self.approved_limit,
            )
        )

    def action_refuse(self, reason=None):
        for application in self:
            if application.state != "submitted":
                raise UserError(self.env._("Only a submitted application is refused."))
            if not self.env.user.has_group(MANAGER_GROUP):
                raise AccessError(
                    self.env._("A Collections Manager refuses credit applications.")
                )
            application._sudo_write(
                {
                    "state": "refused",
                    "refusal_reason": reason
                    or application.recommendation_note
                    or False,
                    "decision_date": credit_today(self.env, application.company_id),
                }
            )
            application.activity_ids.action_feedback(feedback=self.env._("Refused"))
        return True

    def action_reset_draft(self):
        for application in self:
            if application.state not in ("submitted", "refused"):
                raise UserError(
                    self.env._(
                        "Only a submitted or refused application goes back to draft."
                    )
                )
            application._sudo_write(
                {
                    "state": "draft",
                    "first_approver_id": False,
                    "second_approver_id": False,
                    "refusal_reason": False,
                }
            )
            application.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def _credit_managers(self):
        """The credit managers of the company, but the requester."""
        return self.env["credit.hold"]._credit_team(self.company_id) - self.user_id

    # ---------------------------------------------------------------- reviews
    @api.model
    def _cron_credit_reviews(self):
        """Customers whose credit review date has come: an activity for the
        credit managers (once); a review lapsed for a month resets the
        customer to its tier's default limit where the company says so."""
        summary = self.env._("Credit review due")
        for company in self.env["res.company"].search([("active", "=", True)]):
            today = credit_today(self.env, company)
            Partner = self.env["res.partner"].with_company(company).sudo()
            due = Partner.search([("credit_review_date", "<=", today)])
            if not due:
                continue
            managers = self.env["credit.hold"]._credit_team(company)
            lapsed = due.filtered(
                lambda p, t=today: p.credit_review_date + relativedelta(months=1) <= t
            )
            if company.credit_review_lapse_reset and lapsed:
                lapsed._credit_review_lapsed()
                due -= lapsed
            if not managers:
                continue
            for partner in due:
                if any(a.summary == summary for a in partner.activity_ids):
                    continue
                partner.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=partner.credit_review_date,
                    user_id=managers[0].id,
                    summary=summary,
                    note=self.env._(
                        "The credit of %(customer)s in %(company)s is due for "
                        "review: submit a new credit application.",
                        customer=partner.display_name,
                        company=company.name,
                    ),
                )


class CreditApplicationCriterion(models.Model):
    _name = "credit.application.criterion"
    _description = "Credit Application Scorecard Criterion"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    weight = fields.Float(default=1.0, required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.constrains("weight")
    def _check_weight(self):
        for criterion in self:
            if criterion.weight <= 0:
                raise ValidationError(
                    self.env._(
                        "The weight of criterion %(name)s must be above zero.",
                        name=criterion.name,
                    )
                )

    @api.model
    def _create_default_criteria(self, companies):
        return companies._credit_seed_missing(self._name, self._default_values)

    @api.model
    def _default_values(self, company):
        criteria = [
            (
                self.env._("Payment history"),
                self.env._("How the customer paid us and others (days beyond terms)."),
                3.0,
            ),
            (
                self.env._("Financial strength"),
                self.env._("Equity, revenue and profitability against the limit."),
                3.0,
            ),
            (
                self.env._("Trade references"),
                self.env._("What suppliers who sell on credit say."),
                2.0,
            ),
            (
                self.env._("Bank references"),
                self.env._("What the customer's bank says."),
                1.0,
            ),
            (
                self.env._("Years in business"),
                self.env._("Less than two years is a start-up risk."),
                1.0,
            ),
        ]
        return [
            {
                "name": name,
                "description": description,
                "weight": weight,
                "sequence": 10 * (i + 1),
                "company_id": company.id,
            }
            for i, (name, description, weight) in enumerate(criteria)
        ]


class CreditApplicationScore(models.Model):
    _name = "credit.application.score"
    _description = "Credit Application Score"
    _order = "sequence, id"

    application_id = fields.Many2one(
        "credit.application", required=True, ondelete="cascade", index=True
    )
    criterion_id = fields.Many2one(
        "credit.application.criterion", required=True, ondelete="restrict"
    )
    sequence = fields.Integer(related="criterion_id.sequence")
    weight = fields.Float(related="criterion_id.weight")
    score = fields.Integer(help="0 (worst) to 10 (best).")
    note = fields.Char()

    @api.constrains("score")
    def _check_score(self):
        for line in self:
            if not 0 <= line.score <= 10:
                raise ValidationError(
                    self.env._(
                        "A score is between 0 and 10 (%(criterion)s: %(score)s).",
                        criterion=line.criterion_id.name,
                        score=line.score,
                    )
                )
