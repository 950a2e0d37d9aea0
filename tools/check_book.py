#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Check that a receivables book is consistent.

Every check is one grouped SQL query, fast on millions of journal items:

* every posted move is balanced;
* every receivable item's ``amount_residual`` (and ``amount_residual_currency``)
  equals its balance minus the partials where it is the debit plus the partials
  where it is the credit, and ``reconciled`` is set exactly when both residuals
  are zero; full reconciliations link the same items as their partials;
* per (commercial partner, company) the receivable balance equals the residual
  of its open receivable items;
* move names are unique per journal, journal items carry their move's name,
  invoices' due date is the latest maturity of their receivable items;
* payments and their journal entries point to each other;
* open customer invoices per aging bucket (``tools/generate_book.py``
  buckets): every bucket must be non-empty.

Usage::

    tools/check_book.py -c .build/odoo.conf -d credit_demo [--as-of 2026-01-31]

Prints a report and exits with status 1 when a check fails.
"""

import argparse
import importlib.util
import json
import sys
import time
from datetime import date
from pathlib import Path


def load_generate_book():
    """Import tools/generate_book.py (a script, not a package) by path."""
    name = "generate_book"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().with_name("generate_book.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


GB = load_generate_book()

RECEIVABLE = """
    SELECT l.id, l.move_id, l.company_id, l.partner_id, l.balance, l.amount_currency,
           l.amount_residual, l.amount_residual_currency, l.reconciled,
           l.full_reconcile_id, l.date_maturity
      FROM account_move_line l
      JOIN account_account a ON a.id = l.account_id
     WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
