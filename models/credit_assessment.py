# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The debtor assessment: will the customer not pay, or can it not? The
collector records the customer's situation on the case (dated, signed, with a
note); the history is kept and never edited. The latest one shows on the
board and drives the tier's strategy: bad faith goes to the final notice and
stops the credit (credit_stop.py), a customer temporarily unable to pay is
offered a payment arrangement."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .clock import credit_today

SITUATIONS = [
    ("willing", "Willing and able"),
    ("unable", "Temporarily unable"),
    ("disputes", "Disputes the debt"),
    ("bad_faith", "Bad faith (able but unwilling)"),
    ("unreachable", "Unreachable"),
]
USER_GROUP = "account_credit_collection.group_user"


class CreditCollectionAssessment(models.Model):
    _name = "credit.collection.assessment"
    _description = "Debtor Assessment"
    _order = "date desc, id desc"
    _check_company_auto = True

    case_id = fields.Many2one(
        "credit.collection.case",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    partner_id = fields.Many2one(
        related="case_id.partner_id", store=True, string="Customer"
    )
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    situation = fields.Selection(SITUATIONS, required=True)
    date = fields.Date(
        required=True,
        default=lambda self: credit_today(self.env, self.env.company),
        help="When the situation was assessed (the company's date).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assessed by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    note = fields.Text(help="What the customer said, what was checked.")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(
                self.env._("Only the collections team records debtor assessments.")
            )
        Case = self.env["credit.collection.case"]
        for vals in vals_list:
            vals["user_id"] = self.env.uid  # signed by who records it
            # checked before anything is written
            case = Case.browse(vals.get("case_id"))
            self._check_date(vals.get("date"), case.company_id)
        assessments = super().create(vals_list)
        for assessment in assessments:
            assessment._apply()
        return assessments

    def write(self, vals):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "An assessment is part of the case's history and is not "
                    "edited: record a new one."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "An assessment is part of the case's history and is not deleted: "
                "record a new one."
            )
        )

    @api.model
    def _check_date(self, date, company):
        today = credit_today(self.env, company or None)
        if date and fields.Date.to_date(date) > today:
            raise ValidationError(
                self.env._(
                    "An assessment records what is known: its date %(date)s cannot "
                    "be in the future.",
                    date=date,
                )
            )

    # --------------------------------------------------------------- strategy
    def _apply(self):
        """The latest situation on the case, the chatter, then the tier's
        strategy for it."""
        case = self.case_id.sudo()
        latest = self.sudo().search([("case_id", "=", case.id)], limit=1)
        if latest == self:
            case.write(
                {
                    "assessment_situation": self.situation,
                    "assessment_date": self.date,
                    "assessment_user_id": self.user_id.id,
                }
            )
        label = dict(self._fields["situation"]._description_selection(self.env))
        case.message_post(
            body=self.env._(
                "Debtor assessed by %(user)s: %(situation)s. %(note)s",
                user=self.user_id.name,
                situation=label[self.situation],
                note=self.note or "",
            )
        )
        policy = case.partner_id._credit_policy(case.company_id)
        if self.situation == "bad_faith" and policy.bad_faith_strategy != "none":
            self._apply_bad_faith(case, policy)
        elif self.situation == "unable" and policy.unable_strategy != "none":
            self._offer_arrangement(case)

    def _apply_bad_faith(self, case, policy):
        """Bad faith: the credit stops; with the final-notice strategy the
        case also moves up to the final notice (pinned) when below it."""
        self.env["credit.hold"]._credit_stop(
            case.partner_id, case.company_id, "bad_faith", case=case, detail=self.note
        )
        if policy.bad_faith_strategy == "final_notice_stop":
            case._move_to_final_notice(
                self.env._("Assessed in bad faith by %(user)s", user=self.user_id.name)
            )

    def _offer_arrangement(self, case):
        """Temporarily unable: the collector is asked to offer a payment
        arrangement."""
        user = case.user_id or self.user_id
        case.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=credit_today(self.env, case.company_id),
            summary=self.env._("Offer a payment arrangement"),
            note=self.env._(
                "%(partner)s is temporarily unable to pay: offer a payment "
                "arrangement (Propose Arrangement on the case: instalments) "
                "instead of escalating.",
                partner=case.partner_id.display_name,
            ),
            user_id=user.id,
        )


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    assessment_ids = fields.One2many(
        "credit.collection.assessment", "case_id", string="Assessments"
    )
    assessment_situation = fields.Selection(
        SITUATIONS,
        string="Debtor Situation",
        readonly=True,
        index=True,
        tracking=True,
        help="The latest assessment of the customer's situation.",
    )
    assessment_date = fields.Date(string="Assessed On", readonly=True)
    assessment_user_id = fields.Many2one(
        "res.users", string="Assessed by", readonly=True
    )

    def action_record_assessment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Assessment"),
            "res_model": "credit.collection.assessment",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def _final_notice_stage(self):
        """The final notice of the case's ladder: its stage marked Final
        Notice, else the last stage before the first one that sets a hold (the
        last stage on a ladder without)."""
        ladder = self.env["credit.collection.stage"]._ladder(
            self.company_id, self.partner_id._credit_policy(self.company_id)
        )
        flagged = ladder.filtered("is_final_notice")
        if flagged:
            return flagged[:1]
        before_hold = ladder.browse()
        for stage in ladder:
            if stage.is_hold:
                break
            before_hold = stage
        return before_hold or ladder[-1:]

    def _move_to_final_notice(self, reason):
        """Move the case up to the final notice, pinned there (never down)."""
        self.ensure_one()
        target = self._final_notice_stage()
        ladder = self.env["credit.collection.stage"]._ladder(
            self.company_id, self.partner_id._credit_policy(self.company_id)
        )
        stages = list(ladder)
        current = stages.index(self.stage_id) if self.stage_id in stages else -1
        if not target or self.stage_id.is_manual or current >= stages.index(target):
            return
        expiry = credit_today(self.env, self.company_id) + timedelta(days=self.PIN_DAYS)
        self.sudo().write(
            {
                "stage_id": target.id,
                **self._pin_values(self.env.user, reason, expiry),
                "pin_residual": self.amount_residual,
            }
        )
