# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

CURVE_BASES = [
    ("credit_age", "Credit age (days since the invoice date)"),
    ("days_past_due", "Days past due"),
]

# How a curve reads between its points: steps (a point's rate holds until the
# next point: a table of age bands) or linear.
CURVE_MODES = [
    ("step", "Steps: a point's rate holds until the next point"),
    ("linear", "Linear between points"),
]

# The two shipped curves (DESIGN.md, principle 2), both steps. Ages in days.
# Credit age, the seed's table of bands: within 60 days 100 %, within 100
# days 80 %, within 180 days 50 %, beyond 10 % (a point starts its band the
# day after the previous band ends: at 80 days 80 %, at 140 days 50 %).
DEFAULT_CREDIT_AGE_POINTS = [(0, 1.0), (61, 0.8), (101, 0.5), (181, 0.1)]
# Days past due: the study's figures are steps at one and two years (26.6 %
# over one year, 13.6 % over two years); the first six months (1.0 up to a
# quarter, 0.85 to six months, 0.70 to a year) are our assumption.
DEFAULT_DAYS_PAST_DUE_POINTS = [
    (0, 1.0),
    (90, 0.85),
    (180, 0.7),
    (365, 0.266),
    (730, 0.136),
]
DEFAULT_POINTS = {
    "credit_age": DEFAULT_CREDIT_AGE_POINTS,
    "days_past_due": DEFAULT_DAYS_PAST_DUE_POINTS,
}


DEFAULT_MODE = "step"


def interpolate(points, age, mode="linear"):
    """p(age) on ``points`` (sorted ``(age, probability)`` pairs): linear
    between points, or with ``mode`` ``step`` the rate of the last point at
    or before ``age``; flat before the first and after the last."""
    if age <= points[0][0]:
        return points[0][1]
    if mode == "step":
        return [p for point_age, p in points if point_age <= age][-1]
    for (age0, p0), (age1, p1) in zip(points, points[1:], strict=False):
        if age <= age1:
            return p0 + (p1 - p0) * (age - age0) / (age1 - age0)
    return points[-1][1]


def interpolate_sql(points, age, mode="linear"):
    """The SQL expression of :func:`interpolate` for the SQL expression
    ``age`` (an integer number of days)."""
    if mode == "step":
        parts = [SQL("CASE")] + [
            SQL(" WHEN %s >= %s THEN %s::float8", age, point_age, p)
            for point_age, p in reversed(points[1:])
        ]
        parts.append(SQL(" ELSE %s::float8 END", points[0][1]))
        return SQL("(%s)", SQL("").join(parts))
    parts = [SQL("CASE WHEN %s <= %s THEN %s::float8", age, points[0][0], points[0][1])]
    for (age0, p0), (age1, p1) in zip(points, points[1:], strict=False):
        parts.append(
            SQL(
                " WHEN %(age)s <= %(age1)s THEN %(p0)s::float8"
                " + %(slope)s::float8 * (%(age)s - %(age0)s)",
                age=age,
                age0=age0,
                age1=age1,
                p0=p0,
                slope=(p1 - p0) / (age1 - age0),
            )
        )
    parts.append(SQL(" ELSE %s::float8 END", points[-1][1]))
    return SQL("(%s)", SQL("").join(parts))


# :func:`interpolate` over the stored points of many curves at once (one row
# per point with the next one, ``seg``), for queries that join each row to its
# company's curve: join with :func:`segment_match_sql`, read the probability
# with :func:`segment_probability_sql`.
CURVE_SEGMENTS_SQL = SQL(
    """(
                SELECT point.curve_id,
                       point.age_days AS age0,
                       point.probability AS p0,
                       LEAD(point.age_days) OVER w AS age1,
                       LEAD(point.probability) OVER w AS p1,
                       ROW_NUMBER() OVER w AS rank
                  FROM credit_collectability_curve_point point
                WINDOW w AS (PARTITION BY point.curve_id ORDER BY point.age_days)
         )"""
)


def segment_match_sql(age):
    """The join condition of the segment ``seg`` holding the SQL ``age``: the
    first one before its first point, the last one after its last point."""
    return SQL(
        """((seg.rank = 1 AND %(age)s < seg.age0)
                    OR (%(age)s >= seg.age0
                        AND (seg.age1 IS NULL OR %(age)s < seg.age1)))""",
        age=age,
    )


def segment_probability_sql(age, mode):
    """p(``age``) on the matched segment ``seg`` of a curve whose mode is the
    SQL ``mode``; 1.0 without a curve."""
    return SQL(
        """COALESCE(
                    CASE WHEN seg.age1 IS NULL OR %(age)s < seg.age0
                              OR %(mode)s = 'step' THEN seg.p0
                         ELSE seg.p0 + (seg.p1 - seg.p0) * (%(age)s - seg.age0)::float8
                              / (seg.age1 - seg.age0) END,
                    1.0)""",
        age=age,
        mode=mode,
    )


