# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Statements of account per second with real wkhtmltopdf: the same cases
rendered in batches (``ir.actions.report._credit_render_pdfs``: one
wkhtmltopdf call per batch, split per case) and one by one
(``_render_qweb_pdf`` per case, as a reminder email renders its attachment),
interleaved, on the addon's database. Called by ``bench.py`` (section
``statements``); alone::

    python tools/bench/statements.py -c <odoo.conf> -d <db> [--sample 50]
"""

import argparse
import json
import os
import statistics
import time

from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import config

STATEMENT = "account_credit_collection.action_report_credit_statement"


def _cases(env, sample):
    """The first ``sample`` open cases."""
    return env["credit.collection.case"].search(
        [("active", "=", True)], order="id", limit=sample
    )


def _batched(env, cases, batch_size):
    Report = env["ir.actions.report"].with_context(force_report_rendering=True)
    report = env.ref(STATEMENT)
    pdfs = {}
    for start in range(0, len(cases), batch_size):
        ids = cases.ids[start : start + batch_size]
        pdfs.update(Report._credit_render_pdfs(report, ids))
    return pdfs


def _single(env, cases):
    Report = env["ir.actions.report"].with_context(force_report_rendering=True)
    pdfs = {}
    for case in cases:
        content, _kind = Report.with_context(
            lang=case.partner_id.lang
        )._render_qweb_pdf(STATEMENT, case.ids)
        pdfs[case.id] = content
    return pdfs


def bench_statements(env, sample=50, batch_size=50, rounds=2):
    """{'cases', 'batched_per_s', 'single_per_s', 'ratio', 'load', ...}: the
    best of ``rounds`` interleaved rounds of each."""
    cases = _cases(env, sample)
    # the invoices' portal links (a write per invoice, once in its life:
    # its first reminder) are made before timing, as on a reminded book
    for case in cases:
        case._collection_summary()
    env.flush_all()
    times = {"batched": [], "single": []}
    rendered = {}
    for _round in range(rounds):
        for kind, render in (
            ("batched", lambda: _batched(env, cases, batch_size)),
            ("single", lambda: _single(env, cases)),
        ):
            env.invalidate_all()
            start = time.perf_counter()
            rendered[kind] = render()
            times[kind].append(time.perf_counter() - start)
    batched = len(cases) / min(times["batched"])
    single = len(cases) / min(times["single"])
    return {
        "cases": len(cases),
        "batch_size": batch_size,
        "batched_split": len(rendered["batched"]),
        "batched_s": times["batched"],
        "single_s": times["single"],
        "batched_per_s": batched,
        "single_per_s": single,
        "ratio": batched / single,
        "load": os.getloadavg(),
        "rounds": rounds,
        "median_batched_s": statistics.median(times["batched"]),
    }


def render_rows(result):
    """Markdown lines of the section."""
    return [
        "## Statements of account (real wkhtmltopdf)",
        "",
        f"{result['cases']} open cases' statements, in batches of "
        f"{result['batch_size']} (one wkhtmltopdf call each, split per case) and "
        "one by one, interleaved; best of "
        f"{result['rounds']} rounds; load average "
        f"{', '.join(f'{x:.1f}' for x in result['load'])}.",
        "",
        "| rendering | statements / s |",
        "|---|---:|",
        f"| batched | {result['batched_per_s']:.1f} |",
        f"| one by one | {result['single_per_s']:.2f} |",
        f"| ratio | {result['ratio']:.1f}x |",
        "",
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        result = bench_statements(env, args.sample, args.batch_size, args.rounds)
        cr.rollback()
    # pylint: disable=print-used
    print(json.dumps(result))


if __name__ == "__main__":
    main()
