# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How the escalation follows a payment arrangement (credit_arrangement.py):
the tier's terms, the case under arrangement (its stage held where it was
paused, or — when the tier lifts the hold — its covered invoices out of the
stage's figures, case_figures_sql.py), the reminders of its invoices paused,
the fees and interest waived, each instalment reminded once through the
escalation outbox, the daily evaluation and the bump of a broken plan."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, format_date

from .clock import credit_today
from .credit_collection_action_errors import DeliveryImpossible
from .credit_collection_rule import REMINDER_TYPES


class CreditCollectionPolicy(models.Model):
    _inherit = "credit.collection.policy"

    arrangement_reminder_days = fields.Integer(
        string="Instalment Reminder (days before)",
        default=3,
        help="Days before each instalment of a payment arrangement the customer "
        "is reminded of it; 0: on its date.",
    )
    arrangement_grace_days = fields.Integer(
        string="Instalment Grace Days",
        default=5,
        help="Days after an instalment's date it is late, not yet broken; "
        "after them the arrangement is broken.",
    )
    arrangement_keeps_hold = fields.Boolean(
        string="Holds Stay under Arrangement",
        default=True,
        help="Whether the credit hold of the case's stage stays while a payment "
        "arrangement is kept. Unticked: the covered invoices no longer count "
        "for the case's stage while the plan is kept, which may lift the hold.",
    )

    @api.constrains("arrangement_reminder_days", "arrangement_grace_days")
    def _check_arrangement_terms(self):
        for policy in self:
            if min(policy.arrangement_reminder_days, policy.arrangement_grace_days) < 0:
                raise self._arrangement_terms_error(policy.display_name)

    def _arrangement_terms_error(self, tier):
        return ValidationError(
            self.env._(
                "Credit tier %(tier)s: the instalment reminder and grace days "
                "cannot be negative (0 means none).",
                tier=tier,
            )
        )


