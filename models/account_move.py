# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_amount

from .clock import credit_today
from .credit_hold_sync import schedule_hold_sync
from .credit_rules import term_days
from .money_received import coverage as money_coverage


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "credit.check.mixin"]

    # a customer's draft invoices, read by every credit check (the exposure)
    _credit_draft_partner_idx = models.Index(
        "(commercial_partner_id, company_id) WHERE state = 'draft'"
    )

    credit_dispute_amount = fields.Monetary(
        string="Disputed Amount",
        currency_field="company_currency_id",
        copy=False,
        tracking=True,
        help="Part of this invoice the customer disputes (company currency). "
        "Whether it counts in the customer's exposure depends on its credit tier.",
    )
    credit_dispute_reason = fields.Char(
        string="Dispute Reason", copy=False, tracking=True
    )
    credit_dispute_state = fields.Selection(
        [("open", "Disputed"), ("resolved", "Resolved")],
        string="Dispute",
        copy=False,
        readonly=True,
        tracking=True,
    )
    credit_fee_action_id = fields.Many2one(
        "credit.collection.action",
        string="Fee of Escalation Action",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The escalation action that charged this late-payment fee invoice.",
    )
    credit_days_overdue = fields.Integer(
        string="Days Overdue",
        compute="_compute_credit_collection_level",
        compute_sudo=True,
    )
    credit_collection_stage_id = fields.Many2one(
        "credit.collection.stage",
        string="Collection Level",
        compute="_compute_credit_collection_level",
        compute_sudo=True,
        help="The collection stage this invoice's days overdue reach, on the "
        "ladder of the customer's credit tier.",
    )

    @api.depends("invoice_date_due", "payment_state", "state", "move_type")
    def _compute_credit_collection_level(self):
        Stage = self.env["credit.collection.stage"]
        ladders = {}
        todays = {}  # each invoice's company's today (its time zone)
        for move in self:
            move.credit_days_overdue = 0
            move.credit_collection_stage_id = False
            if (
                move.move_type != "out_invoice"
                or move.state != "posted"
                or move.payment_state not in ("not_paid", "partial")
                or not move.invoice_date_due
            ):
                continue
            company = move.company_id
            if company not in todays:
                todays[company] = credit_today(self.env, company)
            days = max((todays[company] - move.invoice_date_due).days, 0)
            move.credit_days_overdue = days
            policy = move.commercial_partner_id._credit_policy(move.company_id)
            key = (move.company_id, policy)
            if key not in ladders:
                ladders[key] = Stage._ladder(move.company_id, policy)
            move.credit_collection_stage_id = Stage._stage_for_days(ladders[key], days)

    @api.constrains("credit_dispute_amount", "amount_total_signed")
    def _check_credit_dispute_amount(self):
        for move in self:
            if move.credit_dispute_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The disputed amount of %(move)s cannot be negative.",
                        move=move.display_name,
                    )
                )
            if (
                move.company_currency_id.compare_amounts(
                    move.credit_dispute_amount, abs(move.amount_total_signed)
                )
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The disputed amount of %(move)s cannot exceed its total.",
                        move=move.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any("credit_fee_action_id" in v for v in vals_list):
            raise AccessError(_fee_fields_error(self.env))
        return super().create(vals_list)

    _CREDIT_DISPUTE_FIELDS = frozenset(
        {"credit_dispute_amount", "credit_dispute_reason", "credit_dispute_state"}
    )

    def write(self, vals):
        if not self.env.su and "credit_fee_action_id" in vals:
            raise AccessError(_fee_fields_error(self.env))
        disputes = self._CREDIT_DISPUTE_FIELDS & set(vals)
        if disputes and not self.env.su:
            if not self.env.user.has_group("account_credit_collection.group_user"):
                raise AccessError(self.env._("Only collection users record disputes."))
        if "credit_dispute_amount" in vals and "credit_dispute_state" not in vals:
            # written directly (import, RPC) rather than through the wizard:
            # the dispute's state follows its amount
            if vals["credit_dispute_amount"]:
                vals = dict(vals, credit_dispute_state="open")
            else:
                self.filtered(lambda m: m.credit_dispute_state == "open").write(
                    {"credit_dispute_state": "resolved"}
                )
        result = super().write(vals)
        if "credit_dispute_amount" in vals:
            for company, moves in self.grouped("company_id").items():
                schedule_hold_sync(self.env, moves.commercial_partner_id, company)
        return result

    def _post(self, soft=True):
        self._credit_check_posting()
        posted = super()._post(soft=soft)
        receivables = posted.filtered(
            lambda m: m.is_sale_document(include_receipts=True)
        )
        for company, moves in receivables.grouped("company_id").items():
            schedule_hold_sync(self.env, moves.commercial_partner_id, company)
        return posted

    def _credit_check_posting(self):
        """Per policy, customer invoices (never credit notes) of a customer on
        hold — and, whatever the policy, of a customer whose credit is
        stopped — are not posted, unless they are paid in advance (the invoice of
        an order confirmed as paid in advance, a down-payment request, or
        covered by the customer's money received) or a manager's override
        covers them."""
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice"
            # the fee invoices of the escalation run (never a user's forgery:
            # the field is readonly and only the run posts them, as superuser)
            and not (self.env.su and m.credit_fee_action_id)
        )
        for company, moves in invoices.grouped("company_id").items():
            strict = moves._credit_strict_customers(company)
            # a stopped credit refuses invoices on credit whatever the tier
            # (credit_stop.py)
            stopped = (
                self.env["credit.hold"]
                ._active_stops(moves.commercial_partner_id, company)
                .partner_id
            )
            checked = strict | stopped.with_company(company).sudo()
            if not checked:
                continue
            exposures = checked._credit_exposure(company)
            batch = checked._credit_batch_data(company)
            for move in moves.filtered(
                lambda m, c=checked: m.commercial_partner_id in c
            ):
                partner = move.commercial_partner_id.with_company(company).sudo()
                exposure = exposures.get(partner.id)
                reasons = partner._credit_evaluate(
                    company,
                    exposure=exposure,
                    batch=batch,
                    payment_term_days=move._credit_payment_term_days,
                )
                if partner not in strict:  # only its credit stop decides
                    reasons = [r for r in reasons if r["rule"] == "stop"]
                move._credit_enforce(
                    partner,
                    reasons,
                    coverage=lambda m=move, p=partner, e=exposure: m._credit_coverage(
                        p, e
                    ),
                )

    def _credit_strict_customers(self, company):
        """The customers of these invoices whose tier blocks invoice posting."""
        default = self.env["credit.collection.policy"]._get_default(company)
        partners = self.commercial_partner_id.with_company(company).sudo()
        return partners.filtered(
            lambda p: p._credit_policy(company, default).block_invoice_posting
        )

    def _credit_amount_company(self):
        self.ensure_one()
        return abs(self.amount_total_signed)

    def _credit_payment_term_days(self):
        """The days of credit this invoice gives: from its date to its last
        due date (its payment term's, or the due date set by hand)."""
        date_ref = self.invoice_date or credit_today(self.env, self.company_id)
        if self.invoice_payment_term_id:
            return term_days(self.invoice_payment_term_id, date_ref)
        if self.invoice_date_due:
            return max((self.invoice_date_due - date_ref).days, 0)
        return 0

    def _credit_is_prepaid(self):
        """The invoice of orders confirmed as paid in advance, or one that
        asks for a down payment (nothing is delivered on it): it gives no
        new credit."""
        self.ensure_one()
        lines = self.sudo().invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        if not lines or not all(line.sale_line_ids for line in lines):
            return False
        sale_lines = lines.sale_line_ids
        if all(sale_lines.mapped("is_downpayment")):
            return all(line.quantity > 0 for line in lines)
        return all(sale_lines.order_id.mapped("credit_prepaid"))

    def _credit_coverage(self, partner, exposure):
        """This draft invoice's ``Coverage`` by the customer's money received
        (the exposure counts the draft: left out here)."""
        amount = self._credit_amount_company()
        total = (exposure or {}).get("total", 0.0) - amount
        return money_coverage(self.env, partner.id, self.company_id, total, amount)

    def _credit_refusal_message(self, partner, reasons, coverage=None, **how):
        message = self.env._(
            "%(customer)s is on credit hold: invoice %(invoice)s cannot "
            "be posted (tier %(tier)s blocks invoicing).\n%(reasons)s",
            customer=partner.display_name,
            invoice=self.name or self.ref or "",
            tier=partner._credit_policy(self.company_id).display_name,
            reasons="\n".join(f"• {r['name']}" for r in reasons),
        )
        if coverage is not None:
            currency = self.company_currency_id
            message += "\n" + self.env._(
                "Covered by money received: %(covered)s of %(amount)s; "
                "%(missing)s still missing. Register the customer's payment "
                "first, or invoice the order once it is paid in advance.",
                covered=format_amount(self.env, coverage.covered_amount, currency),
                amount=format_amount(self.env, coverage.needed, currency),
                missing=format_amount(self.env, coverage.missing, currency),
            )
        return message


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._credit_schedule_sync()
        return partials

    def unlink(self):
        self._credit_schedule_sync()
        return super().unlink()

    def _credit_schedule_sync(self):
        lines = (self.debit_move_id | self.credit_move_id).filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        for company, company_lines in lines.grouped("company_id").items():
            schedule_hold_sync(self.env, company_lines.partner_id, company)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    credit_fee_kind = fields.Selection(
        [
            ("fee", "Reminder fee"),
            ("interest", "Late interest"),
            ("compensation", "Fixed compensation"),
        ],
        string="Late Payment Charge",
        copy=False,
        readonly=True,
    )
    credit_fee_item_id = fields.Many2one(
        "account.move",
        string="Charged For",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The overdue invoice this interest or compensation line charges for.",
    )
    credit_interest_to = fields.Date(
        string="Interest Until",
        copy=False,
        readonly=True,
        help="Interest on the overdue invoice is charged up to this date.",
    )

    _CREDIT_FEE_FIELDS = frozenset(
        {"credit_fee_kind", "credit_fee_item_id", "credit_interest_to"}
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(self._CREDIT_FEE_FIELDS & set(v) for v in vals_list):
            raise AccessError(_fee_fields_error(self.env))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and self._CREDIT_FEE_FIELDS & set(vals):
            raise AccessError(_fee_fields_error(self.env))
        return super().write(vals)


def _fee_fields_error(env):
    return env._(
        "Late payment charges are written by the escalation run only; they "
        "cannot be set by hand."
    )
