# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The rhythm of the follow-up (issue #19): a stage rule repeats every N days
while the case stays in its stage, up to M times; an invoice that falls
overdue while the cycle is open gets a reminder of its own (the ladder's first
reminder, listing it as new); a tier may send a monthly statement of account.
All through the outbox: the repetition, the new invoice and the month are part
of the idempotency key, so a second plan, or a concurrent one, plans nothing
more. The tier's minimum interval between reminders still holds (the runner
checks it on every reminder)."""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .clock import credit_today
from .credit_collection_rule import REMINDER_TYPES

# the latest occurrence, per case and repeating rule, in the case's stage and
# cycle: the next repetition follows it
LAST_OCCURRENCE_QUERY = """
    SELECT DISTINCT ON (action.case_id, action.rule_id)
           action.case_id, action.rule_id, COALESCE(action.repetition, 0),
           action.state, action.date_run
      FROM credit_collection_action action
      JOIN credit_collection_case c
        ON c.id = action.case_id
       AND c.escalation_cycle = action.cycle
       AND c.stage_id = action.stage_id
     WHERE action.case_id IN %(case_ids)s
       AND action.rule_id IN %(rule_ids)s
       AND action.fallback_of_id IS NULL
  ORDER BY action.case_id, action.rule_id, COALESCE(action.repetition, 0) DESC
"""

# per case: its first overdue invoice never reminded, when the case was sent a
# reminder in its current cycle (at the start of a cycle the stage's reminder
# lists every overdue invoice anyway) and is not handed over to legal (the
# reminders stop there)
NEW_OVERDUE_QUERY = """
    SELECT c.id, MIN(move.id)
      FROM credit_collection_case c
      JOIN credit_collection_stage stage
        ON stage.id = c.stage_id
       AND stage.is_legal IS NOT TRUE
      JOIN account_move move
        ON move.commercial_partner_id = c.partner_id
       AND move.company_id = c.company_id
     WHERE c.id IN %(case_ids)s
       AND move.move_type = 'out_invoice'
       AND move.state = 'posted'
       AND move.payment_state IN ('not_paid', 'partial')
       AND move.invoice_date_due < %(date)s
       AND move.credit_reminded_stage_id IS NULL
       AND COALESCE(move.credit_dispute_amount, 0) < move.amount_residual_signed
       AND EXISTS (
             SELECT 1
               FROM credit_collection_action action
              WHERE action.case_id = c.id
                AND action.cycle = c.escalation_cycle
                AND action.action_type IN ('email', 'letter')
                AND action.state = 'done')
  GROUP BY c.id
