# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time the daily refresh of the payment habits and tier suggestions
(``credit.payment.habit._refresh``) over every customer of the main company:
a first refresh (habits created) and a second one the next day (habits
updated), in batches as the cron does, rolled back at the end.

Called by ``bench.py`` (section ``credit_file``) with a ``Db``, or on its
own: ``python tools/bench/credit_file.py -c CONF -d DB`` (the addon upgraded
to the current code in DB first)."""

import argparse
import json
import time
from datetime import timedelta

from odoo import api, fields
from odoo.modules.registry import Registry
from odoo.tools import config


def refresh_all(env, company, today, batch_size=2000):
    Habit = env["credit.payment.habit"]
    start = time.perf_counter()
    before = env.cr.sql_log_count
    partner_ids = Habit._refresh_candidates(company, today)
    for at in range(0, len(partner_ids), batch_size):
        Habit._refresh(company, partner_ids[at : at + batch_size], today)
    env.flush_all()
    return {
        "customers": len(partner_ids),
        "seconds": time.perf_counter() - start,
        "queries": env.cr.sql_log_count - before,
    }


def bench_credit_file(db):
    """{first: {...}, second: {...}, suggestions}: the two refreshes of
    ``db``'s main company, rolled back."""
    env, company = db.env, db.company
    today = fields.Date.context_today(env.user)
    with env.cr.savepoint(flush=False) as sp:
        try:
            first = refresh_all(env, company, today)
            env.invalidate_all()
            second = refresh_all(env, company, today + timedelta(days=1))
            suggestions = env["credit.payment.habit"].search_count(
                [("company_id", "=", company.id), ("suggested_policy_id", "!=", False)]
            )
        finally:
            env.invalidate_all()
            sp.rollback()
            env.invalidate_all()
    return {"first": first, "second": second, "suggestions": suggestions}


def render_credit_file(add, x):
    """The report's table (``add`` appends a line)."""
    add("## Payment habits and tier suggestions")
    add("")
    add(
        "`credit.payment.habit._refresh` over every customer of the main "
        "company in batches of 2,000 (the daily cron's work), rolled back."
    )
    add("")
    add("| refresh | customers | seconds | queries |")
    add("| --- | --: | --: | --: |")
    for key, label in (("first", "first (created)"), ("second", "next day (updated)")):
        r = x[key]
        add(f"| {label} | {r['customers']:,} | {r['seconds']:.1f} | {r['queries']} |")
    add(f"\nTier suggestions: {x['suggestions']:,}.\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config])

    class Db:
        def __init__(self, name):
            self.registry = Registry(name)
            self.cr = self.registry.cursor()
            self.env = api.Environment(self.cr, api.SUPERUSER_ID, {})
            self.company = self.env.ref("base.main_company")
            self.env = self.env(context={"allowed_company_ids": self.company.ids})

    db = Db(args.database)
    try:
        # pylint: disable=print-used
        print(json.dumps(bench_credit_file(db), indent=1))
    finally:
        db.cr.rollback()
        db.cr.close()


if __name__ == "__main__":
    main()
