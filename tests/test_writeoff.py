# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Write-off (#17 point 6): a manager writes off a case's open items to the
bad-debt account; the entry is balanced, the items reconciled, the case in
Written off for good; above the threshold a second manager approves; a
manager reverses it; money received later is booked as a recovery."""

from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from ..models.clock import credit_today
from .common import CreditCollectionCommon, make_invoice
from .rpc_clients import RpcError, XmlRpcClient


def writeoff_accounts(env, company):
    """The bad-debt, allowance and recovery accounts of ``company``, set on
    it (the threshold at 1,000)."""
    Account = env["account.account"]
    accounts = {
        kind: Account.create({"name": name, "code": code, "account_type": account_type})
        for kind, name, code, account_type in (
            ("bad_debt", "Bad debts (test)", "689100", "expense"),
            (
                "allowance",
                "Allowance for doubtful accounts (test)",
                "109100",
                "asset_current",
            ),
            ("recovery", "Bad debts recovered (test)", "789100", "income_other"),
        )
    }
    company.write(
        {
            "credit_writeoff_account_id": accounts["bad_debt"].id,
            "credit_writeoff_threshold": 1000.0,
            "credit_recovery_account_id": accounts["recovery"].id,
        }
    )
    return accounts


@tagged("post_install", "-at_install")
class TestWriteoff(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["credit.collection.case"]
        cls.accounts = writeoff_accounts(cls.env, cls.company)
        cls.manager2 = new_test_user(
            cls.env,
            "ccol_manager_two",
            groups="account_credit_collection.group_manager",
            company_id=cls.company.id,
        )
        cls.written_off = cls.env.ref("account_credit_collection.stage_written_off")

    def _case_of(self, name, *amounts_days):
        """A customer with an invoice per (amount, days overdue), its case."""
        partner = self._customer(name)
        invoices = self.env["account.move"]
        for amount, days in amounts_days:
            invoices |= self._invoice(partner, amount, overdue_days=days)
        self._sync_holds()
        return self.Case.search([("partner_id", "=", partner.id)]), invoices

    def _writeoff(self, case, user=None, amounts=None, **vals):
        """Write off through the wizard as ``user`` (the manager); ``amounts``:
        {invoice: amount}, the other items unticked."""
        wizard = (
            self.env["credit.writeoff.wizard"]
            .with_user(user or self.manager)
            .create(dict({"case_id": case.id, "reason": "Customer insolvent"}, **vals))
        )
        if amounts is not None:
            for line in wizard.line_ids:
                amount = amounts.get(line.move_id)
                line.write({"selected": bool(amount), "amount": amount or 0.0})
        action = wizard.action_confirm()
        return self.env["credit.writeoff"].browse(action["res_id"])

    def _receivable(self, invoice):
        return invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def _assert_balanced(self, move):
        self.assertEqual(move.state, "posted")
        self.assertAlmostEqual(
            sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit"))
        )

    def test_writeoff_posts_reconciles_and_the_case_stays_written_off(self):
        case, invoices = self._case_of("Bankrupt Ltd", (300.0, 100), (200.0, 50))
        self.assertTrue(case.on_hold)
        exposures = case.partner_id._credit_exposure(self.company)
        self.assertAlmostEqual(exposures[case.partner_id.id]["total"], 500.0)
        wizard = (
            self.env["credit.writeoff.wizard"]
            .with_user(self.manager)
            .create({"case_id": case.id, "reason": "Bankrupt"})
        )
        # the case's open items, each for its open amount, the company's account
        self.assertEqual(wizard.line_ids.move_id, invoices)
        self.assertEqual(sorted(wizard.line_ids.mapped("amount")), [200.0, 300.0])
        self.assertEqual(wizard.account_id, self.accounts["bad_debt"])
        self.assertEqual(wizard.journal_id.type, "general")
        self.assertFalse(wizard.needs_approval)
        writeoff = self.env["credit.writeoff"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(writeoff.requested_by_id, self.manager)
        self.assertAlmostEqual(writeoff.amount, 500.0)
        move = writeoff.move_id
        self._assert_balanced(move)
        expense = move.line_ids.filtered(
            lambda line: line.account_id == self.accounts["bad_debt"]
        )
        self.assertAlmostEqual(expense.debit, 500.0)
        for invoice in invoices:
            item = self._receivable(invoice)
            self.assertTrue(item.reconciled)
            self.assertEqual(invoice.payment_state, "paid")
            counterpart = item.matched_credit_ids.credit_move_id
            self.assertEqual(counterpart.move_id, move)
            self.assertEqual(counterpart.partner_id, invoice.partner_id)
        self.assertEqual(case.stage_id, self.written_off)
        self.assertIn("Bankrupt", case.message_ids[:3].mapped("body")[0])
        # the sync at commit and the daily job keep it there, open, figures at 0
        self._sync_holds()
        self.Case._cron_update_cases()
        self.env.invalidate_all()
        self.assertEqual(case.stage_id, self.written_off)
        self.assertTrue(case.active)
        self.assertEqual(case.amount_residual, 0.0)
        self.assertEqual(case.open_item_count, 0)
        self.assertTrue(case.on_hold)  # writing off releases no hold
        # the items no longer count in the exposure
        exposures = case.partner_id._credit_exposure(self.company)
        self.assertFalse(exposures.get(case.partner_id.id, {}).get("total"))
        self.assertIn(writeoff, case.with_user(self.manager).writeoff_ids)

    def test_writeoff_stops_the_customer_s_credit(self):
        case, _invoices = self._case_of("Written Stop Ltd", (300.0, 50))
        Hold = self.env["credit.hold"]
        self.assertFalse(Hold._active_stops(case.partner_id, self.company))
        self._writeoff(case)
        stop = Hold._active_stops(case.partner_id, self.company)
        self.assertEqual(stop.stop_cause, "written_off")
        self.assertEqual(stop.stop_case_id, case)
        # nothing is owed any more, the credit stays stopped: cash only
        self._sync_holds()
        self.Case._cron_update_cases()
        order = self._order(case.partner_id, 100.0, user=self.salesman)
        with self.assertRaisesRegex(UserError, "after the debt was written off"):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(stop.state, "active")

    def test_wizard_from_the_case_form(self):
        case, invoices = self._case_of("Form Ltd", (300.0, 100), (200.0, 50))
        action = case.with_user(self.manager).action_writeoff()
        self.assertEqual(action["res_model"], "credit.writeoff.wizard")
        Wizard = self.env[action["res_model"]].with_user(self.manager)
        form = Form(Wizard.with_context(**action["context"]))
        self.assertEqual(len(form.line_ids), 2)
        with form.line_ids.edit(0) as line:  # the oldest item: 100 of its 300
            line.amount = 100.0
        with form.line_ids.edit(1) as line:
            line.selected = False
        form.reason = "Settled with the customer"
        wizard = form.save()
        writeoff = self.env["credit.writeoff"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(writeoff.line_ids.invoice_id, invoices[0])
        self.assertAlmostEqual(writeoff.amount, 100.0)
        self.assertAlmostEqual(self._receivable(invoices[0]).amount_residual, 200.0)
        self.assertAlmostEqual(self._receivable(invoices[1]).amount_residual, 200.0)

    def test_partial_writeoff_to_the_allowance(self):
        case, invoice = self._case_of("Partial Ltd", (500.0, 60))
        writeoff = self._writeoff(
            case,
            amounts={invoice: 200.0},
            account_id=self.accounts["allowance"].id,
        )
        self.assertEqual(writeoff.state, "posted")
        self._assert_balanced(writeoff.move_id)
        self.assertEqual(
            writeoff.move_id.line_ids.filtered("debit").account_id,
            self.accounts["allowance"],
        )
        item = self._receivable(invoice)
        self.assertFalse(item.reconciled)
        self.assertAlmostEqual(item.amount_residual, 300.0)
        self.assertEqual(invoice.payment_state, "partial")
        self._sync_holds()
        self.assertEqual(case.stage_id, self.written_off)
        self.assertAlmostEqual(case.amount_residual, 300.0)

    def test_bad_input_is_refused_and_nothing_written(self):
        case, invoice = self._case_of("Too Much Ltd", (500.0, 60))
        moves_before = self.env["account.move"].search_count([])
        refusals = [
            ({"amounts": {invoice: 500.01}}, "owes \\$\\s?500.00"),
            ({"amounts": {invoice: -5.0}}, "must be positive"),
            ({"amounts": {}}, "at least one item"),
            ({"reason": "  "}, "reason"),
            ({"date": self.today + timedelta(days=1)}, "not in the future"),
            ({"account_id": self.accounts["recovery"].id}, "expense account"),
        ]
        for kwargs, message in refusals:
            with (
                self.subTest(message=message),
                self.assertRaisesRegex(UserError, message),
            ):
                self._writeoff(case, **kwargs)
        self.assertFalse(
            self.env["credit.writeoff"].search([("case_id", "=", case.id)])
        )
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertAlmostEqual(self._receivable(invoice).amount_residual, 500.0)
        self.assertNotEqual(case.stage_id, self.written_off)

    def test_above_threshold_a_second_manager_approves(self):
        case, invoice = self._case_of("Big Debt Ltd", (5000.0, 120))
        stage_before = case.stage_id
        writeoff = self._writeoff(case)
        self.assertEqual(writeoff.state, "to_approve")
        self.assertFalse(writeoff.move_id)
        self.assertFalse(self._receivable(invoice).reconciled)
        self.assertEqual(case.stage_id, stage_before)
        self.assertTrue(
            writeoff.activity_ids.filtered(lambda a: a.user_id == self.manager2)
        )
        with self.assertRaisesRegex(UserError, "another Collections Manager"):
            writeoff.with_user(self.manager).action_approve()
        with self.assertRaises(AccessError):
            writeoff.with_user(self.collector).action_approve()
        self.assertEqual(writeoff.state, "to_approve")
        writeoff.with_user(self.manager2).action_approve()
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(writeoff.approved_by_id, self.manager2)
        self._assert_balanced(writeoff.move_id)
        self.assertTrue(self._receivable(invoice).reconciled)
        self.assertEqual(case.stage_id, self.written_off)
        with self.assertRaisesRegex(UserError, "Posted"):
            writeoff.with_user(self.manager2).action_approve()

    def test_refused_request_posts_nothing(self):
        case, invoice = self._case_of("Refused Ltd", (2000.0, 120))
        writeoff = self._writeoff(case)
        writeoff.with_user(self.manager2).action_refuse()
        self.assertEqual(writeoff.state, "refused")
        self.assertFalse(writeoff.move_id)
        self.assertFalse(self._receivable(invoice).reconciled)

    def test_approval_checks_the_items_again(self):
        case, invoice = self._case_of("Paid Meanwhile Ltd", (2000.0, 120))
        writeoff = self._writeoff(case)
        self._pay(invoice, 1500.0)
        with self.assertRaisesRegex(UserError, "not an open receivable|owes"):
            writeoff.with_user(self.manager2).action_approve()
        self.assertEqual(writeoff.state, "to_approve")

    def test_collector_cannot_write_off(self):
        case, _invoice = self._case_of("Collector Tries Ltd", (100.0, 60))
        with self.assertRaises(AccessError):
            case.with_user(self.collector).action_writeoff()
        with self.assertRaises(AccessError):
            self.env["credit.writeoff.wizard"].with_user(self.collector).create(
                {"case_id": case.id, "reason": "no"}
            )
        with self.assertRaises(AccessError):
            self.env["credit.writeoff"].with_user(self.manager).create(
                {"case_id": case.id, "reason": "forged"}
            )

    def test_a_manager_writes_off_in_their_companies_only(self):
        other = self.env["res.company"].create({"name": "Write-off Other Co"})
        self.env["account.chart.template"].try_loading(
            "generic_coa", other, install_demo=False
        )
        partner = self._customer("Two Companies Ltd")
        self._invoice(partner, 100.0, overdue_days=60, company=other)
        self._sync_holds()
        case = self.Case.search(
            [("partner_id", "=", partner.id), ("company_id", "=", other.id)]
        )
        self.assertTrue(case)
        with self.assertRaises(AccessError):
            case.with_user(self.manager).action_writeoff()
        with self.assertRaises(AccessError):
            self.env["credit.writeoff"].with_user(self.manager)._request(
                case,
                {"date": self.today, "reason": "x"},
                [],
            )

    def test_reversal_restores_the_items_and_the_stage(self):
        case, invoices = self._case_of("Reversed Ltd", (300.0, 50), (200.0, 10))
        stage_before = case.stage_id
        self.assertEqual(
            stage_before, self.env.ref("account_credit_collection.stage_credit_hold")
        )
        writeoff = self._writeoff(case)
        self._sync_holds()
        self.assertEqual(case.stage_id, self.written_off)
        with self.assertRaises(AccessError):
            writeoff.with_user(self.collector).action_reverse()
        writeoff.with_user(self.manager).action_reverse()
        self.assertEqual(writeoff.state, "reversed")
        self.assertEqual(writeoff.reversed_by_id, self.manager)
        self._assert_balanced(writeoff.reversal_move_id)
        self.assertEqual(writeoff.reversal_move_id.reversed_entry_id, writeoff.move_id)
        for invoice, residual in zip(invoices, (300.0, 200.0), strict=True):
            item = self._receivable(invoice)
            self.assertFalse(item.reconciled)
            self.assertAlmostEqual(item.amount_residual, residual)
        self._sync_holds()
        self.assertEqual(case.stage_id, stage_before)
        self.assertAlmostEqual(case.amount_residual, 500.0)
        self.assertFalse(case.is_pinned)
        with self.assertRaisesRegex(UserError, "Reversed"):
            writeoff.with_user(self.manager).action_reverse()

    def test_foreign_currency_item(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].search([("currency_id", "=", eur.id)]).unlink()
        self.env["res.currency.rate"].create(
            [
                {
                    "currency_id": eur.id,
                    "name": self.today - timedelta(days=90),
                    "rate": 2.0,
                },
                {
                    "currency_id": eur.id,
                    "name": self.today - timedelta(days=1),
                    "rate": 2.5,
                },
            ]
        )
        partner = self._customer("Euro Debtor GmbH")
        invoice = self._invoice(partner, 1000.0, overdue_days=60, currency=eur)
        item = self._receivable(invoice)
        self.assertAlmostEqual(item.balance, 500.0)  # 1,000 EUR at 2.0
        self._sync_holds()
        case = self.Case.search([("partner_id", "=", partner.id)])
        writeoff = self._writeoff(case)
        line = writeoff.line_ids
        self.assertEqual(line.currency_id, eur)
        self.assertAlmostEqual(line.amount_currency, 1000.0)
        self.assertAlmostEqual(writeoff.amount, 400.0)  # at the write-off date
        self._assert_balanced(writeoff.move_id)
        counterpart = writeoff.move_id.line_ids.filtered(
            lambda line: line.currency_id == eur
        )
        self.assertAlmostEqual(counterpart.amount_currency, -1000.0)
        # reconciled in both currencies: Odoo books the exchange difference
        self.assertTrue(item.reconciled)
        self.assertAlmostEqual(item.amount_residual, 0.0)
        self.assertAlmostEqual(item.amount_residual_currency, 0.0)
        # reversed: the item owes its 1,000 EUR again (the exchange difference
        # reversed with it)
        writeoff.with_user(self.manager).action_reverse()
        self.assertFalse(item.reconciled)
        self.assertAlmostEqual(item.amount_residual_currency, 1000.0)
        self.assertAlmostEqual(item.amount_residual, 500.0)

    def test_recovery_of_written_off_debt(self):
        case, invoice = self._case_of("Recovered Ltd", (900.0, 200))
        writeoff = self._writeoff(case)
        # later the customer pays 300: an outstanding payment on its account
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": case.partner_id.id,
                "amount": 300.0,
                "journal_id": self._outstanding_journal().id,
                "date": self.today,
            }
        )
        payment.action_post()
        credit = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        # from the case's button, as the form does
        action = case.with_user(self.manager).action_book_recovery()
        Recovery = self.env[action["res_model"]].with_user(self.manager)
        form = Form(Recovery.with_context(**action["context"]))
        self.assertEqual(form.writeoff_id, writeoff)
        self.assertIn(credit, form.available_credit_ids)
        form.credit_line_id = credit
        self.assertAlmostEqual(form.amount, 300.0)
        form.save().action_book()
        self.assertTrue(credit.reconciled)
        recovery = writeoff.recovery_move_ids
        self._assert_balanced(recovery)
        income = recovery.line_ids.filtered(
            lambda line: line.account_id == self.accounts["recovery"]
        )
        self.assertAlmostEqual(income.credit, 300.0)
        self.assertAlmostEqual(writeoff.amount_recovered, 300.0)
        # money received on the bank, not registered: on the journal's account
        self.env["credit.writeoff.recovery"].with_user(self.manager).create(
            {"case_id": case.id, "journal_id": self.bank_journal.id, "amount": 100.0}
        ).action_book()
        self.assertAlmostEqual(writeoff.amount_recovered, 400.0)
        # never more than what remains written off
        with self.assertRaisesRegex(UserError, "500.00 of this write-off"):
            self.env["credit.writeoff.recovery"].with_user(self.manager).create(
                {
                    "case_id": case.id,
                    "journal_id": self.bank_journal.id,
                    "amount": 600.0,
                }
            ).action_book()
        self.assertEqual(case.stage_id, self.written_off)
        with self.assertRaisesRegex(UserError, "recovery entries first"):
            writeoff.with_user(self.manager).action_reverse()
        with self.assertRaises(AccessError):
            self.env["credit.writeoff.recovery"].with_user(self.collector).create(
                {"case_id": case.id, "journal_id": self.bank_journal.id, "amount": 1.0}
            )


@tagged("post_install", "-at_install")
class TestWriteoffOverRpc(HttpCase):
    """Through the external API: a collector cannot write off; a manager
    writes off through the wizard as the form does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        writeoff_accounts(env, cls.company)
        cls.customer = env["res.partner"].create(
            {"name": "RPC Bad Debt Ltd", "is_company": True}
        )
        today = credit_today(env, cls.company)
        make_invoice(env, cls.customer, 400.0, today - timedelta(days=100))
        env.cr.flush()
        cls.case = env["credit.collection.case"].search(
            [("partner_id", "=", cls.customer.id)]
        )
        cls.collector = new_test_user(
            env, "ccol_wo_collector", groups="account_credit_collection.group_user"
        )
        cls.manager = new_test_user(
            env, "ccol_wo_manager", groups="account_credit_collection.group_manager"
        )

    def _client(self, user):
        client = XmlRpcClient(self.base_url(), self.env.cr.dbname, user.id, user.login)

        def call(*args, **kwargs):
            self.env.cr.flush()
            self.env.cr.clear()
            with self.allow_requests(all_requests=True):
                return client(*args, **kwargs)

        return call

    def test_collector_refused_manager_writes_off(self):
        collector = self._client(self.collector)
        case_id = self.case.id
        attempts = [
            ("credit.collection.case", "action_writeoff", [case_id]),
            (
                "credit.writeoff.wizard",
                "create",
                [{"case_id": case_id, "reason": "collector"}],
            ),
            ("credit.writeoff", "create", [{"case_id": case_id, "reason": "forged"}]),
            ("credit.writeoff", "search_read", [[]]),
        ]
        for model, method, args in attempts:
            with self.subTest(method=method), self.assertRaises(RpcError) as err:
                collector(model, method, *args)
            self.assertEqual(err.exception.kind, "AccessError")
        self.env.invalidate_all()
        self.assertFalse(self.case.sudo().writeoff_ids)
        manager = self._client(self.manager)
        action = manager("credit.collection.case", "action_writeoff", [case_id])
        wizard_id = manager(
            action["res_model"],
            "create",
            [dict(reason="Gone")],
            context=action["context"],
        )[0]
        result = manager("credit.writeoff.wizard", "action_confirm", [wizard_id])
        writeoff = self.env["credit.writeoff"].browse(result["res_id"])
        self.env.invalidate_all()
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(
            self.case.stage_id,
            self.env.ref("account_credit_collection.stage_written_off"),
        )