"""


class CreditCollectionRuleRepeat(models.Model):
    # one model, one concern per file: the rule's repetition
    _inherit = "credit.collection.rule"  # pylint: disable=consider-merging-classes-inherited

    repeat = fields.Boolean(
        help="Do the action again every few days while the case stays in the "
        "stage (the tier's minimum interval between reminders still holds).",
    )
    repeat_interval_days = fields.Integer(
        string="Repeat Every (Days)",
        default=7,
        help="Days between two repetitions (counted from the day the previous "
        "one was done).",
    )
    repeat_max = fields.Integer(
        string="Repeat at Most",
        default=3,
        help="How many times the action is repeated after the first one, per cycle.",
    )

    _repeat_positive = models.Constraint(
        "CHECK(NOT repeat OR (repeat_interval_days > 0 AND repeat_max > 0))",
        "A repeated escalation rule repeats every one day or more, at least once.",
    )

    @api.constrains("repeat", "repeat_interval_days", "repeat_max")
    def _check_repeat(self):
        for rule in self.filtered("repeat"):
            if rule.repeat_interval_days <= 0:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s: Repeat Every (Days) must be one "
                        "day or more.",
                        rule=rule.display_name,
                    )
                )
            if rule.repeat_max < 1:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s: Repeat at Most must be one or more.",
                        rule=rule.display_name,
                    )
                )


class CreditCollectionActionRhythm(models.Model):
    # one model, one concern per file: the record, the runner, the handlers,
    # the prior notice, the rhythm
    _inherit = "credit.collection.action"  # pylint: disable=consider-merging-classes-inherited

    action_type = fields.Selection(
        selection_add=[("statement", "Send the monthly statement")],
        ondelete={"statement": "cascade"},
    )
    repetition = fields.Integer(
        string="Repetition Number",
        readonly=True,
        help="0: the rule's action; 1, 2…: its repetitions in the stage.",
    )
    new_items = fields.Boolean(
        string="For New Overdue Invoices",
        readonly=True,
        help="A reminder of invoices that fell overdue while the cycle was open.",
    )
    repetition_label = fields.Char(
        string="Repetition", compute="_compute_repetition_label"
    )

    @api.depends("repetition", "rule_id.repeat_max")
    def _compute_repetition_label(self):
        for action in self:
            action.repetition_label = (
                action._repeat_label(action.repetition, action.rule_id.repeat_max)
                if action.repetition
                else False
            )

    @api.model
    def _repeat_label(self, repetition, total):
        return self.env._(
            "repeat %(number)s of %(total)s", number=repetition, total=total
        )

    def _simulation_label(self, labels):
        """The action as the dry run lists it: "Send a reminder email (repeat
        2 of 3)", "… (new overdue invoices)"."""
        label = labels.get(self.action_type)
        if self.repetition_label:
            return f"{label} ({self.repetition_label})"
        if self.new_items:
            return self.env._("%(action)s (new overdue invoices)", action=label)
        return label

    # -------------------------------------------------------------- planning
    @api.model
    def _rhythm_rows(self, company, cases, date):
        """The rows the rhythm adds to a plan: the repetitions due, the
        reminders of new overdue invoices, the monthly statements."""
        cases = cases.filtered("active")
        if not cases:
            return []
        # the queries read the cases' stage and cycle as just updated
        self.env.flush_all()
        return (
            self._repeat_rows(company, cases, date)
            + self._new_items_rows(company, cases, date)
            + self._statement_rows(company, cases, date)
        )

    @api.model
    def _repeat_rows(self, company, cases, date):
        """The next repetition of each repeating rule whose last occurrence
        in the case's stage and cycle was done at least N days ago, up to M."""
        rules = (
            self.env["credit.collection.rule"]
            .sudo()
            .search([("company_id", "in", (company.id, False)), ("repeat", "=", True)])
        )
        if not rules:
            return []
        rows = self.env.execute_query(
            SQL(
                LAST_OCCURRENCE_QUERY,
                case_ids=tuple(cases.ids),
                rule_ids=tuple(rules.ids),
            )
        )
        by_id = {case.id: case for case in cases}
        Rule = self.env["credit.collection.rule"].sudo()
        planned = []
        for case_id, rule_id, repetition, state, date_run in rows:
            rule = Rule.browse(rule_id)
            if (
                state != "done"
                or repetition >= rule.repeat_max
                or not date_run
                or date_run + timedelta(days=rule.repeat_interval_days) > date
            ):
                continue
            case = by_id[case_id]
            number = repetition + 1
            key = self._key(
                case, rule.stage_id, rule, case.escalation_cycle, f"/repeat{number}"
            )
            planned.append((key, case, rule, {"repetition": number}))
        return planned

    @api.model
    def _new_items_rows(self, company, cases, date):
        """The ladder's first reminder for the cases with an invoice that fell
        overdue since the cycle's reminders began and was never reminded."""
        rows = self.env.execute_query(
            SQL(NEW_OVERDUE_QUERY, case_ids=tuple(cases.ids), date=date)
        )
        if not rows:
            return []
        rules_by_stage = self.env["credit.collection.rule"]._rules_by_stage(company)
        default = self.env["credit.collection.policy"]._get_default(company)
        by_id = {case.id: case for case in cases}
        planned = []
        for case_id, move_id in rows:
            case = by_id[case_id]
            policy = case.policy_id or default
            for rule in self._first_reminder_rules(company, policy, rules_by_stage):
                key = self._key(
                    case, rule.stage_id, rule, case.escalation_cycle, f"/new{move_id}"
                )
                planned.append((key, case, rule, {"new_items": True}))
        return planned

    @api.model
    def _first_reminder_rules(self, company, policy, rules_by_stage):
        """The reminder rules of the first stage of ``policy``'s ladder that
        has any."""
        for stage in self.env["credit.collection.stage"]._ladder(company, policy):
            rules = [
                rule
                for rule in rules_by_stage.get(stage, [])
                if rule.action_type in REMINDER_TYPES and rule._applies_to(policy)
            ]
            if rules:
                return rules
        return []

    @api.model
    def _statement_rows(self, company, cases, date):
        """A monthly statement for the customers with an open balance whose
        tier sends one: once per month (the month is in the key)."""
        default = self.env["credit.collection.policy"]._get_default(company)
        month = date.strftime("%Y-%m")
        return [
            (
                f"case{case.id}/statement{month}",
                case,
                None,
                {"action_type": "statement", "stage": case.stage_id},
            )
            for case in cases
            if (case.policy_id or default).monthly_statement
            and case.amount_residual > 0
            and case.stage_id
        ]

    # ---------------------------------------------------------------- runner
    def _skip_reason(self):
        if self.action_type == "statement":
            return self._statement_skip_reason()
        if self.new_items:
            return self._new_items_skip_reason()
        if self.repetition and self.case_id.stage_id != self.stage_id:
            return self.env._(
                "The case moved to stage %(stage)s: the repetitions stop.",
                stage=self.case_id.stage_id.name,
            )
        return super()._skip_reason()

    def _statement_skip_reason(self):
        case = self.case_id
        policy = case.policy_id or self.env["credit.collection.policy"]._get_default(
            case.company_id
        )
        if not case.active:
            return self.env._("Everything is paid: the case is closed.")
        if not policy.monthly_statement:
            return self.env._("The customer's tier sends no monthly statement.")
        return False

    def _new_items_skip_reason(self):
        """A reminder of new overdue invoices stops when a reminder listed
        them since, or the cycle ended."""
        case = self.case_id
        if not (self.rule_id and self.rule_id.active):
            return self.env._("The escalation rule was removed or archived.")
        if not case.active:
            return self.env._("Everything is paid: the case is closed.")
        if case.escalation_cycle != self.cycle:
            return self.env._(
                "The overdue items were paid since: a new escalation cycle began."
            )
        if not case._unreminded_invoices():
            return self.env._("The new overdue invoices were reminded since.")
        return self._chase_skip_reason()

    def _execute_statement(self, date):
        """Post the monthly statement of account on the case (the mail goes
        out with the mail queue)."""
        recipient = self._email_recipient()
        template = self.env.ref(
            "account_credit_collection.mail_template_monthly_statement"
        )
        messages = self.case_id.with_context(
            mail_notify_force_send=False, mail_post_autofollow=False
        ).message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=recipient.ids,
        )
        self.write(
            {
                "message_id": messages[:1].id,
                "attachment_id": messages[:1].attachment_ids[:1].id,
                "delivery_state": "queued",
            }
        )

    def _mark_done(self, date=None):
        result = super()._mark_done(date)
        if self.action_type in REMINDER_TYPES:
            self.case_id._mark_reminded(
                self.stage_id, date or credit_today(self.env, self.company_id)
            )
        return result


