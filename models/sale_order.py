# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from .clock import credit_today
from .credit_rules import blocking, term_days
from .money_received import coverage as money_coverage

CHECKED_KEY = "account_credit_collection.confirming"


class CreditChecked:
    """The one order an ``action_confirm`` call confirms, once
    ``_confirmation_error_message`` checked it (id and total), so that the
    call's own write skips a second check. Kept in the transaction's data
    for the duration of the call only: no caller can set it."""

    def __init__(self, orders):
        self.order_id = orders.id if len(orders) == 1 else None
        self.total = None


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "credit.check.mixin"]

    # a customer's confirmed orders, read by every credit check (the exposure)
    _credit_confirmed_partner_idx = models.Index(
        "(partner_invoice_id, company_id) WHERE state = 'sale'"
    )

    credit_hold_override_id = fields.Many2one(
        "credit.hold",
        string="Confirmed Under Credit Override",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The overridden credit hold that let this order be confirmed.",
    )
    credit_prepaid = fields.Boolean(
        string="Confirmed as Paid in Advance",
        readonly=True,
        copy=False,
        help="Confirmed because it was paid in advance (online payment or "
        "money received) while a credit rule blocked it: its invoices are "
        "posted even when the customer's tier blocks invoicing.",
    )
    credit_check_state = fields.Selection(
        [("ok", "OK"), ("warn", "Warning"), ("block", "Blocked")],
        compute="_compute_credit_check",
        compute_sudo=True,
    )
    credit_check_html = fields.Html(
        compute="_compute_credit_check", compute_sudo=True, sanitize=False
    )
    credit_release_requested = fields.Boolean(
        compute="_compute_credit_check", compute_sudo=True
    )

    # ---------------------------------------------------------------- compute
    @api.depends(
        "partner_invoice_id", "company_id", "amount_total", "currency_rate", "state"
    )
    def _compute_credit_check(self):
        for order in self:
            order.credit_check_state = "ok"
            order.credit_check_html = False
            order.credit_release_requested = False
            partner = order.partner_invoice_id.commercial_partner_id
            if order.state not in ("draft", "sent") or not partner or not order.id:
                continue
            _partner, reasons, _hints, coverage = order._credit_check()
            if not reasons:
                continue
            blocking_reasons = blocking(reasons)
            override = (
                self.env["credit.hold"]._find_usable_override(
                    partner, order.company_id, order._credit_amount_company()
                )
                if blocking_reasons
                else False
            )
            covered = None
            if blocking_reasons and not override:
                covered = coverage()
            blocked = covered is not None and not order._credit_covered(covered)
            state = "block" if blocked else "warn"
            order.credit_check_state = state
            order.credit_check_html = order._credit_reasons_html(reasons)
            if covered is not None:
                order.credit_check_html += order._credit_coverage_html(covered)
            if override:
                # a manager's override lets this order through: say so
                order.credit_check_html = (
                    Markup("<p class='mb-1'>%s</p>")
                    % self.env._(
                        "Credit hold overridden by %(user)s: %(reason)s — this "
                        "order may be confirmed.",
                        user=override.override_user_id.name or "",
                        reason=override.override_reason or "",
                    )
                    + order.credit_check_html
                )
            order.credit_release_requested = bool(
                self.env["credit.hold"].search_count(
                    [
                        ("partner_id", "=", partner.id),
                        ("company_id", "=", order.company_id.id),
                        ("state", "=", "active"),
                        ("release_requested_by_id", "!=", False),
                    ],
                    limit=1,
                )
            )

    def _credit_amount_company(self):
        self.ensure_one()
        return self.company_id.currency_id.round(
            self.amount_total / (self.currency_rate or 1.0)
        )

    def _credit_reasons(self, extra_amount=0.0, hints=True):
        """Rules firing for this order's customer if it were confirmed now."""
        return self._credit_check(extra_amount=extra_amount, hints=hints)[1]

    def _credit_payment_term_days(self):
        """The days of credit this order's payment term gives."""
        date_ref = fields.Date.to_date(self.date_order) or credit_today(
            self.env, self.company_id
        )
        return term_days(self.sudo().payment_term_id, date_ref)

    def _credit_covered(self, coverage):
        return coverage.covers(self.company_id.currency_id) or self._credit_is_prepaid()

    def _credit_coverage_html(self, coverage):
        """ "Covered by money received: X of Y — missing Z" (the quotation)."""
        currency = self.company_id.currency_id
        text = self.env._(
            "Covered by money received: %(covered)s of %(amount)s",
            covered=format_amount(self.env, coverage.covered_amount, currency),
            amount=format_amount(self.env, coverage.needed, currency),
        )
        if coverage.covers(currency):
            text += self.env._(" — paid in advance: it may be confirmed.")
        else:
            text += self.env._(
                " — %(missing)s still missing to confirm it as paid in advance.",
                missing=format_amount(self.env, coverage.missing, currency),
            )
        return Markup("<p class='mb-0 mt-1'>%s</p>") % text

    def _credit_check(
        self, extra_amount=0.0, pending=None, hints=True, lock=False, confirmed=False
    ):
        """(commercial partner, rules firing, ``with_hints``, ``coverage``) for
        this order's customer if it were confirmed now, from one round trip
        (``_credit_check_data``); ``with_hints()`` evaluates the same figures
        again with what would release each rule (a refusal's text);
        ``coverage()`` is the order's ``Coverage`` by the money received (one
        more query, when a rule blocks).

        :param pending: {(commercial partner id, company id): amount} of the
            orders confirmed before this one in the same batch
        :param lock: take the customer's confirmation lock first
        :param confirmed: the order is already confirmed (its total grew): its
            part not invoiced yet is in the exposure like any open order's
        """
        self.ensure_one()
        company = self.company_id
        partner, exposure, batch = self.partner_invoice_id.sudo()._credit_check_data(
            company, exclude_order=None if confirmed else self, lock=lock
        )
        if pending:
            extra_amount += pending.get((partner.id, company.id), 0.0)
        own = 0.0 if confirmed else self._credit_amount_company()

        def evaluate(hints):
            return partner._credit_evaluate(
                company,
                exposure=exposure,
                batch=batch,
                order=self,
                order_amount=own + extra_amount,
                hints=hints,
                payment_term_days=self._credit_payment_term_days,
            )

        def coverage():
            return money_coverage(
                self.env,
                partner.id,
                company,
                exposure["total"] + extra_amount,
                own,
                order=self,
            )

        return partner, evaluate(hints), lambda: evaluate(True), coverage

    def _credit_confirmed_totals(self):
        """{order id: total} of the confirmed orders of ``self``."""
        return {
            order.id: order.amount_total
            for order in self.sudo()
            if order.id and order.state == "sale"
        }

    def _credit_check_increase(self, before):
        """Lines added to a confirmed order, or its quantities or prices raised,
        are new credit: when its total grew (``before``: its total before the
        change), the hold rules are evaluated again on the exposure with the
        new total. A blocking rule refuses the change unless the order is paid
        in full or a manager's override covers the whole order (which then
        counts against the override's cap)."""
        for order in self.sudo().browse(sorted(before)):
            if order.state != "sale":
                continue
            currency = order.currency_id
            if currency.compare_amounts(order.amount_total, before[order.id]) <= 0:
                continue  # the total did not grow
            partner, reasons, with_hints, _coverage = order._credit_check(
                hints=False, lock=True, confirmed=True
            )
            order._credit_enforce(partner, reasons, with_hints, grown=True)

    def _credit_reasons_html(self, reasons):
        warning = self.env._("warning")
        items = Markup("").join(
            Markup("<li>%s<b>%s</b>%s</li>")
            % (
                Markup('<span class="badge text-bg-warning me-1">%s</span>') % warning
                if r["mode"] == "warn"
                else "",
                r["name"],
                Markup(" — <i>%s</i>") % r["hint"] if r.get("hint") else "",
            )
            for r in reasons
        )
        return Markup("<ul class='mb-0'>%s</ul>") % items

    # ------------------------------------------------------------ enforcement
    @api.model_create_multi
    def create(self, vals_list):
        # Orders created confirmed (import, RPC) are created as quotations and
        # confirmed through write(), the same check as every other path.
        # A ``default_state`` in the context confirms too: it counts as a
        # state given in the values.
        default_state = self.env.context.get("default_state")
        confirm_idx = [
            i
            for i, vals in enumerate(vals_list)
            if vals.get("state", default_state) == "sale"
        ]
        for i in confirm_idx:
            vals_list[i] = dict(vals_list[i], state="draft")
        if not self.env.su and any(
            {"credit_hold_override_id", "credit_prepaid"} & set(vals)
            for vals in vals_list
        ):
            raise AccessError(_override_link_error(self.env))
        orders = super().create(vals_list)
        if confirm_idx:
            orders.browse([orders[i].id for i in confirm_idx]).write({"state": "sale"})
        return orders

    def write(self, vals):
        if not self.env.su and {"credit_hold_override_id", "credit_prepaid"} & set(
            vals
        ):
            raise AccessError(_override_link_error(self.env))
        if vals.get("state") == "sale":
            # the backstop of every path: RPC, import, another addon's write
            self.filtered(lambda o: o.state != "sale")._credit_check_unless_checked()
        return super().write(vals)

    def action_confirm(self):
        # EXTENDS 'sale': a single order is checked on the form path through
        # _confirmation_error_message; this call's write then skips the check
        data = self.env.cr.precommit.data
        outer = data.get(CHECKED_KEY)
        data[CHECKED_KEY] = CreditChecked(self)
        try:
            return super().action_confirm()
        finally:
            data[CHECKED_KEY] = outer

    def _confirmation_error_message(self):
        # EXTENDS 'sale': refused on a blocking credit rule
        error = super()._confirmation_error_message()
        checked = self.env.cr.precommit.data.get(CHECKED_KEY)
        if error or not checked or checked.order_id != self.id:
            return error  # several orders: the write checks them together
        try:
            self._credit_check_confirmation()
        except UserError as refusal:
            return refusal.args[0]
        checked.total = self.amount_total
        return False

    def _credit_check_unless_checked(self):
        """``_credit_check_confirmation``, but for the one order that
        ``action_confirm`` has just checked at this very total."""
        checked = self.env.cr.precommit.data.get(CHECKED_KEY)
        if (
            checked
            and len(self) == 1
            and checked.order_id == self.id
            and checked.total == self.amount_total
        ):
            checked.order_id = None  # once
            return
        self._credit_check_confirmation()

    def _credit_is_prepaid(self):
        self.ensure_one()
        return (
            self.amount_total > 0
            and self.currency_id.compare_amounts(self.amount_paid, self.amount_total)
            >= 0
        )

    def _credit_check_confirmation(self):
        """The credit check of order confirmation, on every path (form button,
        RPC, direct write, import, portal). Raises UserError on a blocking rule
        unless a manager's override covers the order. No context key skips it."""
        pending = defaultdict(float)  # orders of this batch, per partner/company
        for order in self.sudo().sorted("id"):
            if not order.partner_invoice_id:
                continue
            # Serialized per (commercial partner, company): the lock row's
            # upsert makes a concurrent confirmation wait, then fail with a
            # serialization error that Odoo retries, so the retry sees the
            # first order in its exposure.
            partner, reasons, with_hints, coverage = order._credit_check(
                pending=pending, hints=False, lock=True
            )
            decision = order._credit_enforce(partner, reasons, with_hints, coverage)
            if decision == "prepaid" and not order.credit_prepaid:
                order.credit_prepaid = True
                order._message_log(
                    body=self.env._(
                        "Confirmed as paid in advance despite a credit rule that "
                        "blocks it: covered by the money received."
                    )
                )
            pending[(partner.id, order.company_id.id)] += order._credit_amount_company()
            warnings = [r for r in reasons if r["mode"] == "warn"]
            if warnings and decision != "prepaid":
                # a log entry (no notification): cheaper than message_post
                order._message_log(
                    body=Markup("%s%s")
                    % (
                        self.env._("Confirmed despite credit warnings:"),
                        order._credit_reasons_html(warnings),
                    )
                )

    def _credit_usable_override(self, partner, grown=False):
        # the override a confirmed order was confirmed under covers its growth
        own = self.credit_hold_override_id
        if grown and own and own._is_override_usable():
            return own
        return super()._credit_usable_override(partner)

    def _credit_on_override(self, override, reasons, grown=False):
        self._credit_confirm_under_override(override, reasons, grown=grown)

    def _credit_refusal_message(self, partner, reasons, coverage=None, grown=False):
        return self._credit_blocked_message(reasons, increase=grown, coverage=coverage)

    def _credit_confirm_under_override(self, override, reasons, grown=False):
        """Record that ``override`` let this order through despite ``reasons``:
        the order counts against the override's cap, and both chatters say so.
        ``grown``: a confirmed order whose total grew, not a confirmation."""
        self.ensure_one()
        if self.credit_hold_override_id != override:
            self.sudo().credit_hold_override_id = override
        override.invalidate_recordset(["override_used_amount"])
        amount = format_amount(
            self.env, self._credit_amount_company(), self.company_id.currency_id
        )
        if grown:
            override_note = self.env._(
                "Order %(order)s raised to %(amount)s under this override by %(user)s.",
                order=self.name,
                amount=amount,
                user=self.env.user.name,
            )
            order_note = self.env._(
                "Total raised to %(amount)s under the credit override of "
                "%(user)s (%(reason)s), despite:",
                amount=format_amount(self.env, self.amount_total, self.currency_id),
                user=override.override_user_id.name,
                reason=override.override_reason,
            )
        else:
            override_note = self.env._(
                "Order %(order)s (%(amount)s) confirmed under this override by "
                "%(user)s.",
                order=self.name,
                amount=amount,
                user=self.env.user.name,
            )
            order_note = self.env._(
                "Confirmed under the credit override of %(user)s (%(reason)s), "
                "despite:",
                user=override.override_user_id.name,
                reason=override.override_reason,
            )
        override.message_post(body=override_note)
        self.message_post(
            body=Markup("%s%s") % (order_note, self._credit_reasons_html(reasons))
        )

    def _credit_blocked_message(self, reasons, increase=False, coverage=None):
        customer = self.partner_invoice_id.commercial_partner_id.display_name
        if increase:
            first = self.env._(
                "%(customer)s is on credit hold: the confirmed order %(order)s "
                "cannot grow to %(amount)s.",
                customer=customer,
                order=self.name,
                amount=format_amount(self.env, self.amount_total, self.currency_id),
            )
        else:
            first = self.env._(
                "%(customer)s is on credit hold: the order %(order)s cannot be "
                "confirmed.",
                customer=customer,
                order=self.name,
            )
        lines = [first]
        for r in reasons:
            line = f"• {r['name']}"
            if r.get("hint"):
                line += self.env._(" — to release: %(hint)s", hint=r["hint"])
            lines.append(line)
        if coverage is not None:
            currency = self.company_id.currency_id
            lines.append(
                self.env._(
                    "Covered by money received: %(covered)s of %(amount)s; "
                    "%(missing)s still missing.",
                    covered=format_amount(self.env, coverage.covered_amount, currency),
                    amount=format_amount(self.env, coverage.needed, currency),
                    missing=format_amount(self.env, coverage.missing, currency),
                )
            )
        lines.append(
            self.env._(
                "Ask a credit manager to override the hold, or get the order "
                "paid in advance."
            )
            if increase
            else self.env._(
                "Use “Request Credit Release” on the quotation to ask a credit "
                "manager, or get the order paid in advance."
            )
        )
        return "\n".join(lines)


def _override_link_error(env):
    return env._(
        "The credit override an order was confirmed under, and whether it was "
        "confirmed as paid in advance, are recorded by the confirmation only: "
        "they cannot be set or removed by hand."
    )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # what makes a confirmed order's total grow
    _CREDIT_AMOUNT_FIELDS = frozenset(
        {
            "product_uom_qty",
            "price_unit",
            "discount",
            "tax_ids",
            "product_id",
            "order_id",
        }
    )

    @api.model_create_multi
    def create(self, vals_list):
        order_ids = {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        before = self.env["sale.order"].browse(order_ids)._credit_confirmed_totals()
        lines = super().create(vals_list)
        if before:
            self.env["sale.order"].browse(list(before))._credit_check_increase(before)
        return lines

    def write(self, vals):
        before = {}
        if self._CREDIT_AMOUNT_FIELDS & set(vals):
            orders = self.order_id
            if vals.get("order_id"):
                orders |= self.env["sale.order"].browse(vals["order_id"])
            before = orders._credit_confirmed_totals()
        result = super().write(vals)
        if before:
            self.env["sale.order"].browse(list(before))._credit_check_increase(before)
        return result
