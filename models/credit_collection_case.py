# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import retrying
from odoo.tools import SQL, format_amount, format_date

from .aging import AGING_SELECTION, aging_bucket_key, aging_labels
from .clock import credit_today
from .open_items import open_items_sql


class CreditCollectionCase(models.Model):
    """The collection file of a customer in a company: one per commercial
    partner and company with open receivables. The collections kanban."""

    _name = "credit.collection.case"
    _description = "Collection Case"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "worst_days_overdue desc, amount_overdue desc, id"
    _check_company_auto = True
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True, readonly=True, tracking=True)
    stage_id = fields.Many2one(
        "credit.collection.stage",
        index=True,
        tracking=True,
        ondelete="restrict",
        copy=False,
        group_expand="_read_group_stage_ids",
        domain="[('company_id', 'in', (company_id, False))]",
    )
    date_stage = fields.Datetime(
        string="In Stage Since", readonly=True, default=fields.Datetime.now
    )
    days_in_stage = fields.Integer(compute="_compute_days_in_stage")
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        tracking=True,
        domain="[('share', '=', False)]",
        index=True,
    )
    salesperson_id = fields.Many2one(
        related="partner_id.user_id", string="Salesperson", store=True, index=True
    )
    next_action_date = fields.Date(tracking=True)
    worst_days_overdue = fields.Integer(
        readonly=True,
        help="Days overdue of the oldest escalatable item (not disputed).",
    )
    amount_overdue = fields.Monetary(readonly=True)
    amount_residual = fields.Monetary(string="Total Due", readonly=True)
    amount_disputed = fields.Monetary(readonly=True)
    open_item_count = fields.Integer(string="Open Items", readonly=True)
    # collectability (the company's active curve)
    amount_expected = fields.Monetary(
        string="Expected Collectible",
        readonly=True,
        help="Sum of the open items' residual times the probability of collecting "
        "them at their age, on the company's collectability curve (credits count "
        "in full).",
    )
    amount_lost_per_day = fields.Monetary(
        string="Value Lost per Day",
        readonly=True,
        help="What one more day of delay costs: sum of the open items' residual "
        "times the drop of the collectability curve over the next day.",
    )
    amount_loss_avoided = fields.Monetary(
        string="Expected Loss Avoided",
        readonly=True,
        help="What is lost if the case waits until it reaches its next stage: "
        "sum of the open items' residual times (p(age now) - p(age then)). The "
        "worklist is ranked by it.",
    )
    next_stage_days = fields.Integer(
        string="Days to Next Stage",
        readonly=True,
        help="Days until the worst item reaches the next stage's threshold (30 "
        "on the last stage; 0 when nothing is escalatable).",
    )
    on_hold = fields.Boolean(
        compute="_compute_on_hold", search="_search_on_hold", string="On Credit Hold"
    )
    promise_ids = fields.One2many("credit.promise", "case_id", string="Promises to Pay")
    open_items_html = fields.Html(
        string="Open Items and Aging",
        compute="_compute_open_items_html",
        sanitize=False,
    )
    last_contact_date = fields.Datetime(compute="_compute_last_contact_date")
    has_open_promise = fields.Boolean(compute="_compute_has_open_promise")
    # a stage pinned by a manager (or by a broken promise): the scheduler keeps
    # it until it expires or a payment comes in
    is_pinned = fields.Boolean(string="Stage Pinned", readonly=True, tracking=True)
    pin_reason = fields.Char(readonly=True, tracking=True)
    pin_expiry = fields.Date(string="Pinned Until", readonly=True, tracking=True)
    pin_user_id = fields.Many2one("res.users", string="Pinned by", readonly=True)
    pin_residual = fields.Monetary(readonly=True)
    policy_id = fields.Many2one(
        "credit.collection.policy",
        string="Credit Tier",
        readonly=True,
        index=True,
        help="The customer's credit tier in the case's company (its default tier "
        "when it has none).",
    )
    aging_bucket = fields.Selection(
        AGING_SELECTION,
        compute="_compute_aging_bucket",
        store=True,
        help="The bucket of the worst escalatable item's days overdue.",
    )
    # escalation: each stage's actions happen once per cycle; a new cycle
    # starts when nothing is overdue any more (back to the first stage) or the
    # case closes
    escalation_cycle = fields.Integer(default=1, readonly=True, copy=False)
    action_ids = fields.One2many(
        "credit.collection.action", "case_id", string="Escalation Actions"
    )
    action_count = fields.Integer(compute="_compute_action_count")
    last_reminder_date = fields.Datetime(
        readonly=True,
        help="When the customer was last sent a reminder (email or letter).",
    )
    delivery_issue = fields.Char(
        readonly=True,
        tracking=True,
        help="The last reminder bounced, failed or stays queued: check the "
        "customer's email address.",
    )

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "A customer has one collection case per company.",
    )

    # ----------------------------------------------------------------- compute
    def _compute_days_in_stage(self):
        now = fields.Datetime.now()
        for case in self:
            case.days_in_stage = (now - case.date_stage).days if case.date_stage else 0

    def _compute_on_hold(self):
        groups = dict(
            self.env["credit.hold"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("state", "=", "active"),
                ],
                ["partner_id"],
                ["company_id:array_agg"],
            )
        )
        for case in self:
            case.on_hold = case.company_id.id in (groups.get(case.partner_id) or [])

    def _compute_has_open_promise(self):
        open_cases = set(
            self.env["credit.promise"]
            .sudo()
            .search([("case_id", "in", self.ids), ("state", "=", "open")])
            .case_id.ids
        )
        for case in self:
            case.has_open_promise = case.id in open_cases

    def _compute_open_items_html(self):
        today = fields.Date.context_today(self)
        labels = aging_labels(self.env)
        for case in self:
            moves = (
                self.env["account.move"]
                .sudo()
                .search(
                    [
                        ("commercial_partner_id", "=", case.partner_id.id),
                        ("company_id", "=", case.company_id.id),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                        ("state", "=", "posted"),
                        ("payment_state", "in", ("not_paid", "partial")),
                    ],
                    order="invoice_date_due, id",
                    limit=200,
                )
            )
            buckets = dict.fromkeys(labels, 0.0)
            rows = []
            for move in moves:
                days = (
                    (today - move.invoice_date_due).days if move.invoice_date_due else 0
                )
                buckets[aging_bucket_key(days)] += move.amount_residual_signed
                rows.append(
                    Markup(
                        "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                        "<td class='text-end'>%s</td><td>%s</td></tr>"
                    )
                    % (
                        move.name,
                        format_date(self.env, move.invoice_date_due),
                        max(days, 0),
                        format_amount(
                            self.env, move.amount_residual_signed, case.currency_id
                        ),
                        move.credit_dispute_reason or "",
                    )
                )
            head = Markup("").join(
                Markup("<th class='text-end'>%s</th>") % label
                for label in labels.values()
            )
            amounts = Markup("").join(
                Markup("<td class='text-end'>%s</td>")
                % format_amount(self.env, amount, case.currency_id)
                for amount in buckets.values()
            )
            case.open_items_html = (
                Markup("<table class='table table-sm'><tr>%s</tr><tr>%s</tr></table>")
                % (head, amounts)
            ) + (
                Markup(
                    "<table class='table table-sm table-striped'><tr>"
                    "<th>%s</th><th>%s</th><th class='text-end'>%s</th>"
                    "<th class='text-end'>%s</th><th>%s</th></tr>%s</table>"
                )
                % (
                    self.env._("Invoice"),
                    self.env._("Due"),
                    self.env._("Days overdue"),
                    self.env._("Residual"),
                    self.env._("Dispute"),
                    Markup("").join(rows),
                )
            )

    def _compute_last_contact_date(self):
        groups = dict(
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("message_type", "=", "comment"),
                ],
                ["res_id"],
                ["date:max"],
            )
        )
        for case in self:
            case.last_contact_date = groups.get(case.id, False)

    def _compute_action_count(self):
        counts = dict(
            self.env["credit.collection.action"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.action_count = counts.get(case, 0)

    @api.depends("worst_days_overdue")
    def _compute_aging_bucket(self):
        for case in self:
            case.aging_bucket = aging_bucket_key(case.worst_days_overdue)

    def _search_on_hold(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        self.env["credit.hold"].flush_model(["partner_id", "company_id", "state"])
        held = SQL(
            "SELECT c.id FROM credit_collection_case c JOIN credit_hold h"
            " ON h.partner_id = c.partner_id AND h.company_id = c.company_id"
            " WHERE h.state = 'active'"
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", held)]

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        company_ids = self.env.companies.ids
        return stages.sudo().search(
            [("company_id", "in", company_ids + [False])], order=stages._order
        )

    # ------------------------------------------------------------------- crud
    # figures maintained by the stage machine only
    _SYSTEM_FIELDS = frozenset(
        {
            "partner_id",
            "company_id",
            "active",
            "date_stage",
            "worst_days_overdue",
            "amount_overdue",
            "amount_residual",
            "amount_disputed",
            "open_item_count",
            "amount_expected",
            "amount_lost_per_day",
            "amount_loss_avoided",
            "next_stage_days",
            "is_pinned",
            "pin_user_id",
            "pin_residual",
            "escalation_cycle",
            "policy_id",
            "last_reminder_date",
            "delivery_issue",
        }
    )
    PIN_DAYS = 30

    def write(self, vals):
        if not self.env.su:
            if self._SYSTEM_FIELDS & set(vals):
                raise AccessError(
                    self.env._(
                        "The figures of a collection case are computed from the "
                        "open receivables; they cannot be edited."
                    )
                )
            if "stage_id" in vals or "pin_reason" in vals or "pin_expiry" in vals:
                self.env["credit.hold"]._check_manager()
            if "stage_id" in vals:
                # moved by hand (kanban drag, status bar): pinned
                today = fields.Date.context_today(self)
                vals = dict(
                    vals,
                    is_pinned=True,
                    pin_user_id=self.env.user.id,
                    pin_reason=vals.get("pin_reason")
                    or self.env._("Moved by %(user)s", user=self.env.user.name),
                    pin_expiry=vals.get("pin_expiry")
                    or today + timedelta(days=self.PIN_DAYS),
                )
                if (
                    vals["pin_expiry"]
                    and fields.Date.to_date(vals["pin_expiry"]) < today
                ):
                    raise UserError(self.env._("The pin expiry date is in the past."))
                vals["date_stage"] = fields.Datetime.now()
                for case in self:
                    super(CreditCollectionCase, case).write(
                        dict(vals, pin_residual=case.amount_residual)
                    )
                return True
        if "stage_id" in vals:
            vals = dict(vals, date_stage=fields.Datetime.now())
        return super().write(vals)

    def action_unpin(self):
        self.env["credit.hold"]._check_manager()
        self.check_access("write")
        self.sudo()._unpin(
            self.env._("Pin removed by %(user)s", user=self.env.user.name)
        )
        return True

    def _unpin(self, note):
        for case in self.filtered("is_pinned"):
            case.write({"is_pinned": False, "pin_reason": False, "pin_expiry": False})
            case.message_post(body=note)

    def _bump_stage_for_broken_promise(self, promise):
        """A broken promise: the case moves one stage up, pinned there."""
        self.ensure_one()
        ladder = self.env["credit.collection.stage"]._ladder(
            self.company_id, self.partner_id._credit_policy(self.company_id)
        )
        stages = list(ladder)
        index = stages.index(self.stage_id) if self.stage_id in stages else 0
        target = stages[min(index + 1, len(stages) - 1)] if stages else self.stage_id
        today = fields.Date.context_today(self)
        self.sudo().write(
            {
                "stage_id": target.id,
                "date_stage": fields.Datetime.now(),
                "is_pinned": True,
                "pin_user_id": self.env.ref("base.user_root").id,
                "pin_reason": self.env._(
                    "Broken promise to pay of %(date)s", date=promise.date
                ),
                "pin_expiry": today + timedelta(days=self.PIN_DAYS),
                "pin_residual": self.amount_residual,
            }
        )
        self.message_post(
            body=self.env._(
                "The promise to pay of %(date)s is broken: the case moves to "
                "%(stage)s.",
                date=promise.date,
                stage=target.name,
            )
        )

    # ------------------------------------------------------------ stage machine
    @api.model
    def _case_figures(self, company, partners=None, curve=None):
        """Open receivable figures per commercial partner of ``company`` in one
        grouped query: residual, overdue, open items, disputed amount, the
        days overdue of the worst escalatable (not fully disputed) item, and
        on the collectability ``curve`` (default: the company's) the expected
        collectible and the value lost per day. The key ``worst_due`` (the due
        date of the worst escalatable item) is not a case field."""
        today = credit_today(self.env, company)
        open_items = open_items_sql(
            self.env, company, partners.ids if partners is not None else None
        )
        curve = curve or self.env["credit.collectability.curve"]._get_active(company)
        age = curve._age_sql(today)
        p_now = curve._probability_sql(age)
        p_tomorrow = curve._probability_sql(SQL("(%s + 1)", age))
        self.env["credit.promise"].flush_model(
            ["state", "date_deadline", "invoice_ids"]
        )
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT line.partner_id,
                   SUM(line.amount_residual) AS residual,
                   SUM(line.amount_residual) FILTER (
                       WHERE COALESCE(line.date_maturity, line.date) < %(today)s
                         AND line.amount_residual > 0
                   ) AS overdue,
                   COUNT(*) AS items,
                   SUM(CASE WHEN line.amount_residual > 0
                            THEN line.amount_residual * %(p_now)s
                            ELSE line.amount_residual END) AS expected,
                   SUM(GREATEST(line.amount_residual, 0)
                       * (%(p_now)s - %(p_tomorrow)s)) AS lost_per_day,
                   SUM(LEAST(COALESCE(move.credit_dispute_amount, 0),
                             GREATEST(line.amount_residual, 0))) AS disputed,
                   MIN(COALESCE(line.date_maturity, line.date)) FILTER (
                       WHERE line.amount_residual > 0
                         AND COALESCE(move.credit_dispute_amount, 0)
                             < line.amount_residual
                         AND NOT EXISTS (
                             SELECT 1
                               FROM account_move_credit_promise_rel rel
                               JOIN credit_promise promise
                                 ON promise.id = rel.credit_promise_id
                              WHERE rel.account_move_id = move.id
                                AND promise.state = 'open'
                                AND promise.date_deadline >= %(today)s
                         )
                   ) AS worst_due
                   %(open_items)s
          GROUP BY line.partner_id
                """,
                today=today,
                open_items=open_items,
                p_now=p_now,
                p_tomorrow=p_tomorrow,
            )
        )
        figures = {}
        for row in rows:
            worst = (today - row["worst_due"]).days if row["worst_due"] else 0
            figures[row["partner_id"]] = {
                "amount_residual": row["residual"] or 0.0,
                "amount_overdue": row["overdue"] or 0.0,
                "open_item_count": row["items"],
                "amount_disputed": row["disputed"] or 0.0,
                "worst_days_overdue": max(worst, 0),
                "amount_expected": row["expected"] or 0.0,
                "amount_lost_per_day": row["lost_per_day"] or 0.0,
                "worst_due": row["worst_due"],
            }
        return figures

    @api.model
    def _add_worklist_figures(self, company, curve, figures, ladder_for, today):
        """The worklist: what waiting until the next stage costs. Adds the days
        to the next stage and the expected loss avoided to ``figures`` (and
        drops their ``worst_due``); ``ladder_for`` gives a partner's ladder."""
        for partner_id, values in figures.items():
            values["next_stage_days"] = self._next_stage_days(
                ladder_for(partner_id), values.pop("worst_due"), today
            )
        loss_avoided = self._case_loss_avoided(
            company,
            curve,
            {pid: values["next_stage_days"] for pid, values in figures.items()},
            today,
        )
        for partner_id, values in figures.items():
            values["amount_loss_avoided"] = loss_avoided.get(partner_id, 0.0)

    # horizon of the worklist on the last stage of a ladder (days)
    LAST_STAGE_HORIZON = 30

    @api.model
    def _next_stage_days(self, ladder, worst_due, today):
        """Days until the worst escalatable item (due ``worst_due``) reaches
        the threshold of the stage after the one it is in on ``ladder``;
        ``LAST_STAGE_HORIZON`` on the last stage, 0 without such an item."""
        if not worst_due:
            return 0
        days = (today - worst_due).days
        thresholds = ladder.env.context.get("credit_collection_thresholds") or {}
        for stage in ladder:
            threshold = thresholds.get(stage.id, stage.min_days_overdue)
            if threshold > max(days, 0):
                return threshold - days
        return self.LAST_STAGE_HORIZON

    @api.model
    def _case_loss_avoided(self, company, curve, horizons, today):
        """Per partner, in one grouped query: sum of the open items' positive
        residual times (p(age) - p(age + horizon)), ``horizons`` mapping the
        partner ids to their days to the next stage."""
        horizons = {pid: days for pid, days in horizons.items() if days > 0}
        if not horizons:
            return {}
        open_items = open_items_sql(self.env, company, list(horizons))
        item_age = SQL("item.age")
        rows = self.env.execute_query(
            SQL(
                """
            SELECT item.partner_id,
                   SUM(item.residual * (%(p_now)s - %(p_later)s))
              FROM (SELECT line.partner_id,
                           line.amount_residual AS residual,
                           %(age)s AS age
                           %(open_items)s
                       AND line.amount_residual > 0) AS item
              JOIN unnest(%(partner_ids)s::int[], %(days)s::int[])
                   AS horizon(partner_id, days)
                ON horizon.partner_id = item.partner_id
          GROUP BY item.partner_id
                """,
                age=curve._age_sql(today),
                open_items=open_items,
                p_now=curve._probability_sql(item_age),
                p_later=curve._probability_sql(SQL("(item.age + horizon.days)")),
                partner_ids=list(horizons),
                days=list(horizons.values()),
            )
        )
        return dict(rows)

    @api.model
    def _update_cases(self, company, partners=None):
        """Create, update and close the cases of ``company`` (of ``partners``
        only, when given) from the open receivables. Writes only what changed,
        so a second run changes nothing. Returns the cases touched."""
        Case = self.sudo().with_context(
            active_test=False,
            tracking_disable=False,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
        )
        today = credit_today(self.env, company)
        curve = self.env["credit.collectability.curve"]._get_active(company)
        figures = self._case_figures(company, partners, curve=curve)
        domain = [("company_id", "=", company.id)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        else:
            domain += ["|", ("active", "=", True), ("partner_id", "in", list(figures))]
        cases = Case.search(domain)
        by_partner = {case.partner_id.id: case for case in cases}
        Stage = self.env["credit.collection.stage"]
        ladder = Stage._ladder(company)
        # ladders per credit tier (tiers may move the stage thresholds)
        default_policy = self.env["credit.collection.policy"]._get_default(company)
        partner_records = (
            self.env["res.partner"].browse(list(figures)).with_company(company).sudo()
        )
        # (the figures' partners are commercial partners already)
        policy_of = {
            p.id: p.credit_policy_id or default_policy for p in partner_records
        }
        ladders = {}

        def ladder_for(partner_id):
            policy = policy_of.get(partner_id, default_policy)
            if policy not in ladders:
                ladders[policy] = (
                    Stage._ladder(company, policy)
                    if policy.stage_threshold_ids
                    else ladder
                )
            return ladders[policy]

        self._add_worklist_figures(company, curve, figures, ladder_for, today)

        currency = company.currency_id
        touched = Case.browse()
        to_create = []
        for partner_id, values in figures.items():
            values = dict(
                values, policy_id=policy_of.get(partner_id, default_policy).id or False
            )
            stage = Stage._stage_for_days(
                ladder_for(partner_id), values["worst_days_overdue"]
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
                continue
            changes = {
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
            if not case.active:
                changes["active"] = True
            pinned = case.is_pinned
            if pinned and (
                (case.pin_expiry and case.pin_expiry < today)
                or currency.compare_amounts(
                    values["amount_residual"], case.pin_residual
                )
                < 0
            ):
                # the pin expired, or a payment came in
                changes.update(is_pinned=False, pin_reason=False, pin_expiry=False)
                pinned = False
            if (
                stage
                and case.stage_id != stage
                and not pinned
                and not case.stage_id.is_manual
            ):
                changes["stage_id"] = stage.id
                if stage == ladder_for(partner_id)[:1]:
                    # nothing overdue any more: the next escalation is a new cycle
                    changes["escalation_cycle"] = case.escalation_cycle + 1
            if changes:
                case.write(changes)
                touched |= case
        if to_create:
            touched |= Case.create(to_create)
        # promises: kept when paid, broken after their deadline (the case then
        # moves one stage up, pinned) — after the figures are up to date
        promise_domain = [("company_id", "=", company.id), ("state", "=", "open")]
        if partners is not None:
            promise_domain.append(("partner_id", "in", partners.ids))
        broken = (
            self.env["credit.promise"].sudo().search(promise_domain)._evaluate(today)
        )
        touched |= broken.case_id
        # everything paid: the case closes
        closed = cases.filtered(lambda c: c.active and c.partner_id.id not in figures)
        if closed:
            closed.write(
                {
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
                    "stage_id": ladder[:1].id,
                    "is_pinned": False,
                    "pin_reason": False,
                    "pin_expiry": False,
                }
            )
            for case in closed:
                case.escalation_cycle += 1
            touched |= closed
        return touched

    @api.model
    def _cron_update_cases(self, batch_size=2000):
        """Daily: every company's cases, in batches of partners; progress is
        committed so that an interrupted run resumes where it stopped (the
        update is idempotent)."""
        in_cron = bool(self.env.context.get("cron_id"))
        # the exposure ledger back to one row per customer and due date
        self.env["credit.exposure.entry"].sudo()._rebuild()
        companies = self.env["res.company"].search([("id", "!=", False)])
        for company in companies:
            figures = self._case_figures(company)
            stale = self.sudo().search(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "not in", list(figures)),
                ]
            )
            partner_ids = sorted(set(figures) | set(stale.partner_id.ids))
            for start in range(0, len(partner_ids), batch_size):
                batch = self.env["res.partner"].browse(
                    partner_ids[start : start + batch_size]
                )
                self._update_cases(company, batch)
                if in_cron and not self.env["ir.cron"]._commit_progress(len(batch)):
                    return

    # ---------------------------------------------------------------- actions
    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    def action_open_items(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Open items of %(partner)s", partner=self.partner_id.name
            ),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [
                ("commercial_partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("move_type", "in", ("out_invoice", "out_refund", "out_receipt")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            "context": {"create": False},
        }

    def action_view_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_credit_collection.credit_collection_action_action"
        )
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"search_default_group_state": 0}
        return action

    # -------------------------------------------------------------- escalation
    def _reminder_recipient(self):
        """The customer's invoice address (the commercial partner otherwise)."""
        self.ensure_one()
        partner = self.partner_id
        address = partner.address_get(["invoice"]).get("invoice")
        return self.env["res.partner"].browse(address) if address else partner

    def _collection_items(self, date=None, overdue_only=False):
        """Open receivable items of the case, oldest first, as dicts: each in
        its own currency and in the company's. ``overdue_only``: the overdue
        items that are not fully disputed, and the credits (credit notes,
        unapplied payments) that net them — what a reminder lists."""
        self.ensure_one()
        company = self.company_id
        date = date or credit_today(self.env, company)
        rows = self.env.execute_query(
            SQL(
                "SELECT line.id %s ORDER BY COALESCE(line.date_maturity, line.date), "
                "line.id",
                open_items_sql(self.env, company, self.partner_id.ids),
            )
        )
        lines = self.env["account.move.line"].sudo().browse([r[0] for r in rows])
        items = []
        for line in lines:
            move = line.move_id
            due = line.date_maturity or line.date
            days = (date - due).days
            residual = line.amount_residual
            disputed = min(max(move.credit_dispute_amount, 0.0), max(residual, 0.0))
            if (
                overdue_only
                and residual > 0
                and (
                    days <= 0
                    or company.currency_id.compare_amounts(disputed, residual) >= 0
                )
            ):
                continue
            is_invoice = move.move_type in ("out_invoice", "out_receipt")
            items.append(
                {
                    "line": line,
                    "move": move,
                    "name": move.name if move.name != "/" else (line.name or ""),
                    "ref": move.ref or "",
                    "date": move.invoice_date or line.date,
                    "date_due": due,
                    "days_overdue": max(days, 0),
                    "currency": line.currency_id,
                    "residual_currency": line.amount_residual_currency,
                    "residual": residual,
                    "disputed": disputed,
                    "is_credit": residual < 0,
                    "pay_url": (
                        move.get_base_url() + move._get_share_url(redirect=True)
                        if is_invoice and residual > 0
                        else False
                    ),
                }
            )
        return items

    def _collection_summary(self, date=None, overdue_only=False):
        """What the reminder and the statement print: items, totals per
        currency and aging buckets (company currency)."""
        self.ensure_one()
        date = date or credit_today(self.env, self.company_id)
        items = self._collection_items(date, overdue_only=overdue_only)
        totals = {}
        for item in items:
            totals.setdefault(item["currency"], 0.0)
            totals[item["currency"]] += item["residual_currency"]
        labels = aging_labels(self.env)
        amounts = dict.fromkeys(labels, 0.0)
        for item in items:
            # credits (credit notes, unapplied payments) count as not due
            key = (
                "not_due"
                if item["is_credit"]
                else aging_bucket_key((date - item["date_due"]).days)
            )
            amounts[key] += item["residual"]
        buckets = [(labels[key], amount) for key, amount in amounts.items()]
        return {
            "date": date,
            "items": items,
            "totals": [(currency, amount) for currency, amount in totals.items()],
            "buckets": buckets,
            "total": sum(item["residual"] for item in items),
        }

    def _fee_lines(self, date, rule):
        """Invoice line values of a fee action: the rule's fixed fee, the
        tier's interest on each overdue item since its due date or its last
        interest charge, and the tier's fixed compensation once per overdue
        invoice. Reversed (waived) fee invoices do not count."""
        self.ensure_one()
        policy = self.policy_id
        currency = self.currency_id
        lines = []
        if rule and rule.fee_amount:
            lines.append(
                {
                    "name": self.env._(
                        "Reminder fee — %(stage)s", stage=self.stage_id.name
                    ),
                    "price_unit": currency.round(rule.fee_amount),
                    "credit_fee_kind": "fee",
                }
            )
        if not (policy.interest_rate or policy.compensation_amount):
            return lines
        items = [
            item
            for item in self._collection_items(date, overdue_only=True)
            if not item["is_credit"]
            and item["move"].move_type == "out_invoice"
            and not item["move"].credit_fee_action_id
        ]
        if not items:
            return lines
        charged = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("credit_fee_item_id", "in", [i["move"].id for i in items]),
                    ("parent_state", "=", "posted"),
                    ("move_id.reversal_move_ids", "=", False),
                ]
            )
        )
        interest_to = {}
        compensated = set()
        for line in charged:
            if line.credit_fee_kind == "interest":
                previous = interest_to.get(line.credit_fee_item_id.id)
                if not previous or line.credit_interest_to > previous:
                    interest_to[line.credit_fee_item_id.id] = line.credit_interest_to
            elif line.credit_fee_kind == "compensation":
                compensated.add(line.credit_fee_item_id.id)
        for item in items:
            move = item["move"]
            if policy.interest_rate:
                start = max(
                    item["date_due"], interest_to.get(move.id) or item["date_due"]
                )
                days = (date - start).days
                amount = currency.round(
                    item["residual"] * policy.interest_rate / 100.0 * days / 365.0
                )
                if days > 0 and not currency.is_zero(amount):
                    lines.append(
                        {
                            "name": self.env._(
                                "Interest on %(invoice)s: %(residual)s × %(rate)s %% "
                                "× %(days)s/365 days (%(start)s – %(end)s)",
                                invoice=move.name,
                                residual=format_amount(
                                    self.env, item["residual"], currency
                                ),
                                rate=policy.interest_rate,
                                days=days,
                                start=format_date(self.env, start),
                                end=format_date(self.env, date),
                            ),
                            "price_unit": amount,
                            "credit_fee_kind": "interest",
                            "credit_fee_item_id": move.id,
                            "credit_interest_to": date,
                        }
                    )
            if policy.compensation_amount and move.id not in compensated:
                lines.append(
                    {
                        "name": self.env._(
                            "Fixed compensation for the late payment of %(invoice)s",
                            invoice=move.name,
                        ),
                        "price_unit": currency.round(policy.compensation_amount),
                        "credit_fee_kind": "compensation",
                        "credit_fee_item_id": move.id,
                    }
                )
        return lines

    @api.model
    def _run_escalation(
        self,
        companies=None,
        cases=None,
        date=None,
        commit=False,
        batch_size=500,
        action_batch_size=50,
    ):
        """The escalation run: follow the reminder emails, bring the cases up
        to date, plan the actions of each case's stage (idempotency keys) and
        execute the planned ones. ``commit``: commit each batch (scheduler,
        concurrent runs; resumable). Returns {"planned", "processed"}."""
        # every mail of the run (reminders, notices to salespeople) goes
        # through the outgoing queue: nothing is sent inside the run's
        # transactions
        quiet = {"mail_notify_force_send": False}
        return self.with_context(**quiet)._escalate(
            companies,
            cases.with_context(**quiet) if cases is not None else None,
            date,
            commit,
            batch_size,
            action_batch_size,
        )

    @api.model
    def _escalate(self, companies, cases, date, commit, batch_size, action_batch_size):
        Action = self.env["credit.collection.action"].sudo()
        if cases is not None:
            companies = cases.company_id
        companies = companies or self.env["res.company"].search([("id", "!=", False)])
        in_cron = bool(self.env.context.get("cron_id"))

        def commit_step(count=0):
            if in_cron:
                return self.env["ir.cron"]._commit_progress(count)
            self.env.cr.commit()  # pylint: disable=invalid-commit
            return float("inf")

        summary = {"planned": 0, "processed": 0}
        for company in companies:
            run_date = date or credit_today(self.env, company)
            Action._check_deliveries(company)
            if cases is not None:
                partner_ids = cases.filtered(
                    lambda c, co=company: c.company_id == co
                ).partner_id.ids
            else:
                figures = self._case_figures(company)
                open_cases = self.sudo().search(
                    [("company_id", "=", company.id), ("active", "=", True)]
                )
                partner_ids = sorted(set(figures) | set(open_cases.partner_id.ids))
            if commit:
                commit_step()
            for start in range(0, len(partner_ids), batch_size):
                partners = self.env["res.partner"].browse(
                    partner_ids[start : start + batch_size]
                )

                def plan(partners=partners, run_date=run_date, company=company):
                    self.with_context(credit_collection_date=run_date)._update_cases(
                        company, partners
                    )
                    batch_cases = self.sudo().search(
                        [
                            ("company_id", "=", company.id),
                            ("partner_id", "in", partners.ids),
                            ("active", "=", True),
                        ]
                    )
                    return len(Action._plan(batch_cases, run_date))

                if commit:
                    planned = retrying(plan, self.env)
                    summary["planned"] += planned
                    if commit_step(len(partners)) <= 0:
                        return summary
                else:
                    summary["planned"] += plan()
            summary["processed"] += Action._execute_due(
                company,
                run_date,
                cases=cases,
                batch_size=action_batch_size,
                commit=commit_step if commit else None,
            )
        return summary

    @api.model
    def _cron_escalate(self):
        """Daily escalation run, committed in batches (resumable)."""
        self._run_escalation(commit=True)

    # above this many selected cases, the manual run plans the actions now and
    # leaves their execution to the escalation job (in the background)
    MANUAL_RUN_LIMIT = 100

    def action_run_escalation(self):
        """Run the escalation now for the selected cases (many cases: plan
        now, execute in the background)."""
        self.check_access("write")
        if len(self) > self.MANUAL_RUN_LIMIT:
            cases = self.sudo()
            planned = self.env["credit.collection.action"].browse()
            for company, company_cases in cases.grouped("company_id").items():
                self._update_cases(company, company_cases.partner_id)
                planned |= self.env["credit.collection.action"]._plan(
                    company_cases.filtered("active"), credit_today(self.env, company)
                )
            self.env.ref("account_credit_collection.ir_cron_escalate")._trigger()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "title": self.env._("Escalation run"),
                    "message": self.env._(
                        "%(planned)s actions planned for %(cases)s cases; the "
                        "escalation job executes them in the background (see the "
                        "Escalation Outbox).",
                        planned=len(planned),
                        cases=len(self),
                    ),
                },
            }
        summary = self.sudo()._run_escalation(cases=self.sudo())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Escalation run"),
                "message": self.env._(
                    "%(planned)s actions planned, %(processed)s processed.",
                    **summary,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _reminder_table_html(self):
        """The overdue items a reminder lists (with the credits that net them)
        and the total due per currency, in the rendering language."""
        self.ensure_one()
        summary = self._collection_summary(overdue_only=True)
        rows = Markup("").join(
            Markup(
                "<tr><td>%s</td><td>%s</td><td style='text-align:right'>%s</td>"
                "<td style='text-align:right'>%s</td><td>%s</td></tr>"
            )
            % (
                item["name"],
                format_date(self.env, item["date_due"]),
                item["days_overdue"] or "",
                format_amount(self.env, item["residual_currency"], item["currency"]),
                Markup("<a href='%s'>%s</a>") % (item["pay_url"], self.env._("Pay now"))
                if item["pay_url"]
                else "",
            )
            for item in summary["items"]
        )
        totals = Markup("").join(
            Markup(
                "<tr><td colspan='3'><strong>%s</strong></td>"
                "<td style='text-align:right'><strong>%s</strong></td><td></td></tr>"
            )
            % (
                self.env._("Total due (%(currency)s)", currency=currency.name),
                format_amount(self.env, amount, currency),
            )
            for currency, amount in summary["totals"]
        )
        head = Markup(
            "<tr><th style='text-align:left'>%s</th><th style='text-align:left'>%s"
            "</th><th style='text-align:right'>%s</th><th style='text-align:right'>"
            "%s</th><th></th></tr>"
        ) % (
            self.env._("Invoice"),
            self.env._("Due date"),
            self.env._("Days overdue"),
            self.env._("Amount due"),
        )
        return Markup(
            "<table style='border-collapse:collapse;width:100%%' cellpadding='4'>"
            "%s%s%s</table>"
        ) % (head, rows, totals)
