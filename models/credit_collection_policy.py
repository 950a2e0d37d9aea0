# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import namedtuple

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

# what the hold rules read of a tier (res.partner._credit_evaluate)
RULE_FIELDS = (
    "is_prepayment_only",
    "count_disputed",
    "use_credit_limit",
    "credit_limit_mode",
    "default_credit_limit",
    "use_overdue_amount",
    "overdue_amount_mode",
    "overdue_amount_threshold",
    "use_overdue_days",
    "overdue_days_mode",
    "overdue_days_threshold",
    "use_broken_promises",
    "broken_promises_mode",
    "broken_promises_threshold",
    "use_amount_at_risk",
    "amount_at_risk_mode",
    "amount_at_risk_threshold",
    "use_payment_term",
    "payment_term_mode",
    "max_payment_term_days",
    "credit_stop_cooling_months",
)
RuleParams = namedtuple("RuleParams", ("id",) + RULE_FIELDS)
NO_RULES = RuleParams(0, *(False for _f in RULE_FIELDS))


def negative_fields(values, names):
    """The ``names`` that hold a negative number in ``values``: a record, or
    the values of a create or write (where a name may be missing). The one
    test of "cannot be negative" of the tiers, their stage thresholds, the
    stages and the escalation rules."""
    return [
        name
        for name in names
        if name in values
        and isinstance(values[name], (int, float))
        and values[name] < 0
    ]


# a tier's limits and thresholds (0: no limit)
THRESHOLD_FIELDS = (
    "default_credit_limit",
    "overdue_amount_threshold",
    "overdue_days_threshold",
    "broken_promises_threshold",
    "amount_at_risk_threshold",
    "promise_grace_days",
    "promise_max_days",
    "promise_min_share",
    "max_payment_term_days",
)

RULE_MODES = [("block", "Block"), ("warn", "Warn")]


