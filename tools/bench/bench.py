#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The benchmark suite: the addon vs plain Odoo vs the OCA peers, side by side.

Three databases hold the same book (see ``tools/bench/bench.sh``). Every
measurement is made in one run, interleaved between the databases where it
can be (round-robin), and inside a transaction rolled back afterwards, so
every sample sees the same book. Sections:

confirm     sale order confirmation latency for customers with 10 / 1,000 /
            10,000 open items: addon vs plain Odoo vs OCA sale_financial_risk
post        posting N customer invoices (chunks of 100, interleaved)
exposure    who is over the limit among all customers: the addon's search on
            credit_over_limit (SQL over the exposure ledger) vs OCA's search
            on risk_exception vs one hand-written SQL aggregate (the floor);
            also the addon's evaluation of every rule for every customer
            (Python), for context
scheduler   the addon's daily case update over the whole book (first run and
            no-change run), time per case, peak RSS of its process — vs OCA
            account_credit_control's run generating its lines (child processes)
escalation  _run_escalation on a sample of overdue cases (child process):
            actions planned / executed and mails rendered per second, with the
            PDF rendering stubbed; then real wkhtmltopdf on a few statements
kanban      server time of the collections kanban's grouped read
            (web_read_group by stage, first page) and its progress bars
statements  statements of account / s with real wkhtmltopdf, batched (one
            call per batch) and one by one (``statements.py``)
my_day      My Day of a collector with the whole book and with one case in
            ten, and the No Recent Human Contact filter (tools/bench/my_day.py)
credit_file the daily refresh of the payment habits and tier suggestions of
            every customer (credit_file.py)
holdsync    the hold synchronisation of the whole book (child process): the
            first one (every automatic hold deleted) and a later run
            (tools/bench/hold_sync.py)
workers     the escalation's actions executed as queue_job jobs by one, then
            two worker processes, from copies of the addon's database
            (tools/bench/workers.py)

