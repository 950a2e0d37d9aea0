#!/usr/bin/env bash
# The addon's test suite under Odoo's own runner, as users and OCA-style CI run
# it: `odoo-bin -i account_credit_collection --test-tags /account_credit_collection`
# on a fresh copy of the template database. Run by `make test` (from the wheel)
# and alone by `make test-odoo` (ARGS: wheel, source or both).
#
#   wheel   the addon installed from the wheel (tools/check_packaging.sh wheel
#           builds it into .build/pkg/wheel-venv): no checkout, no tools/
#   source  the addon from the work tree (.build/addons)
#
# Fails unless Odoo's runner reports 0 failed and 0 errors of more than 0
# tests. The runner and anything it started (a test's odoo-bin child) are
# killed after ODOO_TEST_TIMEOUT seconds (default 3600): nothing is left
# behind holding a lock.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ -n "${VENV:-}" ]] || prepare
TEMPLATE="${TEMPLATE:-$(template_db)}"
WORK="$BUILD/odoo-runner"
mkdir -p "$WORK"

run_suite() {
    local mode="$1" python conf db="${TEST_DB:-credit_test}_odoo_$1" log="$WORK/$1.log"
    case "$mode" in
        wheel)
            bash "$ROOT/tools/check_packaging.sh" wheel
            python="$BUILD/pkg/wheel-venv/bin/python"
            conf="$BUILD/pkg/wheel.conf"
            ;;
        source)
            python="$PYTHON"
            conf="$ODOO_CONF"
            ;;
        *) die "unknown mode $mode (wheel, source)" ;;
    esac
    PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$db"
    createdb -T "$TEMPLATE" "$db"
    log "Odoo's runner ($mode): odoo-bin -d $db -i $ADDON --test-tags /$ADDON (log: $log)"
    local start=$SECONDS pid rc=0
    # its own process group (setsid; timeout leads it): whatever is left of
    # it afterwards is killed with the group
    CREDIT_COLLECTION_TEMPLATE_DB="$TEMPLATE" setsid timeout --kill-after=30 \
        "${ODOO_TEST_TIMEOUT:-3600}" "$python" "$ODOO_BIN" -c "$conf" -d "$db" \
        -i "$ADDON" --test-tags "/$ADDON" --stop-after-init --log-level=test \
        >"$log" 2>&1 &
    pid=$!
    wait "$pid" || rc=$?
    kill -KILL -- "-$pid" 2>/dev/null || true
    local result
    result="$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$log" | tail -1)"
    grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) .*(FAIL|ERROR):" "$log" | cut -c1-300 >&2 || true
    if [[ $rc -ne 0 || ! "$result" =~ ^0\ failed,\ 0\ error\(s\)\ of\ [1-9] ]]; then
        tail -30 "$log" >&2
        die "Odoo's runner ($mode): ${result:-no result} (exit $rc, $((SECONDS - start)) s; log: $log)"
    fi
    log "Odoo's runner ($mode): $result, $((SECONDS - start)) s"
    PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$db"
    rm -rf "$CACHE/data/filestore/$db"
}

modes=("$@")
((${#modes[@]})) || modes=(wheel)
[[ "${modes[*]}" != both ]] || modes=(wheel source)
for mode in "${modes[@]}"; do
    run_suite "$mode"
done
