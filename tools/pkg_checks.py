#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The packaging checks' steps that run inside a database (tools/check_*.sh).

Commands that start Odoo (``-c`` an Odoo configuration file, ``-d`` a database):

- ``smoke --expect-under DIR``: the addon is installed, was imported from DIR
  (the wheel's virtual environment) and its seeded credit tiers exist;
- ``seed``: a small receivables book (tools/generate_book.py) plus what the
  book alone does not make: a policy change, a custom tier, a manual hold, a
  promise to pay, a release request, a dispute, a pinned case, then a full
  escalation run with the fee rule on (reminders, activities, notices, a fee
  invoice, the hold stage's holds); fails unless each of them exists (a check
  on an empty database proves nothing);
- ``daily_run``: the daily run of the installed version (on an upgraded
  database: the current version's run after the previous one's);
- ``uninstall``: uninstall the addon the way the Apps menu does.

Commands that only read PostgreSQL (``-d`` a database):

- ``data``: a JSON snapshot of the addon's data (see ``COMPARED`` below), to
  compare before and after an upgrade with ``compare``;
- ``core``: a JSON snapshot of Odoo's own records (counts and totals);
- ``schema``: a JSON snapshot of the public schema's tables, columns,
  constraints, indexes, functions and triggers;
- ``ledger``: exit 1 and print the differences when the exposure ledger's
  sums are not those of the open receivable items;
- ``compare A.json B.json``: exit 1 and print the differences when the
  snapshots differ.

The database steps run against whatever version of the addon is installed (the
upgrade check seeds the previous release): ``seed`` uses only the addon's
stable entry points (model and field names of the first release).
"""

import argparse
import json
import os
import sys
from datetime import timedelta

ADDON = "account_credit_collection"

# The addon's data compared before and after an upgrade, row by row: one line
# per table, with the columns that make its records what they are (ids
# included: an upgrade keeps them). A new model adds a line here. Every table
# and relation table of the addon, and every column it adds to Odoo's tables,
# is also compared by row count / non-empty count automatically (``data``).
COMPARED = [
    (
        "credit_collection_policy",
        "id, company_id, name, active, is_default, use_credit_limit, "
        "credit_limit_mode, default_credit_limit, use_overdue_amount, "
        "overdue_amount_mode, overdue_amount_threshold, use_overdue_days, "
        "overdue_days_mode, overdue_days_threshold, is_prepayment_only, "
        "block_invoice_posting",
    ),
    ("credit_collection_stage", "id, company_id, name, sequence, min_days_overdue"),
    ("credit_hold", "id, partner_id, company_id, origin, state, note"),
    ("credit_hold_reason", "id, hold_id, rule, mode, name, measured, threshold"),
    (
        "credit_collection_case",
        "id, partner_id, company_id, stage_id, active, is_pinned, amount_overdue",
    ),
    ("credit_promise", "id, case_id, state, date, amount"),
    # since 19.0.1.1.0 (escalation)
    (
        "credit_collection_action",
        "id, idempotency_key, case_id, stage_id, rule_id, action_type, cycle, "
        "state, attempt_count, fee_move_id, waived",
    ),
    ("credit_collection_rule", "id, stage_id, action_type, active, fee_amount"),
    ("account_move_credit_promise_rel", "credit_promise_id, account_move_id"),
    (
        "res_partner",
        "id, credit_policy_id, credit_prepayment_only",
        "credit_policy_id IS NOT NULL OR credit_prepayment_only IS NOT NULL",
    ),
]

# Tables that hold no records but derived figures, rebuilt by the upgrade
# (the exposure ledger: a log of deltas, compacted by each rebuild): not
# compared before and after; ``ledger`` checks that they agree with the open
# items instead (the ledger of 19.0.1.1.0 could count an invoice twice,
# which the upgrade's rebuild repairs).
DERIVED = {"credit_exposure_entry"}

# The exposure ledger's sums per customer, company and due date, and the same
# sums read from the open receivable items: they must agree.
LEDGER_SUMS = """
    SELECT partner_id, company_id, due_date, sum(residual_pos), sum(residual_neg)
      FROM credit_exposure_entry GROUP BY 1, 2, 3
    HAVING sum(residual_pos) <> 0 OR sum(residual_neg) <> 0"""
ITEM_SUMS = """
    SELECT line.partner_id, line.company_id,
           COALESCE(line.date_maturity, line.date),
           sum(GREATEST(line.amount_residual, 0)),
           sum(LEAST(line.amount_residual, 0))
      FROM account_move_line line
      JOIN account_move move ON move.id = line.move_id
      JOIN account_account account ON account.id = line.account_id
     WHERE account.account_type = 'asset_receivable' AND move.state = 'posted'
       AND NOT line.reconciled AND line.amount_residual <> 0
       AND line.partner_id IS NOT NULL
     GROUP BY 1, 2, 3"""


# Odoo's own records that uninstalling the addon must leave as they are.
CORE = [
    ("res_partner", "count(*)"),
    ("sale_order", "count(*), sum(amount_total), count(*) FILTER (WHERE state='sale')"),
    ("sale_order_line", "count(*)"),
    (
        "account_move",
        "count(*), sum(amount_total), count(*) FILTER (WHERE state='posted')",
    ),
    ("account_move_line", "count(*), sum(balance), sum(amount_residual)"),
    ("account_payment", "count(*)"),
    ("account_partial_reconcile", "count(*)"),
    # the addon's own product (late payment fees) goes with it, or stays
    # archived when fee invoices use it (hooks.keep_fee_product)
    (
        "product_product",
        "count(*) FILTER (WHERE active AND id NOT IN (SELECT res_id "
        "FROM ir_model_data WHERE module = 'account_credit_collection' "
        "AND model = 'product.product'))",
    ),
    ("res_company", "count(*)"),
]


# ------------------------------------------------------------------ SQL only
def _connect(db):
    import psycopg2  # noqa: PLC0415

    # PGHOST, PGPORT, PGUSER and PGPASSWORD apply, as for psql
    return psycopg2.connect(dbname=db)


def _rows(cr, query, params=None):
    cr.execute(query, params)
    return [[_plain(v) for v in row] for row in cr.fetchall()]


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _addon_tables(cr):
    """Tables of the addon's own (non-transient) models and relation tables."""
    cr.execute(
        """
        SELECT m.model FROM ir_model m
          JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id
         WHERE d.module = %(addon)s AND NOT m.transient
           AND NOT EXISTS (SELECT 1 FROM ir_model_data o
                            WHERE o.model = 'ir.model' AND o.res_id = m.id
                              AND o.module != %(addon)s)
        """,
        {"addon": ADDON},
    )
    tables = [model.replace(".", "_") for (model,) in cr.fetchall()]
    cr.execute(
        """SELECT r.name FROM ir_model_relation r
             JOIN ir_module_module mm ON mm.id = r.module WHERE mm.name = %s""",
        [ADDON],
    )
    # models read through a query (``_table_query``, e.g. the receivables
    # analysis) have no table
    return sorted(
        table
        for table in set(tables + [name for (name,) in cr.fetchall()])
        if _table_exists(cr, table)
    )


def _addon_columns_on_core(cr):
    """(table, column) of the stored fields the addon adds to Odoo's models."""
    cr.execute(
        """
        SELECT f.model, f.name FROM ir_model_fields f
          JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id
          JOIN ir_model m ON m.id = f.model_id
         WHERE d.module = %(addon)s AND f.store AND NOT m.transient
           AND f.ttype NOT IN ('one2many', 'many2many')
           AND EXISTS (SELECT 1 FROM ir_model_data o
                        WHERE o.model = 'ir.model' AND o.res_id = m.id
                          AND o.module != %(addon)s)
        """,
        {"addon": ADDON},
    )
    # a model whose table is not its dotted name (ir.actions.report is
    # ir_act_report_xml, inherited by the statement batch) adds nothing stored
    columns = [(model.replace(".", "_"), name) for model, name in cr.fetchall()]
    return sorted((table, name) for table, name in columns if _table_exists(cr, table))


def _table_exists(cr, table):
    cr.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{table}"])
    return cr.fetchone()[0]


def snapshot_data(db):
    from psycopg2.sql import SQL, Identifier  # noqa: PLC0415

    snap = {"counts": {}, "core_columns": {}, "rows": {}}
    # pylint: disable=sql-injection
    # (table and column names from Odoo's catalog, quoted as identifiers;
    # COMPARED is constant)
    with _connect(db) as conn, conn.cursor() as cr:
        for table in _addon_tables(cr):
            if table in DERIVED:
                continue
            cr.execute(SQL("SELECT count(*) FROM {}").format(Identifier(table)))
            snap["counts"][table] = cr.fetchone()[0]
        for table, column in _addon_columns_on_core(cr):
            cr.execute(
                SQL("SELECT count({}) FROM {}").format(
                    Identifier(column), Identifier(table)
                )
            )
            snap["core_columns"][f"{table}.{column}"] = cr.fetchone()[0]
        for spec in COMPARED:
            table, columns = spec[:2]
            where = f"WHERE {spec[2]}" if len(spec) > 2 else ""
            if not _table_exists(cr, table):
                continue  # a model of a later version: nothing to compare yet
            snap["rows"][table] = _rows(
                cr, f"SELECT {columns} FROM {table} {where} ORDER BY 1, 2"
            )
    return snap


def check_ledger(db):
    """The differences between the exposure ledger and the open items."""
    with _connect(db) as conn, conn.cursor() as cr:
        ledger = {json.dumps(row) for row in _rows(cr, LEDGER_SUMS)}
        items = {json.dumps(row) for row in _rows(cr, ITEM_SUMS)}
    return [f"ledger only: {row}" for row in sorted(ledger - items)] + [
        f"items only:  {row}" for row in sorted(items - ledger)
    ]


def snapshot_core(db):
    with _connect(db) as conn, conn.cursor() as cr:
        return {
            table: _rows(cr, f"SELECT {aggregates} FROM {table}")[0]
            for table, aggregates in CORE
        }


def snapshot_schema(db):
    with _connect(db) as conn, conn.cursor() as cr:
        return {
            "tables": _rows(
                cr,
                """SELECT table_name, table_type FROM information_schema.tables
                    WHERE table_schema = 'public' ORDER BY 1""",
            ),
            "columns": _rows(
                cr,
                """SELECT table_name || '.' || column_name, data_type
                     FROM information_schema.columns
                    WHERE table_schema = 'public' ORDER BY 1""",
            ),
            "constraints": _rows(
                cr,
                """SELECT c.conrelid::regclass::text || ' ' || c.conname, c.contype
                     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                    WHERE n.nspname = 'public' ORDER BY 1""",
            ),
            "indexes": _rows(
                cr,
                """SELECT tablename || ' ' || indexname, indexdef FROM pg_indexes
                    WHERE schemaname = 'public' ORDER BY 1""",
            ),
            "sequences": _rows(
                cr,
                """SELECT sequence_name, data_type FROM information_schema.sequences
                    WHERE sequence_schema = 'public' ORDER BY 1""",
            ),
            "functions": _rows(
                cr,
                """SELECT p.proname, pg_get_function_identity_arguments(p.oid)
                     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = 'public' ORDER BY 1, 2""",
            ),
            # the exposure ledger's triggers live on Odoo's own tables
            "triggers": _rows(
                cr,
                """SELECT t.tgrelid::regclass::text || ' ' || t.tgname,
                          pg_get_triggerdef(t.oid)
                     FROM pg_trigger t
                    WHERE NOT t.tgisinternal ORDER BY 1""",
            ),
        }


def compare(path_a, path_b):
    """Print the differences of two snapshots; return their number."""
    with open(path_a) as fa, open(path_b) as fb:
        a, b = json.load(fa), json.load(fb)
    problems = []
    added = []

    def walk(key, va, vb):
        if isinstance(va, dict) and isinstance(vb, dict):
            for k in sorted(set(va) | set(vb)):
                if k not in vb:
                    problems.append(f"{key}{k}: only in {path_a}")
                    continue
                if k not in va:
                    # a table or column the new version adds: not a loss
                    added.append(f"{key}{k}")
                    continue
                walk(f"{key}{k}.", va[k], vb[k])
        elif va != vb and not (isinstance(va, list) and isinstance(vb, list)):
            problems.append(f"{key[:-1]}: {va} before, {vb} after")
        elif va != vb:
            if len(va) != len(vb):
                problems.append(f"{key[:-1]}: {len(va)} rows before, {len(vb)} after")
            sa, sb = {json.dumps(x) for x in va}, {json.dumps(x) for x in vb}
            for x in sorted(sa - sb)[:10]:
                problems.append(f"{key[:-1]}: lost     {x}")
            for x in sorted(sb - sa)[:10]:
                problems.append(f"{key[:-1]}: appeared {x}")
            if sa == sb:
                problems.append(f"{key[:-1]}: same rows, other order or repeats")

    walk("", a, b)
    if added:
        print(f"new in {path_b} (not compared): {', '.join(added)}")  # pylint: disable=print-used
    for line in problems:
        print(line)  # pylint: disable=print-used
    return len(problems)


# ------------------------------------------------------------- inside Odoo
def _env(config_file, db):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", config_file, "-d", db], setup_logging=True)
    registry = Registry(db)
    cr = registry.cursor()
    return odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, {})


