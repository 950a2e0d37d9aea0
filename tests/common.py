# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import Command, fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import BaseCase, TransactionCase, get_db_name, new_test_user


class RealTransactionsCase(BaseCase):
    """Tests of real concurrency: committed transactions on separate database
    connections, opened by threads or served by the HTTP server's threads.

    Odoo's own runner (``odoo-bin --test-tags``) runs the tests while holding
    the registry's lock (``ThreadedServer.run``): any other thread opening an
    environment or serving a request would wait for the whole run. For the
    class the lock is lifted the way Odoo's ``HttpCase`` lifts it (a
    ``DummyRLock``), so each thread works in its own transaction, as in a
    multi-worker server. pytest-odoo holds no lock: nothing changes there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(patch.object(Registry, "_lock", DummyRLock()))
        cls.registry = Registry(get_db_name())


DISABLED_MAIL_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "no_reset_password": True,
}


def make_invoice(
    env,
    partner,
    amount,
    due,
    invoice_date=None,
    post=True,
    move_type="out_invoice",
    company=None,
    currency=None,
):
    """A one-line customer invoice (or credit note) without taxes, due on
    ``due`` and dated ``invoice_date`` (default: its due date), posted."""
    company = company or env.company
    move = (
        env["account.move"]
        .with_company(company)
        .create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "company_id": company.id,
                "invoice_date": invoice_date or due,
                "invoice_date_due": due,
                "currency_id": (currency or company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
    )
    if post:
        move.action_post()
    return move


# the credit-age points shipped before the seed's steps (issue #18)
FORMER_CREDIT_AGE_POINTS = [(60, 1.0), (100, 0.8), (180, 0.5), (365, 0.1)]


def use_linear_curves(env, company):
    """Read ``company``'s curves linearly, the credit-age one on its former
    shipped points: the figures of the tests hand-computed that way."""
    curves = (
        env["credit.collectability.curve"]
        .with_context(active_test=False)
        .search([("company_id", "=", company.id)])
    )
    curves.write({"mode": "linear"})
    curves.filtered(lambda c: c.basis == "credit_age").write(
        {
            "point_ids": [Command.clear()]
            + [
                Command.create({"age_days": age, "probability": p})
                for age, p in FORMER_CREDIT_AGE_POINTS
            ]
        }
    )


def race_book(env, label, n_orders, user=None):
    """A customer with a 1,000 credit limit and ``n_orders`` quotations of
    600: each fits alone, no two fit together. Returns the orders."""
    tier = env["credit.collection.policy"].create(
        {"name": f"{label} tier", "use_credit_limit": True}
    )
    partner = env["res.partner"].create(
        {"name": f"{label} customer", "is_company": True}
    )
    partner.write(
        {
            "credit_policy_id": tier.id,
            "credit_limit": 1000.0,
            "use_partner_credit_limit": True,
        }
    )
    product = env["product.product"].create(
        {"name": f"{label} service", "type": "service", "taxes_id": [Command.clear()]}
    )
    vals = {
        "partner_id": partner.id,
        "order_line": [
            Command.create(
                {
                    "product_id": product.id,
                    "price_unit": 600.0,
                    "tax_ids": [Command.clear()],
                }
            )
        ],
    }
    if user:
        vals["user_id"] = user.id
    return env["sale.order"].create([vals] * n_orders)


def case_snapshot(partners):
    """What the stage machine decided for the cases of ``partners`` (every
    company, closed ones included), re-read from the database."""
    Case = partners.env["credit.collection.case"].with_context(active_test=False)
    Case.invalidate_model()
    return {
        (c.partner_id.id, c.company_id.id): (
            c.stage_id.id,
            c.worst_days_overdue,
            round(c.amount_overdue, 2),
            round(c.amount_residual, 2),
            c.open_item_count,
            c.active,
        )
        for c in Case.search([("partner_id", "in", partners.ids)])
    }


class CreditCollectionCommon(TransactionCase):
    """Fixtures on the database's main company (USD, generic chart)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.today = fields.Date.context_today(cls.env.user)
        cls.tier = cls.env["credit.collection.policy"].create(
            {
                "name": "Test tier",
                "company_id": cls.company.id,
                "use_credit_limit": True,
                "credit_limit_mode": "block",
                "default_credit_limit": 0.0,
                "use_overdue_amount": False,
                "use_overdue_days": False,
                # no smallest promise: the tests of the tier's promise terms
                # set it (test_promise_holds.py)
                "promise_min_share": 0.0,
            }
        )
        cls.customer = cls._customer("Acme Held Ltd", limit=1000.0)
        cls.product = cls.env["product.product"].create(
            {
                "name": "Credit test service",
                "type": "service",
                "list_price": 100.0,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        cls.salesman = new_test_user(
            cls.env,
            "ccol_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.collector = new_test_user(
            cls.env,
            "ccol_collector",
            groups="account_credit_collection.group_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.manager = new_test_user(
            cls.env,
            "ccol_manager",
            groups="account_credit_collection.group_manager,"
            "sales_team.group_sale_salesman_all_leads",
            company_id=cls.company.id,
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )

    @classmethod
    def _customer(cls, name, limit=None, tier=None, company=None):
        partner = cls.env["res.partner"].create({"name": name, "is_company": True})
        partner = partner.with_company(company or cls.company)
        vals = {"credit_policy_id": (tier or cls.tier).id}
        if limit is not None:
            vals["credit_limit"] = limit
            vals["use_partner_credit_limit"] = True
        partner.write(vals)
        return partner

    @classmethod
    def _invoice(
        cls,
        partner,
        amount,
        due_days=30,
        overdue_days=None,
        currency=None,
        post=True,
        move_type="out_invoice",
        company=None,
    ):
        """An invoice without taxes; ``overdue_days`` sets its due date in the
        past, otherwise it is due in ``due_days``."""
        company = company or cls.company
        if overdue_days is not None:
            due = cls.today - timedelta(days=overdue_days)
        else:
            due = cls.today + timedelta(days=due_days)
        return make_invoice(
            cls.env,
            partner,
            amount,
            due,
            invoice_date=min(due, cls.today),
            post=post,
            move_type=move_type,
            company=company,
            currency=currency,
        )

    @classmethod
    def _order(cls, partner, amount, user=None, company=None, currency=None):
        company = company or cls.company
        vals = {
            "partner_id": partner.id,
            "company_id": company.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        if user:
            vals["user_id"] = user.id
        if currency:
            pricelist = cls.env["product.pricelist"].create(
                {"name": f"{currency.name} list", "currency_id": currency.id}
            )
            vals["pricelist_id"] = pricelist.id
        return cls.env["sale.order"].with_company(company).create(vals)

    @classmethod
    def _pay(cls, invoice, amount=None):
        """Register a payment through Odoo's wizard."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount or invoice.amount_residual,
                    "journal_id": cls.bank_journal.id,
                    "payment_date": cls.today,
                }
            )
            ._create_payments()
        )

    @classmethod
    def _outstanding_journal(cls):
        """A bank journal whose incoming payments book on an outstanding
        account (a journal entry per payment). Made once per test."""
        journal = cls.env["account.journal"].search(
            [("code", "=", "BKO"), ("company_id", "=", cls.company.id)]
        )
        if journal:
            return journal
        journal = cls.bank_journal.copy(
            {"name": "Bank with outstanding", "code": "BKO"}
        )
        account = cls.env["account.account"].create(
            {
                "name": "Outstanding receipts (test)",
                "code": "101999",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        journal.inbound_payment_method_line_ids.payment_account_id = account
        return journal

    @classmethod
    def _pay_with_entry(cls, invoice, amount=None, journal=None):
        """Register a payment that books a journal entry (reconciled with the
        invoice at once)."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount or invoice.amount_residual,
                    "journal_id": (journal or cls._outstanding_journal()).id,
                    "payment_date": cls.today,
                }
            )
            ._create_payments()
        )

    def setUp(self):
        super().setUp()
        # runs before the test's rollback: whatever the test did, the
        # exposure ledger the triggers kept equals the open items
        self.addCleanup(self._assert_ledger_exact)

    def _assert_ledger_exact(self):
        status = self.env.cr._cnx.info.transaction_status
        if status == psycopg2.extensions.TRANSACTION_STATUS_INERROR:
            return  # the test ended on an expected database error
        drift = self.env["credit.exposure.entry"].sudo()._drift()
        self.assertEqual(drift, [], "the exposure ledger drifted from the items")

    def _sync_holds(self, partners=None, company=None):
        """Run the hold synchronisation queued for commit, or sync ``partners``."""
        if partners is not None:
            self.env["credit.hold"]._sync_partners(partners, company or self.company)
        else:
            self.env.cr.flush()

    def _holds(self, partner, company=None, state=None):
        domain = [
            ("partner_id", "=", partner.commercial_partner_id.id),
            ("company_id", "=", (company or self.company).id),
        ]
        if state:
            domain.append(("state", "=", state))
        return self.env["credit.hold"].search(domain)
