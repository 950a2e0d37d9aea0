# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .credit_collection_policy import negative_fields


class CreditCollectionStage(models.Model):
    """A column of the collections board: the stage a customer's case is in,
    set by the days overdue of its worst escalatable item."""

    _name = "credit.collection.stage"
    _description = "Collection Stage"
    _order = "sequence, min_days_overdue, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in Kanban")
    active = fields.Boolean(default=True)
    min_days_overdue = fields.Integer(
        string="From Days Overdue",
        help="A case enters this stage when its worst escalatable item is at "
        "least this many days overdue (0: nothing overdue).",
    )
    is_manual = fields.Boolean(
        string="Manual Only",
        help="Cases enter this stage only when a manager moves them (e.g. "
        "Written off); the scheduler never picks it.",
    )
    is_hold = fields.Boolean(
        string="Sets a Credit Hold",
        help="Customers whose case is in this stage (or a later one) are put on "
        "credit hold.",
    )
    is_legal = fields.Boolean(
        string="Legal / Agency",
        help="Handed over to a lawyer or collection agency: reminders stop.",
    )
    stops_credit = fields.Boolean(
        help="A customer whose case reaches this stage gets a standing credit "
        "stop: it survives payment and the closing of the case; the customer "
        "buys only with orders paid in advance until a Collections Manager "
        "lifts it (after the tier's cooling-off period).",
    )
    is_final_notice = fields.Boolean(
        string="Final Notice",
        help="The reminders (email, letter) of this stage are the customer's "
        "final notice. The steps that need prior notice (see the rules' Needs "
        "Prior Notice: fees, the hold announced to the customer, the hand-over "
        "to legal) wait until this cycle's final notice went out; a case that "
        "enters the ladder beyond this stage gets this stage's reminder first, "
        "listing all its overdue items.",
    )
    company_id = fields.Many2one(
        "res.company", help="Empty: the stage is shared by every company."
    )
    description = fields.Text(translate=True)
    rule_ids = fields.One2many(
        "credit.collection.rule",
        "stage_id",
        string="Escalation Actions",
        help="What happens when a case reaches this stage.",
    )

    @api.constrains("min_days_overdue")
    def _check_min_days_overdue(self):
        for stage in self:
            if negative_fields(stage, ["min_days_overdue"]):
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s: the days overdue cannot be negative.",
                        stage=stage.display_name,
                    )
                )

    @api.constrains("is_final_notice", "is_manual")
    def _check_final_notice(self):
        """The final notice is a step of the ladder the cases climb."""
        for stage in self:
            if stage.is_final_notice and stage.is_manual:
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s: a Manual Only stage cannot be the Final "
                        "Notice (the cases never reach it by themselves).",
                        stage=stage.display_name,
                    )
                )

    @api.constrains("active", "is_manual", "company_id")
    def _check_ladder_not_empty(self):
        """Every company keeps at least one automatic stage: an empty ladder
        would leave the cases without a stage and stop the escalation."""
        for company in self.env["res.company"].sudo().search([("id", "!=", False)]):
            if not self._ladder(company):
                raise ValidationError(
                    self.env._(
                        "%(company)s would have no collection stage left: keep at "
                        "least one stage Active and not Manual Only.",
                        company=company.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_last_automatic(self):
        remaining = self.sudo().search(
            [("id", "not in", self.ids), ("is_manual", "=", False)]
        )
        for company in self.env["res.company"].sudo().search([("id", "!=", False)]):
            own = remaining.filtered(lambda s, c=company: s.company_id == c)
            if not (own or remaining.filtered(lambda s: not s.company_id)):
                raise ValidationError(
                    self.env._(
                        "%(company)s would have no collection stage left: keep at "
                        "least one stage Active and not Manual Only.",
                        company=company.name,
                    )
                )

    @api.model
    def _ladder(self, company, policy=None):
        """Automatic stages of ``company`` (its own, else the shared ones),
        ordered by their threshold — the policy's own thresholds when it has
        some for these stages."""
        stages = self.sudo().search(
            [
                ("company_id", "in", (company.id, False)),
                ("is_manual", "=", False),
            ]
        )
        own = stages.filtered(lambda s: s.company_id == company)
        ladder = own or stages.filtered(lambda s: not s.company_id)
        thresholds = {stage: stage.min_days_overdue for stage in ladder}
        if policy:
            for line in policy.sudo().stage_threshold_ids:
                if line.stage_id in thresholds:
                    thresholds[line.stage_id] = line.min_days_overdue
        return ladder.sorted(lambda s: (thresholds[s], s.sequence, s.id)).with_context(
            credit_collection_thresholds={s.id: t for s, t in thresholds.items()}
        )

    @api.model
    def _stage_for_days(self, ladder, days_overdue):
        """The last stage of ``ladder`` whose threshold ``days_overdue`` reaches."""
        thresholds = ladder.env.context.get("credit_collection_thresholds") or {}
        chosen = ladder[:1]
        for stage in ladder:
            if days_overdue >= thresholds.get(stage.id, stage.min_days_overdue):
                chosen = stage
        return chosen


class CreditCollectionPolicyStage(models.Model):
    """A credit tier's own threshold for a collection stage (e.g. Strategic
    customers reach "Final notice" at 60 days instead of 30)."""

    _name = "credit.collection.policy.stage"
    _description = "Stage Threshold of a Credit Tier"
    _order = "min_days_overdue, id"

    policy_id = fields.Many2one(
        "credit.collection.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    stage_id = fields.Many2one(
        "credit.collection.stage",
        required=True,
        ondelete="cascade",
        domain="[('is_manual', '=', False), ('company_id', 'in', (company_id, False))]",
    )
    min_days_overdue = fields.Integer(string="From Days Overdue", required=True)

    _policy_stage_uniq = models.Constraint(
        "UNIQUE(policy_id, stage_id)", "A tier sets one threshold per stage."
    )

    @api.constrains("min_days_overdue")
    def _check_min_days_overdue(self):
        for line in self:
            if negative_fields(line, ["min_days_overdue"]):
                raise ValidationError(
                    self.env._(
                        "Tier %(tier)s: the days overdue of stage %(stage)s cannot be "
                        "negative.",
                        tier=line.policy_id.display_name,
                        stage=line.stage_id.display_name,
                    )
                )
