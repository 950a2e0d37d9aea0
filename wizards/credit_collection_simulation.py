# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Dry run of the escalation: what a run would do on a date, with a tier's
changes not saved yet — stage changes, reminders, letters, fees, holds set
and lifted, the quotations that would be blocked. The real run's code runs
inside a savepoint that is always rolled back: nothing is written or sent."""

import copy

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..models.clock import credit_today
from ..models.credit_collection_action_errors import MAX_ATTEMPTS
from ..models.unmatched_payments import unmatched_payments


class CreditCollectionSimulation(models.TransientModel):
    _name = "credit.collection.simulation"
    _description = "Escalation Dry Run"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        required=True,
        default=lambda self: credit_today(self.env),
        help="Simulate the run of this day (days overdue are counted to it).",
    )
    policy_id = fields.Many2one(
        "credit.collection.policy",
        string="Try Changes on Tier",
        domain="[('company_id', '=', company_id)]",
        help="Edit this tier's rules below to see their effect before saving "
        "them on the tier.",
    )
    use_credit_limit = fields.Boolean(string="Credit Limit Rule")
    default_credit_limit = fields.Monetary(currency_field="currency_id")
    use_overdue_amount = fields.Boolean(string="Overdue Amount Rule")
    overdue_amount_threshold = fields.Monetary(currency_field="currency_id")
    use_overdue_days = fields.Boolean(string="Overdue Days Rule")
    overdue_days_threshold = fields.Integer(string="Maximum Days Overdue")
    reminder_interval_days = fields.Integer(string="Days Between Reminders")
    legal_notice_days = fields.Integer(string="Notice Before Hand-over (Days)")
    interest_rate = fields.Float(string="Late Interest (% a Year)", digits=(6, 4))
    compensation_amount = fields.Monetary(
        string="Fixed Compensation per Invoice", currency_field="currency_id"
    )
    threshold_ids = fields.One2many(
        "credit.collection.simulation.threshold",
        "simulation_id",
        string="Stage Thresholds",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("queued", "Running in the background"),
            ("done", "Simulated"),
        ],
        default="draft",
        required=True,
    )
    line_ids = fields.One2many(
        "credit.collection.simulation.line", "simulation_id", string="Customers"
    )
    stage_change_count = fields.Integer(string="Stage Changes", readonly=True)
    email_count = fields.Integer(string="Reminder Emails", readonly=True)
    letter_count = fields.Integer(string="Letters", readonly=True)
    activity_count = fields.Integer(string="Activities", readonly=True)
    waiting_count = fields.Integer(string="Held Back / Waiting", readonly=True)
    fee_total = fields.Monetary(string="Fees and Interest", readonly=True)
    hold_set_count = fields.Integer(string="Holds Set", readonly=True)
    hold_lifted_count = fields.Integer(string="Holds Lifted", readonly=True)
    blocked_order_total = fields.Monetary(
        string="Quotations Blocked",
        readonly=True,
        help="Value of the open quotations of the customers that would be on hold.",
    )

    _POLICY_FIELDS = (
        "use_credit_limit",
        "default_credit_limit",
        "use_overdue_amount",
        "overdue_amount_threshold",
        "use_overdue_days",
        "overdue_days_threshold",
        "reminder_interval_days",
        "legal_notice_days",
        "interest_rate",
        "compensation_amount",
    )

    @api.onchange("policy_id")
    def _onchange_policy_id(self):
        policy = self.policy_id
        for name in self._POLICY_FIELDS:
            self[name] = policy[name] if policy else False
        self.threshold_ids = [Command.clear()] + [
            Command.create(
                {
                    "stage_id": line.stage_id.id,
                    "min_days_overdue": line.min_days_overdue,
                }
            )
            for line in policy.stage_threshold_ids
        ]

    def _policy_changes(self):
        self.ensure_one()
        policy = self.policy_id
        values = {
            name: self[name]
            for name in self._POLICY_FIELDS
            if self[name] != policy[name] and not (not self[name] and not policy[name])
        }
        current = {
            (line.stage_id, line.min_days_overdue)
            for line in policy.stage_threshold_ids
        }
        wanted = {(line.stage_id, line.min_days_overdue) for line in self.threshold_ids}
        if current != wanted:
            values["stage_threshold_ids"] = [Command.clear()] + [
                Command.create({"stage_id": stage.id, "min_days_overdue": days})
                for stage, days in wanted
            ]
        return values

    # ----------------------------------------------------------------- run
    # above this many open cases in the company, the dry run runs in the
    # background (the escalation job's cron) and the user is notified
    BACKGROUND_CASES = 2000

    def action_simulate(self):
        self.ensure_one()
        self.env["credit.hold"]._check_manager()
        cases = (
            self.env["credit.collection.case"]
            .sudo()
            .search_count(
                [("company_id", "=", self.company_id.id), ("active", "=", True)]
            )
        )
        if cases > self.BACKGROUND_CASES:
            self.state = "queued"
            self.env.ref(
                "account_credit_collection.ir_cron_escalation_dry_run"
            )._trigger()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "title": self.env._("Escalation dry run"),
                    "message": self.env._(
                        "%(cases)s open cases: the dry run runs in the background. "
                        "A message in your inbox opens the result when it is ready.",
                        cases=cases,
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        self._run_and_store()
        return self._reopen()

    def _run_and_store(self):
        result = self._simulate()
        self.write(
            dict(
                result["summary"],
                state="done",
                line_ids=[Command.clear()]
                + [Command.create(line) for line in result["lines"]],
            )
        )

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Escalation Dry Run"),
        }

    @api.model
    def _cron_run_queued(self):
        """The dry runs queued by their managers: run each as its manager,
        commit, and tell the manager in their inbox."""
        for wizard in self.sudo().search([("state", "=", "queued")], order="id"):
            user = wizard.create_uid
            wizard = wizard.with_user(user).with_company(wizard.company_id)
            wizard._run_and_store()
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=user.partner_id.ids,
                subject=self.env._("Escalation dry run ready"),
                body=Markup("<p>%s <a href='/odoo/action-%s/%s'>%s</a></p>")
                % (
                    self.env._(
                        "The dry run of %(date)s: %(changes)s stage changes, "
                        "%(emails)s reminders, %(holds)s holds set.",
                        date=wizard.date,
                        changes=wizard.stage_change_count,
                        emails=wizard.email_count,
                        holds=wizard.hold_set_count,
                    ),
                    "account_credit_collection.credit_collection_simulation_action",
                    wizard.id,
                    self.env._("Open the result"),
                ),
            )
            if self.env.context.get("cron_id"):
                self.env["ir.cron"]._commit_progress(1)

    def _simulate(self):
        """Run the real code in a savepoint, read what it did, roll back."""
        company = self.company_id
        date = self.date
        env = self.env(
            su=True,
            context=dict(
                self.env.context,
                credit_collection_date=date,
                tracking_disable=True,
                mail_notrack=True,
                mail_create_nolog=True,
                mail_notify_force_send=False,
                allowed_company_ids=[company.id],
            ),
        )
        cr = env.cr
        postcommit = list(cr.postcommit._funcs)
        postcommit_data = {k: copy.copy(v) for k, v in cr.postcommit.data.items()}
        savepoint = cr.savepoint()
        try:
            return self._simulate_in_savepoint(env, company, date)
        finally:
            savepoint.close(rollback=True)
            # nothing queued for after the commit (mails, bus notifications)
            cr.postcommit._funcs.clear()
            cr.postcommit._funcs.extend(postcommit)
            cr.postcommit.data.clear()
            cr.postcommit.data.update(postcommit_data)
            self.env.invalidate_all()

    def _simulate_in_savepoint(self, env, company, date):
        """The run's steps on the tier's changes, then what they changed."""
        before_stage, before_holds = self._snapshot(env, company)
        if self.policy_id:
            changes = self._policy_changes()
            if changes:
                self.policy_id.with_env(env).write(changes)
        cases, partners, after_holds = self._run_cases_and_holds(
            env, company, before_holds
        )
        due = self._plan_due_actions(env, company, cases, date)
        payments = unmatched_payments(
            self.env, partners.commercial_partner_id.ids, company
        )
        per_partner = {}
        summary = _summary()
        self._simulate_actions(due, date, payments, per_partner, summary)
        after_stage = {case.partner_id.id: case.stage_id for case in cases}
        _record_stage_changes(before_stage, after_stage, per_partner, summary)
        _record_hold_changes(before_holds, after_holds, per_partner, summary)
        blocked_orders = self._blocked_orders(env, company, after_holds)
        summary["blocked_order_total"] = sum(blocked_orders.values())
        for partner_id in blocked_orders:
            per_partner.setdefault(partner_id, _line())
        no_stage = env["credit.collection.stage"]
        lines = [
            _result_line(
                partner_id,
                line,
                before_stage.get(partner_id, no_stage),
                after_stage.get(partner_id, no_stage),
                blocked_orders.get(partner_id, 0.0),
            )
            for partner_id, line in per_partner.items()
            if _line_shows(line, blocked_orders.get(partner_id))
        ]
        return {"summary": summary, "lines": lines}

    @api.model
    def _held_partner_ids(self, env, company):
        hold_domain = Domain("company_id", "=", company.id) & Domain(
            "state", "=", "active"
        )
        return set(env["credit.hold"].search(hold_domain).partner_id.ids)

    @api.model
    def _snapshot(self, env, company):
        """({customer: stage} of the active cases, customers on hold) now."""
        Case = env["credit.collection.case"].with_context(active_test=False)
        before_stage = {
            case.partner_id.id: case.stage_id
            for case in Case.search([("company_id", "=", company.id)])
            if case.active
        }
        return before_stage, self._held_partner_ids(env, company)

    @api.model
    def _run_cases_and_holds(self, env, company, before_holds):
        """Update the cases and synchronise the holds as the run does:
        (active cases, their customers and those on hold before, customers on
        hold after)."""
        Case = env["credit.collection.case"].with_context(active_test=False)
        Case._update_cases(company)
        cases = Case.search([("company_id", "=", company.id), ("active", "=", True)])
        partners = (
            env["res.partner"]
            .browse(set(cases.partner_id.ids) | before_holds)
            .with_company(company)
        )
        self.env["credit.hold"]._sync_partners(partners, company)
        env.flush_all()
        return cases, partners, self._held_partner_ids(env, company)

    @api.model
    def _plan_due_actions(self, env, company, cases, date):
        """Plan the cases' actions; the actions due on ``date``."""
        Action = env["credit.collection.action"]
        Action._plan(cases, date)
        return Action.search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("planned", "failed")),
                ("date_planned", "<=", date),
            ]
        )

    def _simulate_actions(self, due, date, payments, per_partner, summary):
        """What the due actions would do (read only: skip and wait reasons,
        fee amounts), per customer and in the summary."""
        currency = self.company_id.currency_id
        labels = dict(due._fields["action_type"]._description_selection(self.env))
        for action in due:
            if action.state == "failed" and action.attempt_count >= MAX_ATTEMPTS:
                continue
            line = per_partner.setdefault(action.partner_id.id, _line())
            if action._skip_reason():
                continue
            blocked, _until = action._blocked_reason(date, payments)
            if blocked:
                line["waiting"].append(blocked)
                summary["waiting_count"] += 1
                continue
            if action.action_type == "fee":
                amount = sum(
                    v["price_unit"]
                    for v in action.case_id._fee_lines(date, action.rule_id)
                )
                if not amount:
                    continue
                line["fee_amount"] += amount
                summary["fee_total"] += amount
                line["actions"].append(f"{labels['fee']} ({currency.format(amount)})")
                continue
            line["actions"].append(action._simulation_label(labels))
            key = {
                "email": "email_count",
                "letter": "letter_count",
                "activity": "activity_count",
            }.get(action.action_type)
            if key:
                summary[key] += 1

    @api.model
    def _blocked_orders(self, env, company, partner_ids):
        """{partner: value of its open quotations} for customers on hold."""
        if not partner_ids:
            return {}
        groups = env["sale.order"]._read_group(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("draft", "sent")),
                ("partner_id.commercial_partner_id", "in", list(partner_ids)),
            ],
            ["partner_id"],
            ["amount_total:sum"],
        )
        result = {}
        for partner, amount in groups:
            key = partner.commercial_partner_id.id
            result[key] = result.get(key, 0.0) + amount
        return result

    def action_back(self):
        self.ensure_one()
        if self.state != "done":
            raise UserError(self.env._("Run the simulation first."))
        self.write({"state": "draft", "line_ids": [Command.clear()]})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