class CreditCollectionCaseRhythm(models.Model):
    # one model, one concern per file: the invoices' reminder level
    _inherit = "credit.collection.case"  # pylint: disable=consider-merging-classes-inherited

    def _reminded_moves(self, date):
        """The invoices a reminder sent on ``date`` lists."""
        self.ensure_one()
        lines = self._open_lines().filtered(
            lambda line: line.amount_residual > 0 and self._is_reminded(line, date)
        )
        return lines.move_id.filtered(lambda move: move.move_type == "out_invoice")

    def _mark_reminded(self, stage, date):
        """The invoices listed by a reminder of ``stage``: their highest level
        reminded becomes ``stage`` when it is higher."""
        self.ensure_one()
        moves = self._reminded_moves(date).filtered(
            lambda move: not move.credit_reminded_stage_id
            or move.credit_reminded_stage_id.sequence < stage.sequence
        )
        if moves:
            moves.sudo().credit_reminded_stage_id = stage

    def _unreminded_invoices(self):
        """The overdue invoices of the case never reminded."""
        self.ensure_one()
        date = credit_today(self.env, self.company_id)
        return self._reminded_moves(date).filtered(
            lambda move: not move.credit_reminded_stage_id
        )

    def _reminder_item_label(self, item, items):
        """The invoice's name in the reminder's table, with a "new" badge when
        it is reminded for the first time while others were already."""
        if not self._is_new_item(item, items):
            return item["name"]
        return Markup(
            "%s <span style='background:#e8f4ea;color:#1e7b34;border-radius:3px;"
            "padding:0 4px;font-size:smaller'>%s</span>"
        ) % (item["name"], self.env._("new"))

    @staticmethod
    def _is_new_item(item, items):
        move = item["move"]
        if item["is_credit"] or move.move_type != "out_invoice":
            return False
        return not move.credit_reminded_stage_id and any(
            other["move"].credit_reminded_stage_id for other in items
        )


class CreditCollectionPolicyStatement(models.Model):
    _inherit = "credit.collection.policy"

    monthly_statement = fields.Boolean(
        help="Send every customer of this tier with an open balance the "
        "statement of their account once a month (by email, through the "
        "escalation outbox).",
    )


class AccountMoveReminded(models.Model):
    _inherit = "account.move"

    # the open invoices never reminded, per customer: the plan's search for
    # new overdue invoices (a small index: reminded invoices leave it)
    _credit_unreminded_idx = models.Index(
        "(commercial_partner_id, company_id) WHERE credit_reminded_stage_id IS NULL "
        "AND move_type = 'out_invoice' AND state = 'posted' "
        "AND payment_state IN ('not_paid', 'partial')"
    )

    credit_reminded_stage_id = fields.Many2one(
        "credit.collection.stage",
        string="Reminded At Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The highest collection level of a reminder (email or letter) "
        "that listed this invoice.",
    )
