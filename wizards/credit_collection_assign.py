# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError


class CreditCollectionAssign(models.TransientModel):
    """A Collections Manager gives the selected cases their collectors in
    bulk: by the assignment rules, or spread evenly over chosen collectors."""

    _name = "credit.collection.assign"
    _description = "Assign Collection Cases"

    case_ids = fields.Many2many("credit.collection.case", string="Cases")
    case_count = fields.Integer(compute="_compute_case_count")
    mode = fields.Selection(
        [
            ("rules", "Apply the assignment rules"),
            ("spread", "Spread over collectors"),
        ],
        required=True,
        default="rules",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Collectors",
        domain="[('share', '=', False)]",
        help="The cases go to these collectors, each to the one with the least "
        "load, counting the open cases they already have.",
    )
    balance_by = fields.Selection(
        [("count", "Number of cases"), ("amount", "Amount overdue")],
        default="count",
        required=True,
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "credit.collection.case":
            res["case_ids"] = [(6, 0, self.env.context.get("active_ids") or [])]
        return res

    @api.depends("case_ids")
    def _compute_case_count(self):
        for wizard in self:
            wizard.case_count = len(wizard.case_ids)

    def action_assign(self):
        self.ensure_one()
        self.env["credit.hold"]._check_manager()
        cases = self.case_ids
        if not cases:
            raise UserError(self.env._("Select the cases to assign."))
        cases.check_access("write")
        if self.mode == "spread":
            if not self.user_ids:
                raise UserError(
                    self.env._("Choose the collectors to spread the cases over.")
                )
            self.env["credit.collection.assignment.rule"]._check_can_collect(
                self.user_ids, cases.company_id
            )
            moves = cases._assign_evenly(self.user_ids, self.balance_by)
        else:
            moves = cases._assign_by_rules()
        for user, moved in moves.items():
            moved.write({"user_id": user.id})
        count = sum(len(moved) for moved in moves.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if count else "info",
                "message": self.env._(
                    "%(count)s of %(total)s cases changed collector.",
                    count=count,
                    total=len(cases),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
