#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time the daily case update (``_cron_update_cases``), or with ``--pipeline``
the whole daily run but the execution of the actions, on an existing
database, in a transaction rolled back after each round.

``--pipeline``: the daily run (``_cron_daily_run``: ledger, cases,
planning) where the code has it, else what the daily work was before it
(``_cron_update_cases`` then ``_run_escalation``: listing, cases again,
planning); the actions' execution (the same code in both, and on a day when
every case moves, rendering thousands of reminders) is left out of both.

The run reasons ``--shift-days`` days ahead (the dry run's date), so that every
case's figures change and every case is rewritten, as on a book whose cases
were last updated days ago. Prints one line of JSON: the median and minimum
seconds, the rounds and the number of cases. Run through
``tools/bench/daily_run.sh`` (the addon's code of this checkout against that
of a baseline commit, interleaved).
"""

import argparse
import cProfile
import json
import pstats
import statistics
import time
from datetime import timedelta

from odoo import api, fields
from odoo.modules.registry import Registry
from odoo.tools import config


def run(env, Case, pipeline):
    if not pipeline:
        Case._cron_update_cases()
    elif hasattr(Case, "_cron_daily_run"):
        Case._cron_daily_run(commit=False)
    else:
        Case._cron_update_cases()
        Case._run_escalation()


def main():
    # pylint: disable=print-used
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--shift-days", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile's top functions"
    )
    parser.add_argument("--pipeline", action="store_true")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)
    registry = Registry(args.database)
    samples = []
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        date = fields.Date.context_today(env.user) + timedelta(days=args.shift_days)
        Case = env["credit.collection.case"].with_context(credit_collection_date=date)
        if args.pipeline:  # the execution is left out (see above)
            type(env["credit.collection.action"])._execute_due = (
                lambda self, *args, **kwargs: 0
            )
        cases = Case.with_context(active_test=False).search_count([])
        profiler = cProfile.Profile() if args.profile else None
        for _round in range(args.repeat):
            env.invalidate_all()
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            run(env, Case, args.pipeline)
            env.flush_all()
            if profiler:
                profiler.disable()
            samples.append(time.perf_counter() - start)
            cr.rollback()
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    print(
        json.dumps(
            {
                "pipeline": args.pipeline,
                "median_s": statistics.median(samples),
                "min_s": min(samples),
                "rounds": len(samples),
                "cases": cases,
            }
        )
    )


if __name__ == "__main__":
    main()
