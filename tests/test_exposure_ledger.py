# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestExposureLedger(CreditCollectionCommon):
    """The exposure ledger (models/credit_exposure_entry.py) is kept by
    PostgreSQL triggers: after every change of the open items it equals them
    (``_drift`` compares it with the items, every test of the suite ends with
    that check), and the exposure read from it is the items' exposure."""

    def _exposure(self, partner):
        return partner._credit_exposure(self.company)[partner.id]

    def _ledger_rows(self, partner):
        self.env.flush_all()
        return self.env.execute_query_dict(
            SQL(
                "SELECT due_date, residual_pos, residual_neg, disputed "
                "FROM credit_exposure_entry WHERE partner_id = %s ORDER BY id",
                partner.id,
            )
        )

    def _check(self, partner, **expected):
        self.assertEqual(self.env["credit.exposure.entry"]._drift(), [])
        exp = self._exposure(partner)
        # the confirmation's one-call path reads the same figures
        _commercial, one, _batch = partner._credit_check_data(self.company)
        self.assertEqual(one, exp)
        for key, value in expected.items():
            self.assertAlmostEqual(exp[key], value, msg=key)

    def test_life_of_invoices(self):
        """Post, pay (with and without journal entry), dispute, match a credit
        note, unreconcile, reset to draft, cancel: the ledger follows."""
        partner = self.customer
        late = self._invoice(partner, 500.0, overdue_days=10)
        soon = self._invoice(partner, 300.0, due_days=20)
        refund = self._invoice(partner, 120.0, move_type="out_refund")
        self._check(partner, overdue=500.0, not_due=300.0, credits=-120.0)
        self.assertEqual(
            self._exposure(partner)["oldest_due_date"],
            self.today - timedelta(days=10),
        )
        self.assertTrue(self._ledger_rows(partner))

        # a payment with a journal entry, reconciled: partials
        self._pay_with_entry(late, 200.0)
        self._check(partner, overdue=300.0, not_due=300.0, credits=-120.0)
        # a payment without journal entry: the invoice is in payment, its
        # receivable line stays open and no longer counts
        self._pay(soon)
        self.assertIn(soon.payment_state, ("in_payment", "paid"))
        self._check(partner, overdue=300.0, not_due=0.0, credits=-120.0)

        # a dispute on the late invoice
        late.credit_dispute_amount = 100.0
        self._check(partner, disputed=100.0, disputed_overdue=100.0)
        late.credit_dispute_amount = 0.0
        self._check(partner, disputed=0.0)

        # the credit note matched with the late invoice, then unmatched
        refund_line = refund.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        late.js_assign_outstanding_line(refund_line.id)
        self._check(partner, overdue=180.0, credits=0.0)
        refund_line.remove_move_reconcile()
        self._check(partner, overdue=300.0, credits=-120.0)

        # reset to draft (its payment unreconciled) and cancelled
        late.button_draft()
        self._check(partner, overdue=0.0, draft=500.0)
        late.button_cancel()
        self._check(partner, overdue=0.0, draft=0.0)

    def test_orm_and_sql_twins_agree(self):
        """The open receivable item has one definition (models/open_items.py),
        an ORM domain and its SQL twin: both select the same journal items,
        through payments with and without journal entry and a credit note."""
        from ..models.open_items import item_domain, open_items_sql

        partner, other = self.customer, self._customer("Twin other")
        paid = self._invoice(partner, 400.0, overdue_days=5)
        part = self._invoice(partner, 300.0, due_days=10)
        self._invoice(other, 200.0)
        refund = self._invoice(other, 50.0, move_type="out_refund")
        self._pay(paid)  # in payment, no journal entry: not open any more
        self._pay_with_entry(part, 100.0)  # partly paid: still open
        Line = self.env["account.move.line"]

        def both(partners=None):
            ids = partners.ids if partners is not None else None
            sql_ids = {
                row[0]
                for row in self.env.execute_query(
                    SQL(
                        "SELECT line.id %s", open_items_sql(self.env, self.company, ids)
                    )
                )
            }
            orm_ids = set(Line.search(item_domain(self.company, partners)).ids)
            return orm_ids, sql_ids

        orm_ids, sql_ids = both()
        self.assertEqual(orm_ids, sql_ids)
        mine, mine_sql = both(partner)
        self.assertEqual(mine, mine_sql)
        self.assertEqual(Line.browse(mine).move_id, part)
        theirs, _ = both(other)
        self.assertIn(refund, Line.browse(theirs).move_id)
        self.assertNotIn(paid, Line.browse(orm_ids).move_id)

    def test_rebuild_with_changes_not_flushed_yet(self):
        """A change still in the ORM's cache when the rebuild starts is
        flushed before the ledger is emptied: its triggers' rows are not
        added on top of the rebuilt sums."""
        invoice = self._invoice(self.customer, 100.0, due_days=10)
        self.env.flush_all()
        line = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        line.date_maturity = self.today + timedelta(days=20)  # not flushed
        self.env["credit.exposure.entry"]._rebuild()
        self._check(self.customer, not_due=100.0)

    def test_sql_writes_are_seen(self):
        """The triggers see what the ORM does not: a due date moved in SQL
        moves the item from not due to overdue."""
        partner = self.customer
        invoice = self._invoice(partner, 400.0, due_days=15)
        self._check(partner, overdue=0.0, not_due=400.0)
        line = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.env.cr.execute(
            "UPDATE account_move_line SET date_maturity = %s WHERE id = %s",
            (self.today - timedelta(days=3), line.id),
        )
        self.env.invalidate_all()
        self._check(partner, overdue=400.0, not_due=0.0, oldest_overdue_days=3)
        # an account that stops being a receivable takes its items out
        account = line.account_id
        self.env.cr.execute(
            "UPDATE account_account SET account_type = 'asset_current' WHERE id = %s",
            (account.id,),
        )
        self._check(partner, overdue=0.0)
        self.env.cr.execute(
            "UPDATE account_account SET account_type = 'asset_receivable' "
            "WHERE id = %s",
            (account.id,),
        )
        self.env.invalidate_all()
        self._check(partner, overdue=400.0)

    def test_rebuild_repairs_and_compacts(self):
        """The daily rebuild replaces the deltas by one row per customer,
        company and due date, and repairs a ledger changed behind the
        triggers' back."""
        partner = self.customer
        invoices = [self._invoice(partner, 100.0, overdue_days=5) for _i in range(3)]
        self._pay_with_entry(invoices[0], 40.0)
        self.assertGreater(len(self._ledger_rows(partner)), 1)
        self.env.cr.execute(
            "INSERT INTO credit_exposure_entry (partner_id, company_id, due_date,"
            " residual_pos, residual_neg, disputed) VALUES (%s, %s, %s, 999, 0, 0)",
            (partner.id, self.company.id, self.today),
        )
        drift = self.env["credit.exposure.entry"]._drift()
        self.assertEqual([(d[0], d[2]) for d in drift], [(partner.id, self.today)])
        self.env["credit.collection.case"]._cron_update_cases()
        self._check(partner, overdue=260.0, not_due=0.0)
        self.assertEqual(
            self._ledger_rows(partner),
            [
                {
                    "due_date": self.today - timedelta(days=5),
                    "residual_pos": 260.0,
                    "residual_neg": 0.0,
                    "disputed": 0.0,
                }
            ],
        )

    def test_other_company(self):
        """Rows are per company: an invoice of another company is not in this
        company's exposure."""
        other = self.env["res.company"].create({"name": "Ledger Co 2"})
        self.env.user.company_ids += other
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=other, install_demo=False
        )
        partner = self.customer
        self._invoice(partner, 250.0, overdue_days=4, company=other)
        self._invoice(partner, 50.0, overdue_days=4)
        self._check(partner, overdue=50.0)
        exp = partner._credit_exposure(other)[partner.id]
        self.assertAlmostEqual(exp["overdue"], 250.0)


