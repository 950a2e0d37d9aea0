#!/usr/bin/env bash
# The daily case update of this checkout against a baseline commit's, side by
# side on the same database (tools/bench/daily_run.py, each round rolled back),
# interleaved: baseline, current, baseline, current, ... Prints both medians and
# their ratio.
#
#   bash tools/bench/daily_run.sh DB [BASELINE_REV]
#
# BASELINE_REV defaults to the last commit before the models were restructured
# (issue 15); ROUNDS (default 3) processes of each, REPEAT (default 1) runs in
# each process; PIPELINE=1 times the whole daily run but the actions' execution
# (tools/bench/daily_run.py --pipeline). The addon must be installed in DB (at either version: the
# schema is the same).
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
prepare
DB="${1:?usage: daily_run.sh DB [BASELINE_REV]}"
BASELINE="${2:-25ae8fd}"
db_exists "$DB" || die "no database $DB"
OLD="$BUILD/daily-baseline"
rm -rf "$OLD" && mkdir -p "$OLD/$ADDON"
git -C "$ROOT" archive "$BASELINE" | tar -x -C "$OLD/$ADDON"
OLD_CONF="$BUILD/daily-baseline.conf"
sed "s|^addons_path = .*|addons_path = $ODOO_SRC/addons,$OLD|" "$ODOO_CONF" >"$OLD_CONF"
run() {
    "$PYTHON" "$ROOT/tools/bench/daily_run.py" -c "$1" -d "$DB" --repeat "${REPEAT:-1}" \
        ${PIPELINE:+--pipeline}
}
declare -a base cur
for round in $(seq 1 "${ROUNDS:-3}"); do
    b="$(run "$OLD_CONF")"
    c="$(run "$ODOO_CONF")"
    log "round $round: baseline $b; current $c"
    base+=("$b")
    cur+=("$c")
done
"$PYTHON" - "$BASELINE" "${#base[@]}" "${base[@]}" "${cur[@]}" <<'PY'
import json, statistics, sys
baseline, n = sys.argv[1], int(sys.argv[2])
base = [json.loads(x)["median_s"] for x in sys.argv[3:3 + n]]
cur = [json.loads(x)["median_s"] for x in sys.argv[3 + n:]]
cases = json.loads(sys.argv[3])["cases"]
b, c = statistics.median(base), statistics.median(cur)
what = "daily run (but execution)" if json.loads(sys.argv[3])["pipeline"] else "daily case update"
print(f"{what} on {cases:,} cases: baseline {baseline} {b:.2f} s, "
      f"current {c:.2f} s, current/baseline {c / b:.2f}x")
PY