def _fail(message):
    sys.exit(f"pkg_checks: {message}")


def smoke(env, expect_under):
    import odoo  # noqa: PLC0415

    module = env["ir.module.module"].search([("name", "=", ADDON)])
    if module.state != "installed":
        _fail(f"{ADDON} is {module.state or 'unknown'}, not installed")
    expect_under = os.path.realpath(expect_under) + os.sep
    imported = os.path.realpath(sys.modules[f"odoo.addons.{ADDON}"].__file__)
    found = os.path.realpath(odoo.modules.module.get_module_path(ADDON))
    for what, path in (("imported from", imported), ("found at", found)):
        if not path.startswith(expect_under):
            _fail(f"{ADDON} {what} {path}, not under {expect_under}")
    tiers = env["credit.collection.policy"].search(
        [("company_id", "=", env.company.id)]
    )
    default = tiers.filtered("is_default")
    if len(tiers) < 4 or len(default) != 1:
        _fail(f"seeded tiers missing: {tiers.mapped('name')}")
    # the description Odoo shows (the generated static/description/index.html)
    summary = module.summary.split(",")[0]
    if summary not in (module.description_html or ""):
        _fail(f"the module's description does not show its summary ({summary!r})")
    print(  # pylint: disable=print-used
        f"smoke: {ADDON} installed from {imported}; "
        f"tiers {', '.join(tiers.mapped('name'))} (default {default.name})"
    )


