# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
    company_id = fields.Many2one(
        "res.company", help="Empty: the stage is shared by every company."
    )
    description = fields.Text(translate=True)

    @api.constrains("min_days_overdue")
    def _check_min_days_overdue(self):
        for stage in self:
            if stage.min_days_overdue < 0:
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s: the days overdue cannot be negative.",
                        stage=stage.display_name,
                    )
                )

    @api.model
    def _ladder(self, company):
        """Automatic stages of ``company`` (its own, else the shared ones),
        ordered by their threshold."""
        stages = self.sudo().search(
            [
                ("company_id", "in", (company.id, False)),
                ("is_manual", "=", False),
            ]
        )
        own = stages.filtered(lambda s: s.company_id == company)
        ladder = own or stages.filtered(lambda s: not s.company_id)
        return ladder.sorted(lambda s: (s.min_days_overdue, s.sequence, s.id))

    @api.model
    def _stage_for_days(self, ladder, days_overdue):
        """The last stage of ``ladder`` whose threshold ``days_overdue`` reaches."""
        chosen = ladder[:1]
        for stage in ladder:
            if days_overdue >= stage.min_days_overdue:
                chosen = stage
        return chosen