"""

# name -> (description, SQL returning (bad count, sample ids))
CHECKS = {
    "balanced_moves": (
        "posted moves with sum(debit) != sum(credit)",
        """
        SELECT count(*), (array_agg(move_id ORDER BY move_id))[1:5] FROM (
            SELECT l.move_id
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
             WHERE m.state = 'posted'
             GROUP BY l.move_id
            HAVING abs(sum(l.debit) - sum(l.credit)) > 0.0001
        ) bad
        """,
    ),
    "receivable_residual": (
        "receivable items whose residual differs from balance - partials",
        f"""
        WITH r AS ({RECEIVABLE}),
        d AS (
            SELECT debit_move_id AS id, sum(amount) AS amount,
                   sum(debit_amount_currency) AS amount_currency
              FROM account_partial_reconcile GROUP BY debit_move_id
        ),
        c AS (
            SELECT credit_move_id AS id, sum(amount) AS amount,
                   sum(credit_amount_currency) AS amount_currency
              FROM account_partial_reconcile GROUP BY credit_move_id
        )
        SELECT count(*), (array_agg(r.id ORDER BY r.id))[1:5]
          FROM r
          LEFT JOIN d ON d.id = r.id
          LEFT JOIN c ON c.id = r.id
         WHERE abs(r.balance - coalesce(d.amount, 0) + coalesce(c.amount, 0)
                   - r.amount_residual) > 0.005
            OR abs(r.amount_currency - coalesce(d.amount_currency, 0)
                   + coalesce(c.amount_currency, 0)
                   - r.amount_residual_currency) > 0.005
        """,
    ),
    "reconciled_flag": (
        "receivable items where reconciled != (residual is zero)",
        f"""
        SELECT count(*), (array_agg(id ORDER BY id))[1:5] FROM ({RECEIVABLE}) r
         WHERE coalesce(r.reconciled, false) != (
                   abs(r.amount_residual) < 0.005
               AND abs(r.amount_residual_currency) < 0.005)
        """,
    ),
    "full_reconcile_links": (
        "items/partials whose full reconciliation differs from their partials'",
        """
        SELECT count(*), (array_agg(p.id ORDER BY p.id))[1:5]
          FROM account_partial_reconcile p
          JOIN account_move_line dl ON dl.id = p.debit_move_id
          JOIN account_move_line cl ON cl.id = p.credit_move_id
         WHERE dl.full_reconcile_id IS DISTINCT FROM p.full_reconcile_id
            OR cl.full_reconcile_id IS DISTINCT FROM p.full_reconcile_id
            OR (p.full_reconcile_id IS NOT NULL
                AND NOT (coalesce(dl.reconciled, false)
                         AND coalesce(cl.reconciled, false)))
        """,
    ),
    "partial_counterparts": (
        "partials between items of different accounts, companies or partners",
        """
        SELECT count(*), (array_agg(p.id ORDER BY p.id))[1:5]
          FROM account_partial_reconcile p
          JOIN account_move_line dl ON dl.id = p.debit_move_id
          JOIN account_move_line cl ON cl.id = p.credit_move_id
          LEFT JOIN res_partner dp ON dp.id = dl.partner_id
          LEFT JOIN res_partner cp ON cp.id = cl.partner_id
         WHERE dl.account_id != cl.account_id
            OR dl.company_id != cl.company_id
            OR dp.commercial_partner_id IS DISTINCT FROM cp.commercial_partner_id
        """,
    ),
    "matching_numbers": (
        "items whose matching number does not name their own reconciliation",
        """
        WITH groups AS (
            SELECT l.matching_number, count(*) AS n_lines,
                   count(*) FILTER (WHERE l.full_reconcile_id IS NOT NULL
                       AND l.matching_number != l.full_reconcile_id::text) AS bad_full,
                   count(DISTINCT l.full_reconcile_id) AS n_full
              FROM account_move_line l
             WHERE l.matching_number IS NOT NULL
               AND l.matching_number NOT LIKE 'I%'
             GROUP BY l.matching_number
        ), edges AS (
            SELECT l.matching_number, count(*) AS n_partials
              FROM account_partial_reconcile p
              JOIN account_move_line l ON l.id = p.debit_move_id
             WHERE l.matching_number IS NOT NULL
             GROUP BY l.matching_number
        )
        -- a group of n items linked by partials needs at least n - 1 partials
        SELECT coalesce(sum(g.n_lines), 0)::bigint,
               (array_agg(g.matching_number ORDER BY g.matching_number))[1:5]
          FROM groups g LEFT JOIN edges e USING (matching_number)
         WHERE g.bad_full > 0 OR g.n_full > 1
            OR coalesce(e.n_partials, 0) < g.n_lines - 1
        """,
    ),
    "partner_balance": (
        "(commercial partner, company) whose receivable balance != open residual",
        f"""
        SELECT count(*), (array_agg(partner ORDER BY partner))[1:5] FROM (
            SELECT coalesce(p.commercial_partner_id, r.partner_id) AS partner,
                   r.company_id
              FROM ({RECEIVABLE}) r
              LEFT JOIN res_partner p ON p.id = r.partner_id
             GROUP BY 1, 2
            HAVING abs(sum(r.balance) - coalesce(sum(r.amount_residual)
                       FILTER (WHERE NOT coalesce(r.reconciled, false)), 0)) > 0.005
        ) bad
        """,
    ),
    "unique_move_names": (
        "(journal, name) pairs used by more than one posted move",
        """
        SELECT count(*), (array_agg(name ORDER BY name))[1:5] FROM (
            SELECT journal_id, name FROM account_move
             WHERE state = 'posted' AND name != '/'
             GROUP BY journal_id, name HAVING count(*) > 1
        ) bad
        """,
    ),
    "line_move_name": (
        "journal items whose move_name differs from their move's name",
        """
        SELECT count(*), (array_agg(l.id ORDER BY l.id))[1:5]
          FROM account_move_line l JOIN account_move m ON m.id = l.move_id
         WHERE l.move_name IS DISTINCT FROM m.name
        """,
    ),
    "invoice_due_date": (
        "invoices whose invoice_date_due != max(date_maturity) of receivables",
        f"""
        SELECT count(*), (array_agg(m.id ORDER BY m.id))[1:5]
          FROM account_move m
          JOIN (SELECT move_id, max(date_maturity) AS due
                  FROM ({RECEIVABLE}) r GROUP BY move_id) r ON r.move_id = m.id
         WHERE m.move_type IN ('out_invoice', 'out_refund')
           AND m.invoice_date_due IS DISTINCT FROM r.due
        """,
    ),
    "payment_links": (
        "posted payments whose journal entry does not point back to them",
        """
        SELECT count(*), (array_agg(p.id ORDER BY p.id))[1:5]
          FROM account_payment p
          LEFT JOIN account_move m ON m.id = p.move_id
         WHERE p.state NOT IN ('draft', 'canceled')
           AND (m.id IS NULL OR m.origin_payment_id IS DISTINCT FROM p.id)
        """,
    ),
    "line_payment_links": (
        "journal items whose payment_id differs from their move's payment",
        """
        SELECT count(*), (array_agg(l.id ORDER BY l.id))[1:5]
          FROM account_move_line l JOIN account_move m ON m.id = l.move_id
         WHERE l.payment_id IS DISTINCT FROM m.origin_payment_id
        """,
    ),
}

COUNTS = {
    "companies": "SELECT count(*) FROM res_company",
    "customers": """
        SELECT count(DISTINCT commercial_partner_id) FROM account_move
         WHERE state = 'posted' AND move_type = 'out_invoice'
    """,
    "customer_partners": "SELECT count(*) FROM res_partner WHERE customer_rank > 0",
    "invoices": """
        SELECT count(*) FROM account_move
         WHERE state = 'posted' AND move_type = 'out_invoice'
    """,
    "credit_notes": """
        SELECT count(*) FROM account_move
         WHERE state = 'posted' AND move_type = 'out_refund'
    """,
    "payments": "SELECT count(*) FROM account_payment WHERE state != 'draft'",
    "moves": "SELECT count(*) FROM account_move",
    "journal_items": "SELECT count(*) FROM account_move_line",
    "partial_reconciles": "SELECT count(*) FROM account_partial_reconcile",
    "full_reconciles": "SELECT count(*) FROM account_full_reconcile",
    "sale_orders": "SELECT count(*) FROM sale_order",
}

# open customer invoices grouped by due date (few hundred rows), bucketed in
# Python with generate_book.bucket_of
OPEN_BY_DUE = """
    SELECT company_id, invoice_date_due, count(*)
      FROM account_move
     WHERE state = 'posted' AND move_type = 'out_invoice'
       AND payment_state IN ('not_paid', 'partial')
     GROUP BY company_id, invoice_date_due