def _line():
    return {
        "actions": [],
        "waiting": [],
        "fee_amount": 0.0,
        "hold": None,
        "moves": False,
    }


def _summary():
    summary = dict.fromkeys(
        (
            "stage_change_count",
            "email_count",
            "letter_count",
            "activity_count",
            "waiting_count",
            "hold_set_count",
            "hold_lifted_count",
        ),
        0,
    )
    summary["fee_total"] = 0.0
    return summary


def _record_stage_changes(before_stage, after_stage, per_partner, summary):
    for partner_id in set(before_stage) | set(after_stage):
        if before_stage.get(partner_id) != after_stage.get(partner_id):
            line = per_partner.setdefault(partner_id, _line())
            line["moves"] = True
            summary["stage_change_count"] += 1


def _record_hold_changes(before_holds, after_holds, per_partner, summary):
    for partner_id in after_holds - before_holds:
        per_partner.setdefault(partner_id, _line())["hold"] = "set"
        summary["hold_set_count"] += 1
    for partner_id in before_holds - after_holds:
        per_partner.setdefault(partner_id, _line())["hold"] = "lifted"
        summary["hold_lifted_count"] += 1


def _line_shows(line, blocked_amount):
    """Whether a customer's line says anything."""
    return bool(
        line["actions"]
        or line["moves"]
        or line["hold"]
        or line["waiting"]
        or blocked_amount
    )


