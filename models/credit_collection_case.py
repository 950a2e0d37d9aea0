# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount, format_date

from .res_partner import open_receivable_items_sql


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
    salesperson_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
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
    on_hold = fields.Boolean(compute="_compute_on_hold", string="On Credit Hold")
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
        "credit.collection.policy", compute="_compute_policy_id", string="Credit Tier"
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

    AGING_BUCKETS = [
        ("Not due", None, 0),
        ("1-30", 1, 30),
        ("31-60", 31, 60),
        ("61-90", 61, 90),
        ("91-180", 91, 180),
        ("181-365", 181, 365),
        ("Over 365", 366, None),
    ]

    def _compute_open_items_html(self):
        today = fields.Date.context_today(self)
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
            buckets = dict.fromkeys([b[0] for b in self.AGING_BUCKETS], 0.0)
            rows = []
            for move in moves:
                days = (
                    (today - move.invoice_date_due).days if move.invoice_date_due else 0
                )
                label = next(
                    name
                    for name, low, high in self.AGING_BUCKETS
                    if (low is None and days <= 0)
                    or (
                        low is not None
                        and days >= low
                        and (high is None or days <= high)
                    )
                )
                buckets[label] += move.amount_residual_signed
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
                Markup("<th class='text-end'>%s</th>") % b for b in buckets
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

    def _compute_policy_id(self):
        for case in self:
            case.policy_id = case.partner_id._credit_policy(case.company_id)

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
        today = fields.Date.context_today(self.with_company(company))
        open_items = open_receivable_items_sql(
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
        open_items = open_receivable_items_sql(self.env, company, list(horizons))
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
        today = fields.Date.context_today(self.with_company(company))
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

        # the worklist: what waiting until the next stage costs
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

        currency = company.currency_id
        touched = Case.browse()
        to_create = []
        for partner_id, values in figures.items():
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
            touched |= closed
        return touched

    @api.model
    def _cron_update_cases(self, batch_size=2000):
        """Daily: every company's cases, in batches of partners; progress is
        committed so that an interrupted run resumes where it stopped (the
        update is idempotent)."""
        in_cron = bool(self.env.context.get("cron_id"))
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
