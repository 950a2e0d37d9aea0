# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Adversarial access: every way we could think of to get a held order
confirmed or a credit decision changed, tried through XML-RPC and JSON-RPC
as a salesperson, a collector, a credit manager, an accountant, a portal user
and a manager of another company. Each attempt must end in a clear access or
user error (or, for searches, return nothing of the other company); then the
manager's legitimate paths work and leave their audit trail."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .adversarial import record
from .common import DISABLED_MAIL_CONTEXT, make_invoice
from .rpc_clients import CLIENTS, REFUSALS, RpcError

# x2many commands as plain tuples: the wire format of external clients


def create(vals):
    return (0, 0, vals)


def update(record_id, vals):
    return (1, record_id, vals)


def set_(ids):
    return (6, 0, ids)


# every context key a caller could hope skips the credit check
BYPASS_CONTEXT = {
    "credit_collection_bypass_hold": True,
    "bypass_risk": True,
    "skip_credit_check": True,
    "credit_check_skip": True,
    "no_credit_check": True,
    "install_mode": True,
    "import_file": True,
    "tracking_disable": True,
    "active_test": False,
}


class AttemptKit:
    """The records under attack (ids, as an external client sees them) and
    the attempts on them: each ``attempt(call)`` calls the API through
    ``call``, a client logged in as the attacker."""

    def __init__(self, test):
        self.test = test
        self.order, self.hold, self.case = test.order.id, test.hold.id, test.case.id
        self.confirmed = test.confirmed.id
        self.confirmed_line = test.confirmed.order_line[:1].id
        self.product = test.product.id
        self.promise, self.inv = test.promise.id, test.invoice.id
        self.fee_move = test.fee_action.fee_move_id
        self.fee_line = self.fee_move.invoice_line_ids[:1].id
        self.action_ids = test.actions.ids
        self.done_action = test.actions.filtered(lambda a: a.state == "done")[:1].id
        self.company = test.company.id
        self.partner = test.customer.id
        self.forged_action = {
            "idempotency_key": "forged/key",
            "case_id": self.case,
            "partner_id": self.partner,
            "company_id": self.company,
            "stage_id": test.stage.id,
            "action_type": "email",
            "state": "done",
        }
        self.new_order = {
            "partner_id": self.partner,
            "company_id": self.company,
            "order_line": [
                create({"product_id": test.product.id, "price_unit": 500.0})
            ],
        }

    def confirm(self, call):
        return call("sale.order", "action_confirm", [self.order])

    def confirm_ctx(self, call):
        return call(
            "sale.order", "action_confirm", [self.order], context=BYPASS_CONTEXT
        )

    def write_sale(self, call):
        return call("sale.order", "write", [self.order], {"state": "sale"})

    def create_sale(self, call):
        return call("sale.order", "create", [dict(self.new_order, state="sale")])

    def create_default_sale(self, call):
        return call(
            "sale.order",
            "create",
            [self.new_order],
            context={"default_state": "sale", **BYPASS_CONTEXT},
        )

    def grow_confirmed(self, call):
        return call(
            "sale.order",
            "write",
            [self.confirmed],
            {"order_line": [create({"product_id": self.product, "price_unit": 500.0})]},
        )

    def raise_confirmed_price(self, call):
        return call(
            "sale.order.line", "write", [self.confirmed_line], {"price_unit": 5000.0}
        )

    def add_confirmed_line(self, call):
        return call(
            "sale.order.line",
            "create",
            [
                {
                    "order_id": self.confirmed,
                    "product_id": self.product,
                    "price_unit": 500.0,
                }
            ],
        )

    def copy_sale(self, call):
        return call("sale.order", "copy", [self.order], {"state": "sale"})

    def load_sale(self, call):
        return call(
            "sale.order",
            "load",
            [
                "partner_id/.id",
                "company_id/.id",
                "state",
                "order_line/product_id/.id",
            ],
            [[str(self.partner), str(self.company), "sale", str(self.test.product.id)]],
        )

    def steal_override(self, call):
        return call(
            "sale.order", "write", [self.order], {"credit_hold_override_id": self.hold}
        )

    def private_confirm(self, call):
        return call("sale.order", "_action_confirm", [self.order])

    def private_override(self, call):
        return call(
            "sale.order", "_credit_confirm_under_override", [self.order], self.hold, []
        )

    def open_override(self, call):
        return call("sale.order", "action_credit_override", [self.order])

    def override_wizard(self, company_id):
        def attempt(call):
            wizard = call(
                "credit.hold.override",
                "create",
                [
                    {
                        "partner_id": self.partner,
                        "company_id": company_id,
                        "reason": "I say so",
                    }
                ],
            )
            return call("credit.hold.override", "action_override", wizard)

        return attempt

    def manual_hold_wizard(self, call):
        wizard = call(
            "credit.hold.manual",
            "create",
            [
                {
                    "partner_id": self.partner,
                    "company_id": self.company,
                    "reason": "spite",
                }
            ],
        )
        return call("credit.hold.manual", "action_set_hold", wizard)

    def hold_write(self, vals):
        return lambda call: call("credit.hold", "write", [self.hold], vals)

    def hold_call(self, method, *args):
        return lambda call: call("credit.hold", method, [self.hold], *args)

    def hold_create(self, call):
        return call(
            "credit.hold",
            "create",
            [
                {
                    "partner_id": self.partner,
                    "company_id": self.company,
                    "origin": "manual",
                    "state": "released",
                }
            ],
        )

    def reading(self, model, ids, fields_):
        return lambda call: call(model, "read", ids, fields_)

    def search_other(self, model):
        return lambda call: call(
            model, "search_read", [("company_id", "=", self.company)], ["id"]
        )

    def partner_write(self, vals, context=None):
        kwargs = {"context": context} if context else {}
        return lambda call: call("res.partner", "write", [self.partner], vals, **kwargs)

    def tier_write(self, call):
        return call(
            "credit.collection.policy",
            "write",
            [self.test.tier.id],
            {"default_credit_limit": 1e9, "use_credit_limit": False},
        )

    def tier_create(self, call):
        return call(
            "credit.collection.policy",
            "create",
            [{"name": "Free credit", "company_id": self.company, "is_default": False}],
        )

    def stage_write(self, call):
        return call(
            "credit.collection.stage",
            "write",
            [self.test.stage.id],
            {"min_days_overdue": 9999},
        )

    def stage_create(self, call):
        return call(
            "credit.collection.stage",
            "create",
            [{"name": "Never", "min_days_overdue": 1}],
        )

    def stage_unlink(self, call):
        return call("credit.collection.stage", "unlink", [self.test.stage.id])

    def case_write(self, vals):
        return lambda call: call("credit.collection.case", "write", [self.case], vals)

    def case_call(self, method):
        return lambda call: call("credit.collection.case", method, [self.case])

    def promise_create(self, vals):
        return lambda call: call(
            "credit.promise",
            "create",
            [
                dict(
                    {
                        "case_id": self.case,
                        "amount": 300.0,
                        "date": str(self.test.today + timedelta(days=3)),
                        "invoice_ids": [set_([self.inv])],
                    },
                    **vals,
                )
            ],
        )

    def promise_write(self, vals):
        return lambda call: call("credit.promise", "write", [self.promise], vals)

    def promise_via_case(self, call):
        return call(
            "credit.collection.case",
            "write",
            [self.case],
            {"promise_ids": [update(self.promise, {"state": "kept"})]},
        )

    def promise_unlink(self, call):
        return call("credit.promise", "unlink", [self.promise])

    def dispute_write(self, vals):
        return lambda call: call("account.move", "write", [self.inv], vals)

    def dispute_wizard(self, call):
        wizard = call(
            "account.move.credit.dispute",
            "create",
            [{"move_id": self.inv, "amount": 300.0, "reason": "quality"}],
        )
        return call("account.move.credit.dispute", "action_apply", wizard)

    def action_write(self, vals):
        return lambda call: call(
            "credit.collection.action", "write", self.action_ids, vals
        )

    def action_call(self, method):
        return lambda call: call("credit.collection.action", method, self.action_ids)

    def action_create(self, call):
        return call("credit.collection.action", "create", [self.forged_action])

    def action_unlink(self, call):
        return call("credit.collection.action", "unlink", [self.done_action])

    def rule_write(self, call, rule_id=None):
        rule_id = rule_id or self.test.rule.id
        return call(
            "credit.collection.rule",
            "write",
            [rule_id],
            {"active": False, "fee_amount": 1e6},
        )

    def rule_create(self, call):
        return call(
            "credit.collection.rule",
            "create",
            [
                {
                    "stage_id": self.test.stage.id,
                    "action_type": "fee",
                    "fee_amount": 1e6,
                    "company_id": self.company,
                }
            ],
        )

    def rule_unlink(self, call, rule_id=None):
        rule_id = rule_id or self.test.rule.id
        return call("credit.collection.rule", "unlink", [rule_id])

    def company_rule(self, attempt):
        return lambda call: attempt(call, self.test.company_rule.id)

    def simulate(self, call):
        return call(
            "credit.collection.simulation", "action_simulate", [self.test.simulation.id]
        )

    def simulate_other(self, call):
        wizard = call(
            "credit.collection.simulation",
            "create",
            [{"policy_id": self.test.tier.id, "company_id": self.company}],
        )
        return call("credit.collection.simulation", "action_simulate", wizard)

    def fee_move_write(self, call):
        return call(
            "account.move",
            "write",
            [self.inv],
            {"credit_fee_action_id": self.done_action},
        )

    def fee_move_unlink_link(self, call):
        return call(
            "account.move", "write", [self.fee_move.id], {"credit_fee_action_id": False}
        )

    def fee_line_write(self, vals):
        return lambda call: call("account.move.line", "write", [self.fee_line], vals)

    def fee_move_create(self, call):
        return call(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner,
                    "credit_fee_action_id": self.done_action,
                    "invoice_line_ids": [
                        create(
                            {
                                "name": "forged fee",
                                "price_unit": 1.0,
                                "credit_fee_kind": "fee",
                            }
                        )
                    ],
                }
            ],
        )

    def load_refused(self, result):
        return not result["ids"] and any(
            m["type"] == "error" and m["message"] for m in result["messages"]
        )

    def empty(self, result):
        return result == [] or result is False