def _result_line(partner_id, line, stage_from, stage_to, blocked_amount):
    return {
        "partner_id": partner_id,
        "stage_from_id": stage_from.id,
        "stage_to_id": stage_to.id,
        "actions": ", ".join(line["actions"]),
        "waiting": "; ".join(line["waiting"]),
        "fee_amount": line["fee_amount"],
        "hold_change": line["hold"] or False,
        "blocked_order_amount": blocked_amount,
    }


class CreditCollectionSimulationThreshold(models.TransientModel):
    _name = "credit.collection.simulation.threshold"
    _description = "Escalation Dry Run: Stage Threshold"

    simulation_id = fields.Many2one(
        "credit.collection.simulation", required=True, ondelete="cascade"
    )
    stage_id = fields.Many2one(
        "credit.collection.stage", required=True, domain="[('is_manual', '=', False)]"
    )
    min_days_overdue = fields.Integer(string="From Days Overdue", required=True)


class CreditCollectionSimulationLine(models.TransientModel):
    _name = "credit.collection.simulation.line"
    _description = "Escalation Dry Run: Customer"
    _order = "blocked_order_amount desc, fee_amount desc, id"

    simulation_id = fields.Many2one(
        "credit.collection.simulation", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="simulation_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    stage_from_id = fields.Many2one(
        "credit.collection.stage", string="Stage Now", readonly=True
    )
    stage_to_id = fields.Many2one(
        "credit.collection.stage", string="Stage Then", readonly=True
    )
    actions = fields.Char(string="Would Do", readonly=True)
    waiting = fields.Char(string="Would Wait", readonly=True)
    fee_amount = fields.Monetary(string="Fees", readonly=True)
    hold_change = fields.Selection(
        [("set", "Hold set"), ("lifted", "Hold lifted")], string="Hold", readonly=True
    )
    blocked_order_amount = fields.Monetary(string="Quotations Blocked", readonly=True)
