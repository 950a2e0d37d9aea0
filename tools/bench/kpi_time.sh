#!/usr/bin/env bash
# Time the analytics' grouped queries (tools/bench/kpi_time.py) on an existing
# database: the first argument, else credit_big, big_addon or scale_big when
# one exists. The addon must be installed there at the current version
# (BENCH_UPGRADE=1 upgrades it first — it writes to that database).
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
prepare
DB="${1:-}"
if [[ -z "$DB" ]]; then
    for candidate in credit_big big_addon scale_big; do
        if db_exists "$candidate"; then DB="$candidate"; break; fi
    done
fi
[[ -n "$DB" ]] || die "no database given and none of credit_big, big_addon, scale_big exists"
if [[ "${BENCH_UPGRADE:-0}" == 1 ]]; then
    log "Upgrading $ADDON in $DB"
    odoo -d "$DB" -u "$ADDON" --stop-after-init --log-level=warn >"$BUILD/bench-upgrade.log" 2>&1 \
        || { tail -30 "$BUILD/bench-upgrade.log" >&2; die "upgrade failed"; }
fi
"$PYTHON" "$ROOT/tools/bench/kpi_time.py" -c "$ODOO_CONF" -d "$DB" --repeat "${BENCH_REPEAT:-3}"
