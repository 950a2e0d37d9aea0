#!/usr/bin/env bash
# `make bench` / `make bench-quick`: the benchmark suite (scripts, not tests).
#
# Three databases get the same book: plain Odoo (account, sale_management),
# the addon, and the OCA peers (sale_financial_risk, account_financial_risk,
# account_credit_control 19.0, installed from PyPI into a folder of their own,
# never into the project's venv). tools/bench/bench.py then measures them side
# by side in one run and prints (and writes) the table of ratios.
#
#   bash tools/bench/bench.sh quick   # ~200 customers, generated (< 3 min)
#   bash tools/bench/bench.sh full    # the 20,000-customer / 200,000-invoice book
#
# Knobs: BENCH_BASE (full: database holding the plain big book, copied with
# createdb -T; default scale_big, built by tools/scale_book.py when missing),
# BENCH_REUSE=1 (keep the databases of a previous run), BENCH_PREFIX
# (database names, default ccol_bench_q / ccol_bench), BENCH_OUT (report file,
# full default docs/benchmarks.md), BENCH_ONLY (comma-separated sections).
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
MODE="${1:-quick}"
prepare
OCA_TARGET="${BENCH_OCA_TARGET:-$CACHE/bench-oca}"
OCA_PEERS=(odoo-addon-account-credit-control==19.0.* odoo-addon-account-financial-risk==19.0.*
    odoo-addon-sale-financial-risk==19.0.*)
OCA_MODULES="sale_financial_risk,account_credit_control"

if [[ ! -d "$OCA_TARGET/odoo/addons/sale_financial_risk" ]]; then
    log "Installing the OCA peers from PyPI into $OCA_TARGET (not the project's venv)"
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --target "$OCA_TARGET" \
        "${OCA_PEERS[@]}"
fi
# OCA queue_job for the `workers` section (its own folder too)
ensure_queue_job
BENCH_CONF="$BUILD/bench-odoo.conf"
sed "s|^addons_path = .*|&,$OCA_TARGET/odoo/addons|" "$ODOO_CONF" >"$BENCH_CONF"
# the benchmark never serves HTTP; keep the demo port free
sed -i "s|^http_port = .*|http_port = 0|" "$BENCH_CONF"

case "$MODE" in
quick)
    PREFIX="${BENCH_PREFIX:-ccol_bench_q}"
    LEVELS="10,1000,10000"
    ARGS=(--repeat 12 --post 200 --escalation-sample 60 --pdf-sample 2 --workers-cases 40)
    OUT="${BENCH_OUT:-$BUILD/benchmarks-quick.md}"
    ;;
full)
    PREFIX="${BENCH_PREFIX:-ccol_bench}"
    LEVELS="10,1000,10000"
    ARGS=(--repeat 30 --post 1000 --escalation-sample 400 --pdf-sample 5 --workers-cases 200)
    OUT="${BENCH_OUT:-$ROOT/docs/benchmarks.md}"
    ;;
*) die "usage: bench.sh quick|full" ;;
esac
PLAIN="${PREFIX}_plain"
ADDON_DB="${PREFIX}_addon"
OCA_DB="${PREFIX}_oca"
mkdir -p "$BUILD/bench"

install() { # db modules label
    local logf="$BUILD/bench/install-$1.log" start=$SECONDS
    odoo -c "$BENCH_CONF" -d "$1" -i "$2" --stop-after-init --log-level=warn >"$logf" 2>&1 \
        || { tail -30 "$logf" >&2; die "installing $2 in $1 failed (see $logf)"; }
    log "$3 installed in $1 in $((SECONDS - start)) s"
    echo "$((SECONDS - start))" >"$BUILD/bench/install-$1.seconds"
}

