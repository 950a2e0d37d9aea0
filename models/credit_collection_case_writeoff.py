# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The write-offs of a collection case (``credit_writeoff.py``): the buttons
of the case form, the items that can be written off, and the case's move in
and out of the Written off stage."""

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .credit_hold import MANAGER_GROUP
from .credit_writeoff import WRITTEN_OFF_STAGE
from .open_items import item_domain


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    writeoff_ids = fields.One2many(
        "credit.writeoff", "case_id", string="Write-offs", groups=MANAGER_GROUP
    )
    has_posted_writeoff = fields.Boolean(compute="_compute_has_posted_writeoff")

    def _compute_has_posted_writeoff(self):
        posted = (
            self.env["credit.writeoff"]
            .sudo()
            .search(Domain("case_id", "in", self.ids) & Domain("state", "=", "posted"))
        )
        for case in self:
            case.has_posted_writeoff = case in posted.case_id

    # ---------------------------------------------------------------- actions
    def action_writeoff(self):
        """Open the write-off wizard on the case's open items."""
        self.ensure_one()
        self.env["credit.writeoff"]._check_manager(self.company_id)
        if not self._writeoff_items():
            raise UserError(
                self.env._(
                    "%(partner)s owes nothing open in %(company)s: there is "
                    "nothing to write off.",
                    partner=self.partner_id.name,
                    company=self.company_id.name,
                )
            )
        return self._wizard_action(
            "credit.writeoff.wizard", self.env._("Write Off Receivables")
        )

    def action_book_recovery(self):
        """Open the recovery wizard: money received on written-off debt."""
        self.ensure_one()
        self.env["credit.writeoff"]._check_manager(self.company_id)
        if not self.sudo().writeoff_ids.filtered(lambda w: w.state == "posted"):
            raise UserError(
                self.env._(
                    "Nothing of %(partner)s was written off: a payment is "
                    "matched to its invoices, not booked as a recovery.",
                    partner=self.partner_id.name,
                )
            )
        return self._wizard_action(
            "credit.writeoff.recovery", self.env._("Book a Recovery")
        )

    def _wizard_action(self, model, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    # ---------------------------------------------------------------- helpers
    def _writeoff_items(self):
        """The items that can be written off: the open receivable items of
        the case's customer that it owes (not its payments or credits)."""
        self.ensure_one()
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                item_domain(self.company_id, self.partner_id)
                & Domain("amount_residual_currency", ">", 0),
                order="date_maturity, id",
            )
        )

    def _written_off_stage(self):
        stage = self.env.ref(WRITTEN_OFF_STAGE, raise_if_not_found=False)
        if not stage or not stage.active:
            raise UserError(
                self.env._(
                    "The Written off collection stage was deleted or archived: "
                    "restore it before writing off."
                )
            )
        return stage

    def _enter_written_off(self):
        """Written off: the case moves to the Written off stage (a manual
        stage: the scheduler keeps it there, even with nothing open, until a
        manager moves it)."""
        self.ensure_one()
        stage = self._written_off_stage()
        if self.stage_id == stage:
            return
        self.sudo().write(
            {
                "stage_id": stage.id,
                "is_pinned": False,
                "pin_reason": False,
                "pin_expiry": False,
            }
        )

    def _leave_written_off(self):
        """A write-off reversed: unless another one stands, the case goes back
        to the stage its items give."""
        self.ensure_one()
        stage = self.env.ref(WRITTEN_OFF_STAGE, raise_if_not_found=False)
        if self.stage_id != stage or self.sudo().writeoff_ids.filtered(
            lambda w: w.state == "posted"
        ):
            return
        ladder = self.env["credit.collection.stage"]._ladder(
            self.company_id, self.partner_id._credit_policy(self.company_id)
        )
        self.sudo().write({"stage_id": ladder[:1].id})
        self.sudo()._update_cases(self.company_id, self.partner_id)
