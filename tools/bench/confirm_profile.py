#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where a sale order confirmation's time goes, the addon vs plain Odoo.

Deterministic measures rather than wall-clock samples (the machine may be
shared): for one confirmation (``bench.confirm_once``, rolled back) of the
benchmark customers ``BENCH-<n>`` in each database,

``queries``  every SQL statement run (count and text, one file per database
             and customer under ``--out``, to diff), with the time each took;
``explain``  EXPLAIN (ANALYZE, BUFFERS) of the addon's figures query
             (``credit_check_figures``'s body, run as plain SQL so that its
             plan shows) for each customer;
``profile``  cProfile of ``--repeat`` confirmations per database and
             customer: the top functions by cumulative time, and the calls of
             the addon's own code;
``timing``   interleaved timing (round-robin, ``--repeat`` per database and
             customer): median and the addon / plain ratio.

  python tools/bench/confirm_profile.py -c .build/bench-odoo.conf \\
      --plain ccol_x_plain --addon ccol_x_addon --levels 10,1000,10000 \\
      --what queries,timing --repeat 200
"""

import argparse
import cProfile
import io
import logging
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (  # noqa: E402  pylint: disable=wrong-import-position
    Db,
    confirm_once,
    new_quotation,
    rolled_back,
)

from odoo.tools import config  # noqa: E402  pylint: disable=wrong-import-position


def _print(*args):
    # pylint: disable=print-used
    print(*args, flush=True)


class QueryLog(logging.Handler):
    """The statements Odoo's cursor logs at DEBUG level (``odoo.sql_db``)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


def _setup(db, levels):
    product = db.env["product.product"].search(
        [("default_code", "=", "CCBOOK-0")], limit=1
    )
    partners = {}
    for n in levels:
        partner = db.env["res.partner"].search([("ref", "=", f"BENCH-{n}")])
        if partner:
            partners[n] = partner
    return product, partners


def run_queries(dbs, setups, out):
    logger = logging.getLogger("odoo.sql_db")
    out.mkdir(parents=True, exist_ok=True)
    for db in dbs:
        product, partners = setups[db.label]
        for n, partner in partners.items():
            confirm_once(db, partner, product)  # warm
            handler = QueryLog()
            logger.addHandler(handler)
            old = logger.level
            logger.setLevel(logging.DEBUG)
            try:
                confirm_once(db, partner, product)
            finally:
                logger.setLevel(old)
                logger.removeHandler(handler)
            # what confirm_once runs before and after the timed part is the
            # same in both databases; keep everything
            path = out / f"{db.label}-{n}.sql"
            path.write_text("\n".join(handler.records) + "\n")
            _print(f"{db.label} {n}: {len(handler.records)} statements -> {path}")


def run_explain(db, setups, levels):
    from odoo.tools import SQL  # pylint: disable=import-outside-toplevel

    product, partners = setups[db.label]
    for n in levels:
        partner = partners.get(n)
        if not partner:
            continue
        confirm_once(db, partner, product)
        db.cr.execute(
            SQL(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM credit_check_figures"
                "(%s, %s, CURRENT_DATE, CURRENT_DATE - 365, ARRAY[]::int[], FALSE)",
                partner.id,
                db.company.id,
            )
        )
        _print(f"--- {db.label} {n}: credit_check_figures")
        _print("\n".join(r[0] for r in db.cr.fetchall()))


def confirm_profiled(db, partner, product, prof):
    """``bench.confirm_once`` with ``prof`` on around the timed part only."""
    env = db.env
    with rolled_back(env):
        order = new_quotation(env, partner, product)
        prof.enable()
        order.action_confirm()
        env.flush_all()
        prof.disable()


def run_profile(dbs, setups, repeat, top):
    for db in dbs:
        product, partners = setups[db.label]
        for n, partner in partners.items():
            confirm_once(db, partner, product)
            prof = cProfile.Profile()
            for _i in range(repeat):
                confirm_profiled(db, partner, product, prof)
            prof.dump_stats(f"/tmp/confirm_profile-{db.label}-{n}.prof")
            stream = io.StringIO()
            stats = pstats.Stats(prof, stream=stream)
            stats.sort_stats("cumulative").print_stats(top)
            stats.print_stats("account_credit_collection|wt-h7", top)
            _print(f"=== {db.label} {n} x {repeat}")
            _print(stream.getvalue())


def run_split(db, setups, levels, repeat):
    """Wall time of the addon's own steps inside a confirmation (the check,
    the figures' round trip), the median over ``repeat`` confirmations."""
    import importlib  # pylint: disable=import-outside-toplevel

    figures_mod = importlib.import_module(
        "odoo.addons.account_credit_collection.models.res_partner_credit_figures"
    )
    spent = {}

    def timed(name, func):
        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent.setdefault(name, []).append(time.process_time() - start)

        return wrapper

    order_cls = type(db.env["sale.order"])
    partner_cls = type(db.env["res.partner"])
    check = order_cls._credit_check_confirmation
    confirm_msg = order_cls._confirmation_error_message
    data = partner_cls._credit_check_data
    evaluate = partner_cls._credit_evaluate
    figures = figures_mod.check_figures
    order_cls._confirmation_error_message = timed("error_message", confirm_msg)
    order_cls._credit_check_confirmation = timed("check", check)
    partner_cls._credit_check_data = timed("check_data", data)
    partner_cls._credit_evaluate = timed("evaluate", evaluate)
    figures_mod.check_figures = timed("figures", figures)
    try:
        product, partners = setups[db.label]
        for n in levels:
            spent.clear()
            total = [confirm_once(db, partners[n], product) for _i in range(repeat)]
            parts = "  ".join(
                f"{k} {statistics.median(v) * 1000:.3f} ms" for k, v in spent.items()
            )
            _print(
                f"{n:>6} items: confirmation {statistics.median(total) * 1000:.2f} ms"
                f"  {parts}"
            )
    finally:
        order_cls._credit_check_confirmation = check
        order_cls._confirmation_error_message = confirm_msg
        partner_cls._credit_check_data = data
        partner_cls._credit_evaluate = evaluate
        figures_mod.check_figures = figures


