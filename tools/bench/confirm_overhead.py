#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Sale order confirmation overhead of the addon, measured side by side.

Two databases get the same generated book (same seed and date): one with plain
Odoo (`account`, `sale_management`), one with `account_credit_collection`.
In each, the same customers get the same quotation, confirmed one at a time
(each in a savepoint rolled back afterwards, so every confirmation sees the
same book). Prints median / p95 latency per database and their ratio.

Run through `tools/bench/confirm_overhead.sh` (sets up the environment).
"""

import argparse
import statistics
import time
from datetime import date

from odoo import Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tools import config


def measure(dbname, customer_refs, amount, repeat):
    """Time the confirmation of one quotation per customer, ``repeat`` times.
    Returns ({ref: [seconds]}, {refs refused})."""
    registry = Registry(dbname)
    timings, refused = {}, set()
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        partners = env["res.partner"].search([("ref", "in", customer_refs)])
        by_ref = {p.ref: p for p in partners}
        product = env["product.product"].search(
            [("default_code", "=", "CCBOOK-0")], limit=1
        )
        for _r in range(repeat):
            for ref in customer_refs:
                partner = by_ref[ref]
                with cr.savepoint(flush=False) as sp:
                    order = env["sale.order"].create(
                        {
                            "partner_id": partner.id,
                            "order_line": [
                                Command.create(
                                    {
                                        "product_id": product.id,
                                        "product_uom_qty": 1,
                                        "price_unit": amount,
                                    }
                                )
                            ],
                        }
                    )
                    env.flush_all()
                    env.invalidate_all()
                    start = time.perf_counter()
                    try:
                        order.action_confirm()
                        env.flush_all()
                        timings.setdefault(ref, []).append(time.perf_counter() - start)
                    except UserError:
                        refused.add(ref)
                    sp.rollback()
                    env.invalidate_all()
        cr.rollback()
    return timings, refused


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--plain-db", required=True)
    parser.add_argument("--addon-db", required=True)
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--amount", type=float, default=100.0)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)
    # the same customers in both databases: those that pass in the addon's
    registry = Registry(args.addon_db)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        refs = (
            env["res.partner"]
            .search([("ref", "like", "C%"), ("is_company", "=", True)], order="ref")
            .mapped("ref")
        )
    refs = refs[: args.customers]
    # 1. which customers pass the credit check (the others are refused: their
    #    confirmation is a credit hold, not a comparable confirmation)
    _t, refused = measure(args.addon_db, refs, args.amount, 1)
    passing = [ref for ref in refs if ref not in refused]
    # 2. the same confirmations, side by side (plain first, then the addon,
    #    then plain again to check the machine did not drift)
    plain1, _r = measure(args.plain_db, passing, args.amount, args.repeat)
    addon, _r = measure(args.addon_db, passing, args.amount, args.repeat)
    plain2, _r = measure(args.plain_db, passing, args.amount, args.repeat)
    refused_t, _r = measure(args.addon_db, sorted(refused), args.amount, 1)

    def flat(timings):
        return [t for values in timings.values() for t in values]

    plain_t = flat(plain1) + flat(plain2)
    addon_t = flat(addon)
    rows = [
        ("plain Odoo (sale)", plain_t),
        ("with account_credit_collection", addon_t),
    ]
    # pylint: disable=print-used
    print(
        f"\nSale order confirmation on the same book, {len(passing)} customers x "
        f"{args.repeat} ({len(refused)} of {len(refs)} refused by a credit hold), "
        f"{date.today()}"
    )
    print(f"{'database':34} {'n':>5} {'median ms':>10} {'p95 ms':>8}")
    for label, values in rows:
        print(
            f"{label:34} {len(values):5d} "
            f"{statistics.median(values) * 1000:10.1f} {pct(values, 0.95) * 1000:8.1f}"
        )
    ratio_med = statistics.median(addon_t) / statistics.median(plain_t)
    ratio_p95 = pct(addon_t, 0.95) / pct(plain_t, 0.95)
    print(f"ratio addon/plain: median {ratio_med:.2f}x, p95 {ratio_p95:.2f}x")
    drift = statistics.median(flat(plain2)) / statistics.median(flat(plain1))
    print(f"plain run 2 / run 1: {drift:.2f}x (machine drift check)")
    if refused:
        print(
            f"refused check (UserError raised) timed {len(refused)}x: not in the ratio"
        )


if __name__ == "__main__":
    main()