class CreditPromise(models.Model):
    _inherit = "credit.promise"

    arrangement_id = fields.Many2one(
        "credit.arrangement",
        string="Broken Arrangement",
        readonly=True,
        index="btree_not_null",
        help="The broken payment arrangement this promise records (it counts "
        "as a broken promise).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any("arrangement_id" in vals for vals in vals_list):
            raise self._forged_error({"arrangement_id"})
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "arrangement_id" in vals:
            raise self._forged_error({"arrangement_id"})
        return super().write(vals)


class CreditCollectionCase(models.Model):
    _inherit = "credit.collection.case"

    arrangement_id = fields.Many2one(
        "credit.arrangement",
        string="Under Arrangement",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The approved payment arrangement the case is under while it is "
        "kept: the reminders of its invoices pause.",
    )
    arrangement_ids = fields.One2many(
        "credit.arrangement", "case_id", string="Payment Arrangements"
    )

    def _check_write(self, vals):
        result = super()._check_write(vals)
        if "arrangement_id" in vals:
            raise AccessError(
                self.env._(
                    "A case is under arrangement when a Collections Manager "
                    "approves the plan: it cannot be set by hand."
                )
            )
        return result

    def action_propose_arrangement(self):
        """The arrangement form, for this case and its overdue invoices."""
        self.ensure_one()
        self.check_access("write")
        today = credit_today(self.env, self.company_id)
        overdue = self.env["account.move"].search(
            Domain("commercial_partner_id", "=", self.partner_id.id)
            & Domain("company_id", "=", self.company_id.id)
            & Domain("move_type", "=", "out_invoice")
            & Domain("state", "=", "posted")
            & Domain("payment_state", "in", ("not_paid", "partial"))
            & Domain("invoice_date_due", "<", today),
            order="invoice_date_due, id",
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Propose Arrangement"),
            "res_model": "credit.arrangement",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_case_id": self.id,
                "default_invoice_ids": [fields.Command.set(overdue.ids)],
            },
        }

    # ----------------------------------------------------------- escalation
    def _overdue_under_arrangement(self, waived_only=False, today=None):
        """Whether every overdue open item of the case is under its kept
        arrangement (its waiving one with ``waived_only``) or an open promise
        whose deadline is ahead."""
        self.ensure_one()
        arrangement = self.arrangement_id
        if not arrangement or arrangement.state != "active":
            return False
        if waived_only and not arrangement.waive_fees:
            return False
        today = today or credit_today(self.env, self.company_id)
        overdue = self._overdue_moves(today)
        if not overdue:
            return False
        paused = arrangement.invoice_ids
        if not waived_only:
            paused |= self._promised_moves(today)
        return not (overdue - paused)

    def _chargeable_items(self, date):
        """Under a kept arrangement waiving fees and interest, its invoices
        bear none."""
        items = super()._chargeable_items(date)
        arrangement = self.arrangement_id
        if not (arrangement.state == "active" and arrangement.waive_fees):
            return items
        waived = arrangement.invoice_ids
        return [item for item in items if item["move"] not in waived]

    @api.model
    def _stage_changes(self, case, stage, first_stage):
        """A case under a kept arrangement whose tier keeps the holds stays at
        the stage where it was paused."""
        arrangement = case.arrangement_id
        if arrangement.state == "active" and arrangement.keeps_hold:
            return {}
        return super()._stage_changes(case, stage, first_stage)

    @api.model
    def _items_params(self, today, curve, open_items, horizon=False):
        # the figures' SQL reads the kept arrangements and their invoices
        self.env["credit.arrangement"].flush_model(
            ["state", "keeps_hold", "invoice_ids"]
        )
        return super()._items_params(today, curve, open_items, horizon=horizon)

    @api.model
    def _settle_promises(self, company, partners, today):
        """The approved arrangements are evaluated with the promises."""
        touched = super()._settle_promises(company, partners, today)
        domain = Domain("company_id", "=", company.id) & Domain("state", "=", "active")
        if partners is not None:
            domain &= Domain("partner_id", "in", partners.ids)
        arrangements = self.env["credit.arrangement"].sudo().search(domain)
        return touched | arrangements._evaluate(today).case_id

    def _bump_stage_for_broken_arrangement(self, arrangement):
        """A broken arrangement: the escalation resumes one stage above where
        it was paused (or where the case is, when higher), pinned there."""
        self.ensure_one()
        ladder = list(
            self.env["credit.collection.stage"]._ladder(
                self.company_id, self.partner_id._credit_policy(self.company_id)
            )
        )
        if not ladder:
            return
        paused = arrangement.paused_stage_id
        index = ladder.index(paused) if paused in ladder else 0
        if self.stage_id in ladder:
            index = max(index, ladder.index(self.stage_id) - 1)
        target = ladder[min(index + 1, len(ladder) - 1)]
        reason = self.env._(
            "Broken payment arrangement of %(date)s",
            date=format_date(self.env, arrangement.date_approved),
        )
        expiry = credit_today(self.env, self.company_id) + timedelta(days=self.PIN_DAYS)
        self.sudo().write(
            {
                "stage_id": target.id,
                **self._pin_values(self.env.ref("base.user_root"), reason, expiry),
                "pin_residual": self.amount_residual,
            }
        )
        self.message_post(
            body=self.env._(
                "The payment arrangement is broken: the case moves to %(stage)s.",
                stage=target.name,
            )
        )
        self.env["credit.hold"].sudo()._sync_partners(
            self.partner_id.with_company(self.company_id), self.company_id
        )

    # -------------------------------------------------------------- statement
    def _statement_instalments(self):
        """The remaining instalments of the kept arrangement (the statement of
        account lists them)."""
        self.ensure_one()
        arrangement = self.sudo().arrangement_id
        if arrangement.state != "active":
            return []
        return arrangement._remaining_instalments()


