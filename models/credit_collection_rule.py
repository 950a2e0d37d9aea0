# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .credit_collection_policy import negative_fields

ACTION_TYPES = [
    ("email", "Send a reminder email"),
    ("letter", "Print a reminder letter"),
    ("activity", "Schedule an activity"),
    ("notify", "Notify the salesperson"),
    ("hold", "Set a credit hold"),
    ("fee", "Charge a fee / interest"),
    ("legal", "Hand over to legal / agency"),
]
# the actions that count as a reminder to the customer (interval, hold-back)
REMINDER_TYPES = ("email", "letter")
# whether an action waits for the customer's final notice of the cycle
# (``credit_collection_notice.py``)
PRIOR_NOTICE = [
    ("none", "No"),
    ("notice", "After the final notice"),
    ("handover", "After the final notice and the notice period"),
]


class CreditCollectionRule(models.Model):
    """What happens when a case reaches a stage: the escalation ladder's
    actions, for every credit tier or for some tiers only."""

    _name = "credit.collection.rule"
    _description = "Escalation Rule"
    _order = "stage_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    stage_id = fields.Many2one(
        "credit.collection.stage",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('is_manual', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        help="Empty: the rule applies in every company that uses the stage.",
    )
    policy_ids = fields.Many2many(
        "credit.collection.policy",
        string="Credit Tiers",
        help="Empty: every tier. Otherwise only the customers of these tiers.",
    )
    action_type = fields.Selection(ACTION_TYPES, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'credit.collection.case')]",
        help="Reminder email (sent in the customer's language) with the "
        "statement of account attached.",
    )
    activity_type_id = fields.Many2one("mail.activity.type")
    activity_assign = fields.Selection(
        [
            ("collector", "Collector of the case"),
            ("salesperson", "Salesperson of the customer"),
            ("user", "A given user"),
        ],
        string="Assign To",
        default="collector",
    )
    activity_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        domain="[('share', '=', False)]",
        help="Used when Assign To is a given user, and when the case has no "
        "collector (or the customer no salesperson).",
    )
    activity_summary = fields.Char(translate=True)
    activity_days = fields.Integer(string="Due in (Days)", default=0)
    fee_amount = fields.Float(
        string="Fixed Fee",
        digits="Product Price",
        help="Fee charged when the case reaches this stage, in the company's "
        "currency. Interest and the fixed compensation per invoice come from "
        "the credit tier.",
    )
    prior_notice = fields.Selection(
        PRIOR_NOTICE,
        string="Needs Prior Notice",
        compute="_compute_prior_notice",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        help="After the final notice: the action waits until the customer was "
        "sent this cycle's final notice (the reminder of the stage marked Final "
        "Notice) and the tier's days between reminders have passed since. After "
        "the final notice and the notice period: it also waits the tier's notice "
        "before hand-over. Set by default on fees and interest, on reminders of "
        "a hold stage (the hold announced to the customer), on the hand-over to "
        "legal and the activities of a legal stage; the credit hold itself and "
        "the internal notices never wait.",
    )
    note = fields.Text(translate=True)

    @api.depends("action_type", "stage_id")
    def _compute_name(self):
        labels = dict(self._fields["action_type"]._description_selection(self.env))
        for rule in self:
            stage = rule.stage_id.name or ""
            rule.name = f"{stage}: {labels.get(rule.action_type)}"

    @api.depends("action_type", "stage_id")
    def _compute_prior_notice(self):
        for rule in self:
            rule.prior_notice = rule._default_prior_notice()

    def _default_prior_notice(self):
        """What needs the customer's prior notice: the hand-over (and a legal
        stage's activities: the file sent to the lawyer), a fee, a reminder
        announcing a hold; not the final notice itself, a credit hold (an
        internal credit decision) or an internal notice."""
        self.ensure_one()
        stage = self.stage_id
        if self.action_type == "legal" or (
            self.action_type == "activity" and stage.is_legal
        ):
            return "handover"
        if self.action_type == "fee":
            return "notice"
        if (
            self.action_type in REMINDER_TYPES
            and stage.is_hold
            and not stage.is_final_notice
        ):
            return "notice"
        return "none"

    @api.constrains(
        "action_type",
        "mail_template_id",
        "activity_type_id",
        "activity_assign",
        "activity_user_id",
        "fee_amount",
        "stage_id",
        "activity_days",
    )
    def _check_action(self):
        for rule in self:
            rule._check_action_settings()
            rule._check_amounts()
            rule._check_hold_stage()
            rule._check_fee_accounts()

    def _check_action_settings(self):
        """The settings the rule's action type needs are set."""
        self.ensure_one()
        if self.action_type == "email" and not self.mail_template_id:
            raise ValidationError(
                self.env._(
                    "Escalation rule %(rule)s: choose the Email Template.",
                    rule=self.display_name,
                )
            )
        if self.action_type == "activity" and not self.activity_type_id:
            raise ValidationError(
                self.env._(
                    "Escalation rule %(rule)s: choose the Activity Type.",
                    rule=self.display_name,
                )
            )
        if (
            self.action_type == "activity"
            and self.activity_assign == "user"
            and not self.activity_user_id
        ):
            raise ValidationError(
                self.env._(
                    "Escalation rule %(rule)s: choose the Responsible user.",
                    rule=self.display_name,
                )
            )

    def _check_amounts(self):
        self.ensure_one()
        if negative_fields(self, ["fee_amount"]):
            raise ValidationError(
                self.env._(
                    "Escalation rule %(rule)s: the Fixed Fee cannot be negative.",
                    rule=self.display_name,
                )
            )
        if negative_fields(self, ["activity_days"]):
            raise ValidationError(
                self.env._(
                    "Escalation rule %(rule)s: Due in (Days) cannot be negative.",
                    rule=self.display_name,
                )
            )

    def _check_hold_stage(self):
        """A hold is set by a stage marked as setting one."""
        self.ensure_one()
        if self.action_type == "hold" and not self.stage_id.is_hold:
            raise ValidationError(
                self.env._(
                    "Escalation rule %(rule)s: a credit hold is set by a stage "
                    "marked 'Sets a Credit Hold'; stage %(stage)s is not.",
                    rule=self.display_name,
                    stage=self.stage_id.name,
                )
            )

    def _check_fee_accounts(self):
        """An active fee rule's tiers can post their fees."""
        self.ensure_one()
        if self.action_type != "fee" or not self.active:
            return
        policies = self.policy_ids or self.env["credit.collection.policy"].search(
            [("company_id", "in", (self.company_id or self.env.companies).ids)]
        )
        for policy in policies:
            policy._fee_account()

    @api.model
    def _rules_by_stage(self, company):
        """{stage: rules} of the active rules that apply in ``company``."""
        rules = self.sudo().search([("company_id", "in", (company.id, False))])
        return rules.grouped("stage_id")

    def _applies_to(self, policy):
        self.ensure_one()
        return not self.policy_ids or policy in self.policy_ids
