# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The automatic holds follow the hold rules: set when a blocking rule fires,
their reasons rewritten when the rules that fire change, released when none
does. Re-evaluated right before a transaction that changed a customer's
receivables commits (``schedule_hold_sync``) and hourly (the cron)."""

from odoo import api, models
from odoo.fields import Domain

from .credit_exposure import empty_exposure
from .credit_rules import blocking
from .open_items import item_domain

PRECOMMIT_KEY = "account_credit_collection.sync_holds"
AUTOMATIC = ("rule", "order")
OPEN_STATES = ("active", "overridden")
# the reasons of the holds a person sets or lifts, not the rules
STANDING = ("manual", "stop")


def schedule_hold_sync(env, partners, companies):
    """Re-evaluate the automatic holds of ``partners`` in ``companies`` once,
    right before the transaction commits (batched over the whole transaction)."""
    if not partners or not companies:
        return
    data = env.cr.precommit.data.setdefault(PRECOMMIT_KEY, set())
    first = not data
    data.update(
        (partner.id, company.id)
        for partner in partners.commercial_partner_id
        for company in companies
    )
    if first:
        env.cr.precommit.add(lambda: _run_hold_sync(env))


def _run_hold_sync(env):
    pairs = env.cr.precommit.data.pop(PRECOMMIT_KEY, set())
    by_company = {}
    for partner_id, company_id in pairs:
        by_company.setdefault(company_id, []).append(partner_id)
    for company_id, partner_ids in by_company.items():
        company = env["res.company"].browse(company_id)
        partners = env["res.partner"].sudo().browse(partner_ids).with_company(company)
        # the case's stage first: a hold stage is one of the hold rules
        env["credit.collection.case"].sudo()._update_cases(company, partners)
        env["credit.hold"]._sync_partners(partners, company)


class CreditHold(models.Model):
    _inherit = "credit.hold"

    @api.model
    def _cron_sync_holds(self, batch_size=500):
        """Re-evaluate the automatic holds of every customer with open
        receivables or an open hold (aging rules fire as time passes)."""
        in_cron = bool(self.env.context.get("cron_id"))
        companies = self.env["res.company"].search([("id", "!=", False)])
        for company in companies:
            self._cron_credit_stops(company)
            partners = self._sync_candidates(company)
            for start in range(0, len(partners), batch_size):
                batch = partners[start : start + batch_size]
                self._sync_partners(batch.with_company(company), company)
                if in_cron and not self.env["ir.cron"]._commit_progress(len(batch)):
                    return

    @api.model
    def _sync_candidates(self, company):
        """The customers with unreconciled receivables or an automatic hold."""
        items = item_domain(company, open_only=False) & Domain("reconciled", "=", False)
        groups = self.env["account.move.line"].sudo()._read_group(items, ["partner_id"])
        partners = self.env["res.partner"].browse([p.id for (p,) in groups])
        return (partners | self._open_automatic(company).partner_id).sorted("id")

    @api.model
    def _open_automatic(self, company, partners=None):
        """The automatic holds of ``company`` not released (of ``partners``)."""
        domain = Domain(
            [
                ("company_id", "=", company.id),
                ("origin", "in", AUTOMATIC),
                ("state", "in", OPEN_STATES),
            ]
        )
        if partners is not None:
            domain &= Domain("partner_id", "in", partners.ids)
        return self.sudo().search(domain)

    @api.model
    def _sync_partners(self, partners, company):
        """Create, update or release the automatic holds of the commercial
        partners ``partners`` in ``company`` from their blocking rules."""
        partners = partners.commercial_partner_id.with_company(company)
        if not partners:
            return
        open_holds = self._open_automatic(company, partners)
        open_holds.reason_ids.mapped("rule")  # prefetch the reasons of the batch
        holds_by_partner = open_holds.grouped("partner_id")
        evaluate = self._blocking_evaluator(partners, company)
        for partner in partners:
            holds = holds_by_partner.get(partner, self.sudo().browse())
            # hints (one query) only where the reason lines are (re)written
            reasons = evaluate(partner, hints=False)
            if reasons:
                self._sync_blocked(partner, company, holds, reasons, evaluate)
            else:
                # nothing blocks any more: the customer paid, the limit was
                # raised…
                note = self.env._(
                    "Released automatically: no hold rule applies any more."
                )
                holds._release(note, user=self.env.ref("base.user_root"))

    @api.model
    def _blocking_evaluator(self, partners, company):
        """``evaluate(partner, hints)``: the blocking rules (but manual holds)
        of one of ``partners``, from figures read once for all of them."""
        exposures = partners._credit_exposure(company)
        batch = partners._credit_batch_data(company)

        def evaluate(partner, hints):
            reasons = partner._credit_evaluate(
                company,
                exposure=exposures.get(partner.id) or empty_exposure(),
                batch=batch,
                hints=hints,
            )
            return [r for r in blocking(reasons) if r["rule"] not in STANDING]

        return evaluate

    @api.model
    def _sync_blocked(self, partner, company, holds, reasons, evaluate):
        """``partner`` is blocked by the rules (``reasons``, without hints):
        its rule hold is created, or its reason lines rewritten when the rules
        that fire changed (not for every new day overdue)."""
        rule_holds = holds.filtered(lambda h: h.origin == "rule")
        if not rule_holds:
            hold = self.sudo().create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "origin": "rule",
                    "user_id": self.env.ref("base.user_root").id,
                }
            )
            hold._set_reasons(evaluate(partner, hints=True))
            hold.message_post(body=self.env._("Credit hold set by the hold rules."))
            return
        signature = sorted(r["rule"] for r in reasons)
        for hold in rule_holds:
            if sorted(hold.reason_ids.mapped("rule")) != signature:
                hold._set_reasons(evaluate(partner, hints=True))