Prints the table and writes it as Markdown (``--out``), keeping whatever
follows the ``<!-- history -->`` marker of an existing file.
"""

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import hold_sync  # tools/bench/hold_sync.py, next to this script
import rhythm  # noqa: E402 (tools/bench: the escalation with repetition on)
from credit_file import bench_credit_file, render_credit_file  # tools/bench/
from statements import bench_statements, render_rows

from odoo import Command, api, sql_db
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

sys.path.insert(0, str(Path(__file__).parent))
from my_day import bench_my_day  # noqa: E402

HISTORY_MARKER = "<!-- history -->"
SECTIONS = [
    "confirm",
    "post",
    "exposure",
    "scheduler",
    "escalation",
    "kanban",
    "statements",
    "my_day",
    "credit_file",
    "holdsync",
    "workers",
]


def _log(msg):
    # pylint: disable=print-used
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def med(values):
    return statistics.median(values) if values else float("nan")


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Db:
    """A database with its own cursor, kept open for interleaved samples."""

    def __init__(self, label, name):
        self.label = label
        self.name = name
        self.registry = Registry(name)
        self.cr = self.registry.cursor()
        self.env = api.Environment(self.cr, api.SUPERUSER_ID, {})
        self.company = self.env.ref("base.main_company")
        self.env = self.env(context={"allowed_company_ids": [self.company.id]})

    def close(self):
        self.cr.rollback()
        self.cr.close()


@contextmanager
def rolled_back(env):
    with env.cr.savepoint(flush=False) as sp:
        try:
            yield
        finally:
            env.invalidate_all()
            sp.rollback()
            env.invalidate_all()


# ------------------------------------------------------------------ confirm
# the customer with thousands of confirmed orders not invoiced yet (book.py)
ORDERS = "ORDERS"


def new_quotation(env, partner, product):
    """A one-line quotation of ``partner``, written and out of the cache:
    what each confirmation sample confirms."""
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "order_line": [
                Command.create(
                    {"product_id": product.id, "product_uom_qty": 1, "price_unit": 100}
                )
            ],
        }
    )
    env.flush_all()
    env.invalidate_all()
    return order


def confirm_once(db, partner, product):
    env = db.env
    with rolled_back(env):
        order = new_quotation(env, partner, product)
        start = time.perf_counter()
        order.action_confirm()
        env.flush_all()
        elapsed = time.perf_counter() - start
        if order.state != "sale":
            raise RuntimeError(f"{db.label}: order not confirmed ({order.state})")
    return elapsed


def bench_confirm(dbs, levels, repeat):
    setup = {}
    for db in dbs:
        product = db.env["product.product"].search(
            [("default_code", "=", "CCBOOK-0")], limit=1
        )
        for n in levels + [ORDERS]:
            partner = db.env["res.partner"].search([("ref", "=", f"BENCH-{n}")])
            if not partner:  # a book built before BENCH-ORDERS (book.py)
                continue
            setup[db.label, n] = (partner, product)
            confirm_once(db, partner, product)  # warm-up (ormcache, plans)
    samples = {key: [] for key in setup}
    for r in range(repeat):
        order = dbs[r % len(dbs) :] + dbs[: r % len(dbs)]
        for n in levels + [ORDERS]:
            if (dbs[0].label, n) not in setup:
                continue
            for db in order:
                samples[db.label, n].append(confirm_once(db, *setup[db.label, n]))
    return {
        f"{label}|{n}": {
            "n": len(v),
            "median_ms": med(v) * 1000,
            "p95_ms": pct(v, 0.95) * 1000,
        }
        for (label, n), v in samples.items()
    }


# --------------------------------------------------------------------- post
def post_customers(oca, count):
    """Customers the OCA risk check lets through (the same ids in the three
    databases, copies of one book): OCA account_financial_risk returns its
    "risk exceeded" wizard instead of posting when one customer of the batch
    is over its limit. The addon blocks no posting outside the prepayment
    tier."""
    candidates = oca.env["res.partner"].search(
        [("customer_rank", ">", 0), ("parent_id", "=", False), ("ref", "=like", "C%")],
        order="id",
        limit=count * 4,
    )
    chosen = [
        p.id
        for p in candidates
        if not p.risk_exception and p.risk_total + 1000 < (p.credit_limit or 0)
    ]
    oca.cr.rollback()
    oca.env.invalidate_all()
    return chosen[:count]


def bench_post(dbs, count, chunk=100):
    drafts = {}
    partner_ids = post_customers(dbs[-1], count)
    for db in dbs:
        env = db.env
        product = env["product.product"].search(
            [("default_code", "=", "CCBOOK-0")], limit=1
        )
        partners = env["res.partner"].browse(partner_ids)
        # a journal of their own: the populated big book repeats sequence
        # numbers (tools/scale_book.py), which makes Odoo's next-number lookup
        # a regex scan of every move of the journal (~0.3 s per invoice, the
        # same in the three databases) that would drown what is measured
        journal = env["account.journal"].create(
            {"name": "Bench sales", "code": "BNCH", "type": "sale"}
        )
        vals = [
            {
                "move_type": "out_invoice",
                "journal_id": journal.id,
                "partner_id": partners[i % len(partners)].id,
                "invoice_date": date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": product.id, "quantity": 1, "price_unit": 100}
                    )
                ],
            }
            for i in range(count)
        ]
        moves = env["account.move"].browse()
        for start in range(0, count, chunk):
            moves |= env["account.move"].create(vals[start : start + chunk])
        env.flush_all()
        env.cr.precommit.run()
        env.invalidate_all()
        drafts[db.label] = moves
        _log(f"post: {count} drafts in {db.label}")
    times = {db.label: [] for db in dbs}
    for i, start in enumerate(range(0, count, chunk)):
        order = dbs[i % len(dbs) :] + dbs[: i % len(dbs)]
        for db in order:
            moves = drafts[db.label][start : start + chunk]
            t0 = time.perf_counter()
            moves.action_post()
            db.env.flush_all()
            db.env.cr.precommit.run()  # the addon's hold sync runs at commit
            times[db.label].append(time.perf_counter() - t0)
            if set(moves.mapped("state")) != {"posted"}:
                raise RuntimeError(f"{db.label}: invoices not posted")
            db.env.invalidate_all()
    for db in dbs:
        db.cr.rollback()
        db.env.invalidate_all()
    return {
        label: {
            "invoices": count,
            "total_s": sum(v),
            "per_invoice_ms": sum(v) / count * 1000,
            "chunk_median_s": med(v),
        }
        for label, v in times.items()
    }


# ----------------------------------------------------------------- exposure
FLOOR_SQL = """
    SELECT line.partner_id, SUM(line.amount_residual)
      FROM account_move_line line
      JOIN account_account account ON account.id = line.account_id
      JOIN res_partner partner ON partner.id = line.partner_id
     WHERE account.account_type = 'asset_receivable'
       AND line.parent_state = 'posted'
       AND NOT line.reconciled
       AND line.company_id = %(company)s
  GROUP BY line.partner_id, partner.credit_limit
    HAVING SUM(line.amount_residual)
           > COALESCE((partner.credit_limit ->> %(company_key)s)::numeric, 0)
