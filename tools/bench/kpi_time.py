#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time the analytics' grouped queries on an existing database.

For each company with open receivables: the case figures with expected
collectible and value lost per day (one grouped query over every open item),
the loss-avoided query of the worklist, the receivables analysis grouped by
aging bucket and by stage (the pivot's queries), the KPI form of the company
(DSO countback, CEI, ...) and the calibration fit over two years. Each is run
``--repeat`` times in a transaction rolled back at the end; prints the median
and the query count, next to the raw count of open items as the floor.

The addon must be installed at the current code's version in the database
(upgrade it first: ``odoo -d DB -u account_credit_collection``). Run through
``tools/bench/kpi_time.sh DB``.
"""

import argparse
import statistics
import time

from odoo import api, fields
from odoo.modules.registry import Registry
from odoo.tools import SQL, config


def timed(cr, func, repeat):
    samples, queries = [], 0
    for _r in range(repeat):
        before = cr.sql_log_count
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
        queries = cr.sql_log_count - before
    return statistics.median(samples), queries


def bench_company(env, company, repeat):
    """Print the timings of ``company``'s analytics queries."""
    # pylint: disable=print-used
    from odoo.addons.account_credit_collection.models.open_items import (
        open_items_sql,
    )

    cr = env.cr
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    Case = env["credit.collection.case"]
    [(items,)] = env.execute_query(
        SQL("SELECT COUNT(*) %s", open_items_sql(env, company))
    )
    if not items:
        return
    print(f"\n{company.name}: {items:,} open receivable items")
    curve = env["credit.collectability.curve"]._get_active(company)
    today = fields.Date.context_today(env.user)

    def row(label, func):
        median, queries = timed(cr, func, repeat)
        print(f"  {label:<58} {median * 1000:9.1f} ms {queries:4d} queries")

    row(
        "floor: COUNT(*) of the open items",
        lambda: env.execute_query(
            SQL("SELECT COUNT(*) %s", open_items_sql(env, company))
        ),
    )
    figures = {}
    row(
        "case figures + expected collectible + lost/day",
        lambda: figures.update(Case._case_figures(company, curve=curve)),
    )
    row(
        f"loss avoided (worklist), {len(figures):,} customers",
        lambda: Case._case_loss_avoided(company, curve, list(figures), today),
    )
    Report = env["credit.collection.report"]
    for groupby in ("aging_bucket", "stage_id", "policy_id"):
        row(
            f"receivables analysis grouped by {groupby}",
            lambda g=groupby: Report._read_group(
                [], [g], ["amount_residual:sum", "amount_expected:sum"]
            ),
        )
    Kpi = env["credit.collection.kpi"]
    row("KPI form (company, last 3 months)", Kpi.create({})._kpi_values)
    collector = Case.search(
        [("company_id", "=", company.id), ("user_id", "!=", False)], limit=1
    ).user_id
    if collector:
        row(
            "KPI form (one collector)",
            Kpi.create({"user_id": collector.id})._kpi_values,
        )
    wizard = env["credit.collectability.calibrate"].create({"curve_id": curve.id})
    ages = sorted({age for age, _p in curve._points()})
    row("calibration fit (invoices of 2 years)", lambda: wizard._history(ages))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        for company in env["res.company"].search([("id", "!=", False)]):
            bench_company(env, company, args.repeat)
        cr.rollback()


if __name__ == "__main__":
    main()
