#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One against two queue_job workers executing the same escalation actions.

From a copy of the addon's database (``--source``, never modified): OCA
queue_job installed in the copy (``--queue-dir``: the folder
``ensure_queue_job`` of tools/common.sh fills), the actions of ``--cases``
overdue cases with an email address and no action yet planned (reminders with
their PDF rendered by wkhtmltopdf, calls, holds, notices). Then, for each
count of ``--workers``, from a copy of that starting point: the due actions
enqueued in batches of ``--batch`` (the background run's ``_enqueue_due``), an
Odoo server started in multi-process mode (``--workers=N+1``, the queue_job
runner in its own process, the channel's capacity N), and the time from the
first job taken by its runner to the last job done measured. Every copy is
dropped at the end. Prints one line of JSON; ``bench.py`` (section ``workers``) runs it.

    python tools/bench/workers.py -c .build/bench-odoo.conf \\
        --source ccol_bench_addon --queue-dir ~/.cache/credit-collection/queue-job-…
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ODOO_BIN = None  # set in main: beside odoo/ (a namespace package)
QUIET_PG = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}


def _log(msg):
    print(f"[workers] {msg}", file=sys.stderr, flush=True)  # pylint: disable=print-used


def psql(sql, db="postgres"):
    subprocess.run(["psql", "-qAt", "-d", db, "-c", sql], check=True)


def query(sql, db):
    out = subprocess.run(
        ["psql", "-qAt", "-F", "\t", "-d", db, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return [line.split("\t") for line in out.splitlines()]


def copy_db(source, target):
    drop_db(target)
    subprocess.run(["createdb", "-T", source, target], check=True)


def drop_db(name):
    subprocess.run(["dropdb", "--if-exists", name], check=False, env=QUIET_PG)


def queue_conf(conf, queue_dir, workdir):
    """The benchmark's Odoo config with queue_job on the addons path."""
    lines = []
    for line in Path(conf).read_text().splitlines():
        if line.startswith("addons_path"):
            line += f",{queue_dir}/odoo/addons"
        lines.append(line)
    path = Path(workdir) / "workers-odoo.conf"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def odoo(conf, db, *args, env=None, command=(), **popen):
    argv = [sys.executable, ODOO_BIN, *command, "-c", conf, "-d", db, *args]
    return subprocess.Popen(argv, env=env, **popen)


def prepare(conf, db, env, cases, log):
    """Install queue_job; plan the actions of ``cases`` cases afresh."""
    process = odoo(
        conf,
        db,
        "-i",
        "queue_job",
        "--stop-after-init",
        "--log-level=warn",
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if process.wait():
        raise SystemExit(f"installing queue_job in {db} failed (see {log.name})")
    script = PLAN_SCRIPT.format(cases=cases)
    shell = odoo(
        conf,
        db,
        "--no-http",
        "--log-level=warn",
        env=env,
        command=("shell",),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    out = shell.communicate(script)[0]
    line = [row for row in out.splitlines() if row.startswith("PLANNED ")]
    if shell.returncode or not line:
        raise SystemExit(f"planning in {db} failed: {out[-2000:]}")
    return int(line[0].split()[1])


PLAN_SCRIPT = """
from odoo.fields import Domain
Case = env["credit.collection.case"].sudo()
Action = env["credit.collection.action"].sudo()
company = env.company
# overdue cases with an email address and no action yet, every stage
cases = Case.search(
    Domain("active", "=", True) & Domain("company_id", "=", company.id)
    & Domain("worst_days_overdue", ">", 0) & Domain("partner_id.email", "!=", False)
    & Domain("action_ids", "=", False),
    order="id", limit={cases},
)
# a collector, as on a book in use: the calls are assigned to someone
cases.filtered(lambda case: not case.user_id).user_id = env.ref("base.user_admin")
from odoo.addons.account_credit_collection.models.clock import credit_today
planned = Action._plan(cases, credit_today(env, company))
env.cr.commit()
print("PLANNED", len(planned))
"""

ENQUEUE_SCRIPT = """
from odoo.addons.account_credit_collection.models.clock import credit_today
env["ir.config_parameter"].sudo().set_param("account_credit_collection.queue_job", "1")
company = env.company
actions = env["credit.collection.action"].sudo()._enqueue_due(
    company, credit_today(env, company), None, {batch}
)
env.cr.commit()
print("ENQUEUED", len(actions))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def enqueue(conf, db, env, batch, log):
    """Enqueue the due actions in jobs of ``batch`` (no runner running)."""
    shell = odoo(
        conf,
        db,
        "--no-http",
        "--log-level=warn",
        env={**env, "ODOO_QUEUE_JOB_CHANNELS": "root:0"},
        command=("shell",),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    out = shell.communicate(ENQUEUE_SCRIPT.format(batch=batch))[0]
    if shell.returncode or "ENQUEUED" not in out:
        raise SystemExit(f"enqueueing failed: {out[-2000:]}")


def job_counts(db):
    """(jobs taken by the runner, jobs finished, jobs, jobs failed)."""
    rows = query(
        "SELECT count(*) FILTER (WHERE state != 'pending'), "
        "count(*) FILTER (WHERE state IN ('done', 'failed')), count(*), "
        "count(*) FILTER (WHERE state = 'failed') FROM queue_job",
        db,
    )
    return tuple(int(x) for x in rows[0])


def run_workers(conf, db, env, workers, batch, log):
    """Seconds from the first job taken by the runner to the last done, with
    ``workers`` jobs at a time (the channel's capacity) on ``workers`` + 1
    HTTP worker processes: one is always free to serve the report assets
    wkhtmltopdf asks the server for while a job renders a statement (with
    as many processes as jobs, a lone worker waits for itself until
    wkhtmltopdf gives up on the assets)."""
    enqueue(conf, db, env, batch, log)
    port = free_port()
    server_env = {
        **env,
        "ODOO_QUEUE_JOB_CHANNELS": f"root:{workers},root.credit_collection:{workers}",
    }
    server = odoo(
        conf,
        db,
        f"--workers={workers + 1}",
        "--max-cron-threads=0",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        "--load=base,web,queue_job",
        "--log-level=warn",
        "--limit-time-real=600",
        "--limit-time-cpu=600",
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    start = None
    try:
        while True:
            taken, finished, total, failed = job_counts(db)
            if taken and start is None:
                start = time.perf_counter()
            if finished == total:
                seconds = time.perf_counter() - start
                break
            if server.poll() is not None:
                raise SystemExit("the Odoo server stopped")
            time.sleep(0.1)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    states = dict(
        query("SELECT state, count(*) FROM credit_collection_action GROUP BY state", db)
    )
    errors = query(
        "SELECT left(error, 120), count(*) FROM credit_collection_action "
        "WHERE state = 'failed' GROUP BY 1",
        db,
    )
    return {
        "seconds": seconds,
        "jobs": total,
        "failed_jobs": failed,
        "actions": {state: int(count) for state, count in states.items()},
        "errors": {error: int(count) for error, count in errors},
    }


def bench_workers(conf, source, queue_dir, cases=150, workers=(1, 2), batch=10):
    """The measurement (see the module's docstring); a dict."""
    global ODOO_BIN
    import odoo.tools  # noqa: PLC0415 - only to find odoo-bin

    ODOO_BIN = str(Path(odoo.tools.__file__).resolve().parents[2] / "odoo-bin")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [f"{queue_dir}/python", os.environ.get("PYTHONPATH")])
        ),
    }
    base = f"{source}_workers"
    result = {"cases": cases, "batch": batch, "cpus": os.cpu_count(), "runs": {}}
    with tempfile.TemporaryDirectory() as workdir:
        conf = queue_conf(conf, queue_dir, workdir)
        log_path = Path(workdir) / "odoo.log"
        with open(log_path, "w+") as log:
            try:
                _log(f"copying {source} into {base}")
                copy_db(source, base)
                result["planned"] = prepare(conf, base, env, cases, log)
                for count in workers:
                    db = f"{base}_{count}"
                    copy_db(base, db)
                    _log(f"{count} worker(s) on {db}")
                    load = os.getloadavg()[0]
                    run = run_workers(conf, db, env, count, batch, log)
                    run["load_before"] = load
                    run["load_after"] = os.getloadavg()[0]
                    run["per_s"] = result["planned"] / run["seconds"]
                    result["runs"][str(count)] = run
                    drop_db(db)
            except BaseException:
                log.seek(0)
                _log(log.read()[-4000:])
                raise
            finally:
                for count in workers:
                    drop_db(f"{base}_{count}")
                drop_db(base)
    runs = result["runs"]
    if "1" in runs and "2" in runs:
        result["ratio"] = runs["1"]["seconds"] / runs["2"]["seconds"]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--source", required=True, help="the addon's database")
    parser.add_argument("--queue-dir", required=True)
    parser.add_argument("--cases", type=int, default=150)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    result = bench_workers(
        args.config,
        args.source,
        args.queue_dir,
        cases=args.cases,
        workers=[int(n) for n in args.workers.split(",")],
        batch=args.batch,
    )
    print(json.dumps(result))  # pylint: disable=print-used
    return 0


if __name__ == "__main__":
    sys.exit(main())