SETUP_START=$SECONDS
if [[ "${BENCH_REUSE:-0}" == 1 ]] && db_exists "$PLAIN" && db_exists "$ADDON_DB" && db_exists "$OCA_DB"; then
    SETUP_KIND="databases reused, the addon upgraded"
    log "Reusing $PLAIN, $ADDON_DB, $OCA_DB"
    # the addon's code may have changed since
    odoo -c "$BENCH_CONF" -d "$ADDON_DB" -u "$ADDON" --stop-after-init --log-level=warn \
        >"$BUILD/bench/upgrade.log" 2>&1 || { tail -30 "$BUILD/bench/upgrade.log" >&2; die "upgrade failed"; }
    # the heavy customers a newer book.py adds (e.g. BENCH-ORDERS), the same
    # in the three databases; those already there are kept
    for db in "$PLAIN" "$ADDON_DB" "$OCA_DB"; do
        "$PYTHON" "$ROOT/tools/bench/book.py" heavy -c "$BENCH_CONF" -d "$db" --levels "$LEVELS"
    done
else
    SETUP_KIND="databases built"
    for db in "$PLAIN" "$ADDON_DB" "$OCA_DB"; do dropdb --if-exists "$db"; done
    if [[ "$MODE" == quick ]]; then
        createdb -T "$(template_db)" "$PLAIN"
        log "Generating the quick book in $PLAIN"
        "$PYTHON" "$ROOT/tools/generate_book.py" -c "$ODOO_CONF" -d "$PLAIN" --customers 200 \
            --invoices 600 --seed 42 --no-second-company 2>&1 | tail -1 >&2
    else
        BASE="${BENCH_BASE:-scale_big}"
        if ! db_exists "$BASE"; then
            log "No $BASE: building the big book (about 13 minutes)"
            "$PYTHON" "$ROOT/tools/scale_book.py" -c "$ODOO_CONF" -d "$BASE" \
                --template "$(template_db)" --customers 20000 --invoices 200000 --factor 19
        fi
        log "Copying $BASE into $PLAIN"
        createdb -T "$BASE" "$PLAIN"
    fi
    log "Customers with $LEVELS open items in $PLAIN"
    "$PYTHON" "$ROOT/tools/bench/book.py" heavy -c "$BENCH_CONF" -d "$PLAIN" --levels "$LEVELS"
    createdb -T "$PLAIN" "$ADDON_DB"
    createdb -T "$PLAIN" "$OCA_DB"
    install "$ADDON_DB" "$ADDON" "the addon" &
    pid_addon=$!
    install "$OCA_DB" "$OCA_MODULES" "OCA $OCA_MODULES"
    wait "$pid_addon"
    "$PYTHON" "$ROOT/tools/bench/book.py" addon -c "$BENCH_CONF" -d "$ADDON_DB"
    "$PYTHON" "$ROOT/tools/bench/book.py" oca -c "$BENCH_CONF" -d "$OCA_DB"
    psql -d "$PLAIN" -qc "VACUUM ANALYZE" &
    psql -d "$ADDON_DB" -qc "VACUUM ANALYZE" &
    psql -d "$OCA_DB" -qc "VACUUM ANALYZE"
    wait
fi
for db in "$PLAIN" "$ADDON_DB" "$OCA_DB"; do
    "$PYTHON" "$ROOT/tools/bench/book.py" spread -c "$BENCH_CONF" -d "$db"
done
# the addon's database as the daily and hourly crons leave it (cases, holds)
"$PYTHON" "$ROOT/tools/bench/book.py" addon -c "$BENCH_CONF" -d "$ADDON_DB"
# the state autovacuum leaves a book in (visibility map, statistics), the same
# for the three databases, not a race with it during the measurements
for db in "$PLAIN" "$ADDON_DB" "$OCA_DB"; do
    psql -d "$db" -qc "VACUUM ANALYZE" &
done
wait
export BENCH_SETUP="$((SECONDS - SETUP_START)) s, $SETUP_KIND"
"$PYTHON" "$ROOT/tools/bench/bench.py" -c "$BENCH_CONF" --mode "$MODE" --plain "$PLAIN" \
    --addon "$ADDON_DB" --oca "$OCA_DB" --levels "$LEVELS" --out "$OUT" \
    --oca-target "$OCA_TARGET" --queue-dir "$QUEUE_JOB_DIR" --json "$BUILD/bench/$MODE.json" ${BENCH_ONLY:+--only "$BENCH_ONLY"} "${ARGS[@]}"