def seed(env):
    from odoo import fields  # noqa: PLC0415

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    # tools/generate_book.py loads the generator from the work tree's test
    # package, whatever version of the addon the database has
    import generate_book  # noqa: PLC0415

    summary = generate_book.generate_book(
        env,
        generate_book.BookParams(
            customers=12,
            invoices=60,
            seed=11,
            orders=8,
            open_share=0.5,
            second_company=False,
            name_prefix="[pkg] ",
        ),
    )
    company = env.company
    partners = env["res.partner"].browse(
        sorted(i for ids in summary["customer_ids"].values() for i in ids)
    )
    policy = env["credit.collection.policy"]
    # a policy change and a customer on a custom tier
    default = policy.search(
        [("company_id", "=", company.id), ("is_default", "=", True)]
    )
    default.write(
        {
            "use_overdue_amount": True,
            "overdue_amount_mode": "block",
            "overdue_amount_threshold": 100.0,
        }
    )
    custom = default.copy({"name": "Packaging check tier", "is_default": False})
    partners[:1].with_company(company).credit_policy_id = custom
    # a manual hold on a customer that may also have rule reasons
    env["credit.hold"].action_create_manual(
        partners[1], "Packaging check: contract under review", company=company
    )
    env["credit.hold"]._cron_sync_holds()
    env["credit.collection.case"]._cron_update_cases()
    # a promise to pay on the first case with overdue invoices
    case = env["credit.collection.case"].search(
        [("company_id", "=", company.id), ("amount_overdue", ">", 0)],
        order="id",
        limit=1,
    )
    invoices = env["account.move"].search(
        [
            ("partner_id", "child_of", case.partner_id.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ],
        limit=2,
    )
    if case and invoices:
        env["credit.promise"].create(
            {
                "case_id": case.id,
                "amount": sum(invoices.mapped("amount_residual")),
                "date": fields.Date.context_today(case) + timedelta(days=7),
                "invoice_ids": [(6, 0, invoices.ids)],
            }
        )
    # a salesperson's release request on a quotation blocked by a rule hold
    held = env["credit.hold"].search(
        [("origin", "=", "rule"), ("state", "=", "active")], order="id", limit=1
    )
    product = env["product.product"].search([("sale_ok", "=", True)], limit=1)
    if held and product:
        quotation = env["sale.order"].create(
            {
                "partner_id": held.partner_id.id,
                "company_id": held.company_id.id,
                "order_line": [(0, 0, {"product_id": product.id, "price_unit": 500.0})],
            }
        )
        quotation.action_credit_request_release()
    _seed_escalation(env, company, partners)
    env.flush_all()
    Action = env["credit.collection.action"]
    facts = {
        "rule holds with reasons": env["credit.hold"].search_count(
            [("origin", "=", "rule"), ("reason_ids", "!=", False)]
        ),
        "manual holds": env["credit.hold"].search_count([("origin", "=", "manual")]),
        "case stages": len(env["credit.collection.case"].search([]).stage_id),
        "promises": env["credit.promise"].search_count([]),
        "release requests": env["mail.activity"].search_count(
            [("activity_type_id", "=", env.ref(f"{ADDON}.mail_act_credit_release").id)]
        ),
        "sale orders": env["sale.order"].search_count([("state", "=", "sale")]),
        "reminders sent": Action.search_count(
            [("action_type", "=", "email"), ("state", "=", "done")]
        ),
        "activities scheduled": Action.search_count(
            [("action_type", "=", "activity"), ("state", "=", "done")]
        ),
        "fees charged": Action.search_count(
            [("action_type", "=", "fee"), ("fee_move_id", "!=", False)]
        ),
        "escalation holds": Action.search_count(
            [("action_type", "=", "hold"), ("state", "=", "done")]
        ),
        "disputes": env["account.move"].search_count(
            [("credit_dispute_state", "=", "open")]
        ),
        "pinned cases": env["credit.collection.case"].search_count(
            [("is_pinned", "=", True)]
        ),
        "posted invoices": env["account.move"].search_count(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted")]
        ),
    }
    print(f"seed: {facts}")  # pylint: disable=print-used
    too_few = [
        what for what, n in facts.items() if n < (2 if what == "case stages" else 1)
    ]
    if too_few:
        _fail(
            f"the seeded book has no {', '.join(too_few)}: "
            "the checks on it would prove nothing"
        )
    # a command-line tool owns its transaction
    env.cr.commit()  # pylint: disable=invalid-commit


def _seed_escalation(env, company, partners):
    """A dispute, a pinned case and a full escalation run (reminders,
    activities, notices, a fee invoice, the hold stage's holds), with the
    fee rule the addon ships archived switched on."""
    from odoo import Command, fields  # noqa: PLC0415

    env.ref(f"{ADDON}.rule_final_notice_fee").write(
        {"active": True, "fee_amount": 15.0}
    )
    env["credit.collection.case"]._cron_update_cases()
    cases = env["credit.collection.case"].search(
        [("company_id", "=", company.id), ("partner_id", "in", partners.ids)],
        order="id",
    )
    # a dispute on the oldest open invoice of the last case
    disputed = env["account.move"].search(
        [
            ("partner_id", "child_of", cases[-1:].partner_id.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "=", "not_paid"),
        ],
        order="invoice_date_due",
        limit=1,
    )
    disputed.write(
        {
            "credit_dispute_amount": disputed.amount_residual,
            "credit_dispute_reason": "Packaging check: damaged goods",
            "credit_dispute_state": "open",
        }
    )
    # a case a manager moved by hand to the first stage: pinned there
    stages = env["credit.collection.stage"].search(
        [("company_id", "in", (company.id, False))], order="sequence"
    )
    moved = cases.filtered(lambda case: case.stage_id != stages[:1])[:1]
    moved.write(
        {
            "stage_id": stages[:1].id,
            "is_pinned": True,
            "pin_reason": "Packaging check: agreed with the customer",
            "pin_expiry": fields.Date.context_today(moved) + timedelta(days=30),
        }
    )
    # customers with an email address 20 and 35 days overdue: the reminder
    # emails, the call, the final notice and its fee (the generated book's
    # customers are mostly further down the ladder)
    admin = env.ref("base.user_admin")
    today = fields.Date.context_today(admin)
    for days in (20, 35):
        customer = env["res.partner"].create(
            {
                "name": f"[pkg] {days} days overdue",
                "is_company": True,
                "email": f"ap-{days}@packaging-check.example.com",
            }
        )
        env["account.move"].with_company(company).create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "company_id": company.id,
                "invoice_date": today - timedelta(days=days + 30),
                "invoice_date_due": today - timedelta(days=days),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Packaging check",
                            "quantity": 1,
                            "price_unit": 1000.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        ).action_post()
        partners |= customer
    env["credit.collection.case"]._cron_update_cases()
    # the collector and the salesperson of every case (activities, notices)
    env["credit.collection.case"].search([]).user_id = admin
    partners.filtered(lambda partner: not partner.user_id).user_id = admin
    company.email = company.email or "credit@packaging-check.example.com"
    summary = env["credit.collection.case"]._run_escalation(companies=company)
    actions = env["credit.collection.action"].search([])
    states = sorted({(a.action_type, a.state) for a in actions})
    print(f"escalation: {summary}, actions {states}")  # pylint: disable=print-used