class CpuClock:
    """CPU time (ns, on a core: waiting for one is not counted) of this
    process and of ``db``'s PostgreSQL backend (on this machine), read
    from /proc without a query."""

    def __init__(self, db):
        db.cr.execute("SELECT pg_backend_pid()")
        [(pid,)] = db.cr.fetchall()
        self.path = f"/proc/{pid}/schedstat"

    def sample(self):
        with open(self.path) as f:
            backend = int(f.read().split()[0])
        return time.process_time_ns(), backend


def confirm_cpu(db, clock, partner, product):
    """``bench.confirm_once``, returning the CPU ns (python, sql) and wall
    ns of the timed part (``action_confirm()`` + flush)."""
    env = db.env
    with rolled_back(env):
        order = new_quotation(env, partner, product)
        py0, pg0 = clock.sample()
        wall0 = time.perf_counter_ns()
        order.action_confirm()
        env.flush_all()
        wall1 = time.perf_counter_ns()
        py1, pg1 = clock.sample()
    return py1 - py0, pg1 - pg0, wall1 - wall0


def run_cpu(dbs, setups, levels, repeat):
    """CPU time of the timed part of a confirmation, of this process
    (Python) and of the database backend (SQL), interleaved round-robin:
    what a confirmation costs whatever else the machine runs. Medians."""
    clocks = {db.label: CpuClock(db) for db in dbs}
    samples = {}
    for db in dbs:
        product, partners = setups[db.label]
        for n in levels:
            if n in partners:
                confirm_once(db, partners[n], product)
    for r in range(repeat):
        order = dbs[r % len(dbs) :] + dbs[: r % len(dbs)]
        for n in levels:
            for db in order:
                product, partners = setups[db.label]
                if n in partners:
                    samples.setdefault((db.label, n), []).append(
                        confirm_cpu(db, clocks[db.label], partners[n], product)
                    )
    _print("action_confirm() + flush, medians in ms (CPU of python / sql, wall):")
    for n in levels:
        row = {}
        for db in dbs:
            values = samples.get((db.label, n))
            if values:
                row[db.label] = [
                    statistics.median(v[i] for v in values) / 1e6 for i in range(3)
                ]
        text = " | ".join(
            f"{k}: py {v[0]:.3f} sql {v[1]:.3f} = {v[0] + v[1]:.3f} (wall {v[2]:.3f})"
            for k, v in row.items()
        )
        if "addon" in row and "plain" in row:
            a, p = row["addon"], row["plain"]
            text += (
                f" | addon/plain cpu {(a[0] + a[1]) / (p[0] + p[1]):.3f}x"
                f" wall {a[2] / p[2]:.3f}x"
            )
        _print(f"{n:>6} items: {text}")


def run_timing(dbs, setups, levels, repeat):
    samples = {}
    for db in dbs:
        product, partners = setups[db.label]
        for n in levels:
            if n in partners:
                confirm_once(db, partners[n], product)
    for r in range(repeat):
        order = dbs[r % len(dbs) :] + dbs[: r % len(dbs)]
        for n in levels:
            for db in order:
                product, partners = setups[db.label]
                if n in partners:
                    samples.setdefault((db.label, n), []).append(
                        confirm_once(db, partners[n], product)
                    )
    for n in levels:
        meds = {
            db.label: statistics.median(samples[db.label, n]) * 1000
            for db in dbs
            if (db.label, n) in samples
        }
        line = "  ".join(f"{k} {v:.2f} ms" for k, v in meds.items())
        ratio = (
            f"  addon/plain {meds['addon'] / meds['plain']:.3f}x"
            if "addon" in meds and "plain" in meds
            else ""
        )
        _print(f"{n:>6} items: {line}{ratio}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--plain", required=True)
    parser.add_argument("--addon", required=True)
    parser.add_argument("--oca")
    parser.add_argument("--levels", default="10,1000,10000")
    parser.add_argument("--what", default="queries,timing")
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", default="/tmp/confirm_profile")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)
    levels = args.levels.split(",")
    dbs = [Db("plain", args.plain), Db("addon", args.addon)]
    if args.oca:
        dbs.append(Db("oca", args.oca))
    setups = {db.label: _setup(db, levels) for db in dbs}
    what = args.what.split(",")
    try:
        if "queries" in what:
            run_queries(dbs, setups, Path(args.out))
        if "explain" in what:
            run_explain(dbs[1], setups, levels)
        if "profile" in what:
            run_profile(dbs, setups, args.repeat, args.top)
        if "cpu" in what:
            run_cpu(dbs, setups, levels, args.repeat)
        if "split" in what:
            run_split(dbs[1], setups, levels, args.repeat)
        if "timing" in what:
            run_timing(dbs, setups, levels, args.repeat)
    finally:
        for db in dbs:
            db.close()


if __name__ == "__main__":
    main()