class CreditCollectabilityCurve(models.Model):
    """Probability of eventually collecting a receivable item as a function of
    its age (credit age or days past due). One active curve per company."""

    _name = "credit.collectability.curve"
    _description = "Collectability Curve"
    _inherit = ["mail.thread"]
    _order = "company_id, active desc, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(
        default=True,
        tracking=True,
        help="The company's curve: one active curve per company.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    basis = fields.Selection(
        CURVE_BASES, required=True, default="credit_age", tracking=True
    )
    mode = fields.Selection(
        CURVE_MODES,
        string="Between Points",
        required=True,
        default=DEFAULT_MODE,
        tracking=True,
        help="Steps: each point's rate holds until the next point (a table of "
        "age bands). Linear: the rate moves in a straight line from one point "
        "to the next.",
    )
    point_ids = fields.One2many(
        "credit.collectability.curve.point", "curve_id", string="Points", copy=True
    )
    description = fields.Text(translate=True)
    date_calibrated = fields.Datetime(string="Last Calibrated", readonly=True)

    _company_active_uniq = models.UniqueIndex(
        "(company_id) WHERE active",
        "A company has one active collectability curve.",
    )

    # --------------------------------------------------------------- constraints
    @api.constrains("point_ids")
    def _check_points(self):
        for curve in self:
            points = curve.point_ids
            if len(points) < 2:
                raise ValidationError(
                    self.env._(
                        "Collectability curve %(curve)s: Points — at least two "
                        "points are needed.",
                        curve=curve.display_name,
                    )
                )
            ages = points.mapped("age_days")
            if len(set(ages)) != len(ages):
                raise ValidationError(
                    self.env._(
                        "Collectability curve %(curve)s: Age (days) — each age "
                        "appears once.",
                        curve=curve.display_name,
                    )
                )
            points._check_values()
            previous = None
            for point in points.sorted("age_days"):
                if previous is not None and point.probability > previous.probability:
                    raise ValidationError(
                        self.env._(
                            "Collectability curve %(curve)s: Probability — it "
                            "cannot increase with age (%(p1)s at %(a1)s days, "
                            "%(p2)s at %(a2)s days).",
                            curve=curve.display_name,
                            p1=previous.probability,
                            a1=previous.age_days,
                            p2=point.probability,
                            a2=point.age_days,
                        )
                    )
                previous = point

    @api.constrains("active", "company_id")
    def _check_one_active(self):
        if self.env.context.get("credit_collectability_switch"):
            return
        companies = self.company_id
        counts = dict(
            self.sudo()._read_group(
                [("company_id", "in", companies.ids), ("active", "=", True)],
                ["company_id"],
                ["__count"],
            )
        )
        for company in companies:
            if counts.get(company, 0) != 1:
                raise ValidationError(
                    self.env._(
                        "Active: company %(company)s needs exactly one active "
                        "collectability curve (activate another curve instead of "
                        "archiving this one).",
                        company=company.display_name,
                    )
                )

    # --------------------------------------------------------------------- crud
    def _archive_other_active(self, vals_list):
        """Activating a curve archives the company's current one."""
        company_ids = {
            vals.get("company_id") or self.env.company.id
            for vals in vals_list
            if vals.get("active", True)
        }
        others = (
            self.sudo()
            .search([("company_id", "in", list(company_ids)), ("active", "=", True)])
            .filtered(lambda c: c not in self)
        )
        if others:
            others.with_context(credit_collectability_switch=True).write(
                {"active": False}
            )
            others.flush_recordset(["active"])

    @api.model_create_multi
    def create(self, vals_list):
        self._archive_other_active(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("active"):
            for curve in self:
                curve._archive_other_active(
                    [dict(vals, company_id=vals.get("company_id", curve.company_id.id))]
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_active(self):
        if self.filtered("active"):
            raise ValidationError(
                self.env._(
                    "Active: the active collectability curve of a company cannot "
                    "be deleted; activate another curve first."
                )
            )

    # ------------------------------------------------------------------ actions
    def action_activate(self):
        self.ensure_one()
        self.active = True
        return True

    def action_calibrate(self):
        self.ensure_one()
        self.env["credit.hold"]._check_manager()
        wizard = self.env["credit.collectability.calibrate"].create(
            {"curve_id": self.id}
        )
        wizard.action_fit()
        return wizard._action_reopen()

    @api.model
    def _cron_calibrate(self):
        """Monthly (inactive by default): fit every company's active curve on
        its history (default period) and adopt the fit when the history is
        thick enough."""
        companies = self.env["res.company"].search([("id", "!=", False)])
        for company in companies:
            curve = self._get_active(company)
            wizard = (
                self.env["credit.collectability.calibrate"]
                .sudo()
                .create({"curve_id": curve.id})
            )
            wizard.action_fit()
            if not wizard.is_fallback:
                wizard.action_adopt()

    # ------------------------------------------------------------------ helpers
    @api.model
    def _get_active(self, company):
        """The company's active curve (sudo), or a new shipped default when it
        has none (e.g. deleted by SQL)."""
        curve = self.sudo().search(
            [("company_id", "=", company.id), ("active", "=", True)], limit=1
        )
        return curve or self._create_default_curves(company)[:1]

    def _points(self):
        """Sorted ``(age, probability)`` pairs."""
        self.ensure_one()
        return sorted((p.age_days, p.probability) for p in self.point_ids)

    def _probability(self, age):
        self.ensure_one()
        return interpolate(self._points(), age, self.mode)

    def _lost_per_day(self, age):
        """Share of an item lost by one more day of delay at ``age``:
        p(age) - p(age + 1), the slope of the curve (forward difference)."""
        self.ensure_one()
        points = self._points()
        return interpolate(points, age, self.mode) - interpolate(
            points, age + 1, self.mode
        )

    def _age_sql(self, today, line="line", move="move"):
        """SQL age in days of the item ``line`` on this curve's basis."""
        self.ensure_one()
        if self.basis == "credit_age":
            return SQL(
                "(%s::date - COALESCE(%s.invoice_date, %s.date))",
                today,
                SQL.identifier(move),
                SQL.identifier(line),
            )
        return SQL(
            "(%s::date - COALESCE(%s.date_maturity, %s.date))",
            today,
            SQL.identifier(line),
            SQL.identifier(line),
        )

    def _probability_sql(self, age):
        self.ensure_one()
        return interpolate_sql(self._points(), age, self.mode)

    @api.model
    def _create_default_curves(self, companies):
        """Seed the two shipped curves of companies that have none: credit age
        (active) and days past due (archived)."""
        return companies._credit_seed_missing(self._name, self._default_curve_values)

    @api.model
    def _default_curve_values(self, company):
        return [
            {
                "name": self.env._("Credit age (default)"),
                "company_id": company.id,
                "basis": "credit_age",
                "mode": DEFAULT_MODE,
                "active": True,
                "description": self.env._(
                    "Days since the invoice date, by band: within 60 days 100 % "
                    "collectable, within 100 days 80 %, within 180 days 50 %, "
                    "beyond 10 %."
                ),
                "point_ids": [
                    Command.create({"age_days": age, "probability": p})
                    for age, p in DEFAULT_CREDIT_AGE_POINTS
                ],
            },
            {
                "name": self.env._("Days past due"),
                "company_id": company.id,
                "basis": "days_past_due",
                "mode": DEFAULT_MODE,
                "active": False,
                "description": self.env._(
                    "Days past the due date, by band: 26.6 % after one year, "
                    "13.6 % after two years (published figures); before, our "
                    "assumption: 100 % up to 90 days, 85 % up to 180 days, 70 % "
                    "up to a year."
                ),
                "point_ids": [
                    Command.create({"age_days": age, "probability": p})
                    for age, p in DEFAULT_DAYS_PAST_DUE_POINTS
                ],
            },
        ]


class CreditCollectabilityCurvePoint(models.Model):
    """A point of a collectability curve: at this age, this probability of
    eventually collecting."""

    _name = "credit.collectability.curve.point"
    _description = "Collectability Curve Point"
    _order = "curve_id, age_days"

    curve_id = fields.Many2one(
        "credit.collectability.curve", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="curve_id.company_id", store=True)
    age_days = fields.Integer(string="Age (days)", required=True)
    probability = fields.Float(
        required=True,
        digits=(16, 4),
        help="Share of the amount eventually collected, between 0 and 1.",
    )

    @api.constrains("age_days", "probability")
    def _check_values(self):
        for point in self:
            if point.age_days < 0:
                raise ValidationError(
                    self.env._(
                        "Collectability curve %(curve)s: Age (days) cannot be "
                        "negative (%(age)s).",
                        curve=point.curve_id.display_name,
                        age=point.age_days,
                    )
                )
            if not 0.0 <= point.probability <= 1.0:
                raise ValidationError(
                    self.env._(
                        "Collectability curve %(curve)s: Probability must be "
                        "between 0 and 1 (%(p)s at %(age)s days).",
                        curve=point.curve_id.display_name,
                        p=point.probability,
                        age=point.age_days,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if "age_days" in vals or "probability" in vals:
            self.curve_id._check_points()
        return result