"""


def aging_counts(cr, as_of):
    """Open customer invoices per bucket: overall and per company id."""
    cr.execute(OPEN_BY_DUE)
    total = dict.fromkeys(GB.BUCKET_CODES, 0)
    per_company = {}
    for company_id, due, count in cr.fetchall():
        code = GB.bucket_of((as_of - due).days)
        total[code] += count
        company = per_company.setdefault(company_id, dict.fromkeys(GB.BUCKET_CODES, 0))
        company[code] += count
    return total, per_company


def run_checks(cr, as_of):
    """Return the report dict; ``report["ok"]`` is False when a check fails."""
    report = {"as_of": as_of.isoformat(), "counts": {}, "checks": {}, "seconds": {}}
    for name, query in COUNTS.items():
        cr.execute(query)
        report["counts"][name] = cr.fetchone()[0]
    for name, (label, query) in CHECKS.items():
        start = time.perf_counter()
        cr.execute(query)
        bad, sample = cr.fetchone()
        report["checks"][name] = {"label": label, "bad": bad, "sample": sample or []}
        report["seconds"][name] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    total, per_company = aging_counts(cr, as_of)
    report["seconds"]["aging"] = round(time.perf_counter() - start, 2)
    empty = [code for code, count in total.items() if not count]
    report["aging"] = total
    report["aging_per_company"] = per_company
    report["checks"]["aging_buckets"] = {
        "label": "aging buckets without any open customer invoice",
        "bad": len(empty),
        "sample": empty,
    }
    if not report["counts"]["invoices"]:
        report["checks"]["has_invoices"] = {
            "label": "posted customer invoices",
            "bad": 1,
            "sample": [],
        }
    report["ok"] = not any(c["bad"] for c in report["checks"].values())
    return report


def format_report(report):
    lines = [f"Book check as of {report['as_of']}", "", "Counts:"]
    lines += [f"  {name:<20} {value:>12,}" for name, value in report["counts"].items()]
    lines += ["", "Open customer invoices per aging bucket:"]
    lines += [f"  {code:<20} {count:>12,}" for code, count in report["aging"].items()]
    lines += ["", "Checks:"]
    for name, check in report["checks"].items():
        status = "ok  " if not check["bad"] else "FAIL"
        line = f"  [{status}] {name:<22} {check['bad']:>9,}  {check['label']}"
        if check["bad"]:
            line += f"  e.g. {check['sample']}"
        lines.append(line)
    total = sum(report["seconds"].values())
    lines += ["", f"{'OK' if report['ok'] else 'FAILED'} ({total:.1f} s of queries)"]
    return "\n".join(lines)


def _parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument(
        "--as-of", type=date.fromisoformat, help="YYYY-MM-DD, default today"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead")
    return parser.parse_args(argv)


def main(argv=None):
    args = _parse_args(argv if argv is not None else sys.argv[1:])
    from odoo import sql_db  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config_args = ["-d", args.database]
    if args.config:
        config_args = ["-c", args.config] + config_args
    config.parse_config(config_args, setup_logging=False)
    as_of = args.as_of or date.today()
    with sql_db.db_connect(args.database).cursor() as cr:
        report = run_checks(cr, as_of)
    # pylint: disable=print-used
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(format_report(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
