#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Generate a realistic receivables book in an Odoo 19 database: the command
line of the book generator, which lives in the addon's test package
(tests/book_generator.py; the tests need it in the installed addon too, and
tools/ is not installed).

Usage (the database must have ``account`` and ``sale`` installed)::

    tools/generate_book.py -c .build/odoo.conf -d credit_demo \\
        --customers 150 --invoices 1500 --seed 42

Importing this module gives the generator's names (``generate_book``,
``BookParams``, ``bucket_of``...), for the tools that import it by path.
"""

import argparse
import importlib.util
import sys
from datetime import date
from pathlib import Path

_PATH = Path(__file__).resolve().parents[1] / "tests" / "book_generator.py"


def _load():
    name = "credit_collection_book_generator"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


_generator = _load()
BUCKETS = _generator.BUCKETS
BUCKET_CODES = _generator.BUCKET_CODES
DEFAULT_AGING = _generator.DEFAULT_AGING
BookParams = _generator.BookParams
BookGenerator = _generator.BookGenerator
bucket_of = _generator.bucket_of
generate_book = _generator.generate_book
plan_bucket_counts = _generator.plan_bucket_counts


# ---------------------------------------------------------------------- CLI
def _parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=150)
    parser.add_argument("--invoices", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--as-of", type=date.fromisoformat, help="YYYY-MM-DD, default today"
    )
    parser.add_argument("--open-share", type=float, default=0.35)
    parser.add_argument(
        "--aging",
        help="open invoices per bucket, e.g. "
        + ",".join(f"{k}={v}" for k, v in DEFAULT_AGING.items()),
    )
    parser.add_argument("--orders", type=int, help="default: customers / 2")
    parser.add_argument("--foreign-currency", default="EUR")
    parser.add_argument("--foreign-customers", type=int, default=1)
    parser.add_argument("--no-second-company", action="store_true")
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--name-prefix", default="")
    return parser.parse_args(argv)


def main(argv=None):
    import json  # noqa: PLC0415

    args = _parse_args(argv if argv is not None else sys.argv[1:])
    aging = dict(DEFAULT_AGING)
    if args.aging:
        aging = {
            k.strip(): float(v)
            for k, v in (kv.split("=") for kv in args.aging.split(","))
        }
    params = BookParams(
        customers=args.customers,
        invoices=args.invoices,
        seed=args.seed,
        as_of=args.as_of,
        open_share=args.open_share,
        aging=aging,
        orders=args.orders,
        foreign_currency=args.foreign_currency,
        foreign_customers=args.foreign_customers,
        second_company=not args.no_second_company,
        batch_size=args.batch_size,
        name_prefix=args.name_prefix,
    )
    try:
        params.validate()
    except ValueError as exc:
        sys.exit(f"generate_book: {exc}")

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config_args = ["-d", args.database]
    if args.config:
        config_args = ["-c", args.config] + config_args
    config.parse_config(config_args, setup_logging=True)
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, {})
        summary = generate_book(env, params)
        # a command-line tool owns its transaction
        cr.commit()  # pylint: disable=invalid-commit
    summary.pop("customer_ids", None)
    # pylint: disable=print-used
    print(json.dumps(summary, indent=2, default=str))
    print(
        f"generated {summary['invoices_total']} invoices for "
        f"{summary['customers_total']} customers in {summary['seconds']} s "
        f"({summary['invoices_per_second']} invoices/s)"
    )


if __name__ == "__main__":
    main()