class CreditCollectionAction(models.Model):
    _inherit = "credit.collection.action"

    action_type = fields.Selection(
        selection_add=[("instalment", "Remind an instalment")],
        ondelete={"instalment": "cascade"},
    )
    arrangement_line_id = fields.Many2one(
        "credit.arrangement.line",
        string="Instalment",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    # -------------------------------------------------------------- planning
    @api.model
    def _plan(self, cases, date):
        """The stage's actions, then a reminder of each instalment of the
        cases' kept arrangements whose reminder day has come (once: its key)."""
        planned = super()._plan(cases, date)
        return planned | self._plan_instalment_reminders(cases, date)

    @api.model
    def _plan_instalment_reminders(self, cases, date):
        arrangements = (
            self.env["credit.arrangement"]
            .sudo()
            .search(Domain("case_id", "in", cases.ids) & Domain("state", "=", "active"))
        )
        rows = []
        for arrangement in arrangements:
            policy = (
                arrangement.case_id.policy_id
                or arrangement.partner_id._credit_policy(arrangement.company_id)
            )
            before = timedelta(days=policy.arrangement_reminder_days)
            rows += [
                (arrangement, line)
                for line in arrangement.line_ids
                if line.state in ("pending", "late")
                and line.date - before <= date <= line.date
            ]
        if not rows:
            return self.browse()
        stamp = (self.env.uid, self.env.cr.now())
        values = SQL(", ").join(
            self._instalment_values(arrangement, line, date, stamp)
            for arrangement, line in rows
        )
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO credit_collection_action
                   (idempotency_key, case_id, partner_id, company_id, stage_id,
                    action_type, cycle, state, date_planned, attempt_count,
                    arrangement_line_id, create_uid, create_date, write_uid,
                    write_date)
            VALUES %s
       ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id
                """,
                values,
            ),
            log_exceptions=False,
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _instalment_values(self, arrangement, line, date, stamp):
        case = arrangement.case_id
        uid, now = stamp
        return SQL(
            "(%s, %s, %s, %s, %s, 'instalment', %s, 'planned', %s, 0, %s, %s, %s, "
            "%s, %s)",
            f"arrangement{arrangement.id}/instalment{line.id}/reminder",
            case.id,
            case.partner_id.id,
            case.company_id.id,
            case.stage_id.id,
            case.escalation_cycle,
            date,
            line.id,
            uid,
            now,
            uid,
            now,
        )

    # -------------------------------------------------------------- runner
    def _skip_reason(self):
        if self.action_type != "instalment":
            return super()._skip_reason()
        line = self.arrangement_line_id
        if not line or line.arrangement_id.state != "active":
            return self.env._("The payment arrangement is no longer approved.")
        if line.state == "kept":
            return self.env._("The instalment is paid.")
        return False

    def _chase_skip_reason(self):
        """Under a kept arrangement the reminders of its invoices pause, and
        so do the fees when it waives them."""
        case = self.case_id
        if self.action_type in REMINDER_TYPES and case._overdue_under_arrangement():
            return self.env._(
                "Paused: the overdue invoices are under a payment arrangement "
                "(the stage stays)."
            )
        if self.action_type == "fee" and case._overdue_under_arrangement(
            waived_only=True
        ):
            return self.env._(
                "Waived: the overdue invoices are under a payment arrangement "
                "waiving fees and interest."
            )
        return super()._chase_skip_reason()

    def _execute_instalment(self, date):
        """Remind the customer of the instalment (posted on the case, the mail
        goes out with the mail queue)."""
        recipient = self.case_id._reminder_recipient()
        if not recipient.email:
            raise DeliveryImpossible(
                self.env._(
                    "%(customer)s has no email address: add one on the customer "
                    "(invoice address).",
                    customer=recipient.display_name,
                )
            )
        line = self.arrangement_line_id
        arrangement = line.arrangement_id
        body = self.env._(
            "Reminder: the instalment of %(amount)s of your payment arrangement "
            "is due on %(date)s (%(remaining)s remaining in all). Thank you for "
            "paying it on time.",
            amount=format_amount(self.env, line.amount, arrangement.currency_id),
            date=format_date(self.env, line.date, lang_code=recipient.lang),
            remaining=format_amount(
                self.env, arrangement.amount_remaining, arrangement.currency_id
            ),
        )
        self.message_id = self.case_id.with_context(
            mail_notify_force_send=False, mail_post_autofollow=False
        ).message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=recipient.ids,
        )
        arrangement.message_post(body=body)


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_arrangement_count = fields.Integer(
        string="Payment Arrangements",
        compute="_compute_credit_arrangement_count",
        groups="account_credit_collection.group_user",
    )

    def _compute_credit_arrangement_count(self):
        counts = dict(
            self.env["credit.arrangement"]._read_group(
                Domain("partner_id", "in", self.commercial_partner_id.ids)
                & Domain("company_id", "=", self.env.company.id),
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.credit_arrangement_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def action_view_credit_arrangements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_credit_collection.credit_arrangement_action"
        )
        action["domain"] = [
            ("partner_id", "=", self.commercial_partner_id.id),
            ("company_id", "=", self.env.company.id),
        ]
        return action
