#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The hold synchronisation on the whole book (section ``holdsync``).

In one transaction rolled back: every automatic hold (and its reason lines)
is deleted, the hourly synchronisation runs over the whole book (the first
synchronisation: every blocked customer gets its hold), then runs again
(nothing to create: the hourly run of a live database).

    python tools/bench/hold_sync.py -c <odoo.conf> -d <database>
"""

import argparse
import json
import sys
import time

from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import config

AUTOMATIC = ("rule", "order")


def _counts(env):
    env.cr.execute(
        """SELECT count(*) FILTER (WHERE h.state != 'released'),
                  count(*) FILTER (WHERE h.state = 'released')
             FROM credit_hold h WHERE h.origin IN %s""",
        [AUTOMATIC],
    )
    open_holds, released = env.cr.fetchone()
    env.cr.execute(
        """SELECT count(*) FROM credit_hold_reason r
             JOIN credit_hold h ON h.id = r.hold_id WHERE h.origin IN %s""",
        [AUTOMATIC],
    )
    return {"open": open_holds, "released": released, "reasons": env.cr.fetchone()[0]}


def _messages(env):
    env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_message")
    return env.cr.fetchone()[0]


def _timed_sync(env):
    Hold = env["credit.hold"]
    env.flush_all()
    env.invalidate_all()
    last_message = _messages(env)
    start, cpu = time.perf_counter(), time.process_time()
    Hold._cron_sync_holds()
    env.flush_all()
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu  # this process only, not PostgreSQL's
    env.cr.execute("SELECT count(*) FROM mail_message WHERE id > %s", [last_message])
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "messages": env.cr.fetchone()[0],
        **_counts(env),
    }


def _catch_up_stops(env):
    """The credit stops a stale book lacks (cases in a stage that stops credit,
    flagged after the book was built): set before the synchronisation is
    timed, so that it measures the hold rules only (``stops``)."""
    Hold = env["credit.hold"]
    env.cr.execute("SELECT count(*) FROM credit_hold WHERE origin = 'stop'")
    before = env.cr.fetchone()[0]
    start = time.perf_counter()
    for company in env["res.company"].search([]):
        Hold._cron_credit_stops(company)
    env.flush_all()
    env.cr.execute("SELECT count(*) FROM credit_hold WHERE origin = 'stop'")
    return {
        "seconds": time.perf_counter() - start,
        "set": env.cr.fetchone()[0] - before,
    }


def measure(env):
    """First synchronisation (no automatic hold yet) and a later run."""
    result = {"stops": _catch_up_stops(env), "committed": _counts(env)}
    env.cr.execute("DELETE FROM credit_hold WHERE origin IN %s", [AUTOMATIC])
    env.invalidate_all()
    result["first"] = _timed_sync(env)
    env.invalidate_all()
    result["later"] = _timed_sync(env)
    env.cr.rollback()
    env.invalidate_all()
    return result


def render(result):
    """The report's section (Markdown lines)."""
    first, later = result["first"], result["later"]
    lines = [
        "## Hold synchronisation",
        "",
        "`credit.hold._cron_sync_holds()` over the whole book in its own process, "
        "inside a transaction rolled back: first with every automatic hold "
        "deleted (the first synchronisation sets every hold), then again "
        "(nothing to create: the hourly run of a live database).",
        "",
        "| run | seconds | Odoo CPU s | open holds | reason lines | released "
        "| chatter messages |",
        "| --- | --: | --: | --: | --: | --: | --: |",
    ]
    for label, run in (("first synchronisation", first), ("later run", later)):
        lines.append(
            f"| {label} | {run['seconds']:.1f} | {run.get('cpu_seconds', 0):.1f} "
            f"| {run['open']:,} "
            f"| {run['reasons']:,} | {run['released']:,} | {run['messages']:,} |"
        )
    stops = result.get("stops") or {}
    if stops.get("set"):
        lines.append(
            f"Before it, the book lacked {stops['set']:,} credit stops (cases in a "
            "stage that stops credit, flagged after the book was built): set in "
            f"{stops['seconds']:.1f} s, not counted above."
        )
    lines.append("")
    return lines


def summary_row(result):
    """The summary table's row (target: first synchronisation < 30 s)."""
    first, later = result["first"], result["later"]
    return [
        "hold synchronisation, first / later run, s",
        f"{first['seconds']:.1f} / {later['seconds']:.1f}",
        "",
        "",
        "",
        f"{first['open']:,} holds",
        "first < 30 s (big book)",
        "yes" if first["seconds"] < 30 else "**no**",
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        result = measure(env(context={"allowed_company_ids": [company.id]}))
        cr.rollback()
    # pylint: disable=print-used
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