"""


def exposure_addon(db):
    """The addon's answer: the customers over their credit limit, searched in
    SQL over the exposure ledger (res.partner.credit_over_limit)."""
    env = db.env(context=dict(db.env.context, allowed_company_ids=db.company.ids))
    customers = env["res.partner"].search_count(
        [("customer_rank", ">", 0), ("parent_id", "=", False)]
    )
    over = env["res.partner"].search(
        [("credit_over_limit", "=", True), ("parent_id", "=", False)]
    )
    return {"customers": customers, "over_limit": len(over), "over_ids": over.ids}


def exposure_addon_rules(db):
    """Every hold rule evaluated in Python for every customer: the exposure
    of all of them (one query), ``_credit_batch_data``, ``_credit_evaluate``."""
    env = db.env
    company = db.company
    partners = env["res.partner"].search(
        [("customer_rank", ">", 0), ("parent_id", "=", False)]
    )
    exposures = partners._credit_exposure(company)
    batch = partners._credit_batch_data(company)
    from odoo.addons.account_credit_collection.models.credit_exposure import (  # noqa: PLC0415
        empty_exposure,
    )

    over_ids, blocked = [], 0
    empty = empty_exposure()
    for partner in partners:
        exposure = exposures.get(partner.id) or empty
        reasons = partner._credit_evaluate(
            company, exposure=exposure, batch=batch, hints=False
        )
        if any(r["rule"] == "limit" for r in reasons):
            over_ids.append(partner.id)
        blocked += any(r["mode"] == "block" for r in reasons)
    return {
        "customers": len(partners),
        "over_limit": len(over_ids),
        "over_ids": over_ids,
        "blocked": blocked,
    }


def exposure_oca(db):
    partners = db.env["res.partner"].search([("risk_exception", "=", True)])
    return {"over_limit": len(partners)}


def exposure_floor(db):
    db.cr.execute(SQL(FLOOR_SQL, company=db.company.id, company_key=str(db.company.id)))
    return {"over_limit": len(db.cr.fetchall())}


def bench_exposure(addon, oca, repeat=2):
    runs = [
        ("addon", addon, exposure_addon),
        ("oca", oca, exposure_oca),
        ("floor", addon, exposure_floor),
        ("addon_rules", addon, exposure_addon_rules),
    ]
    times = {label: [] for label, *_ in runs}
    info = {}
    for r in range(repeat + 1):
        for label, db, fn in runs:
            db.env.invalidate_all()
            start = time.perf_counter()
            info[label] = fn(db)
            elapsed = time.perf_counter() - start
            if r:  # the first round warms the caches
                times[label].append(elapsed)
            db.cr.rollback()
    return {
        label: dict(info[label], median_s=med(v), min_s=min(v))
        for label, v in times.items()
    }


# ------------------------------------------------------- child processes
def child_scheduler_addon(env):
    Case = env["credit.collection.case"]
    result = {"rss_before_mib": rss_mib()}
    env.cr.execute("SELECT count(*) FROM credit_collection_case")
    result["cases_committed"] = env.cr.fetchone()[0]
    # the first run: no case yet (deleted inside this transaction)
    env.cr.execute("DELETE FROM credit_collection_case")
    env.invalidate_all()
    start = time.perf_counter()
    Case._cron_update_cases()
    env.flush_all()
    result["first_run_s"] = time.perf_counter() - start
    result["cases"] = Case.with_context(active_test=False).search_count([])
    result["peak_rss_mib"] = peak_rss_mib()
    env.cr.rollback()
    env.invalidate_all()
    # the daily run on an up-to-date book: nothing changes
    start = time.perf_counter()
    Case._cron_update_cases()
    env.flush_all()
    result["daily_run_s"] = time.perf_counter() - start
    env.cr.rollback()
    return result


def child_scheduler_oca(env):
    result = {"rss_before_mib": rss_mib()}
    company = env.ref("base.main_company")
    policy = env.ref("account_credit_control.credit_control_3_time")
    run = (
        env["credit.control.run"]
        .with_company(company)
        .create({"date": date.today(), "policy_ids": [Command.set(policy.ids)]})
    )
    start = time.perf_counter()
    run.generate_credit_lines()
    env.flush_all()
    result["run_s"] = time.perf_counter() - start
    result["lines"] = env["credit.control.line"].search_count([("run_id", "=", run.id)])
    result["peak_rss_mib"] = peak_rss_mib()
    env.cr.rollback()
    return result


def _fake_pdf(_report, bodies, *args, **kwargs):
    """A blank page per record of the bodies (a batch of statements is one
    document, split per page)."""
    import lxml.html  # noqa: PLC0415

    from odoo.tools.pdf import PdfFileWriter  # noqa: PLC0415

    from odoo.addons.account_credit_collection.models.credit_statement_batch import (  # noqa: PLC0415
        ARTICLE,
    )

    writer = PdfFileWriter()
    for body in bodies:
        for _article in lxml.html.fromstring(body).xpath(ARTICLE) or [None]:
            writer.add_blank_page(595, 842)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def child_escalation(env, sample, pdf_sample):
    from odoo.addons.base.models.ir_actions_report import (  # noqa: PLC0415
        IrActionsReport,
    )

    result = {}
    Case = env["credit.collection.case"]
    # cases of every stage that has rules, the same share of each (a
    # reminder stage sends emails, the legal stage exports files, ...)
    stages = env["credit.collection.stage"].search([("rule_ids", "!=", False)])
    cases = Case.browse()
    for stage in stages:
        cases |= Case.search(
            [("active", "=", True), ("stage_id", "=", stage.id)],
            order="id",
            limit=max(1, sample // len(stages)),
        )
    Action = env["credit.collection.action"]
    result["repeating_rules"] = rhythm.enable_repetition(env)
    env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_mail")
    mail_before = env.cr.fetchone()[0]
    real = IrActionsReport._run_wkhtmltopdf
    IrActionsReport._run_wkhtmltopdf = _fake_pdf
    try:
        start = time.perf_counter()
        summary = Case._run_escalation(cases=cases)
        env.flush_all()
        elapsed = time.perf_counter() - start
    finally:
        IrActionsReport._run_wkhtmltopdf = real
    env.cr.execute("SELECT count(*) FROM mail_mail WHERE id > %s", [mail_before])
    mails = env.cr.fetchone()[0]
    groups = Action._read_group(
        [("case_id", "in", cases.ids)], ["action_type", "state"], ["__count"]
    )
    result.update(
        cases=len(cases),
        seconds=elapsed,
        planned=summary["planned"],
        executed=summary["processed"],
        mails=mails,
        by_type={f"{t}/{s}": c for t, s, c in groups},
    )
    IrActionsReport._run_wkhtmltopdf = _fake_pdf
    try:
        result["rhythm"] = rhythm.week_later(env, cases)
    finally:
        IrActionsReport._run_wkhtmltopdf = real
    env.cr.rollback()
    env.invalidate_all()
    # real wkhtmltopdf on a few statements (part of every reminder email)
    report = env.ref("account_credit_collection.action_report_credit_statement")
    pdf_times = []
    for case in cases[:pdf_sample]:
        start = time.perf_counter()
        content, _type = (
            env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report.report_name, res_ids=case.ids)
        )
        pdf_times.append(time.perf_counter() - start)
        result["pdf_bytes"] = len(content)
    result["pdf_s"] = pdf_times
    env.cr.rollback()
    return result


def run_child(config_file, dbname, what, extra=()):
    """Run a section in a fresh process (clean peak RSS); returns its JSON."""
    cmd = [sys.executable, __file__, "-c", config_file, "--child", what]
    cmd += ["--child-db", dbname, *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def child_main(args):
    with Registry(args.child_db).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        env = env(context={"allowed_company_ids": [company.id]})
        if args.child == "scheduler_addon":
            result = child_scheduler_addon(env)
        elif args.child == "scheduler_oca":
            result = child_scheduler_oca(env)
        elif args.child == "holdsync":
            result = hold_sync.measure(env)
        else:
            result = child_escalation(env, args.escalation_sample, args.pdf_sample)
        cr.rollback()
    # pylint: disable=print-used
    print(json.dumps(result, default=str))


# ------------------------------------------------------------------- kanban
def bench_kanban(db, repeat=7):
    env = db.env(user=db.env.ref("base.user_admin").id)
    env = env(context=dict(env.context, read_group_expand=True, lang="en_US"))
    Case = env["credit.collection.case"]
    many2one = {"fields": {"display_name": {}}}
    spec = {
        "currency_id": many2one,
        "on_hold": {},
        "partner_id": many2one,
        "amount_overdue": {},
        "amount_residual": {},
        "worst_days_overdue": {},
        "amount_disputed": {},
        "has_open_promise": {},
        "is_pinned": {},
        "next_action_date": {},
        "activity_ids": {"fields": {}},
        "activity_state": {},
        "user_id": many2one,
    }
    progress_bar = {
        "field": "activity_state",
        "colors": {"planned": "success", "today": "warning", "overdue": "danger"},
        "sum_field": "amount_overdue",
    }
    group_t, bar_t = [], []
    result = {}
    for r in range(repeat + 1):
        env.invalidate_all()
        start = time.perf_counter()
        groups = Case.web_read_group(
            [],
            ["stage_id"],
            ["amount_overdue:sum"],
            auto_unfold=True,
            unfold_read_specification=spec,
            unfold_read_default_limit=40,
        )
        mid = time.perf_counter()
        Case.read_progress_bar([], "stage_id", progress_bar)
        end = time.perf_counter()
        if r:
            group_t.append(mid - start)
            bar_t.append(end - mid)
        result["groups"] = len(groups["groups"])
        result["cases"] = sum(g["__count"] for g in groups["groups"])
    db.cr.rollback()
    return dict(
        result,
        read_group_ms=med(group_t) * 1000,
        progress_bar_ms=med(bar_t) * 1000,
        total_ms=med([a + b for a, b in zip(group_t, bar_t, strict=True)]) * 1000,
    )


# ------------------------------------------------------------------- report
def book_size(db):
    cr = db.cr
    figures = {}
    for key, query in [
        (
            "customers",
            "SELECT count(*) FROM res_partner WHERE customer_rank > 0 "
            "AND parent_id IS NULL",
        ),
        (
            "customer invoices",
            "SELECT count(*) FROM account_move WHERE move_type = 'out_invoice' "
            "AND state = 'posted'",
        ),
        ("journal items", "SELECT count(*) FROM account_move_line"),
        (
            "open receivable items",
            "SELECT count(*) FROM account_move_line l JOIN account_account a "
            "ON a.id = l.account_id WHERE a.account_type = 'asset_receivable' "
            "AND l.parent_state = 'posted' AND NOT l.reconciled",
        ),
        ("companies", "SELECT count(*) FROM res_company"),
    ]:
        cr.execute(query)
        figures[key] = cr.fetchone()[0]
    return figures


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 1024 / 1024
    pg = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", "SHOW server_version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem, 1),
        "postgresql": pg,
        "python": platform.python_version(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def peers_versions(target):
    versions = {}
    for dist in sorted(Path(target).glob("odoo_addon_*.dist-info")):
        name, version = dist.name[len("odoo_addon_") : -len(".dist-info")].rsplit(
            "-", 1
        )
        versions[name] = version
    return versions


def ratio(a, b):
    return a / b if b else float("nan")


def render(res, args):  # noqa: C901
    lines = []
    add = lines.append
    m = res["machine"]
    add("# Benchmarks")
    add("")
    add(
        f"Generated by `{'make bench' if args.mode == 'full' else 'make bench-quick'}`"
        f" (`tools/bench/bench.sh {args.mode}`) on {res['date']}."
    )
    add("")
    add(
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM; "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}; load average at the "
        f"start {m['load']}. Absolute figures depend on what else the machine "
        "runs: the **ratios** (measured side by side, interleaved, in one run) are "
        "what counts."
    )
    add("")
    add("Book (same in the three databases; counts of the addon's database):")
    add("")
    for key, value in res["book"].items():
        add(f"- {key}: {value:,}")
    add(
        "- plus one customer each with "
        + ", ".join(f"{int(n):,}" for n in args.levels.split(","))
        + " open invoices (not yet due, high credit limit: every check passes)"
    )
    add("")
    add(
        "Databases: plain Odoo (`account`, `sale_management`); the addon; the OCA "
        "peers (`sale_financial_risk`, `account_financial_risk`, "
        "`account_credit_control`, installed together from PyPI): "
        + ", ".join(f"`{k}` {v}" for k, v in res["peers"].items())
        + "."
    )
    add("")
    add("## Summary")
    add("")
    add("| measure | addon | plain Odoo | OCA | floor | ratio | target | met |")
    add("| --- | --: | --: | --: | --: | --- | --- | --- |")
    for row in res["summary"]:
        add("| " + " | ".join(row) + " |")
    add("")
    if "confirm" in res:
        add("## 1. Sale order confirmation")
        add("")
        add(
            f"One quotation (1 line) confirmed per sample, {args.repeat} samples per "
            "database and customer, interleaved round-robin, each in a savepoint "
            "rolled back (same book every time); `action_confirm()` + flush timed."
        )
        add("")
        add(
            "| open items | plain median ms | plain p95 | addon median | addon p95 "
            "| OCA median | OCA p95 | addon/plain median | addon/plain p95 "
            "| OCA/plain median |"
        )
        add("| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |")
        c = res["confirm"]
        for n in args.levels.split(",") + [ORDERS]:
            if f"addon|{n}" not in c:
                continue
            p, a, o = c[f"plain|{n}"], c[f"addon|{n}"], c[f"oca|{n}"]
            label = "10 + 3,000 confirmed orders" if n == ORDERS else f"{int(n):,}"
            add(
                f"| {label} | {p['median_ms']:.1f} | {p['p95_ms']:.1f} "
                f"| {a['median_ms']:.1f} | {a['p95_ms']:.1f} "
                f"| {o['median_ms']:.1f} | {o['p95_ms']:.1f} "
                f"| {ratio(a['median_ms'], p['median_ms']):.2f}x "
                f"| {ratio(a['p95_ms'], p['p95_ms']):.2f}x "
                f"| {ratio(o['median_ms'], p['median_ms']):.2f}x |"
            )
        add("")
    if "post" in res:
        p = res["post"]
        add("## 2. Invoice posting")
        add("")
        add(
            f"{p['plain']['invoices']:,} draft customer invoices (1 line) per "
            "database, posted in chunks of 100 interleaved between the databases; "
            "`action_post()` + flush + the pre-commit hooks (the addon's hold sync) "
            "timed. The customers are within their OCA risk, so that no posting "
            "is refused (OCA's check returns its _risk exceeded_ wizard instead "
            "of posting); every rule is still evaluated."
        )
        add("")
        add("| database | total s | ms / invoice | ratio to plain |")
        add("| --- | --: | --: | --: |")
        for label in ("plain", "addon", "oca"):
            add(
                f"| {label} | {p[label]['total_s']:.2f} "
                f"| {p[label]['per_invoice_ms']:.1f} "
                f"| {ratio(p[label]['total_s'], p['plain']['total_s']):.2f}x |"
            )
        add("")
    if "exposure" in res:
        e = res["exposure"]
        diff = set(e["addon"]["over_ids"]) ^ set(e["addon_rules"]["over_ids"])
        same = (
            "the same customers as the search"
            if not diff
            else f"**{len(diff)} customers differ from the search**"
        )
        add("## 3. Exposure of all customers (who is over the limit)")
        add("")
        add(
            "Median of 2 after a warm-up, caches invalidated before each. Addon: "
            "`search([('credit_over_limit', '=', True)])` on the commercial "
            "customers: the credit-limit rule in one SQL statement over the "
            "exposure ledger, draft invoices, open orders and payments on their way "
            f"({e['addon']['customers']:,} customers, "
            f"{e['addon']['over_limit']:,} over their limit). OCA: "
            "`search([('risk_exception', '=', True)])` "
            f"({e['oca']['over_limit']:,} found). Floor: one hand-written GROUP BY "
            "over the open receivable items with HAVING on the credit limit "
            f"({e['floor']['over_limit']:,} rows; it leaves out drafts, orders, "
            "payments on their way, disputes and the tiers). For context, "
            "_addon, every rule_: the exposure of all customers, "
            "`_credit_batch_data` and `_credit_evaluate` of each in Python "
            f"({e['addon_rules']['over_limit']:,} over their limit, "
            f"{same}, {e['addon_rules']['blocked']:,} with a blocking rule)."
        )
        add("")
        add("| method | median s | ratio to floor |")
        add("| --- | --: | --: |")
        labels = {"addon_rules": "addon, every rule (Python)"}
        for label in ("floor", "addon", "oca", "addon_rules"):
            add(
                f"| {labels.get(label, label)} | {e[label]['median_s']:.3f} "
                f"| {ratio(e[label]['median_s'], e['floor']['median_s']):.1f}x |"
            )
        add(
            f"\nOCA / addon: {ratio(e['oca']['median_s'], e['addon']['median_s']):.1f}x"
        )
        add("")
    if "scheduler" in res:
        s = res["scheduler"]
        a, o = s["addon"], s["oca"]
        add("## 4. Stage scheduler")
        add("")
        add(
            "Each in its own process (peak RSS of that process, which loads the "
            "registry first), inside a transaction rolled back. Addon: "
            "`_cron_update_cases()` with no case yet (deleted in the transaction) — "
            "the first run creates every case — then the daily run on an up-to-date "
            "book. OCA: `credit.control.run.generate_credit_lines()` for the same "
            "date, policy _3 times_ on the receivable accounts."
        )
        add("")
        add("| run | seconds | items | ms / item | RSS before MiB | peak RSS MiB |")
        add("| --- | --: | --: | --: | --: | --: |")
        add(
            f"| addon first run | {a['first_run_s']:.1f} | {a['cases']:,} cases "
            f"| {ratio(a['first_run_s'], a['cases']) * 1000:.2f} "
            f"| {a['rss_before_mib']:.0f} | {a['peak_rss_mib']:.0f} |"
        )
        add(
            f"| addon daily run (no change) | {a['daily_run_s']:.1f} "
            f"| {a['cases']:,} cases "
            f"| {ratio(a['daily_run_s'], a['cases']) * 1000:.2f} | | |"
        )
        add(
            f"| OCA credit control run | {o['run_s']:.1f} | {o['lines']:,} lines "
            f"| {ratio(o['run_s'], o['lines']) * 1000:.2f} "
            f"| {o['rss_before_mib']:.0f} | {o['peak_rss_mib']:.0f} |"
        )
        add("")
    if "escalation" in res:
        x = res["escalation"]
        add("## 5. Escalation")
        add("")
        add(
            f"`_run_escalation(cases=...)` on {x['cases']:,} cases, as many in each "
            "stage that has rules, in a transaction rolled back, wkhtmltopdf "
            "replaced by a stub (the statement is still rendered to HTML by QWeb)."
        )
        add("")
        add("| figure | value |")
        add("| --- | --: |")
        add(f"| seconds | {x['seconds']:.1f} |")
        add(f"| actions planned | {x['planned']:,} |")
        add(f"| actions executed | {x['executed']:,} |")
        add(f"| mails rendered (queued) | {x['mails']:,} |")
        add(f"| actions planned + executed / s | {x['actions_per_s']:.1f} |")
        add(f"| mails / s (PDF stubbed) | {x['mails_per_s']:.1f} |")
        if x["pdf_s"]:
            add(
                f"| statement PDF, real wkhtmltopdf (median of {len(x['pdf_s'])}) "
                f"| {med(x['pdf_s']):.2f} s |"
            )
            if "mails_per_s_pdf" in x:
                add(
                    "| mails / s with real PDFs (estimate: stubbed rate + one PDF "
                    f"per mail) | {x['mails_per_s_pdf']:.2f} |"
                )
        add("")
        add(
            "Actions by type/state: "
            + ", ".join(f"{k} {v}" for k, v in sorted(x["by_type"].items()))
        )
        add("")
        lines += rhythm.render(x)
    if "statements" in res:
        lines += render_rows(res["statements"])
    if "kanban" in res:
        k = res["kanban"]
        add("## 6. Collections kanban")
        add("")
        add(
            "As the administrator, what the board's first load asks the server: "
            "`web_read_group([], ['stage_id'], ['amount_overdue:sum'], "
            "auto_unfold=True, unfold_read_specification=<the card's fields>, "
            "unfold_read_default_limit=40)` with `read_group_expand`, then "
            f"`read_progress_bar` (activity state). {k['cases']:,} cases in "
            f"{k['groups']} stages; median of 7 after a warm-up."
        )
        add("")
        add("| call | median ms |")
        add("| --- | --: |")
        add(f"| web_read_group (first page) | {k['read_group_ms']:.1f} |")
        add(f"| read_progress_bar | {k['progress_bar_ms']:.1f} |")
        add(f"| both | {k['total_ms']:.1f} |")
        add("")
    if "my_day" in res:
        add("## 7. My Day and the contact filter")
        add("")
        add(
            "A collector's My Day as the list asks it (grouped by section, "
            "groups unfolded, 80 rows), then the filter No Recent Human Contact "
            "(count, first page); half the cases called, one in ten a call due. "
            "Median ms (queries)."
        )
        add("")
        add("| collector's cases | My Day | filter count | filter list |")
        add("| --: | --: | --: | --: |")
        for m in res["my_day"]:
            add(
                f"| {m['my_cases']:,} | {m['my_day'][0]:.0f} ({m['my_day'][1]}) "
                f"| {m['needs_contact_count'][0]:.0f} "
                f"| {m['needs_contact_list'][0]:.0f} |"
            )
        add("")
    if "credit_file" in res:
        render_credit_file(add, res["credit_file"])
    if "holdsync" in res:
        lines += hold_sync.render(res["holdsync"])
    if "workers" in res:
        render_workers(add, res["workers"])
    add("## Command")
    add("")
    add(
        f"`tools/bench/bench.sh {args.mode}`: setup {res.get('setup', '(not timed)')}; "
        f"measurements {res['seconds']:.0f} s."
    )
    add("")
    return "\n".join(lines)


def render_workers(add, w):
    add("## 7. Escalation over queue_job workers")
    add("")
    add(
        f"The actions of {w['cases']:,} overdue cases ({w['planned']:,} actions, "
        f"real wkhtmltopdf) enqueued in jobs of {w['batch']} on "
        "`root.credit_collection`, N at a time (the channel's capacity), by an "
        "Odoo server with `--workers=N+1` (one HTTP worker free for the report "
        "assets wkhtmltopdf fetches), from the same copy of the addon's "
        f"database each time; {w['cpus']} CPUs."
    )
    add("")
    add("| jobs at a time (N) | seconds | actions/s | jobs | load before / after |")
    add("| --: | --: | --: | --: | --- |")
    for count, run in sorted(w["runs"].items()):
        add(
            f"| {count} | {run['seconds']:.1f} | {run['per_s']:.2f} | {run['jobs']} "
            f"| {run['load_before']:.1f} / {run['load_after']:.1f} |"
        )
    if "ratio" in w:
        add("")
        add(f"Two workers against one: **{w['ratio']:.2f}x** the throughput.")
    add("")


def summary_rows(res, args):
    rows = []
    yes = {True: "yes", False: "**no**"}
    if "confirm" in res:
        c = res["confirm"]
        levels = args.levels.split(",")
        ratios = [
            ratio(c[f"addon|{n}"]["median_ms"], c[f"plain|{n}"]["median_ms"])
            for n in levels
        ]
        flat = ratio(
            c[f"addon|{levels[-1]}"]["median_ms"], c[f"addon|{levels[0]}"]["median_ms"]
        )
        if f"addon|{ORDERS}" in c:
            levels_orders = levels + [ORDERS]
            ratios.append(
                ratio(
                    c[f"addon|{ORDERS}"]["median_ms"], c[f"plain|{ORDERS}"]["median_ms"]
                )
            )
        else:
            levels_orders = levels
        for n, r in zip(levels_orders, ratios, strict=True):
            what = (
                "10 open items and 3,000 open orders"
                if n == ORDERS
                else f"{int(n):,} open items"
            )
            rows.append(
                [
                    f"confirmation, {what}, median ms",
                    f"{c[f'addon|{n}']['median_ms']:.1f}",
                    f"{c[f'plain|{n}']['median_ms']:.1f}",
                    f"{c[f'oca|{n}']['median_ms']:.1f}",
                    "",
                    f"addon/plain {r:.2f}x",
                    "<= 1.10x",
                    yes[r <= 1.10],
                ]
            )
        rows.append(
            [
                "confirmation flat in open items",
                f"{levels[-1]}/{levels[0]} items: {flat:.2f}x",
                "",
                "",
                "",
                "",
                "<= 1.15x",
                yes[flat <= 1.15],
            ]
        )
    if "post" in res:
        p = res["post"]
        rows.append(
            [
                f"posting {p['plain']['invoices']:,} invoices, s",
                f"{p['addon']['total_s']:.2f}",
                f"{p['plain']['total_s']:.2f}",
                f"{p['oca']['total_s']:.2f}",
                "",
                "addon/plain "
                f"{ratio(p['addon']['total_s'], p['plain']['total_s']):.2f}x",
                "",
                "",
            ]
        )
    if "exposure" in res:
        e = res["exposure"]
        r_floor = ratio(e["addon"]["median_s"], e["floor"]["median_s"])
        r_oca = ratio(e["oca"]["median_s"], e["addon"]["median_s"])
        rows.append(
            [
                f"exposure of {e['addon']['customers']:,} customers, s",
                f"{e['addon']['median_s']:.3f}",
                "",
                f"{e['oca']['median_s']:.3f}",
                f"{e['floor']['median_s']:.3f}",
                f"addon/floor {r_floor:.1f}x; OCA/addon {r_oca:.1f}x",
                "<= 2x floor; >= 10x faster than OCA",
                f"{yes[r_floor <= 2]}; {yes[r_oca >= 10]}",
            ]
        )
    if "scheduler" in res:
        s = res["scheduler"]
        a, o = s["addon"], s["oca"]
        rows.append(
            [
                "scheduler (first run), s / peak RSS MiB",
                f"{a['first_run_s']:.1f} / {a['peak_rss_mib']:.0f}",
                "",
                f"{o['run_s']:.1f} / {o['peak_rss_mib']:.0f}",
                "",
                f"OCA/addon {ratio(o['run_s'], a['first_run_s']):.1f}x",
                "< 60 s, < 1 GiB (big book)",
                yes[a["first_run_s"] < 60 and a["peak_rss_mib"] < 1024],
            ]
        )
    if "escalation" in res:
        x = res["escalation"]
        rows.append(
            [
                "escalation, actions / s; mails / s",
                f"{x['actions_per_s']:.1f}; {x['mails_per_s']:.1f}",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    if "holdsync" in res:
        rows.append(hold_sync.summary_row(res["holdsync"]))
    if "kanban" in res:
        k = res["kanban"]
        rows.append(
            [
                f"kanban grouped read, {k['cases']:,} cases, ms",
                f"{k['read_group_ms']:.1f}",
                "",
                "",
                "",
                "",
                "< 300 ms",
                yes[k["read_group_ms"] < 300],
            ]
        )
    return rows


def main():  # noqa: C901
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--mode", default="quick")
    parser.add_argument("--plain")
    parser.add_argument("--addon")
    parser.add_argument("--oca")
    parser.add_argument("--levels", default="10,1000,10000")
    parser.add_argument("--repeat", type=int, default=12)
    parser.add_argument("--post", type=int, default=200)
    parser.add_argument("--escalation-sample", type=int, default=60)
    parser.add_argument("--pdf-sample", type=int, default=2)
    parser.add_argument("--statement-sample", type=int, default=50)
    parser.add_argument("--out")
    parser.add_argument("--json")
    parser.add_argument("--from-json", help="render a saved result again")
    parser.add_argument("--oca-target", default="")
    parser.add_argument("--only", help="comma-separated sections")
    parser.add_argument("--queue-dir", default="", help="queue_job (workers)")
    parser.add_argument("--workers-cases", type=int, default=150)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)
    if args.child:
        return child_main(args)
    if args.from_json:
        res = json.loads(Path(args.from_json).read_text())
        res["summary"] = summary_rows(res, args)
        text = render(res, args)
        # pylint: disable=print-used
        print(text)
        if args.out:
            write_report(Path(args.out), text)
        return 0
    sections = args.only.split(",") if args.only else SECTIONS
    t0 = time.perf_counter()
    res = {"date": date.today().isoformat(), "machine": machine()}
    res["peers"] = peers_versions(args.oca_target) if args.oca_target else {}
    plain, addon, oca = (
        Db("plain", args.plain),
        Db("addon", args.addon),
        Db("oca", args.oca),
    )
    res["book"] = book_size(addon)
    levels = [int(n) for n in args.levels.split(",")]
    if "confirm" in sections:
        _log("confirm...")
        res["confirm"] = bench_confirm([plain, addon, oca], levels, args.repeat)
    if "post" in sections:
        _log("post...")
        res["post"] = bench_post([plain, addon, oca], args.post)
    if "exposure" in sections:
        _log("exposure...")
        res["exposure"] = bench_exposure(addon, oca)
    if "kanban" in sections:
        _log("kanban...")
        res["kanban"] = bench_kanban(addon)
    if "statements" in sections:
        _log("statements...")
        with rolled_back(addon.env):
            res["statements"] = bench_statements(addon.env, args.statement_sample)
    if "my_day" in sections:
        _log("my day...")
        res["my_day"] = [bench_my_day(addon, share=share) for share in (1, 10)]
    if "credit_file" in sections:
        _log("credit file...")
        res["credit_file"] = bench_credit_file(addon)
    for db in (plain, addon, oca):
        db.close()
    if "scheduler" in sections:
        _log("scheduler (addon)...")
        sched = {"addon": run_child(args.config, args.addon, "scheduler_addon")}
        _log("scheduler (OCA credit control)...")
        sched["oca"] = run_child(args.config, args.oca, "scheduler_oca")
        res["scheduler"] = sched
    if "escalation" in sections:
        _log("escalation...")
        extra = ["--escalation-sample", str(args.escalation_sample)]
        extra += ["--pdf-sample", str(args.pdf_sample)]
        x = run_child(args.config, args.addon, "escalation", extra)
        x["actions_per_s"] = ratio(x["planned"] + x["executed"], x["seconds"])
        x["mails_per_s"] = ratio(x["mails"], x["seconds"])
        if x["pdf_s"] and x["mails"]:
            per_mail = x["seconds"] / x["mails"] + med(x["pdf_s"])
            x["mails_per_s_pdf"] = 1 / per_mail
        res["escalation"] = x
    if "holdsync" in sections:
        _log("hold synchronisation...")
        res["holdsync"] = run_child(args.config, args.addon, "holdsync")
    if "workers" in sections and args.queue_dir:
        _log("workers...")
        from workers import bench_workers  # tools/bench/workers.py

        # the copy of the addon's database needs this process' pooled
        # connections to it closed (the sections above used them)
        sql_db.close_db(args.addon)
        res["workers"] = bench_workers(
            args.config, args.addon, args.queue_dir, cases=args.workers_cases
        )
    res["seconds"] = time.perf_counter() - t0
    if os.environ.get("BENCH_SETUP"):  # set by bench.sh
        res["setup"] = os.environ["BENCH_SETUP"]
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=str))
    res["summary"] = summary_rows(res, args)
    text = render(res, args)
    # pylint: disable=print-used
    print(text)
    if args.out:
        write_report(Path(args.out), text)
    return 0


def write_report(out, text):
    """Write the report, keeping what follows the history marker."""
    history = "\n"
    if out.exists() and HISTORY_MARKER in out.read_text():
        history = out.read_text().split(HISTORY_MARKER, 1)[1]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n" + HISTORY_MARKER + history)
    _log(f"written {out}")


if __name__ == "__main__":
    sys.exit(main())