@tagged("post_install", "-at_install")
class TestAdversarialAccess(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = env.company
        cls.company.email = cls.company.email or "credit@mycompany.example.com"
        today = fields.Date.context_today(env.user)
        cls.today = today
        cls.tier = env["credit.collection.policy"].create(
            {
                "name": "Adversarial tier",
                "company_id": cls.company.id,
                "use_credit_limit": True,
                "reminder_interval_days": 0,
            }
        )
        groups = {
            "salesman": "sales_team.group_sale_salesman",
            "collector": "account_credit_collection.group_user,"
            "sales_team.group_sale_salesman",
            "manager": "account_credit_collection.group_manager,"
            "sales_team.group_sale_salesman_all_leads",
            # the invoicing administrator is a collections manager and may
            # write invoices: the fee fields must still be refused
            "accountant": "account.group_account_manager,"
            "sales_team.group_sale_salesman_all_leads",
            "portal": "base.group_portal",
            # an Invoicing user who may edit contacts (a collections user):
            # credit decisions are still not theirs
            "billing": "account.group_account_invoice,base.group_partner_manager,"
            "sales_team.group_sale_salesman",
        }
        cls.users = {
            key: new_test_user(
                env, f"adv_{key}_user", groups=group, company_id=cls.company.id
            )
            for key, group in groups.items()
        }
        # another company with its own credit manager
        cls.other_company = env["res.company"].create({"name": "Adversary Company"})
        cls.users["other"] = new_test_user(
            env,
            "adv_other_manager",
            groups="account_credit_collection.group_manager,"
            "sales_team.group_sale_salesman_all_leads",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.portal_partner = cls.users["portal"].partner_id
        cls.customer = env["res.partner"].create(
            {
                "name": "Adversarial Held Ltd",
                "is_company": True,
                "email": "ap@adversarial.example.com",
                "user_id": cls.users["salesman"].id,
            }
        )
        cls.customer.write(
            {
                "credit_policy_id": cls.tier.id,
                "credit_limit": 100.0,
                "use_partner_credit_limit": True,
            }
        )
        cls.product = env["product.product"].create(
            {"name": "Adversarial service", "type": "service", "list_price": 500.0}
        )
        cls.order = cls._order(cls.customer, 500.0)
        # an order confirmed while the customer was within its limit: it may
        # not grow once the customer is on hold
        cls.confirmed = cls._order(cls.customer, 50.0)
        cls.confirmed.action_confirm()
        # an overdue invoice (final notice: reminder, notification, fee)
        cls.fee_rule = env.ref("account_credit_collection.rule_final_notice_fee")
        cls.fee_rule.write(
            {
                "active": True,
                "fee_amount": 10.0,
                "policy_ids": [Command.set(cls.tier.ids)],
            }
        )
        cls.invoice = make_invoice(env, cls.customer, 300.0, today - timedelta(days=35))
        env.flush_all()
        Case = env["credit.collection.case"].sudo()
        Case._update_cases(cls.company, cls.customer)
        cls.case = Case.search([("partner_id", "=", cls.customer.id)])
        Case._run_escalation(cases=cls.case)
        cls.actions = env["credit.collection.action"].search(
            [("case_id", "=", cls.case.id)]
        )
        cls.fee_action = cls.actions.filtered(lambda a: a.action_type == "fee")
        assert cls.fee_action.state == "done", cls.fee_action.error
        cls.hold = env["credit.hold"].search(
            [("partner_id", "=", cls.customer.id), ("state", "=", "active")], limit=1
        )
        assert cls.hold, "the customer is on hold"
        cls.promise = (
            env["credit.promise"]
            .with_user(cls.users["collector"])
            .create(
                {
                    "case_id": cls.case.id,
                    # at least the tier's smallest share of the overdue amount
                    "amount": 100.0,
                    "date": today + timedelta(days=5),
                    "invoice_ids": [Command.set(cls.invoice.ids)],
                }
            )
        )
        # a customer handed to legal (issue #17): its credit is stopped
        cls.stopped = env["res.partner"].create(
            {"name": "Adversarial Stopped Ltd", "is_company": True}
        )
        cls.stopped.credit_policy_id = cls.tier
        cls.stopped_case_invoice = make_invoice(
            env, cls.stopped, 200.0, today - timedelta(days=120)
        )
        env.flush_all()
        Case._update_cases(cls.company, cls.stopped)
        env.cr.flush()  # the hold synchronisation queued for commit
        cls.stopped_case = Case.search([("partner_id", "=", cls.stopped.id)])
        cls.stop = env["credit.hold"].search(
            [("partner_id", "=", cls.stopped.id), ("origin", "=", "stop")]
        )
        assert cls.stop.state == "active", "the legal case stops the credit"
        cls.stopped_order = cls._order(cls.stopped, 10.0)
        # the collector's payment arrangement for it, submitted
        cls.arrangement = (
            env["credit.arrangement"]
            .with_user(cls.users["collector"])
            .create(
                {
                    "case_id": cls.stopped_case.id,
                    "invoice_ids": [Command.set(cls.stopped_case_invoice.ids)],
                    "line_ids": [
                        Command.create(
                            {"date": today + timedelta(days=20), "amount": 200.0}
                        )
                    ],
                }
            )
        )
        cls.arrangement.with_user(cls.users["collector"]).action_submit()
        cls.stage = env.ref("account_credit_collection.stage_reminder")
        cls.rule = env.ref("account_credit_collection.rule_reminder_email")
        # shared stages and rules are every company's configuration: the other
        # company's manager is tried on company A's own rule
        cls.company_rule = env["credit.collection.rule"].create(
            {
                "stage_id": cls.stage.id,
                "action_type": "letter",
                "company_id": cls.company.id,
                "active": False,
            }
        )
        cls.simulation = (
            env["credit.collection.simulation"]
            .with_user(cls.users["manager"])
            .create({"policy_id": cls.tier.id})
        )
        # a credit application of the salesman, submitted and recommended
        cls.application = (
            env["credit.application"]
            .with_user(cls.users["salesman"])
            .create({"partner_id": cls.customer.id, "requested_limit": 1e6})
        )
        cls.application.action_submit()
        cls.application.with_user(cls.users["collector"]).recommendation = "approve"

    @classmethod
    def _order(cls, partner, amount):
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": cls.users["salesman"].id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )

    # ---------------------------------------------------------------- helpers
    def _client(self, cls_, user):
        """A client of ``cls_`` logged in as ``user``. Each call lets the
        request through the test server (HttpCase serves it in the test's
        transaction), as Odoo's own test XML-RPC transport does."""
        client = cls_(self.base_url(), self.env.cr.dbname, user.id, user.login)

        def call(*args, **kwargs):
            self.env.cr.flush()
            self.env.cr.clear()
            with self.allow_requests(all_requests=True):
                return client(*args, **kwargs)

        call.protocol = client.protocol
        return call

    def _snapshot(self):
        """What no refused attempt may change, re-read from the database."""
        self.env.invalidate_all()
        partner = self.customer.with_company(self.company).sudo()
        return {
            "order": self.order.sudo().read(["state", "credit_hold_override_id"]),
            "confirmed_order": self.confirmed.sudo().read(
                ["amount_total", "order_line", "credit_hold_override_id"]
            ),
            "orders": self.env["sale.order"]
            .sudo()
            .search_count([("partner_id", "=", self.customer.id)]),
            "confirmed": self.env["sale.order"]
            .sudo()
            .search_count(
                [("partner_id", "=", self.customer.id), ("state", "=", "sale")]
            ),
            "hold": self.hold.sudo().read(
                [
                    "state",
                    "reason_ids",
                    "override_user_id",
                    "override_reason",
                    "released_by_id",
                    "release_requested_by_id",
                ]
            ),
            "holds": self.env["credit.hold"].sudo().search_count([]),
            "partner": (
                partner.credit_policy_id.id,
                partner.credit_limit,
                partner.credit_prepayment_only,
            ),
            "tier": self.tier.sudo().read(
                ["default_credit_limit", "use_credit_limit", "credit_limit_mode"]
            ),
            "case": self.case.sudo().read(
                [
                    "stage_id",
                    "is_pinned",
                    "amount_overdue",
                    "worst_days_overdue",
                    "user_id",
                ]
            ),
            "assignment_rules": self.env["credit.collection.assignment.rule"]
            .sudo()
            .search_count([]),
            "promise": self.promise.sudo().read(
                ["state", "date_deadline", "amount", "date", "residual_at_promise"]
            ),
            "promises": self.env["credit.promise"].sudo().search_count([]),
            "actions": self.actions.sudo().read(
                ["state", "attempt_count", "waived", "skip_reason"]
            ),
            "outbox": self.env["credit.collection.action"].sudo().search_count([]),
            "stage": self.stage.sudo().read(["min_days_overdue", "is_hold"]),
            "rule": (self.rule | self.company_rule)
            .sudo()
            .read(["active", "fee_amount", "action_type"]),
            "rules": self.env["credit.collection.rule"].sudo().search_count([]),
            "invoice": self.invoice.sudo().read(
                [
                    "credit_dispute_amount",
                    "credit_dispute_state",
                    "credit_fee_action_id",
                ]
            ),
            "fee_lines": self.fee_action.fee_move_id.invoice_line_ids.sudo().read(
                ["credit_fee_kind", "credit_fee_item_id", "credit_interest_to"]
            ),
            "decisions": (
                partner.use_partner_credit_limit,
                partner.credit_review_date,
                self.env["res.partner"]
                .sudo()
                .search_count([("credit_limit", ">", 1e5)]),
            ),
            "stop": self.stop.sudo().read(
                ["state", "released_by_id", "override_user_id", "stop_lift_date"]
            ),
            "stopped": (
                self.stopped_order.sudo().state,
                self.stopped_case.sudo().stage_id.id,
                self.arrangement.sudo().state,
                self.stopped_case_invoice.sudo().payment_state,
                self.env["credit.writeoff"].sudo().search_count([]),
            ),
            "application": self.application.sudo().read(
                ["state", "approved_limit", "first_approver_id", "requested_limit"]
            ),
        }

    # --------------------------------------------------------------- attempts
    def _attempt_kit(self):
        return AttemptKit(self)

    def _attempts(self):
        """(label, user, attempt[, refused_if]): ``attempt(call)`` must raise
        a refusal, or return a value that ``refused_if`` accepts (searches
        that find nothing of the other company, imports that import nothing)."""
        kit = self._attempt_kit()
        return (
            self._attempts_orders_holds(kit)
            + self._attempts_settings_cases(kit)
            + self._attempts_outbox_config(kit)
            + self._attempts_credit_decisions(kit)
            + self._attempts_credit_stop()
        )

    def _attempts_credit_stop(self):
        """A customer whose credit is stopped after legal (issue #17): no
        order on credit, no override, no release, no lift before the
        cooling-off — not even by a manager — and no stage move by a
        collector."""
        stop, order = self.stop.id, self.stopped_order.id
        current = self.env.ref("account_credit_collection.stage_current").id

        def override(call):
            wizard = call(
                "credit.hold.override",
                "create",
                [
                    {
                        "partner_id": self.stopped.id,
                        "company_id": self.company.id,
                        "reason": "good customer really",
                    }
                ],
            )
            return call("credit.hold.override", "action_override", wizard)

        def lift_wizard(call):
            wizard = call(
                "credit.hold.lift.stop",
                "create",
                [{"hold_id": stop, "reason": "they paid"}],
            )
            return call("credit.hold.lift.stop", "action_lift", wizard)

        attempts = []
        everyone = ("salesman", "collector", "portal", "other", "billing")
        for user in everyone + ("manager", "accountant"):
            attempts += [
                (
                    "confirm a stopped customer's order on credit",
                    user,
                    lambda call: call("sale.order", "action_confirm", [order]),
                ),
                (
                    "release the credit stop",
                    user,
                    lambda call: call("credit.hold", "action_release", [stop]),
                ),
                ("override the credit stop", user, override),
                (
                    "write the credit stop released",
                    user,
                    lambda call: call(
                        "credit.hold", "write", [stop], {"state": "released"}
                    ),
                ),
                (
                    "lift the credit stop before the cooling-off",
                    user,
                    lambda call: call(
                        "credit.hold", "action_lift_stop", [stop], "they paid"
                    ),
                ),
                ("lift the credit stop (wizard)", user, lift_wizard),
            ]
        arrangement, case = self.arrangement.id, self.stopped_case.id

        def write_off(call):
            wizard = call(
                "credit.writeoff.wizard",
                "create",
                [{"case_id": case, "reason": "never mind"}],
            )
            return call("credit.writeoff.wizard", "action_confirm", wizard)

        for user in everyone:
            attempts += [
                (
                    "approve a payment arrangement (lift the hold)",
                    user,
                    lambda call: call(
                        "credit.arrangement", "action_approve", [arrangement]
                    ),
                ),
                (
                    "write the arrangement approved",
                    user,
                    lambda call: call(
                        "credit.arrangement",
                        "write",
                        [arrangement],
                        {"state": "active"},
                    ),
                ),
                ("write off the case", user, write_off),
                (
                    "create a write-off record",
                    user,
                    lambda call: call(
                        "credit.writeoff",
                        "create",
                        [{"case_id": case, "reason": "x", "state": "posted"}],
                    ),
                ),
            ]
        for user in everyone:
            attempts.append(
                (
                    "move the stopped case out of legal",
                    user,
                    lambda call: call(
                        "credit.collection.case",
                        "write",
                        [self.stopped_case.id],
                        {"stage_id": current},
                    ),
                )
            )
        return attempts

    def _attempts_credit_decisions(self, kit):
        """A customer's credit limit, tier and review date, and credit
        applications: the credit team's decisions."""
        application = self.application.id
        attempts = []
        for user in ("salesman", "collector", "billing"):
            attempts += [
                (
                    "raise the customer's credit limit",
                    user,
                    kit.partner_write({"credit_limit": 1e6}),
                ),
                (
                    "own limit flag and limit",
                    user,
                    kit.partner_write(
                        {"use_partner_credit_limit": True, "credit_limit": 1e6}
                    ),
                ),
                (
                    "credit review date",
                    user,
                    kit.partner_write({"credit_review_date": "2099-01-01"}),
                ),
                (
                    "create a customer with a credit limit",
                    user,
                    lambda call: call(
                        "res.partner",
                        "create",
                        [{"name": "Self-granted", "credit_limit": 1e6}],
                    ),
                ),
                (
                    "approve a credit application",
                    user,
                    lambda call: call(
                        "credit.application", "action_approve", [application]
                    ),
                ),
                (
                    "write an application applied",
                    user,
                    lambda call: call(
                        "credit.application",
                        "write",
                        [application],
                        {"state": "applied", "approved_limit": 1e6},
                    ),
                ),
                (
                    "raise a submitted application's limit",
                    user,
                    lambda call: call(
                        "credit.application",
                        "write",
                        [application],
                        {"requested_limit": 1e7},
                    ),
                ),
            ]
        return attempts

    def _attempts_orders_holds(self, kit):
        """A held order confirmed, holds, customer credit settings."""
        salesmen = ("salesman", "collector", "portal", "other")
        attempts = []
        # -- a held order confirmed
        for user in salesmen + ("manager",):
            attempts += [
                ("confirm a held order (action_confirm)", user, kit.confirm),
                ("confirm with bypass context keys", user, kit.confirm_ctx),
                ("write state=sale", user, kit.write_sale),
                ("create an order already confirmed", user, kit.create_sale),
                (
                    "create with default_state=sale in context",
                    user,
                    kit.create_default_sale,
                ),
                ("copy the quotation as confirmed", user, kit.copy_sale),
                ("add a line to a confirmed order", user, kit.grow_confirmed),
                ("raise a confirmed order's price", user, kit.raise_confirmed_price),
                ("create a line on a confirmed order", user, kit.add_confirmed_line),
                (
                    "import (load) a confirmed order",
                    user,
                    kit.load_sale,
                    kit.load_refused,
                ),
            ]
        for user in salesmen:
            attempts += [
                ("link the order to a hold's override", user, kit.steal_override),
                ("open the override wizard", user, kit.open_override),
                ("override wizard", user, kit.override_wizard(kit.company)),
                ("manual hold wizard", user, kit.manual_hold_wizard),
            ]
        for user in salesmen + ("manager", "accountant"):
            attempts += [
                ("private _action_confirm", user, kit.private_confirm),
                ("private _credit_confirm_under_override", user, kit.private_override),
            ]
        # -- holds
        for user in salesmen:
            attempts += [
                (
                    "release a hold (action_release)",
                    user,
                    kit.hold_call("action_release"),
                ),
                (
                    "open the hold's override wizard",
                    user,
                    kit.hold_call("action_open_override_wizard"),
                ),
            ]
        for user in salesmen + ("manager", "accountant"):
            attempts += [
                (
                    "write hold state=released",
                    user,
                    kit.hold_write({"state": "released"}),
                ),
                (
                    "write hold state=overridden",
                    user,
                    kit.hold_write({"state": "overridden", "override_reason": "x"}),
                ),
                (
                    "forge the override's author",
                    user,
                    kit.hold_write({"override_user_id": self.users["salesman"].id}),
                ),
                (
                    "drop the hold's reasons",
                    user,
                    kit.hold_write({"reason_ids": [(5,)]}),
                ),
                ("unlink a hold", user, kit.hold_call("unlink")),
                ("create a hold already released", user, kit.hold_create),
                ("private _release", user, kit.hold_call("_release", "x")),
                ("private _override", user, kit.hold_call("_override", "x")),
            ]
        # -- customer credit settings
        for user in salesmen:
            attempts += [
                (
                    "customer's tier / prepayment",
                    user,
                    kit.partner_write(
                        {"credit_policy_id": False, "credit_prepayment_only": False}
                    ),
                ),
                (
                    "customer's credit limit",
                    user,
                    kit.partner_write({"credit_limit": 1e9}),
                ),
                ("tier limits", user, kit.tier_write),
                ("create a tier", user, kit.tier_create),
            ]
        attempts.append(
            (
                "customer's tier in another company (allowed_company_ids)",
                "other",
                kit.partner_write(
                    {"credit_policy_id": False},
                    context={"allowed_company_ids": [kit.company]},
                ),
            )
        )
        return attempts

    def _attempts_settings_cases(self, kit):
        """Stages, cases, promises, disputes."""
        salesmen = ("salesman", "collector", "portal", "other")
        attempts = []
        # -- stages and the case
        for user in ("salesman", "collector", "portal"):
            attempts += [
                ("stage threshold", user, kit.stage_write),
                ("create a stage", user, kit.stage_create),
                ("delete a stage", user, kit.stage_unlink),
            ]
        for user in salesmen:
            attempts += [
                (
                    "move the case (pin)",
                    user,
                    kit.case_write({"stage_id": self.stage.id}),
                ),
                ("unpin the case", user, kit.case_call("action_unpin")),
            ]
        for user in salesmen + ("manager", "accountant"):
            attempts += [
                (
                    "case figures",
                    user,
                    kit.case_write({"amount_overdue": 0.0, "worst_days_overdue": 0}),
                ),
                (
                    "unpin by writing is_pinned",
                    user,
                    kit.case_write({"is_pinned": False}),
                ),
                ("close the case", user, kit.case_write({"active": False})),
                ("private _update_cases", user, kit.case_call("_update_cases")),
            ]
        for user in ("salesman", "portal", "other"):
            attempts.append(
                ("run the escalation", user, kit.case_call("action_run_escalation"))
            )
        # -- who works the case (credit_assignment.py)
        case, company, collector = (
            self.case.id,
            self.company.id,
            self.users["collector"].id,
        )

        def assign_in_bulk(call):
            wizard = call(
                "credit.collection.assign",
                "create",
                [
                    {
                        "case_ids": [(6, 0, [case])],
                        "mode": "spread",
                        "user_ids": [(6, 0, [collector])],
                    }
                ],
            )
            return call("credit.collection.assign", "action_assign", [wizard])

        def create_rule(call):
            return call(
                "credit.collection.assignment.rule",
                "create",
                [
                    {
                        "name": "Everything to me",
                        "company_id": company,
                        "collector_ids": [(6, 0, [collector])],
                    }
                ],
            )

        for user in salesmen:
            attempts += [
                ("assign cases in bulk", user, assign_in_bulk),
                ("create an assignment rule", user, create_rule),
            ]
        # -- promises
        for user in salesmen + ("manager",):
            attempts += [
                (
                    "create a promise already kept",
                    user,
                    kit.promise_create({"state": "kept"}),
                ),
                (
                    "create a promise pausing for a year",
                    user,
                    kit.promise_create(
                        {"date_deadline": str(self.today + timedelta(days=365))}
                    ),
                ),
                (
                    "write promise state=kept",
                    user,
                    kit.promise_write({"state": "kept"}),
                ),
                (
                    "push the promise's pause",
                    user,
                    kit.promise_write(
                        {"date_deadline": str(self.today + timedelta(days=365))}
                    ),
                ),
                (
                    "promise residual",
                    user,
                    kit.promise_write({"residual_at_promise": 0.0}),
                ),
                ("promise kept through the case", user, kit.promise_via_case),
                (
                    "lift the hold with a promise of 1.00 in 60 days",
                    user,
                    kit.promise_create(
                        {
                            "amount": 1.0,
                            "date": str(self.today + timedelta(days=60)),
                        }
                    ),
                ),
                (
                    "write promise approved",
                    user,
                    kit.promise_write({"approved_by_id": self.users[user].id}),
                ),
                ("delete a promise", user, kit.promise_unlink),
                (
                    "write promise state=broken",
                    user,
                    kit.promise_write({"state": "broken"}),
                ),
                (
                    "private promise _evaluate",
                    user,
                    lambda call: call("credit.promise", "_evaluate", [kit.promise]),
                ),
            ]
        # the collector recorded the promise: approving it is a manager's
        # (issue #17), never its author's
        for user in salesmen:
            attempts.append(
                (
                    "approve one's own promise to lift the hold",
                    user,
                    lambda call: call(
                        "credit.promise", "action_approve", [kit.promise]
                    ),
                )
            )
        # -- disputes (recording one is the collectors' job)
        for user in ("salesman", "portal", "other"):
            attempts += [
                (
                    "dispute by writing the invoice",
                    user,
                    kit.dispute_write(
                        {"credit_dispute_amount": 300.0, "credit_dispute_state": "open"}
                    ),
                ),
                ("dispute wizard", user, kit.dispute_wizard),
            ]
        return attempts

    def _attempts_outbox_config(self, kit):
        """The outbox, rules, the dry run, fee fields, reading."""
        salesmen = ("salesman", "collector", "portal", "other")
        attempts = []
        # -- the outbox
        for user in salesmen + ("manager", "accountant"):
            attempts += [
                ("write action state=done", user, kit.action_write({"state": "done"})),
                (
                    "write action state=planned",
                    user,
                    kit.action_write({"state": "planned"}),
                ),
                ("forge an action already done", user, kit.action_create),
                ("delete an action", user, kit.action_unlink),
                ("private _execute_batch", user, kit.action_call("_execute_batch")),
            ]
        for user in salesmen:
            attempts += [
                ("retry an action", user, kit.action_call("action_retry")),
                ("skip an action", user, kit.action_call("action_skip")),
                ("waive a fee", user, kit.action_call("action_waive")),
            ]
        # -- escalation rules and the dry run
        for user in ("salesman", "collector", "portal"):
            attempts += [
                ("rule write", user, kit.rule_write),
                ("rule delete", user, kit.rule_unlink),
            ]
        for user in salesmen:
            attempts += [
                ("company rule write", user, kit.company_rule(kit.rule_write)),
                ("company rule delete", user, kit.company_rule(kit.rule_unlink)),
                ("rule create", user, kit.rule_create),
                ("dry run", user, kit.simulate),
            ]
        attempts.append(
            ("dry run on another company's tier", "other", kit.simulate_other)
        )
        # -- fee fields
        for user in ("salesman", "collector", "manager", "accountant", "other"):
            attempts += [
                ("mark an invoice as a fee", user, kit.fee_move_write),
                (
                    "unlink a fee invoice from its action",
                    user,
                    kit.fee_move_unlink_link,
                ),
                (
                    "fee line kind",
                    user,
                    kit.fee_line_write({"credit_fee_kind": "compensation"}),
                ),
                (
                    "fee line interest date",
                    user,
                    kit.fee_line_write({"credit_interest_to": str(self.today)}),
                ),
                ("create a forged fee invoice", user, kit.fee_move_create),
            ]
        # -- reading what is not one's own
        for user in ("salesman", "portal", "other"):
            attempts += [
                (
                    "read a case",
                    user,
                    kit.reading("credit.collection.case", [kit.case], ["stage_id"]),
                ),
                (
                    "read the outbox",
                    user,
                    kit.reading("credit.collection.action", kit.action_ids, ["state"]),
                ),
                (
                    "read a promise",
                    user,
                    kit.reading("credit.promise", [kit.promise], ["amount"]),
                ),
            ]
        for user in ("portal", "other"):
            attempts.append(
                (
                    "read a hold",
                    user,
                    kit.reading("credit.hold", [kit.hold], ["state"]),
                )
            )
        for model in (
            "credit.collection.case",
            "credit.hold",
            "credit.collection.action",
            "credit.promise",
            "credit.collection.policy",
        ):
            attempts.append(
                (
                    f"search another company's {model}",
                    "other",
                    kit.search_other(model),
                    kit.empty,
                )
            )
        return attempts

    # ------------------------------------------------------------------ tests
    def test_every_bypass_attempt_is_refused(self):
        before = self._snapshot()
        accepted = []
        for client_class in CLIENTS:
            clients = {
                key: self._client(client_class, user)
                for key, user in self.users.items()
            }
            # every user can log in and call the API: a refusal below is a
            # refusal of the attempt, not of the login
            for key, call in clients.items():
                self.assertTrue(call("res.users", "context_get"), key)
            for label, user, attempt, *check in self._attempts():
                name = f"{client_class.protocol} {user}: {label}"
                try:
                    result = attempt(clients[user])
                except RpcError as error:
                    ok = error.kind in REFUSALS and bool(error.message.strip())
                    record("bypass attempts", "refused" if ok else error.kind, name, ok)
                    if not ok:
                        accepted.append(
                            f"{name} -> {error.kind}: {error.message[:300]}"
                        )
                    continue
                if check and check[0](result):
                    record("bypass attempts", "refused", name)
                    continue
                record("bypass attempts", "accepted", name, ok=False)
                accepted.append(f"{name} -> accepted: {result!r:.200}")
        self.assertEqual(accepted, [], "\n".join(accepted))
        self.assertEqual(self._snapshot(), before)

    def test_manager_paths_work_and_are_audited(self):
        manager, salesman = self.users["manager"], self.users["salesman"]
        for client_class in CLIENTS:
            order = self._order(self.customer, 400.0)
            as_manager = self._client(client_class, manager)
            as_salesman = self._client(client_class, salesman)
            with self.assertRaisesRegex(RpcError, "on credit hold"):
                as_salesman("sale.order", "action_confirm", [order.id])
            action = as_manager("sale.order", "action_credit_override", [order.id])
            wizard = as_manager(
                "credit.hold.override",
                "create",
                [
                    {
                        "reason": f"CFO approval ({client_class.protocol})",
                        "amount_cap": 400.0,
                    }
                ],
                context=action["context"],
            )
            as_manager("credit.hold.override", "action_override", wizard)
            as_salesman("sale.order", "action_confirm", [order.id])
            self.env.invalidate_all()
            self.assertEqual(order.state, "sale")
            hold = order.credit_hold_override_id
            self.assertEqual(hold.override_user_id, manager)
            self.assertIn(client_class.protocol, hold.override_reason)
            # the audit trail: the hold's chatter and tracking, the order's chatter
            trail = " ".join(str(m.body) for m in hold.message_ids)
            self.assertIn(f"overridden by {manager.name}", trail)
            self.assertIn(f"Order {order.name}", trail)
            self.assertIn(
                "Confirmed under the credit override",
                " ".join(str(m.body) for m in order.message_ids),
            )
            # the cap is used up: the next order is refused again
            second = self._order(self.customer, 300.0)
            with self.assertRaisesRegex(RpcError, "on credit hold"):
                as_salesman("sale.order", "action_confirm", [second.id])
            # release through the action: recorded with its author
            as_manager("credit.hold", "action_release", [hold.id])
            self.env.invalidate_all()
            self.assertEqual(hold.state, "released")
            self.assertEqual(hold.released_by_id, manager)
            record("legitimate manager paths", "passed", "override, confirm, release")
        # a manual hold, a pin, retry / skip, a tier change
        wizard = as_manager(
            "credit.hold.manual",
            "create",
            [{"partner_id": self.customer.id, "reason": "Legal dispute"}],
        )
        as_manager("credit.hold.manual", "action_set_hold", wizard)
        self.assertTrue(
            self.env["credit.hold"].search(
                [("partner_id", "=", self.customer.id), ("origin", "=", "manual")]
            )
        )
        as_manager(
            "credit.collection.case",
            "write",
            [self.case.id],
            {"stage_id": self.stage.id},
        )
        self.env.invalidate_all()
        self.assertTrue(self.case.is_pinned)
        self.assertEqual(self.case.pin_user_id, manager)
        failed = self.actions.filtered(lambda a: a.state in ("failed", "planned"))
        if failed:
            as_manager("credit.collection.action", "action_skip", failed[:1].ids)
            as_manager("credit.collection.action", "action_retry", failed[:1].ids)
        as_manager("credit.collection.action", "action_waive", self.fee_action.ids)
        self.env.invalidate_all()
        self.assertTrue(self.fee_action.waived)
        as_manager(
            "credit.collection.policy",
            "write",
            [self.tier.id],
            {"default_credit_limit": 5000.0},
        )
        as_manager(
            "credit.collection.simulation", "action_simulate", [self.simulation.id]
        )
        record("legitimate manager paths", "passed", "manual hold, pin, outbox, tier")
