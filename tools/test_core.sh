#!/usr/bin/env bash
# `make test-core`: Odoo's own test suites on a database without the addon and
# on one with it, side by side: results (tests, failures, errors, which tests
# differ) and timings. Long (about 10 minutes per run with the default tags):
# not part of `make test`.
#
# Knobs (environment, or `make test-core ARGS="..."` as VAR=value words):
#   CORE_TAGS  Odoo test tags (default: sale, sale_management and account's
#              invoice, payment and reconciliation test classes)
#   CORE_REPS  runs on each database (default 3). The runs are interleaved
#              (without, with, then with, without, ...) so that a change of
#              the machine's load weighs on both sides alike; the ratio is
#              given per pair and as the ratio of the medians
#
# Every run gets a fresh copy of its database (the template with
# account,sale_management; the same plus the addon), so no run sees what an
# earlier one left. The load average is printed with each run: other work on
# the machine makes the timings worth less, and the table says so.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for arg in "$@"; do
    case "$arg" in
        CORE_TAGS=* | CORE_REPS=*) export "${arg?}" ;;
        *) die "unknown argument $arg (CORE_TAGS=..., CORE_REPS=...)" ;;
    esac
done
ACCOUNT_CLASSES=(TestAccountMoveOutInvoiceOnchanges TestAccountMoveInInvoiceOnchanges
    TestAccountPayment TestAccountPaymentRegister TestAccountMoveReconcile
    TestAccountMovePaymentsWidget)
DEFAULT_TAGS="/sale,/sale_management$(printf ',/account:%s' "${ACCOUNT_CLASSES[@]}")"
TAGS="${CORE_TAGS:-$DEFAULT_TAGS}"
REPS="${CORE_REPS:-3}"
[[ -n "${VENV:-}" ]] || prepare
TEMPLATE="${TEMPLATE:-$(template_db)}"
WORK="$BUILD/test-core"
mkdir -p "$WORK"
# its own copy of the configuration: another command of this checkout (make
# test) rewrites .build/odoo.conf, maybe with another HTTP port
CONF="$WORK/odoo.conf"
cp "$ODOO_CONF" "$CONF"
SUFFIX="$(printf %s "$ROOT" | sha256sum | cut -c1-8)"
BASE_WITH="ccol_core_with_$SUFFIX"

drop() {
    PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$1"
    rm -rf "$CACHE/data/filestore/$1"
}

log "Database with the addon ($BASE_WITH): the template plus -i $ADDON"
drop "$BASE_WITH"
createdb -T "$TEMPLATE" "$BASE_WITH"
"$PYTHON" "$ODOO_BIN" -c "$CONF" -d "$BASE_WITH" -i "$ADDON" --stop-after-init --log-level=warn >"$WORK/install.log" 2>&1 \
    || { tail -30 "$WORK/install.log" >&2; die "installing $ADDON failed"; }

# python3 -c "$RUSAGE" FILE COMMAND...: run COMMAND, write its CPU seconds
RUSAGE='import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    f.write(f"{usage.ru_utime + usage.ru_stime:.1f}\n")
sys.exit(rc)'

# run SIDE REP: Odoo's runner on a fresh copy of the side's database
run() {
    local side="$1" rep="$2" db="ccol_core_run_$SUFFIX" source pid rc=0
    source="$([[ $side == with ]] && echo "$BASE_WITH" || echo "$TEMPLATE")"
    drop "$db"
    createdb -T "$source" "$db"
    local logfile="$WORK/$side-$rep.log" load_before start end
    load_before="$(cut -d' ' -f1 /proc/loadavg)"
    start="$(date +%s.%N)"
    # the Odoo process' CPU time (user + system, from its rusage) is written
    # to $side-$rep.cpu: it weighs less with the machine's load than the
    # wall clock does (PostgreSQL's share is not in it)
    setsid timeout --kill-after=30 "${CORE_TIMEOUT:-5400}" python3 -c "$RUSAGE" \
        "$WORK/$side-$rep.cpu" "$PYTHON" "$ODOO_BIN" \
        -c "$CONF" -d "$db" --test-tags "$TAGS" --stop-after-init \
        --log-level=info >"$logfile" 2>&1 &
    pid=$!
    wait "$pid" || rc=$?
    kill -KILL -- "-$pid" 2>/dev/null || true
    end="$(date +%s.%N)"
    printf '%s %s %s %s %s %s\n' "$side" "$rep" "$start" "$end" "$load_before" \
        "$(cut -d' ' -f1 /proc/loadavg)" >>"$WORK/runs.txt"
    log "$side #$rep: exit $rc, $(python3 -c "print(round($end - $start))") s," \
        "load $load_before -> $(cut -d' ' -f1 /proc/loadavg)," \
        "$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$logfile" | tail -1)"
    drop "$db"
}

: >"$WORK/runs.txt"
log "Odoo's runner, tags $TAGS, $REPS runs per side, interleaved (logs: $WORK)"
for rep in $(seq 1 "$REPS"); do
    if ((rep % 2)); then
        run without "$rep"
        run with "$rep"
    else
        run with "$rep"
        run without "$rep"
    fi
done
drop "$BASE_WITH"
python3 "$ROOT/tools/test_core_table.py" "$WORK"
