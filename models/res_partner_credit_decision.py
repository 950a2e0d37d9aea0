# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Credit decisions are the credit team's: a customer's credit limit (and
Odoo's use-own-limit flag), tier and prepayment flag are written only by a
Collections Manager or by an approved credit application, on every path (form,
import, RPC). Every change is logged on the customer: old → new, who, and
which application."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount, format_date

from .credit_hold import MANAGER_GROUP

# the customer's credit settings only the credit team writes
DECISION_FIELDS = (
    "credit_limit",
    "use_partner_credit_limit",
    "credit_policy_id",
    "credit_prepayment_only",
    "credit_review_date",
)
# the credit application applying a decision (credit_application.py): set in
# the transaction's data by the application itself, never by a caller
APPLYING_KEY = "account_credit_collection.applying"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Collections Managers decide on credit: they see and set the limit
    credit_limit = fields.Float(
        groups="account.group_account_invoice,account.group_account_readonly,"
        "account_credit_collection.group_manager"
    )
    use_partner_credit_limit = fields.Boolean(
        groups="account.group_account_invoice,account.group_account_readonly,"
        "account_credit_collection.group_manager"
    )
    credit_decision_allowed = fields.Boolean(
        compute="_compute_credit_decision_allowed",
        help="Whether the current user decides on customers' credit (limit, "
        "tier, prepayment): a Collections Manager.",
    )

    credit_review_date = fields.Date(
        string="Next Credit Review",
        company_dependent=True,
        help="Set by the approved credit application: the credit managers get "
        "an activity when it comes.",
    )
    credit_application_ids = fields.One2many(
        "credit.application", "partner_id", string="Credit Applications"
    )
    credit_application_count = fields.Integer(
        compute="_compute_credit_application_count"
    )

    @api.depends_context("company")
    def _compute_credit_application_count(self):
        groups = dict(
            self.env["credit.application"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.credit_application_count = groups.get(
                partner.commercial_partner_id, 0
            )

    def action_credit_application(self):
        """The customer's credit applications, a new one prefilled."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Applications"),
            "res_model": "credit.application",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", partner.id)],
            "context": {"default_partner_id": partner.id},
        }

    def _credit_review_lapsed(self):
        """The credit review passed without a new approved application: back
        to the tier's default limit (logged)."""
        for partner in self:
            old = partner._credit_decision_values(["credit_limit"])
            partner.sudo().write(
                {"use_partner_credit_limit": False, "credit_review_date": False}
            )
            partner.sudo()._message_log(
                body=self.env._(
                    "Credit review lapsed in %(company)s: the credit limit "
                    "%(limit)s is withdrawn; the tier's default limit applies "
                    "until a new credit application is approved.",
                    company=self.env.company.name,
                    limit=old["credit_limit"],
                )
            )

    @api.depends_context("uid")
    def _compute_credit_decision_allowed(self):
        self.credit_decision_allowed = self.env.user.has_group(MANAGER_GROUP)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            changed = [name for name in DECISION_FIELDS if vals.get(name)]
            if changed:
                self._credit_check_decision(changed)
        partners = super().create(vals_list)
        partners._credit_set_unvetted_tier()
        return partners

    def write(self, vals):
        changed = [name for name in DECISION_FIELDS if name in vals]
        if not changed:
            return super().write(vals)
        self._credit_check_decision(changed)
        before = {partner: partner._credit_decision_values(changed) for partner in self}
        result = super().write(vals)
        for partner, old in before.items():
            partner._credit_log_decision(old, partner._credit_decision_values(changed))
        return result

    # ------------------------------------------------------------------ rules
    def _credit_applying(self):
        """The credit application applying its decision in this transaction,
        or None."""
        return self.env.cr.precommit.data.get(APPLYING_KEY)

    def _credit_check_decision(self, names):
        """Refuse a credit decision (``names``: the fields written) to anyone
        but a Collections Manager or an approved application."""
        if self.env.su or self._credit_applying():
            return
        if self.env.user.has_group(MANAGER_GROUP):
            return
        labels = ", ".join(
            self._fields[name].get_description(self.env)["string"] for name in names
        )
        raise AccessError(
            self.env._(
                "Only a Collections Manager decides on a customer's credit "
                "(%(fields)s). Submit a credit application for the customer: "
                "once approved, it sets the limit, payment term and tier.",
                fields=labels,
            )
        )

    # --------------------------------------------------------------- the log
    def _credit_decision_values(self, names):
        self.ensure_one()
        partner = self.sudo()
        values = {}
        for name in names:
            value = partner[name]
            if name == "credit_limit":
                value = format_amount(
                    self.env, value or 0.0, self.env.company.currency_id
                )
            elif name == "credit_review_date":
                value = format_date(self.env, value) if value else "—"
            elif name == "credit_policy_id":
                value = value.display_name or self.env._("company default")
            elif isinstance(value, bool):
                value = self.env._("Yes") if value else self.env._("No")
            values[name] = value
        return values

    def _credit_log_decision(self, old, new):
        """Log the changed credit settings on the customer's chatter."""
        self.ensure_one()
        changes = [
            Markup("<li>%s: %s → %s</li>")
            % (
                self._fields[name].get_description(self.env)["string"],
                old[name],
                new[name],
            )
            for name in new
            if old[name] != new[name]
        ]
        if not changes:
            return
        application = self._credit_applying()
        if application:
            head = self.env._(
                "Credit decision in %(company)s by %(user)s, from credit "
                "application %(application)s:",
                company=self.env.company.name,
                user=self.env.user.name,
                application=application.display_name,
            )
        else:
            head = self.env._(
                "Credit decision in %(company)s by %(user)s:",
                company=self.env.company.name,
                user=self.env.user.name,
            )
        self.sudo()._message_log(
            body=Markup("%s<ul>%s</ul>") % (head, Markup("").join(changes))
        )

    def _credit_set_unvetted_tier(self):
        """New customers (commercial partners) get, in every company that
        sets one, the tier of customers without an approved credit
        application (res.company ``credit_unvetted_policy_id``)."""
        customers = self.filtered(lambda p: not p.parent_id)
        if not customers:
            return
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("credit_unvetted_policy_id", "!=", False)])
        )
        for company in companies:
            tier = company.credit_unvetted_policy_id
            todo = (
                customers.with_company(company)
                .sudo()
                .filtered(lambda p: not p.credit_policy_id)
            )
            if todo:
                # the company's setting, not a decision on the customer: past
                # the guard and its log
                super(ResPartner, todo).write({"credit_policy_id": tier.id})
