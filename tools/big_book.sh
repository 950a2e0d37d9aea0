#!/usr/bin/env bash
# `make big-book`: the benchmark-scale receivables book (20,000 customers,
# 200,000 invoices by default) in database $BIG_DB (default credit_big):
# a base book generated through the ORM, copied by Odoo's own populate, fixed
# up and checked by tools/check_book.py. About 13 minutes on 2 cores.
# Knobs: BIG_DB, BIG_CUSTOMERS, BIG_INVOICES, BIG_FACTOR (19), BIG_SEED (42).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare
TEMPLATE="$(template_db)"
DB="${BIG_DB:-credit_big}"
dropdb --if-exists "$DB"
"$PYTHON" "$ROOT/tools/scale_book.py" -c "$ODOO_CONF" -d "$DB" --template "$TEMPLATE" \
    --customers "${BIG_CUSTOMERS:-20000}" --invoices "${BIG_INVOICES:-200000}" \
    --factor "${BIG_FACTOR:-19}" --seed "${BIG_SEED:-42}"
