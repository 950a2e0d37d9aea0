#!/usr/bin/env bash
# Confirmation overhead of the addon vs plain Odoo on the same generated book.
# Knobs: BENCH_CUSTOMERS (150), BENCH_INVOICES (1500), BENCH_SEED (42),
# BENCH_SAMPLE (40 customers measured), BENCH_REPEAT (3), BENCH_REUSE=1 keeps
# the two databases of a previous run.
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
prepare
CUSTOMERS="${BENCH_CUSTOMERS:-150}"
INVOICES="${BENCH_INVOICES:-1500}"
SEED="${BENCH_SEED:-42}"
AS_OF="$(date +%F)"
PLAIN=bench_confirm_plain
ADDON_DB=bench_confirm_addon
if [[ "${BENCH_REUSE:-0}" != 1 ]] || ! db_exists "$PLAIN" || ! db_exists "$ADDON_DB"; then
    TEMPLATE="$(template_db)"
    for db in "$PLAIN" "$ADDON_DB"; do
        dropdb --if-exists "$db"
        createdb -T "$TEMPLATE" "$db"
    done
    odoo -d "$ADDON_DB" -i "$ADDON" --stop-after-init --log-level=warn >"$BUILD/bench-install.log" 2>&1 \
        || { tail -30 "$BUILD/bench-install.log" >&2; die "install failed"; }
    for db in "$PLAIN" "$ADDON_DB"; do
        log "Generating the book in $db"
        "$PYTHON" "$ROOT/tools/generate_book.py" -c "$ODOO_CONF" -d "$db" --customers "$CUSTOMERS" \
            --invoices "$INVOICES" --seed "$SEED" --as-of "$AS_OF" --no-second-company | tail -1
    done
fi
"$PYTHON" "$ROOT/tools/bench/confirm_overhead.py" -c "$ODOO_CONF" --plain-db "$PLAIN" \
    --addon-db "$ADDON_DB" --customers "${BENCH_SAMPLE:-40}" --repeat "${BENCH_REPEAT:-3}"