class CreditCollectionPolicy(models.Model):
    """A customer tier: the hold rules applied to its customers in one company."""

    _name = "credit.collection.policy"
    _description = "Credit Policy (Customer Tier)"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    is_default = fields.Boolean(
        string="Default Tier",
        tracking=True,
        help="Applies to the customers of the company that have no tier of their own.",
    )
    description = fields.Text(translate=True)

    # credit limit
    use_credit_limit = fields.Boolean(
        string="Credit Limit Rule",
        default=True,
        tracking=True,
        help="Hold when the exposure, including the order being confirmed, "
        "exceeds the customer's credit limit (its own limit in the Accounting "
        "tab of the customer, or the tier's default limit).",
    )
    credit_limit_mode = fields.Selection(
        RULE_MODES, default="block", required=True, tracking=True
    )
    default_credit_limit = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="Limit for the customers that have no credit limit of their own. "
        "0 means no limit.",
    )
    # overdue amount
    use_overdue_amount = fields.Boolean(string="Overdue Amount Rule", tracking=True)
    overdue_amount_mode = fields.Selection(
        RULE_MODES, default="block", required=True, tracking=True
    )
    overdue_amount_threshold = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="Hold when the overdue receivable is above this amount.",
    )
    # oldest overdue item
    use_overdue_days = fields.Boolean(string="Overdue Days Rule", tracking=True)
    overdue_days_mode = fields.Selection(
        RULE_MODES, default="block", required=True, tracking=True
    )
    overdue_days_threshold = fields.Integer(
        string="Maximum Days Overdue",
        tracking=True,
        help="Hold when the oldest overdue item is more days overdue than this.",
    )
    # broken promises to pay
    use_broken_promises = fields.Boolean(string="Broken Promises Rule", tracking=True)
    broken_promises_mode = fields.Selection(
        RULE_MODES, default="block", required=True, tracking=True
    )
    broken_promises_threshold = fields.Integer(
        string="Broken Promises Allowed",
        default=1,
        tracking=True,
        help="Hold when the customer broke more promises to pay than this in the "
        "last 12 months.",
    )
    # amount at risk on the collectability curve
    use_amount_at_risk = fields.Boolean(
        string="Amount at Risk Rule",
        tracking=True,
        help="Hold when the part of the open receivables the company's "
        "collectability curve does not expect to collect (residual less expected "
        "collectible) exceeds the threshold: old debt weighs more than new.",
    )
    amount_at_risk_mode = fields.Selection(
        RULE_MODES, default="block", required=True, tracking=True
    )
    amount_at_risk_threshold = fields.Monetary(
        string="Allowed Amount at Risk",
        currency_field="currency_id",
        tracking=True,
    )
    # payment terms
    use_payment_term = fields.Boolean(
        string="Payment Term Rule",
        tracking=True,
        help="Refuse or warn when a quotation (or, when the tier blocks "
        "invoicing, an invoice) gives a longer payment term than allowed.",
    )
    payment_term_mode = fields.Selection(
        RULE_MODES, default="block", required=True, tracking=True
    )
    max_payment_term_days = fields.Integer(
        string="Longest Payment Term (days)",
        tracking=True,
        help="The longest payment term this tier's customers get, in days "
        "from the order or invoice date to its last due date.",
    )
    # prepayment
    is_prepayment_only = fields.Boolean(
        string="Prepayment Only",
        tracking=True,
        help="Customers of this tier get no credit: their orders can be "
        "confirmed only when paid in advance, online or by money received "
        "(customer payments, credit notes, bank statement lines).",
    )
    count_disputed = fields.Boolean(
        string="Count Disputed Amounts",
        default=True,
        help="Whether disputed amounts count in the exposure.",
    )
    promise_grace_days = fields.Integer(
        default=3,
        help="Days after a promised payment date before the escalation resumes.",
    )
    promise_max_days = fields.Integer(
        string="Longest Promise (days)",
        default=30,
        help="How far ahead a promise to pay may be dated; 0: no limit.",
    )
    promise_min_share = fields.Float(
        string="Smallest Promise (% of overdue)",
        default=25.0,
        digits=(16, 2),
        help="The smallest share of the case's overdue amount a promise to pay "
        "must cover; 0: any amount.",
    )
    credit_stop_cooling_months = fields.Integer(
        string="Credit Stop Cooling-off (months)",
        default=12,
        tracking=True,
        help="After a credit stop (a debt handed to legal or written off, a "
        "customer assessed in bad faith), the months before a Collections "
        "Manager may lift it; until then the customer buys only with orders "
        "paid in advance. 0: the stop can be lifted at once.",
    )
    bad_faith_strategy = fields.Selection(
        [
            ("final_notice_stop", "Final notice and credit stop"),
            ("stop", "Credit stop only"),
            ("none", "Nothing automatic"),
        ],
        string="When Assessed in Bad Faith",
        default="final_notice_stop",
        required=True,
        tracking=True,
        help="A customer able but unwilling to pay: its credit stops (cash "
        "only until a manager lifts it) and, with the final notice, its case "
        "moves up to the final notice at once.",
    )
    unable_strategy = fields.Selection(
        [
            ("offer_arrangement", "Offer a payment arrangement"),
            ("none", "Nothing automatic"),
        ],
        string="When Temporarily Unable",
        default="offer_arrangement",
        required=True,
        tracking=True,
        help="A customer in difficulty: the collector gets an activity to offer "
        "a payment arrangement instead of escalating.",
    )
    block_invoice_posting = fields.Boolean(
        tracking=True,
        help="Also refuse to post customer invoices of customers on hold. "
        "Never refused: credit notes, invoices of orders confirmed as paid in "
        "advance, down-payment requests and invoices the customer's money "
        "received covers.",
    )
    stage_threshold_ids = fields.One2many(
        "credit.collection.policy.stage",
        "policy_id",
        string="Stage Thresholds",
        help="This tier's own days overdue for some collection stages; the "
        "other stages keep their default thresholds.",
    )
    partner_count = fields.Integer(compute="_compute_partner_count")

    # escalation
    reminder_interval_days = fields.Integer(
        string="Days Between Reminders",
        default=7,
        tracking=True,
        help="A customer gets at most one reminder (email or letter) in this "
        "many days, whatever stage its case reaches.",
    )
    legal_notice_days = fields.Integer(
        string="Notice Before Hand-over (Days)",
        default=10,
        tracking=True,
        help="The hand-over to legal / agency (and the steps marked to wait "
        "for it) waits this many days after the customer's final notice of the "
        "cycle, and at least the days between reminders.",
    )
    fallback_letter = fields.Boolean(
        string="Letter When Email Fails",
        default=True,
        tracking=True,
        help="When a reminder email bounces, fails or the customer has no "
        "email address, a letter with the statement of account is prepared "
        "instead.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        tracking=True,
        check_company=True,
        default=lambda self: self.env.ref(
            "account_credit_collection.product_late_payment_fee",
            raise_if_not_found=False,
        ),
        help="Product of the fee and interest invoices; its income account "
        "books them unless a fee account is set.",
    )
    fee_account_id = fields.Many2one(
        "account.account",
        tracking=True,
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of the fee and interest lines (default: the fee "
        "product's income account).",
    )
    fee_journal_id = fields.Many2one(
        "account.journal",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        help="Sales journal of the fee invoices (default: the company's first "
        "sales journal).",
    )
    interest_rate = fields.Float(
        string="Late Interest (% a Year)",
        digits=(6, 4),
        tracking=True,
        help="Interest charged on overdue amounts by the fee actions, e.g. the "
        "EU late-payment rule: reference rate + 8 points. 0: no interest.",
    )
    compensation_amount = fields.Monetary(
        string="Fixed Compensation per Invoice",
        currency_field="currency_id",
        tracking=True,
        help="Charged once per overdue invoice by the fee actions (EU rule: "
        "40 EUR). 0: none.",
    )

    _default_company_uniq = models.UniqueIndex(
        "(company_id) WHERE is_default AND active",
        "A company has only one default credit tier.",
    )
    _thresholds_positive = models.Constraint(
        "CHECK(default_credit_limit >= 0 AND overdue_amount_threshold >= 0"
        " AND overdue_days_threshold >= 0 AND broken_promises_threshold >= 0"
        " AND amount_at_risk_threshold >= 0 AND max_payment_term_days >= 0"
        " AND promise_max_days >= 0 AND credit_stop_cooling_months >= 0"
        " AND promise_min_share >= 0 AND promise_min_share <= 100)",
        "Credit limits and thresholds cannot be negative (and a promise's share "
        "is at most 100 %).",
    )
    _escalation_positive = models.Constraint(
        "CHECK(reminder_interval_days >= 0 AND interest_rate >= 0"
        " AND compensation_amount >= 0 AND legal_notice_days >= 0)",
        "Reminder interval, notice before hand-over, interest rate and "
        "compensation cannot be negative.",
    )

    @api.constrains(
        "reminder_interval_days",
        "legal_notice_days",
        "interest_rate",
        "compensation_amount",
        "fee_product_id",
        "fee_account_id",
    )
    def _check_escalation(self):
        for policy in self:
            if negative_fields(policy, ["reminder_interval_days"]):
                raise ValidationError(
                    self.env._(
                        "Credit tier %(tier)s: the days between reminders cannot be "
                        "negative.",
                        tier=policy.display_name,
                    )
                )
            if negative_fields(policy, ["legal_notice_days"]):
                raise ValidationError(
                    self.env._(
                        "Credit tier %(tier)s: the notice before the hand-over "
                        "cannot be negative.",
                        tier=policy.display_name,
                    )
                )
            if negative_fields(policy, ["interest_rate"]) or policy.interest_rate > 100:
                raise ValidationError(
                    self.env._(
                        "Credit tier %(tier)s: the late interest must be between 0 "
                        "and 100 %% a year.",
                        tier=policy.display_name,
                    )
                )
            if negative_fields(policy, ["compensation_amount"]):
                raise ValidationError(
                    self.env._(
                        "Credit tier %(tier)s: the fixed compensation cannot be "
                        "negative.",
                        tier=policy.display_name,
                    )
                )
            if policy.interest_rate or policy.compensation_amount:
                policy._fee_account()

    def _fee_account(self):
        """Income account of this tier's fee lines; a clear error when the tier
        charges fees but none can be found."""
        self.ensure_one()
        if self.fee_account_id:
            return self.fee_account_id
        if not self.fee_product_id:
            raise ValidationError(
                self.env._(
                    "Credit tier %(tier)s charges fees or interest: set its Fee "
                    "Product (or a Fee Account).",
                    tier=self.display_name,
                )
            )
        product = self.fee_product_id.with_company(self.company_id)
        account = product.product_tmpl_id._get_product_accounts()["income"]
        if not account:
            raise ValidationError(
                self.env._(
                    "Credit tier %(tier)s: the fee product %(product)s has no income "
                    "account in %(company)s. Set the product's income account or "
                    "the tier's Fee Account.",
                    tier=self.display_name,
                    product=product.display_name,
                    company=self.company_id.name,
                )
            )
        return account

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]
            .with_context(active_test=False)
            ._read_group(
                [("credit_policy_id", "in", self.ids)],
                ["credit_policy_id"],
                ["__count"],
            )
        )
        for policy in self:
            policy.partner_count = counts.get(policy, 0)

    @api.constrains(*THRESHOLD_FIELDS)
    def _check_thresholds(self):
        for policy in self:
            if negative_fields(policy, THRESHOLD_FIELDS):
                raise ValidationError(
                    self.env._(
                        "Credit tier %(tier)s: credit limits and thresholds cannot be "
                        "negative. Use 0 for no limit.",
                        tier=policy.display_name,
                    )
                )
            if policy.promise_min_share > 100:
                raise ValidationError(
                    self.env._(
                        "Credit tier %(tier)s: a promise cannot have to cover more "
                        "than 100 %% of the overdue amount.",
                        tier=policy.display_name,
                    )
                )

    # checked before the row is written, so that the error names the field
    # (the CHECK constraints above only back it up)
    _NON_NEGATIVE_FIELDS = (
        "default_credit_limit",
        "overdue_amount_threshold",
        "overdue_days_threshold",
        "broken_promises_threshold",
        "promise_grace_days",
        "promise_max_days",
        "promise_min_share",
        "credit_stop_cooling_months",
        "reminder_interval_days",
        "legal_notice_days",
        "interest_rate",
        "compensation_amount",
    )

    def _check_non_negative(self, vals, tier):
        wrong = negative_fields(vals, self._NON_NEGATIVE_FIELDS)
        if wrong:
            raise ValidationError(
                self.env._(
                    "Credit tier %(tier)s: %(fields)s cannot be negative (0 means "
                    "none).",
                    tier=tier,
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in wrong
                    ),
                )
            )

    @api.constrains("stage_threshold_ids")
    def _check_stage_order(self):
        """A tier's own thresholds keep the stages in their order: a case
        never moves back to a milder stage as it gets older."""
        Stage = self.env["credit.collection.stage"]
        for policy in self:
            ladder = Stage._ladder(policy.company_id, policy)
            thresholds = ladder.env.context["credit_collection_thresholds"]
            previous = None
            for stage in ladder.sorted(
                lambda s: (s.sequence, s.min_days_overdue, s.id)
            ):
                if previous and thresholds[stage.id] < thresholds[previous.id]:
                    raise ValidationError(
                        self.env._(
                            "Credit tier %(tier)s: From Days Overdue of stage "
                            "%(stage)s (%(days)s) is below that of the earlier stage "
                            "%(previous)s (%(previous_days)s): the thresholds must "
                            "grow along the stages.",
                            tier=policy.display_name,
                            stage=stage.name,
                            days=thresholds[stage.id],
                            previous=previous.name,
                            previous_days=thresholds[previous.id],
                        )
                    )
                previous = stage

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_non_negative(vals, vals.get("name") or "")
            if "company_id" in vals and not vals["company_id"]:
                raise ValidationError(
                    self.env._(
                        "Credit tier %(tier)s needs a company: tiers and their rules "
                        "are per company.",
                        tier=vals.get("name") or "",
                    )
                )
        return super().create(vals_list)

    def write(self, vals):
        self._check_non_negative(vals, ", ".join(self.mapped("display_name")))
        if "company_id" in vals and not vals["company_id"]:
            raise ValidationError(
                self.env._("A credit tier needs a company: tiers are per company.")
            )
        return super().write(vals)

    @api.model
    def _credit_rule_params(self, policy_id, stamp):
        """The rule settings of tier ``policy_id`` as it was written at
        ``stamp`` (its write date, as the caller's snapshot shows it; None:
        unknown). A committed change gives the tier a new write date, hence a
        new cache key: the cache never serves settings older than the
        caller's snapshot. A tier written by the current transaction (write
        date = the transaction's timestamp, which a second write keeps) is
        read through the ORM, never cached."""
        if not policy_id:
            return NO_RULES
        if stamp is None or stamp == self.env.cr.now():
            return self._credit_read_rule_params(policy_id, stamp is None)
        return self._credit_cached_rule_params(policy_id, stamp)

    @api.model
    @tools.ormcache("policy_id", "stamp")
    def _credit_cached_rule_params(self, policy_id, stamp):
        return self._credit_read_rule_params(policy_id, False)

    @api.model
    def _credit_read_rule_params(self, policy_id, check_exists):
        policy = self.sudo().browse(policy_id)
        if check_exists and not policy.exists():
            return NO_RULES
        return RuleParams(policy.id, *(policy[f] for f in RULE_FIELDS))

    def _credit_params(self):
        """``_credit_rule_params`` of this tier (or none), read through the
        ORM."""
        if not self:
            return NO_RULES
        self.ensure_one()
        return self._credit_rule_params(self.id, self.sudo().write_date)

    @api.model
    def _get_default(self, company):
        """The default tier of ``company`` (an empty recordset if none)."""
        return self.sudo().search(
            [("company_id", "=", company.id), ("is_default", "=", True)], limit=1
        )

    def action_view_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers of %(tier)s", tier=self.display_name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("credit_policy_id", "=", self.id)],
            "context": {"allowed_company_ids": self.company_id.ids},
        }
