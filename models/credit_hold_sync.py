# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The automatic holds follow the hold rules: set when a blocking rule fires,
their reasons rewritten when the rules that fire change, released when none
does. Re-evaluated right before a transaction that changed a customer's
receivables commits (``schedule_hold_sync``) and hourly (the cron)."""

import logging

from odoo import api, models
from odoo.fields import Domain

from .clock import credit_today
from .credit_exposure import empty_exposure
from .credit_rules import blocking, overdue_items_by_partner
from .open_items import item_domain

_logger = logging.getLogger(__name__)

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
        partners ``partners`` in ``company`` from their blocking rules: the
        new holds and their reason lines in one create each, the releases in
        one write (``_apply_sync``)."""
        partners = partners.commercial_partner_id.with_company(company)
        if not partners:
            return
        open_holds = self._open_automatic(company, partners)
        open_holds.reason_ids.mapped("rule")  # prefetch the reasons of the batch
        holds_by_partner = open_holds.grouped("partner_id")
        evaluate = self._blocking_evaluator(partners, company)
        to_create, to_rewrite, to_release = [], [], []
        for partner in partners:
            holds = holds_by_partner.get(partner, self.sudo().browse())
            # hints only where the reason lines are (re)written
            reasons = evaluate(partner, hints=False)
            if not reasons:
                # nothing blocks any more: the customer paid, the limit was
                # raised…
                to_release += holds.ids
                continue
            rule_holds = holds.filtered(lambda h: h.origin == "rule")
            if not rule_holds:
                to_create.append(partner)
                continue
            # rewritten when the rules that fire changed (not for every new
            # day overdue)
            signature = sorted(r["rule"] for r in reasons)
            to_rewrite += [
                hold
                for hold in rule_holds
                if sorted(hold.reason_ids.mapped("rule")) != signature
            ]
        self._apply_sync(company, evaluate, to_create, to_rewrite, to_release)

    @api.model
    def _apply_sync(self, company, evaluate, to_create, to_rewrite, to_release):
        """Create the rule holds of the partners ``to_create``, rewrite the
        reasons of the holds ``to_rewrite``, release the holds ``to_release``
        (ids)."""
        hinted = {p.id for p in to_create} | {h.partner_id.id for h in to_rewrite}
        # the hints of the whole batch in one query
        evaluate.read_hints(hinted)
        self._create_rule_holds(company, evaluate, to_create)
        for hold in to_rewrite:
            hold._set_reasons(evaluate(hold.partner_id, hints=True))
        if to_release:
            note = self.env._("Released automatically: no hold rule applies any more.")
            self.sudo().browse(to_release)._release(
                note, user=self.env.ref("base.user_root")
            )
        if to_create or to_release:
            _logger.info(
                "Hold rules in %s: %s credit holds set, %s released",
                company.name,
                len(to_create),
                len(to_release),
            )

    @api.model
    def _create_rule_holds(self, company, evaluate, partners):
        """The rule holds of ``partners`` (blocked, without one) and their
        reason lines, in one create each: no chatter message, follower or
        tracking per hold — the hold itself records the event (origin Hold
        rule, set by OdooBot, set on its creation date, its reason lines)."""
        if not partners:
            return self.sudo().browse()
        root = self.env.ref("base.user_root")
        holds = (
            self.sudo()
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
            )
            .create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "origin": "rule",
                        "user_id": root.id,
                    }
                    for partner in partners
                ]
            )
        )
        self.env["credit.hold.reason"].sudo().create(
            [
                {"hold_id": hold.id, **self._reason_values(reason)}
                for hold, partner in zip(holds, partners, strict=True)
                for reason in evaluate(partner, hints=True)
            ]
        )
        return holds

    @api.model
    def _blocking_evaluator(self, partners, company):
        """``evaluate(partner, hints)``: the blocking rules (but manual holds)
        of one of ``partners``, from figures read once for all of them;
        ``evaluate.read_hints(partner_ids)`` reads the overdue items the
        hints of these partners list in one query."""
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

        def read_hints(partner_ids):
            if partner_ids:
                today = credit_today(self.env, company)
                batch["overdue"] = overdue_items_by_partner(
                    self.env, company, today, partner_ids
                )

        evaluate.read_hints = read_hints
        return evaluate
