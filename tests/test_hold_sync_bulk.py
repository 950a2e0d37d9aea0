# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The hold synchronisation in bulk (#20): the same holds, reasons and
releases as the former one-customer-at-a-time path, a fixed number of queries
per batch, no chatter message per hold."""

from odoo.tests import tagged
from odoo.tools import format_amount

from odoo.addons.account_credit_collection.models.credit_hold_sync import (
    PRECOMMIT_KEY,
    STANDING,
)

from .common import CreditCollectionCommon

RELEASE_NOTE = "Released automatically: no hold rule applies any more."


def legacy_sync(Hold, partners, company):
    """The synchronisation as it was before #20 (19.0.1.2.0): one customer at
    a time, one create, one reasons write and one chatter message per hold,
    one release per customer. The reference the bulk path is compared with."""
    partners = partners.commercial_partner_id.with_company(company)
    open_holds = Hold._open_automatic(company, partners)
    holds_by_partner = open_holds.grouped("partner_id")
    evaluate = Hold._blocking_evaluator(partners, company)
    root = Hold.env.ref("base.user_root")
    for partner in partners:
        holds = holds_by_partner.get(partner, Hold.sudo().browse())
        reasons = evaluate(partner, hints=False)
        if not reasons:
            holds._release(RELEASE_NOTE, user=root)
            continue
        rule_holds = holds.filtered(lambda h: h.origin == "rule")
        if not rule_holds:
            hold = Hold.sudo().create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "origin": "rule",
                    "user_id": root.id,
                }
            )
            hold._set_reasons(evaluate(partner, hints=True))
            hold.message_post(body="Credit hold set by the hold rules.")
            continue
        signature = sorted(r["rule"] for r in reasons)
        for hold in rule_holds:
            if sorted(hold.reason_ids.mapped("rule")) != signature:
                hold._set_reasons(evaluate(partner, hints=True))


@tagged("post_install", "-at_install")
class TestHoldSyncBulk(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Hold = cls.env["credit.hold"]
        cls.tier.write(
            {
                "use_overdue_days": True,
                "overdue_days_threshold": 30,
                "use_overdue_amount": True,
                "overdue_amount_threshold": 1500.0,
            }
        )
        book = {}
        # over the limit, nothing overdue
        book["limit"] = cls._customer("Bulk Limit", limit=100.0)
        cls._invoice(book["limit"], 400.0)
        # overdue for long (and at a collection stage), under the limit
        book["overdue"] = cls._customer("Bulk Overdue", limit=10000.0)
        cls._invoice(book["overdue"], 400.0, overdue_days=45)
        # everything at once, five overdue invoices: the hints list three
        book["all"] = cls._customer("Bulk All", limit=100.0)
        for days in (31, 40, 50, 70, 95):
            cls._invoice(book["all"], 450.0, overdue_days=days)
        # fine: nothing fires
        book["fine"] = cls._customer("Bulk Fine", limit=10000.0)
        cls._invoice(book["fine"], 100.0)
        # an invoice on a contact counts for its company
        book["parent"] = cls._customer("Bulk Parent", limit=50.0)
        contact = cls.env["res.partner"].create(
            {"name": "Bulk Contact", "parent_id": book["parent"].id}
        )
        cls._invoice(contact, 300.0)
        # a manual hold and over the limit: the rule hold is set besides
        book["manual"] = cls._customer("Bulk Manual", limit=100.0)
        cls._invoice(book["manual"], 400.0)
        cls.Hold.action_create_manual(book["manual"], "Disputed guarantee")
        # an order hold, nothing fires any more: released
        book["order_paid"] = cls._customer("Bulk Order Paid", limit=10000.0)
        cls._invoice(book["order_paid"], 100.0)
        cls.Hold.sudo().create(
            {
                "partner_id": book["order_paid"].id,
                "company_id": cls.company.id,
                "origin": "order",
            }
        )
        # an order hold and over the limit: a rule hold is set besides
        book["order_blocked"] = cls._customer("Bulk Order Blocked", limit=100.0)
        cls._invoice(book["order_blocked"], 400.0)
        cls.Hold.sudo().create(
            {
                "partner_id": book["order_blocked"].id,
                "company_id": cls.company.id,
                "origin": "order",
            }
        )
        # the next three get their hold in a first synchronisation, then
        # change: released / reasons rewritten / unchanged
        book["to_release"] = cls._customer("Bulk To Release", limit=100.0)
        cls._invoice(book["to_release"], 400.0)
        book["to_rewrite"] = cls._customer("Bulk To Rewrite", limit=100.0)
        cls._invoice(book["to_rewrite"], 400.0)
        book["same"] = cls._customer("Bulk Same", limit=100.0)
        cls._invoice(book["same"], 400.0, overdue_days=35)
        cls.book = book
        cls.partners = (
            cls.env["res.partner"].browse([p.id for p in book.values()]).sorted("id")
        )
        # the cases (their stage is one of the rules), no hold synchronised
        # by the postings: each test runs the synchronisation itself
        cls.env.cr.precommit.data.pop(PRECOMMIT_KEY, None)
        cls.env["credit.collection.case"].sudo()._update_cases(
            cls.company, cls.partners
        )
        cls.env.flush_all()

    def _snapshot(self):
        """Every hold of the book and its reason lines, in a comparable form
        (not the release time)."""
        self.env.flush_all()
        self.env.invalidate_all()
        holds = self.Hold.sudo().search(
            [("partner_id", "in", self.partners.ids)], order="partner_id, origin, id"
        )
        return [
            (
                hold.partner_id.name,
                hold.origin,
                hold.state,
                hold.user_id.login,
                hold.note,
                hold.released_by_id.login,
                hold.release_note,
                bool(hold.release_date),
                [
                    (
                        line.rule,
                        line.mode,
                        line.name,
                        line.measured,
                        line.threshold,
                        line.is_amount,
                        line.release_hint,
                    )
                    for line in hold.reason_ids
                ],
            )
            for hold in holds
        ]

    def _both_paths(self):
        """The snapshots after the former and the bulk synchronisation of the
        book, each from the current state."""
        with self.env.cr.savepoint() as savepoint:
            legacy_sync(self.Hold, self.partners, self.company)
            legacy = self._snapshot()
            savepoint.rollback()
        self.env.invalidate_all()
        self.Hold._sync_partners(self.partners, self.company)
        return legacy, self._snapshot()

    def _change_book(self):
        """After a first synchronisation: one customer's limit raised, one
        more overdue, one unchanged."""
        self.book["to_release"].credit_limit = 10000.0
        self._invoice(self.book["to_rewrite"], 50.0, overdue_days=60)
        self.env.cr.precommit.data.pop(PRECOMMIT_KEY, None)
        self.env["credit.collection.case"].sudo()._update_cases(
            self.company, self.partners
        )

    def test_same_holds_reasons_and_releases_as_one_by_one(self):
        legacy, bulk = self._both_paths()
        self.assertEqual(bulk, legacy)
        rule_holds = {(h[0], h[1]): h for h in bulk if h[1] == "rule"}
        # the book covers what it means to: holds with several reasons and
        # hints, the contact's company, beside an order and a manual hold
        self.assertEqual(
            {name for name, _origin in rule_holds},
            {
                "Bulk Limit",
                "Bulk Overdue",
                "Bulk All",
                "Bulk Parent",
                "Bulk Manual",
                "Bulk Order Blocked",
                "Bulk To Release",
                "Bulk To Rewrite",
                "Bulk Same",
            },
        )
        everything = rule_holds["Bulk All", "rule"][8]
        self.assertGreaterEqual(len(everything), 3)
        self.assertTrue(any("more overdue" in line[6] for line in everything))
        # the amounts of the hints formatted as Odoo formats them
        amount = format_amount(self.env, 450.0, self.currency)
        self.assertTrue(any(amount in line[6] for line in everything))
        order_paid = [h for h in bulk if h[0] == "Bulk Order Paid"]
        self.assertEqual(order_paid[0][2], "released")
        self.assertEqual(order_paid[0][6], RELEASE_NOTE)
        # a later run: releases, rewritten reasons, unchanged holds
        self._change_book()
        legacy, bulk = self._both_paths()
        self.assertEqual(bulk, legacy)
        by_name = {h[0]: h for h in bulk if h[1] == "rule"}
        self.assertEqual(by_name["Bulk To Release"][2], "released")
        self.assertIn(
            "overdue_days", [line[0] for line in by_name["Bulk To Rewrite"][8]]
        )
        # a third run changes nothing
        before = self._snapshot()
        self.Hold._sync_partners(self.partners, self.company)
        self.assertEqual(self._snapshot(), before)

    def test_no_chatter_message_per_hold(self):
        """The hold records the event itself: origin, set by, set on, its
        reason lines; no message, follower or tracking per hold."""
        Hold = self.Hold.with_context(
            tracking_disable=False, mail_create_nolog=False, mail_notrack=False
        )
        Hold = Hold.with_context(mail_create_nosubscribe=False)
        Hold._sync_partners(self.partners, self.company)
        holds = self.Hold.sudo().search(
            [("partner_id", "in", self.partners.ids), ("origin", "=", "rule")]
        )
        self.assertEqual(len(holds), 9)
        self.assertFalse(holds.message_ids)
        self.assertFalse(holds.message_follower_ids)
        for hold in holds:
            self.assertEqual(hold.user_id, self.env.ref("base.user_root"))
            self.assertTrue(hold.create_date)
            self.assertTrue(hold.reason_ids)
            self.assertFalse(
                set(hold.reason_ids.mapped("rule")) & set(STANDING), hold.name
            )
        # the customer shows the hold
        self.book["limit"].invalidate_recordset(["credit_on_hold"])
        self.assertTrue(self.book["limit"].credit_on_hold)


@tagged("post_install", "-at_install")
class TestHoldSyncQueries(CreditCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.write({"use_overdue_days": True, "overdue_days_threshold": 30})
        customers = []
        for index in range(60):
            customer = cls._customer(f"Query Count {index}", limit=100.0)
            cls._invoice(customer, 400.0, overdue_days=50)
            customers.append(customer.id)
        cls.customers = cls.env["res.partner"].browse(customers)
        cls.env.cr.precommit.data.pop(PRECOMMIT_KEY, None)
        cls.env["credit.collection.case"].sudo()._update_cases(
            cls.company, cls.customers
        )
        cls.env.flush_all()

    def _sync_queries(self, partners):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.env["credit.hold"]._sync_partners(partners, self.company)
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_queries_per_batch_not_per_customer(self):
        Hold = self.env["credit.hold"]
        self._sync_queries(self.customers[:5])  # warm-up: caches, plans
        few = self._sync_queries(self.customers[5:10])
        many = self._sync_queries(self.customers[10:60])
        # Odoo inserts (and updates) 100 rows per statement: the 150 reason
        # lines of 50 customers take one INSERT and one UPDATE more than the
        # 15 of 5 customers
        self.assertEqual((few, many), (23, 25))
        holds = Hold.search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(len(holds), 60)
        self.assertEqual(
            set(holds.reason_ids.mapped("rule")), {"limit", "overdue_days", "stage"}
        )
        # a later run: nothing to create, nothing to write
        self.env.invalidate_all()
        with self.assertQueryCount(19):
            Hold._sync_partners(self.customers, self.company)
            self.env.flush_all()