@tagged("post_install", "-at_install")
class TestOverLimit(CreditCollectionCommon):
    """``credit_over_limit``: its SQL search (the "who is over the limit"
    question on a whole book) and its compute (the hold rules in Python)
    give the same customers, whatever makes the exposure."""

    def test_search_and_compute_agree(self):
        Policy = self.env["credit.collection.policy"]
        tier_default_limit = Policy.create(
            {
                "name": "Default limit 500",
                "company_id": self.company.id,
                "use_credit_limit": True,
                "default_credit_limit": 500.0,
            }
        )
        no_limit_rule = Policy.create(
            {
                "name": "No limit rule",
                "company_id": self.company.id,
                "use_credit_limit": False,
            }
        )
        disputes_count = Policy.create(
            {
                "name": "Disputes count",
                "company_id": self.company.id,
                "use_credit_limit": True,
                "count_disputed": True,
            }
        )
        self.tier.count_disputed = False
        cust = {}

        def customer(key, limit=None, tier=None):
            cust[key] = self._customer(f"Over limit {key}", limit=limit, tier=tier)
            return cust[key]

        self._invoice(customer("invoiced_over", 1000.0), 1500.0)
        self._invoice(customer("invoiced_under", 1000.0), 900.0)
        self._invoice(customer("tier_limit_over", tier=tier_default_limit), 600.0)
        self._invoice(customer("tier_limit_under", tier=tier_default_limit), 400.0)
        self._invoice(customer("no_limit_rule", 10.0, tier=no_limit_rule), 5000.0)
        for key, tier in (("disputed_not_counted", None), ("disputed", disputes_count)):
            invoice = self._invoice(customer(key, 1000.0, tier=tier), 1200.0)
            invoice.credit_dispute_amount = 300.0
        # an order confirmed, then the limit lowered under it
        self._order(customer("order_over", 1000.0), 150.0).action_confirm()
        cust["order_over"].credit_limit = 100.0
        paid = self._invoice(customer("paid_without_entry", 1000.0), 1500.0)
        self._pay(paid)
        # an unmatched payment without journal entry: money on its way
        self._invoice(customer("payment_on_its_way", 1000.0), 1200.0)
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": cust["payment_on_its_way"].id,
                "amount": 300.0,
                "journal_id": self.bank_journal.id,
            }
        )
        payment.outstanding_account_id = False
        payment.action_post()
        self.assertFalse(payment.move_id)
        self._invoice(customer("draft_over", 1000.0), 1200.0, post=False)
        self._invoice(customer("refunded", 1000.0), 1500.0)
        self._invoice(cust["refunded"], 700.0, move_type="out_refund")
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": cust["invoiced_over"].id}
        )
        expected_over = {
            "invoiced_over",
            "tier_limit_over",
            "disputed",
            "order_over",
            "draft_over",
        }
        ours = self.env["res.partner"].browse([p.id for p in cust.values()]) | contact
        found = self.env["res.partner"].search(
            [("id", "in", ours.ids), ("credit_over_limit", "=", True)]
        )
        self.assertEqual({key for key, p in cust.items() if p in found}, expected_over)
        self.assertIn(contact, found)
        not_found = self.env["res.partner"].search(
            [("id", "in", ours.ids), ("credit_over_limit", "=", False)]
        )
        self.assertEqual(not_found, ours - found)
        ours.invalidate_recordset(["credit_over_limit"])
        self.assertEqual(ours.filtered("credit_over_limit"), found)
