#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Preparation of the benchmark databases (not timed).

``heavy``: in the plain book (before it is copied for the addon and the OCA
peers), customers ``BENCH-<n>`` with ``n`` open invoices each: one invoice is
created and posted through the ORM, then duplicated ``n - 1`` times by SQL
(every column copied, the name suffixed), like ``tools/scale_book.py`` copies
the book with Odoo's populate. Their items are not yet due and their credit
limit is high, so that every confirmation passes every credit check (the
check's full work, no refusal).

Also ``BENCH-ORDERS``: a customer with ``--orders`` (3,000) confirmed orders
not invoiced yet (one order confirmed through the ORM, copied by SQL with its
line) and 10 open invoices, whose confirmation reads the open orders part of
the exposure (its credit limit is high too).

``addon``: the addon's first scheduler run (cases for every customer),
committed, so that the kanban and the escalation have their cases.

``oca``: the OCA peers' configuration: ``account_credit_control``'s
"3 times" policy on the receivable accounts, the company's default policy.
"""

import argparse
import sys
import time
from datetime import date, timedelta

from odoo import Command, api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

HEAVY_LIMIT = 1e9


def _log(msg):
    # pylint: disable=print-used
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        [table],
    )
    return [r[0] for r in cr.fetchall()]


def duplicate_move(env, move, copies):
    """``copies`` SQL copies of the posted ``move`` and its journal items."""
    cr = env.cr
    env.flush_all()
    cr.execute("DROP TABLE IF EXISTS bench_move_map")
    cr.execute(
        """CREATE TEMP TABLE bench_move_map AS
           SELECT n, nextval('account_move_id_seq') AS new_id
             FROM generate_series(1, %s) n""",
        [copies],
    )
    move_cols = _columns(cr, "account_move")
    exprs = [
        SQL("src.name || '-B' || m.n")
        if col == "name"
        else SQL("NULL")
        if col in ("inalterable_hash", "secure_sequence_number")
        else SQL.identifier("src", col)
        for col in move_cols
    ]
    cr.execute(
        SQL(
            "INSERT INTO account_move (id, %s) SELECT m.new_id, %s "
            "FROM account_move src, bench_move_map m WHERE src.id = %s",
            SQL(", ").join(SQL.identifier(c) for c in move_cols),
            SQL(", ").join(exprs),
            move.id,
        )
    )
    line_cols = [c for c in _columns(cr, "account_move_line") if c != "move_id"]
    exprs = [
        SQL("src.move_name || '-B' || m.n")
        if col == "move_name"
        else SQL.identifier("src", col)
        for col in line_cols
    ]
    cr.execute(
        SQL(
            "INSERT INTO account_move_line (move_id, %s) SELECT m.new_id, %s "
            "FROM account_move_line src, bench_move_map m WHERE src.move_id = %s",
            SQL(", ").join(SQL.identifier(c) for c in line_cols),
            SQL(", ").join(exprs),
            move.id,
        )
    )
    # taxes of the copied items (tax reports, not the receivable)
    cr.execute(
        """INSERT INTO account_move_line_account_tax_rel
                (account_move_line_id, account_tax_id)
           SELECT new.id, rel.account_tax_id
             FROM account_move_line src
             JOIN account_move_line_account_tax_rel rel
               ON rel.account_move_line_id = src.id
             JOIN bench_move_map m ON TRUE
             JOIN account_move_line new
               ON new.move_id = m.new_id AND new.sequence = src.sequence
              AND new.account_id = src.account_id AND new.balance = src.balance
            WHERE src.move_id = %s""",
        [move.id],
    )
    cr.execute("DROP TABLE bench_move_map")
    env.invalidate_all()


def duplicate_order(env, order, copies):
    """``copies`` SQL copies of the confirmed ``order`` and its lines."""
    cr = env.cr
    env.flush_all()
    cr.execute("DROP TABLE IF EXISTS bench_order_map")
    cr.execute(
        """CREATE TEMP TABLE bench_order_map AS
           SELECT n, nextval('sale_order_id_seq') AS new_id
             FROM generate_series(1, %s) n""",
        [copies],
    )
    order_cols = _columns(cr, "sale_order")
    exprs = [
        SQL("src.name || '-B' || m.n")
        if col == "name"
        else SQL("NULL")
        if col == "access_token"
        else SQL.identifier("src", col)
        for col in order_cols
    ]
    cr.execute(
        SQL(
            "INSERT INTO sale_order (id, %s) SELECT m.new_id, %s "
            "FROM sale_order src, bench_order_map m WHERE src.id = %s",
            SQL(", ").join(SQL.identifier(c) for c in order_cols),
            SQL(", ").join(exprs),
            order.id,
        )
    )
    line_cols = [c for c in _columns(cr, "sale_order_line") if c != "order_id"]
    cr.execute(
        SQL(
            "INSERT INTO sale_order_line (order_id, %s) SELECT m.new_id, %s "
            "FROM sale_order_line src, bench_order_map m WHERE src.order_id = %s",
            SQL(", ").join(SQL.identifier(c) for c in line_cols),
            SQL(", ").join(SQL.identifier("src", c) for c in line_cols),
            order.id,
        )
    )
    cr.execute("DROP TABLE bench_order_map")
    env.invalidate_all()


def make_many_orders(env, count, items, today):
    """``BENCH-ORDERS``: ``count`` confirmed orders not invoiced yet and
    ``items`` open invoices."""
    company = env.ref("base.main_company")
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    if env["res.partner"].search_count([("ref", "=", "BENCH-ORDERS")]):
        _log("BENCH-ORDERS exists")
        return
    start = time.perf_counter()
    product = env["product.product"].search(
        [("default_code", "=", "CCBOOK-0")], limit=1
    )
    partner = _heavy_partner(env, company, "BENCH-ORDERS", f"{count} open orders")
    _open_invoices(env, partner, product, items, today)
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "order_line": [
                Command.create(
                    {"product_id": product.id, "product_uom_qty": 1, "price_unit": 10}
                )
            ],
        }
    )
    order.action_confirm()
    if count > 1:
        duplicate_order(env, order, count - 1)
    _log(f"BENCH-ORDERS: {count} open orders in {time.perf_counter() - start:.1f} s")
    env.cr.execute("ANALYZE sale_order, sale_order_line")


def _heavy_partner(env, company, ref, what):
    partner = env["res.partner"].create(
        {
            "name": f"Bench customer with {what}",
            "ref": ref,
            "is_company": True,
            "customer_rank": 1,
            "email": f"{ref.lower()}@example.com",
        }
    )
    partner.with_company(company).write(
        {"credit_limit": HEAVY_LIMIT, "use_partner_credit_limit": True}
    )
    return partner


def _open_invoices(env, partner, product, n, today):
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": today - timedelta(days=5),
            "invoice_date_due": today + timedelta(days=60),
            "invoice_line_ids": [
                Command.create(
                    {"product_id": product.id, "quantity": 1, "price_unit": 10.0}
                )
            ],
        }
    )
    move.action_post()
    if n > 1:
        duplicate_move(env, move, n - 1)


def make_heavy(env, levels, today):
    company = env.ref("base.main_company")
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    product = env["product.product"].search(
        [("default_code", "=", "CCBOOK-0")], limit=1
    )
    for n in levels:
        ref = f"BENCH-{n}"
        if env["res.partner"].search_count([("ref", "=", ref)]):
            _log(f"{ref} exists")
            continue
        start = time.perf_counter()
        partner = _heavy_partner(env, company, ref, f"{n} open items")
        _open_invoices(env, partner, product, n, today)
        _log(f"{ref}: {n} open invoices in {time.perf_counter() - start:.1f} s")
    env.cr.execute("ANALYZE account_move, account_move_line")


def spread_due_dates(env, today):
    """The heavy customers' invoices fall due on 365 different days (all
    still ahead: every check passes), as a real customer's would, rather than
    on one day. Idempotent (the same date for the same invoice); through SQL,
    as it runs on every database of the benchmark, with and without the
    addon (the addon's exposure ledger follows through its triggers)."""
    env.cr.execute(
        """
        WITH heavy AS (
            SELECT move.id,
                   %(today)s::date + 61 + (move.id %% 365)::int AS due
              FROM account_move move
              JOIN res_partner partner
                ON partner.id = move.commercial_partner_id
             WHERE partner.ref LIKE 'BENCH-%%'
               AND move.move_type = 'out_invoice'
        ), moves AS (
            UPDATE account_move move SET invoice_date_due = heavy.due
              FROM heavy
             WHERE move.id = heavy.id
               AND move.invoice_date_due IS DISTINCT FROM heavy.due
        )
        UPDATE account_move_line line SET date_maturity = heavy.due
          FROM heavy, account_account account
         WHERE line.move_id = heavy.id
           AND account.id = line.account_id
           AND account.account_type = 'asset_receivable'
           AND line.date_maturity IS DISTINCT FROM heavy.due
        """,
        {"today": today},
    )
    _log(f"heavy customers: {env.cr.rowcount} due dates spread over 365 days")


def setup_addon(env):
    """The state a live database is in: the daily case update and the hourly
    hold synchronisation have run (idempotent: each runs once)."""
    start = time.perf_counter()
    Case = env["credit.collection.case"]
    if Case.search_count([]):
        _log("cases exist")
    else:
        Case._cron_update_cases()
        env.flush_all()
        _log(
            f"first scheduler run: {Case.search_count([])} cases in "
            f"{time.perf_counter() - start:.1f} s"
        )
    Hold = env["credit.hold"]
    if Hold.search_count([("origin", "=", "rule")]):
        _log("rule holds exist")
        return
    start = time.perf_counter()
    Hold._cron_sync_holds()
    env.flush_all()
    _log(
        f"hold synchronisation: {Hold.search_count([('origin', '=', 'rule')])} "
        f"rule holds in {time.perf_counter() - start:.1f} s"
    )


def setup_oca(env):
    company = env.ref("base.main_company")
    policy = env.ref("account_credit_control.credit_control_3_time")
    receivables = env["account.account"].search(
        [
            ("account_type", "=", "asset_receivable"),
            ("company_ids", "in", company.ids),
        ]
    )
    policy.account_ids = [Command.set(receivables.ids)]
    company.credit_policy_id = policy
    # the risk counts what the addon's exposure counts: draft and open
    # invoices, unpaid ones, confirmed orders not invoiced (off by default)
    env.cr.execute(
        """UPDATE res_partner
              SET risk_invoice_draft_include = TRUE,
                  risk_invoice_open_include = TRUE,
                  risk_invoice_unpaid_include = TRUE,
                  risk_sale_order_include = TRUE"""
    )
    _log(f"OCA credit control: policy {policy.name} on {len(receivables)} accounts")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["heavy", "spread", "addon", "oca"])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--levels", default="10,1000,10000")
    parser.add_argument("--orders", type=int, default=3000)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        if args.what == "heavy":
            levels = [int(x) for x in args.levels.split(",")]
            make_heavy(env, levels, date.today())
            if args.orders:
                make_many_orders(env, args.orders, 10, date.today())
        elif args.what == "spread":
            spread_due_dates(env, date.today())
            if "credit.exposure.entry" in env:
                env["credit.exposure.entry"]._rebuild()
        elif args.what == "addon":
            setup_addon(env)
        else:
            setup_oca(env)
        cr.commit()  # pylint: disable=invalid-commit


if __name__ == "__main__":
    main()