def daily_run(env):
    """The daily run of the installed code (the scheduled action's), committed:
    on an upgraded database, the ledger rebuilt and the cases brought up to
    date by the current version before its uninstall."""
    summary = env["credit.collection.case"]._cron_daily_run(commit=False)
    env.flush_all()
    actions = env["credit.collection.action"].search_count([])
    print(f"daily run: {summary}, {actions} actions")  # pylint: disable=print-used
    # a command-line tool owns its transaction
    env.cr.commit()  # pylint: disable=invalid-commit


def uninstall(env):
    module = env["ir.module.module"].search([("name", "=", ADDON)])
    if module.state != "installed":
        _fail(f"{ADDON} is {module.state or 'unknown'}, not installed")
    module.button_immediate_uninstall()
    env.cr.commit()  # pylint: disable=invalid-commit
    env.invalidate_all()
    state = module.read(["state"])[0]["state"]
    if state != "uninstalled":
        _fail(f"{ADDON} is {state} after the uninstall")
    print(f"uninstall: {ADDON} uninstalled")  # pylint: disable=print-used


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command")
    parser.add_argument("-c", "--config")
    parser.add_argument("-d", "--database")
    parser.add_argument("-o", "--output")
    parser.add_argument("--expect-under")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "compare":
        sys.exit(1 if compare(*args.files) else 0)
    if args.command == "ledger":
        problems = check_ledger(args.database)
        for line in problems:
            print(line)  # pylint: disable=print-used
        sys.exit(1 if problems else 0)
    snapshots = {
        "data": snapshot_data,
        "core": snapshot_core,
        "schema": snapshot_schema,
    }
    if args.command in snapshots:
        snap = snapshots[args.command](args.database)
        with open(args.output, "w") as f:
            json.dump(snap, f, indent=1, sort_keys=True)
        return
    commands = {
        "smoke": smoke,
        "seed": seed,
        "daily_run": daily_run,
        "uninstall": uninstall,
    }
    if args.command not in commands:
        parser.error(f"unknown command {args.command}")
    env = _env(args.config, args.database)
    try:
        if args.command == "smoke":
            smoke(env, args.expect_under)
        else:
            commands[args.command](env)
    finally:
        env.cr.close()


if __name__ == "__main__":
    main()
