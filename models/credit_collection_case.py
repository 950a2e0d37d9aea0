# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


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
    on_hold = fields.Boolean(compute="_compute_on_hold", string="On Credit Hold")
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
        }
    )

    def write(self, vals):
        if not self.env.su:
            if self._SYSTEM_FIELDS & set(vals):
                raise AccessError(
                    self.env._(
                        "The figures of a collection case are computed from the "
                        "open receivables; they cannot be edited."
                    )
                )
            if "stage_id" in vals:
                self.env["credit.hold"]._check_manager()
        if "stage_id" in vals:
            vals = dict(vals, date_stage=fields.Datetime.now())
        return super().write(vals)

    # ------------------------------------------------------------ stage machine
    @api.model
    def _case_figures(self, company, partners=None):
        """Open receivable figures per commercial partner of ``company`` in one
        grouped query: residual, overdue, open items, disputed amount and the
        days overdue of the worst escalatable (not fully disputed) item."""
        today = fields.Date.context_today(self.with_company(company))
        self.env["account.move.line"].flush_model(
            [
                "partner_id",
                "account_id",
                "amount_residual",
                "reconciled",
                "parent_state",
                "date_maturity",
                "company_id",
                "move_id",
            ]
        )
        self.env["account.move"].flush_model(["payment_state", "credit_dispute_amount"])
        partner_filter = (
            SQL("AND line.partner_id = ANY(%s)", partners.ids)
            if partners is not None
            else SQL()
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
                   SUM(LEAST(COALESCE(move.credit_dispute_amount, 0),
                             GREATEST(line.amount_residual, 0))) AS disputed,
                   MIN(COALESCE(line.date_maturity, line.date)) FILTER (
                       WHERE line.amount_residual > 0
                         AND COALESCE(move.credit_dispute_amount, 0)
                             < line.amount_residual
                   ) AS worst_due
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
              JOIN account_move move ON move.id = line.move_id
             WHERE line.company_id = %(company)s
               AND account.account_type = 'asset_receivable'
               AND line.reconciled IS NOT TRUE
               AND line.parent_state = 'posted'
               AND line.partner_id IS NOT NULL
               AND (move.payment_state IS NULL
                    OR move.payment_state NOT IN ('in_payment', 'paid'))
               %(partner_filter)s
          GROUP BY line.partner_id
                """,
                today=today,
                company=company.id,
                partner_filter=partner_filter,
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
            }
        return figures

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
        figures = self._case_figures(company, partners)
        domain = [("company_id", "=", company.id)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        else:
            domain += ["|", ("active", "=", True), ("partner_id", "in", list(figures))]
        cases = Case.search(domain)
        by_partner = {case.partner_id.id: case for case in cases}
        ladder = self.env["credit.collection.stage"]._ladder(company)
        currency = company.currency_id
        touched = Case.browse()
        to_create = []
        for partner_id, values in figures.items():
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
            if stage and case.stage_id != stage and not case.stage_id.is_manual:
                changes["stage_id"] = stage.id
            if changes:
                case.write(changes)
                touched |= case
        if to_create:
            touched |= Case.create(to_create)
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
                    "stage_id": ladder[:1].id,
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
