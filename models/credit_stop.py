# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The credit stop after a bad debt: a standing hold (origin ``stop``) set
when a case reaches a stage that *Stops credit* (Legal / agency, Written off)
or its customer is assessed as paying in bad faith. Unlike the automatic
holds it survives payment and the closing of the case, and unlike a manual
hold it cannot be overridden: the customer buys only with orders paid in
advance (money received, credit_check_mixin's "prepaid") until a Collections
Manager lifts it, with a reason, after the tier's cooling-off period."""

from dateutil.relativedelta import relativedelta
from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .clock import credit_today


class CreditHold(models.Model):
    _inherit = "credit.hold"

    # ----------------------------------------------------------------- lookup
    @api.model
    def _active_stops(self, partners, company):
        """The active credit stops of the commercial ``partners`` in
        ``company``."""
        return self.sudo().search(
            Domain("partner_id", "in", partners.commercial_partner_id.ids)
            & Domain("company_id", "=", company.id)
            & Domain("origin", "=", "stop")
            & Domain("state", "=", "active")
        )

    def _stop_cause_text(self):
        """Why the credit was stopped, as the quotation says it."""
        self.ensure_one()
        if self.stop_cause == "legal":
            return self.env._("after the debt was handed to legal")
        if self.stop_cause == "written_off":
            return self.env._("after the debt was written off")
        if self.stop_cause == "bad_faith":
            return self.env._(
                "after the customer was assessed as able but unwilling to pay"
            )
        return self.env._("after the case reached %(stage)s", stage=self.note or "")

    def _stop_reason(self):
        """The hold rules' reason for this credit stop (a ``credit_rules``
        reason dict): blocking, with what would let an order through."""
        self.ensure_one()
        name = self.env._(
            "Credit stopped on %(date)s %(cause)s; cash only until a manager lifts it",
            date=self.stop_date,
            cause=self._stop_cause_text(),
        )
        hint = self.env._(
            "confirm the order once it is paid in advance (a transfer or a "
            "down payment); a Collections Manager can lift the stop from "
            "%(date)s",
            date=self.stop_lift_date or self.stop_date,
        )
        return {
            "rule": "stop",
            "mode": "block",
            "name": name,
            "hint": hint,
            "is_amount": False,
            "measured": 0.0,
            "threshold": 0.0,
            "hold_id": self.id,
        }

    # -------------------------------------------------------------------- set
    @api.model
    def _credit_stop(self, partner, company, cause, case=None, detail=None):
        """Stop the credit of the commercial ``partner`` in ``company`` for
        ``cause`` (a ``STOP_CAUSES`` key); ``detail`` names the stage or the
        assessment. A customer has one active stop: an existing one is kept
        (its first cause and date stand). Returns the stop."""
        partner = partner.commercial_partner_id
        stops = self._credit_stops(
            company, [(partner, cause, case or None, detail or False)]
        )
        return stops[partner.id]

    @api.model
    def _credit_stops(self, company, entries):
        """The credit stops of ``entries`` ([(commercial partner, cause, case
        or None, detail)]) in ``company``, in bulk (a first daily run on a book
        with thousands of customers in a stage that stops credit): the stops
        and their reason lines in one create each, the stop logged on the hold
        and on its case in one batch each (a note, no notification). A customer
        keeps an active stop it has, and the first entry of a customer
        stands. Returns {partner id: its active stop}."""
        partners = self.env["res.partner"].browse({e[0].id for e in entries})
        stops = {
            hold.partner_id.id: hold for hold in self._active_stops(partners, company)
        }
        today = credit_today(self.env, company)
        todo = {}
        for partner, cause, case, detail in entries:
            if partner.id in stops or partner.id in todo:
                continue
            months = partner._credit_policy(company).credit_stop_cooling_months
            todo[partner.id] = {
                "partner_id": partner.id,
                "company_id": company.id,
                "origin": "stop",
                "stop_cause": cause,
                "stop_date": today,
                "stop_lift_date": today + relativedelta(months=months),
                "stop_case_id": case.id if case else False,
                "note": detail,
                "user_id": self.env.user.id,
            }
        if not todo:
            return stops
        holds = (
            self.sudo()
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
            )
            .create(list(todo.values()))
        )
        self.env["credit.hold.reason"].sudo().create(
            [dict(self._reason_values(h._stop_reason()), hold_id=h.id) for h in holds]
        )
        bodies = {
            hold: escape(
                self.env._(
                    "Credit stopped %(cause)s: orders on credit are refused; orders "
                    "paid in advance are still confirmed. A Collections Manager can "
                    "lift the stop from %(date)s.",
                    cause=hold._stop_cause_text(),
                    date=hold.stop_lift_date,
                )
            )
            for hold in holds
        }
        holds._message_log_batch({hold.id: body for hold, body in bodies.items()})
        with_case = holds.filtered("stop_case_id")
        with_case.stop_case_id._message_log_batch(
            {hold.stop_case_id.id: bodies[hold] for hold in with_case}
        )
        stops.update({hold.partner_id.id: hold for hold in holds})
        return stops

    @api.model
    def _cron_credit_stops(self, company):
        """Every open case in a stage that stops credit has its customer's
        stop (a stage flagged after the case got there, an upgrade, a case
        moved by SQL): set what is missing. One query when nothing is."""
        cases = (
            self.env["credit.collection.case"]
            .sudo()
            .search(
                Domain("company_id", "=", company.id)
                & Domain("stage_id.stops_credit", "=", True)
            )
        )
        stopped = set(self._active_stops(cases.partner_id, company).partner_id.ids)
        cases.filtered(
            lambda c: c.partner_id.id not in stopped
        )._stop_credit_for_stage()

    # ------------------------------------------------------------------- lift
    def action_lift_stop(self, reason):
        """Lift credit stops (Collections Manager, with a reason): not before
        the cooling-off period ends, nor while the debt that caused it is
        still open in a stage that stops credit."""
        self._check_manager()
        self.check_access("write")
        if not reason or not reason.strip():
            raise UserError(self.env._("Lifting a credit stop needs a reason."))
        for hold in self:
            hold._check_liftable()
        for hold in self.filtered(lambda h: h.state != "released"):
            note = self.env._(
                "Credit stop lifted by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            )
            hold.sudo()._release(note, user=self.env.user)
            case = hold._stop_open_case()
            if case:
                case.message_post(body=note)
        return True

    def action_open_lift_stop_wizard(self):
        self.ensure_one()
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lift Credit Stop"),
            "res_model": "credit.hold.lift.stop",
            "view_mode": "form",
            "target": "new",
            "context": {"default_hold_id": self.id},
        }

    def _check_liftable(self):
        self.ensure_one()
        self._check_company_allowed(self.company_id)
        if self.origin != "stop":
            raise UserError(
                self.env._("%(hold)s is not a credit stop.", hold=self.display_name)
            )
        today = credit_today(self.env, self.company_id)
        if self.stop_lift_date and today < self.stop_lift_date:
            raise UserError(
                self.env._(
                    "The credit stop of %(partner)s can be lifted from %(date)s: "
                    "the tier's cooling-off period runs until then.",
                    partner=self.partner_id.display_name,
                    date=self.stop_lift_date,
                )
            )
        case = self._stop_open_case()
        if case and case.stage_id.stops_credit and case.amount_residual > 0:
            raise UserError(
                self.env._(
                    "%(partner)s still owes %(amount)s in the stage %(stage)s: "
                    "recover or write off the debt before lifting the credit "
                    "stop.",
                    partner=self.partner_id.display_name,
                    amount=case.currency_id.format(case.amount_residual),
                    stage=case.stage_id.name,
                )
            )

    def _stop_open_case(self):
        self.ensure_one()
        return (
            self.env["credit.collection.case"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=1,
            )
        )

    def _check_not_stop(self, action):
        """Overrides and plain releases do not apply to a credit stop."""
        stops = self.filtered(lambda h: h.origin == "stop")
        if stops:
            raise UserError(
                self.env._(
                    "%(hold)s cannot be %(action)s: the customer buys only with "
                    "orders paid in advance until a Collections Manager lifts the "
                    "stop (Lift Credit Stop, with a reason).",
                    hold=stops[0].display_name,
                    action=action,
                )
            )


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    def _stop_credit_for_stage(self):
        """The customers of the cases in a stage that stops credit get their
        credit stop."""
        written_off = self.env.ref(
            "account_credit_collection.stage_written_off", raise_if_not_found=False
        )
        Hold = self.env["credit.hold"]
        stopping = self.filtered(lambda c: c.stage_id.stops_credit)
        for company, cases in stopping.grouped("company_id").items():
            entries = []
            for case in cases:
                stage = case.stage_id
                cause = (
                    "legal"
                    if stage.is_legal
                    else "written_off"
                    if stage == written_off
                    else "stage"
                )
                entries.append(
                    (case.partner_id.commercial_partner_id, cause, case, stage.name)
                )
            Hold._credit_stops(company, entries)


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_stop_date = fields.Date(
        compute="_compute_credit_stop",
        string="Credit Stopped On",
        help="The customer's credit is stopped in the current company: orders "
        "on credit are refused until a Collections Manager lifts the stop.",
    )
    credit_stop_lift_date = fields.Date(
        compute="_compute_credit_stop", string="Credit Stop Can Be Lifted From"
    )

    def _compute_credit_stop(self):
        stops = self.env["credit.hold"]._active_stops(self, self.env.company)
        by_partner = {stop.partner_id.id: stop for stop in stops}
        for partner in self:
            stop = by_partner.get(partner.commercial_partner_id.id)
            partner.credit_stop_date = stop.stop_date if stop else False
            partner.credit_stop_lift_date = stop.stop_lift_date if stop else False
