# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The figures of the collection cases (open receivables, collectability, the
worklist) and their update: create, update and close the cases of a company
from its open receivable items, daily and on events."""

import json

from odoo import api, models
from odoo.fields import Domain
from odoo.tools import SQL

from .aging import aging_bucket_key
from .case_figures_sql import (
    FIGURES_AND_WORKLIST_QUERY,
    FIGURES_QUERY,
    LOSS_AVOIDED_QUERY,
)
from .clock import credit_today
from .open_items import flush_open_items, open_items_sql

# the figures of a case (written by _write_figures when nothing else changes)
FIGURE_FIELDS = frozenset(
    {
        "amount_residual",
        "amount_overdue",
        "open_item_count",
        "amount_disputed",
        "worst_days_overdue",
        "amount_expected",
        "amount_lost_per_day",
        "amount_loss_avoided",
        "next_stage_days",
    }
)

# a case whose customer paid everything: nothing open, back to the first stage
CLOSED_CASE_VALUES = {
    "active": False,
    "amount_residual": 0.0,
    "amount_overdue": 0.0,
    "open_item_count": 0,
    "amount_disputed": 0.0,
    "worst_days_overdue": 0,
    "amount_expected": 0.0,
    "amount_lost_per_day": 0.0,
    "amount_loss_avoided": 0.0,
    "next_stage_days": 0,
    "is_pinned": False,
    "pin_reason": False,
    "pin_expiry": False,
}


class TierLadders:
    """The stage ladder of each customer of ``company``: its credit tier's
    (tiers may move the stage thresholds), the company's for a tier that moves
    none. ``partner_ids``: commercial partners."""

    def __init__(self, env, company, partner_ids):
        self.company = company
        self.stages = env["credit.collection.stage"]
        self.default = self.stages._ladder(company)
        self.default_policy = env["credit.collection.policy"]._get_default(company)
        partners = env["res.partner"].browse(partner_ids).with_company(company).sudo()
        self.policy_of = {
            p.id: p.credit_policy_id or self.default_policy for p in partners
        }
        self.ladders = {}

    def policy(self, partner_id):
        return self.policy_of.get(partner_id, self.default_policy)

    def ladder(self, partner_id):
        policy = self.policy(partner_id)
        if policy not in self.ladders:
            self.ladders[policy] = (
                self.stages._ladder(self.company, policy)
                if policy.stage_threshold_ids
                else self.default
            )
        return self.ladders[policy]


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    # horizon of the worklist on the last stage of a ladder (days)
    LAST_STAGE_HORIZON = 30

    # ----------------------------------------------------------------- figures
    @api.model
    def _case_figures(self, company, partners=None, curve=None, ladders=None):
        """Open receivable figures per commercial partner of ``company`` in one
        grouped query: residual, overdue, open items, disputed amount, the
        days overdue of the worst escalatable (not fully disputed) item, and
        on the collectability ``curve`` (default: the company's) the expected
        collectible and the value lost per day. The key ``worst_due`` (the due
        date of the worst escalatable item) is not a case field. With the
        ``ladders`` of ``partners`` (``TierLadders``), the worklist's figures
        come from the same query (``FIGURES_AND_WORKLIST_QUERY``) instead of
        ``worst_due``."""
        today = credit_today(self.env, company)
        open_items = open_items_sql(
            self.env, company, partners.ids if partners is not None else None
        )
        curve = curve or self.env["credit.collectability.curve"]._get_active(company)
        self.env["credit.promise"].flush_model(
            ["state", "date_deadline", "invoice_ids", "approved_by_id"]
        )
        if ladders is not None:
            return self._case_and_worklist_figures(
                today, curve, open_items, partners, ladders
            )
        query = SQL(FIGURES_QUERY, **self._items_params(today, curve, open_items))
        return {
            row["partner_id"]: self._figures_of_row(row, today)
            for row in self.env.execute_query_dict(query)
        }

    @api.model
    def _items_params(self, today, curve, open_items, horizon=False):
        """The parameters of the figures' CTEs (case_figures_sql.py): the open
        items, their age on ``curve`` and the curve's SQL on it, today,
        tomorrow and, with ``horizon``, at the horizon's days."""
        params = {
            "today": today,
            "open_items": open_items,
            "age": curve._age_sql(today),
            "p_now": curve._probability_sql(SQL("item.age")),
            "p_tomorrow": curve._probability_sql(SQL("(item_p.age + 1)")),
        }
        if horizon:
            age_then = SQL(
                "(item_p.age + %s)", self._worklist_horizon(curve.company_id)
            )
            params["p_later"] = curve._probability_sql(age_then)
        return params

    @api.model
    def _worklist_horizon(self, company):
        """The worklist's horizon (days), the same for every case of
        ``company``: the loss avoided is what the chaseable items lose on the
        curve over it."""
        return company.sudo().credit_worklist_horizon_days or 30

    @api.model
    def _case_and_worklist_figures(self, today, curve, open_items, partners, ladders):
        """``_case_figures`` of ``partners`` with their worklist figures (days
        to the next stage, loss avoided over the fixed horizon), in one
        query."""
        query = SQL(
            FIGURES_AND_WORKLIST_QUERY,
            **self._items_params(today, curve, open_items, horizon=True),
            ladders=json.dumps(
                {
                    str(partner_id): self._ladder_thresholds(ladders.ladder(partner_id))
                    for partner_id in partners.ids
                }
            ),
            last=self.LAST_STAGE_HORIZON,
        )
        figures = {}
        for row in self.env.execute_query_dict(query):
            values = self._figures_of_row(row, today)
            del values["worst_due"]
            values["next_stage_days"] = row["next_stage_days"]
            values["amount_loss_avoided"] = row["loss_avoided"] or 0.0
            figures[row["partner_id"]] = values
        return figures

    @api.model
    def _figures_of_row(self, row, today):
        worst = (today - row["worst_due"]).days if row["worst_due"] else 0
        return {
            "amount_residual": row["residual"] or 0.0,
            "amount_overdue": row["overdue"] or 0.0,
            "open_item_count": row["items"],
            "amount_disputed": row["disputed"] or 0.0,
            "worst_days_overdue": max(worst, 0),
            "amount_expected": row["expected"] or 0.0,
            "amount_lost_per_day": row["lost_per_day"] or 0.0,
            "worst_due": row["worst_due"],
        }

    @api.model
    def _add_worklist_figures(self, company, curve, figures, ladder_for, today):
        """The worklist: what waiting the company's fixed horizon costs. Adds
        the days to the next stage and the expected loss avoided to
        ``figures`` (and drops their ``worst_due``); ``ladder_for`` gives a
        partner's ladder."""
        for partner_id, values in figures.items():
            values["next_stage_days"] = self._next_stage_days(
                ladder_for(partner_id), values.pop("worst_due"), today
            )
        loss_avoided = self._case_loss_avoided(company, curve, list(figures), today)
        for partner_id, values in figures.items():
            values["amount_loss_avoided"] = loss_avoided.get(partner_id, 0.0)

    @api.model
    def _ladder_thresholds(self, ladder):
        """The days overdue each stage of ``ladder`` starts at, in its order:
        a tier's own thresholds come in the ladder's context."""
        thresholds = ladder.env.context.get("credit_collection_thresholds") or {}
        return [thresholds.get(stage.id, stage.min_days_overdue) for stage in ladder]

    @api.model
    def _next_stage_days(self, ladder, worst_due, today):
        """Days until the worst escalatable item (due ``worst_due``) reaches
        the threshold of the stage after the one it is in on ``ladder``;
        ``LAST_STAGE_HORIZON`` on the last stage, 0 without such an item."""
        if not worst_due:
            return 0
        days = (today - worst_due).days
        for threshold in self._ladder_thresholds(ladder):
            if threshold > max(days, 0):
                return threshold - days
        return self.LAST_STAGE_HORIZON

    @api.model
    def _case_loss_avoided(self, company, curve, partner_ids, today):
        """Per partner of ``partner_ids``, in one grouped query: sum of the
        chaseable items' (owed, past due, not promised) undisputed residual
        times (p(age) - p(age + horizon)), the company's fixed horizon."""
        partner_ids = list(partner_ids)
        if not partner_ids:
            return {}
        self.env["credit.promise"].flush_model(
            ["state", "date_deadline", "invoice_ids"]
        )
        open_items = open_items_sql(self.env, company, partner_ids)
        query = SQL(
            LOSS_AVOIDED_QUERY,
            **self._items_params(today, curve, open_items, horizon=True),
        )
        return dict(self.env.execute_query(query))

    # ------------------------------------------------------------- the update
    @api.model
    def _update_cases(self, company, partners=None):
        """Create, update and close the cases of ``company`` (of ``partners``
        only, when given) from the open receivables. Writes only what changed,
        so a second run changes nothing. Returns the cases touched."""
        today = credit_today(self.env, company)
        curve = self.env["credit.collectability.curve"]._get_active(company)
        if partners is not None:  # a batch: the worklist in the same query
            ladders = TierLadders(self.env, company, partners.ids)
            figures = self._case_figures(company, partners, curve, ladders)
        else:
            figures = self._case_figures(company, curve=curve)
            ladders = TierLadders(self.env, company, list(figures))
            self._add_worklist_figures(company, curve, figures, ladders.ladder, today)
        cases = self._case_writer().search(
            self._cases_to_update_domain(company, partners, figures)
        )
        touched = self._apply_figures(company, cases, figures, ladders, today)
        # promises: after the figures are up to date
        touched |= self._settle_promises(company, partners, today)
        return touched | self._close_paid_cases(cases, figures, ladders.default)

    @api.model
    def _case_writer(self):
        """The cases as the stage machine writes them: closed ones too,
        tracked, without a creation note or followers."""
        return self.sudo().with_context(
            active_test=False,
            tracking_disable=False,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
        )

    @api.model
    def _cases_to_update_domain(self, company, partners, figures):
        """The cases of ``partners`` (closed ones too); without partners, the
        open cases and those of the customers with open items."""
        domain = Domain("company_id", "=", company.id)
        if partners is not None:
            return domain & Domain("partner_id", "in", partners.ids)
        return domain & (
            Domain("active", "=", True) | Domain("partner_id", "in", list(figures))
        )

    @api.model
    def _apply_figures(self, company, cases, figures, ladders, today):
        """Write ``figures`` on ``cases`` (only what changed) and create the
        missing cases; returns the cases written or created."""
        by_partner = {case.partner_id.id: case for case in cases}
        touched_ids = []
        to_create = []
        figures_only = {}
        for partner_id, values in figures.items():
            values = dict(values, policy_id=ladders.policy(partner_id).id or False)
            ladder = ladders.ladder(partner_id)
            stage = self.env["credit.collection.stage"]._stage_for_days(
                ladder, values["worst_days_overdue"]
            )
            case = by_partner.get(partner_id)
            if not case:
                to_create.append(
                    dict(
                        values,
                        partner_id=partner_id,
                        company_id=company.id,
                        stage_id=stage.id,
                    )
                )
            elif changes := self._case_changes(
                case, values, stage, ladder, today, company.currency_id
            ):
                if changes.keys() <= FIGURE_FIELDS:
                    figures_only[case] = changes
                else:
                    self._write_case(case, changes)
                touched_ids.append(case.id)
        self._write_figures(figures_only)
        touched = cases.browse(touched_ids)
        if to_create:
            touched |= cases.create(to_create)
        return touched

    @api.model
    def _write_figures(self, changes):
        """Write ``changes`` ({case: figures}) in a few UPDATE statements, not
        one ORM write per case: every day, most cases' figures change (days
        overdue, expected collectible, ...) and nothing else. The figures are
        not tracked and no stored field but the aging bucket depends on them:
        it is written with them; monetary figures are rounded as the ORM
        rounds them. What is cached of them is invalidated."""
        if not changes:
            return
        cases = self.browse([case.id for case in changes])
        currency = cases.company_id.currency_id[:1]
        vals_list = []
        for values in changes.values():
            vals = {
                name: currency.round(value)
                if self._fields[name].type == "monetary"
                else value
                for name, value in values.items()
            }
            if "worst_days_overdue" in vals:
                vals["aging_bucket"] = aging_bucket_key(vals["worst_days_overdue"])
            vals_list.append(vals)
        names = list(set().union(*vals_list) | {"write_uid", "write_date"})
        cases.flush_recordset(names)
        cases._write_multi(vals_list)
        cases.invalidate_recordset(names)

    @api.model
    def _write_case(self, case, changes):
        """Write ``changes`` on ``case``, through the chatter's tracking only
        when a tracked field changes: the daily figures are not tracked, and
        preparing the tracking of every case costs more than writing it."""
        if not changes.keys() & case._track_get_fields():
            case = case.with_context(tracking_disable=True)
        case.write(changes)

    @api.model
    def _case_changes(self, case, values, stage, ladder, today, currency):
        """What brings ``case`` up to its figures ``values`` and its computed
        ``stage`` on its ``ladder`` (unless a pin holds the stage); amounts
        compared in ``currency``, the company's."""
        changes = self._changed_figures(case, values, currency)
        if not case.active:
            changes["active"] = True
        pinned = case.is_pinned
        residual = values["amount_residual"]
        if pinned and self._pin_lapsed(case, residual, today, currency):
            # the pin expired, or a payment came in
            changes.update(is_pinned=False, pin_reason=False, pin_expiry=False)
            pinned = False
        if not pinned:
            changes.update(self._stage_changes(case, stage, ladder[:1]))
        return changes

    @api.model
    def _changed_figures(self, case, values, currency):
        """The figures of ``values`` that differ from the case's."""
        return {
            key: value
            for key, value in values.items()
            if (
                currency.compare_amounts(case[key], value) != 0
                if key.startswith("amount_")
                else case[key].id != value
                if key == "policy_id"
                else case[key] != value
            )
        }

    @api.model
    def _pin_lapsed(self, case, residual, today, currency):
        """A pin lapses when it expires or a payment comes in (the residual
        went down since the case was pinned)."""
        return bool(
            (case.pin_expiry and case.pin_expiry < today)
            or currency.compare_amounts(residual, case.pin_residual) < 0
        )

    @api.model
    def _stage_changes(self, case, stage, first_stage):
        """Move the case to the computed ``stage`` (not out of a manual
        stage); back on the ``first_stage``, a new escalation cycle starts."""
        if not stage or case.stage_id == stage or case.stage_id.is_manual:
            return {}
        changes = {"stage_id": stage.id}
        if stage == first_stage:
            # nothing overdue any more: the next escalation is a new cycle
            changes["escalation_cycle"] = case.escalation_cycle + 1
        return changes

    @api.model
    def _settle_promises(self, company, partners, today):
        """Open promises are kept when paid, broken after their deadline (the
        case then moves one stage up, pinned). Returns the cases of the broken
        ones."""
        domain = Domain("company_id", "=", company.id) & Domain("state", "=", "open")
        if partners is not None:
            domain &= Domain("partner_id", "in", partners.ids)
        promises = self.env["credit.promise"].sudo().search(domain)
        return promises._evaluate(today).case_id

    @api.model
    def _close_paid_cases(self, cases, figures, ladder):
        """Everything paid: the open ``cases`` without figures close, back on
        the first stage of ``ladder``, for a new escalation cycle. A case in a
        manual stage (Written off: its items reconciled by the write-off)
        stays in it, open, its figures at zero, until a manager moves it."""
        closed = cases.filtered(lambda c: c.active and c.partner_id.id not in figures)
        manual = closed.filtered(lambda c: c.stage_id.is_manual)
        closed -= manual
        kept = self._zero_figures(manual)
        if closed:
            closed.write(dict(CLOSED_CASE_VALUES, stage_id=ladder[:1].id))
            for case in closed:
                case.escalation_cycle += 1
        return closed | kept

    @api.model
    def _zero_figures(self, cases):
        """The figures of ``cases`` set to zero where they are not yet (their
        stage and their being open kept). Returns those written."""
        zero = {k: v for k, v in CLOSED_CASE_VALUES.items() if k in FIGURE_FIELDS}
        stale = cases.filtered(lambda c: any(c[k] != v for k, v in zero.items()))
        self._write_figures(dict.fromkeys(stale, zero))
        return stale

    # ---------------------------------------------------------------- the cron
    @api.model
    def _cron_update_cases(self, batch_size=2000):
        """Daily: every company's cases, in batches of partners; progress is
        committed so that an interrupted run resumes where it stopped (the
        update is idempotent)."""
        in_cron = bool(self.env.context.get("cron_id"))
        # the exposure ledger back to one row per customer and due date
        self.env["credit.exposure.entry"].sudo()._rebuild()
        for company in self.env["res.company"].search(Domain("id", "!=", False)):
            partner_ids = self._partner_ids_to_update(company)
            for batch in self._partner_batches(partner_ids, batch_size):
                self._update_cases(company, batch)
                if in_cron and not self.env["ir.cron"]._commit_progress(len(batch)):
                    return

    @api.model
    def _partner_ids_to_update(self, company):
        """The customers of ``company`` with open items or an open case, in
        id order (the daily run's batches). The open items are listed from
        the exposure ledger (a customer's rows, not its items): the figures
        are computed once, batch by batch, by ``_update_cases``."""
        flush_open_items(self.env)  # what the ledger's triggers follow
        self.flush_model(["company_id", "partner_id", "active"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT entry.partner_id
              FROM credit_exposure_entry entry
             WHERE entry.company_id = %(company)s
          GROUP BY entry.partner_id
            HAVING SUM(entry.residual_pos) <> 0 OR SUM(entry.residual_neg) <> 0
             UNION
            SELECT case_.partner_id
              FROM credit_collection_case case_
             WHERE case_.company_id = %(company)s AND case_.active
          ORDER BY 1
                """,
                company=company.id,
            )
        )
        return [partner_id for (partner_id,) in rows]

    @api.model
    def _partner_batches(self, partner_ids, batch_size):
        """``partner_ids`` as partner records, ``batch_size`` at a time."""
        for start in range(0, len(partner_ids), batch_size):
            yield self.env["res.partner"].browse(
                partner_ids[start : start + batch_size]
            )
