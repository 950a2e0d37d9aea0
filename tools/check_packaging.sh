#!/usr/bin/env bash
# The packaging checks, run by `make test` before the test suite (and alone by
# `make check-packaging`). Each one works in its own database, a copy of the
# template (ccol_pkg_*, dropped when it passes), and fails on any loss,
# leftover or logged error:
#
#   wheel      the wheel built by `make dist` goes into a fresh virtual
#              environment that sees Odoo but not the checkout; the addon is
#              installed from it and answers a smoke check (pkg_checks smoke);
#              its test package imports without the checkout's tools
#   upgrade    the previous release (the latest 19.0.* git tag before HEAD, else
#              the newest release in tools/releases older than the manifest:
#              tags do not travel with a clone, the file does) is installed
#              from `git archive`, given a small book and a full escalation run
#              (pkg_checks seed: actions, a fee, holds, a promise, a dispute, a
#              pin), upgraded to the work tree's code with `-u`: the addon's
#              data must be the same after (pkg_checks data / compare) and the
#              exposure ledger that of the open items (pkg_checks ledger).
#              Never skipped: no release to upgrade from is an error
#   uninstall  on that upgraded database (or, checked alone, a fresh install
#              with the same seed), after a daily run of the work tree's code,
#              uninstall the addon: Odoo's own records
#              must be unchanged and the schema must be the one before the
#              install
#
# Usage: bash tools/check_packaging.sh [wheel] [upgrade] [uninstall]  (all by default)
# UPGRADE_FROM=<git tag or commit> picks the previous version to upgrade from.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ -n "${VENV:-}" ]] || prepare
TEMPLATE="${TEMPLATE:-$(template_db)}"
WORK="$BUILD/pkg"
mkdir -p "$WORK"
# databases ccol_pkg_<check>_<checkout>: checkouts running at once do not clash
DB_SUFFIX="$(printf %s "$ROOT" | sha256sum | cut -c1-8)"
CHECKS="$ROOT/tools/pkg_checks.py"

# An Odoo configuration like the project's, with another addons path.
conf_with_addons_path() {
    local conf="$1" addons_path="$2"
    sed "s|^addons_path = .*|addons_path = $addons_path|" "$ODOO_CONF" >"$conf"
}

new_db() {
    drop_db "$1"
    createdb -T "$TEMPLATE" "$1"
}

drop_db() {
    PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$1"
    rm -rf "$CACHE/data/filestore/$1"
}

# run LOGFILE WHAT COMMAND...: run quietly, show the log's end on failure and
# fail on any WARNING/ERROR/CRITICAL line of an Odoo log.
run() {
    local logfile="$1" what="$2"
    shift 2
    "$@" >"$logfile" 2>&1 || { tail -40 "$logfile" >&2; die "$what failed (log: $logfile)"; }
    check_log "$logfile" "$what"
}

py() { "$PYTHON" "$@"; }

check_wheel() {
    local start=$SECONDS db="ccol_pkg_wheel_$DB_SUFFIX" wenv="$WORK/wheel-venv" wheel site odoo_site
    wheel="$(bash "$ROOT/tools/dist.sh")"
    log "wheel: $(basename "$wheel") into a fresh virtual environment"
    rm -rf "$wenv"
    python3 -m venv --without-pip "$wenv"
    site="$("$wenv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
    odoo_site="$(py -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
    # Odoo and its requirements come from the project's environment (with
    # their own .pth files, so Odoo's editable install too); the addon must
    # come from the wheel only.
    echo "import site; site.addsitedir('$odoo_site')" >"$site/ccol_odoo_env.pth"
    py -m pip --python "$wenv/bin/python" install -q --disable-pip-version-check \
        --no-index "$wheel" >"$WORK/wheel-pip.log" 2>&1 \
        || { cat "$WORK/wheel-pip.log" >&2; die "pip install of $wheel failed"; }
    local origin
    origin="$("$wenv/bin/python" -c "import importlib.util as u
print(u.find_spec('odoo.addons.$ADDON').origin)")"
    [[ "$origin" == "$site/odoo/addons/$ADDON/__init__.py" ]] \
        || die "odoo.addons.$ADDON resolves to $origin, not to the wheel's copy in $site"
    # no addons path to the checkout: Odoo's addons only (the wheel's folder
    # is on odoo.addons' namespace path by itself)
    conf_with_addons_path "$WORK/wheel.conf" "$ODOO_SRC/addons"
    new_db "$db"
    run "$WORK/wheel-install.log" "installing $ADDON from the wheel" \
        "$wenv/bin/python" "$ODOO_BIN" -c "$WORK/wheel.conf" -d "$db" -i "$ADDON" \
        --stop-after-init --log-level=info
    "$wenv/bin/python" "$CHECKS" smoke -c "$WORK/wheel.conf" -d "$db" \
        --expect-under "$site" 2>"$WORK/wheel-smoke.log" \
        || { tail -20 "$WORK/wheel-smoke.log" >&2; die "the wheel's smoke check failed"; }
    # Odoo's own test runner imports the installed addon's test package: it
    # must import without the checkout's development tools
    "$wenv/bin/python" -c "import odoo.addons.$ADDON.tests" 2>"$WORK/wheel-tests.log" \
        || { tail -20 "$WORK/wheel-tests.log" >&2; die "the wheel's test package does not import"; }
    drop_db "$db"
    log "wheel: OK ($((SECONDS - start)) s)"
}

# The commit of the newest release in tools/releases older than the manifest's
# version (tags do not travel with the repository); fails when there is none.
previous_release() {
    local current
    current="$(py -c "import ast; print(ast.literal_eval(open('$ROOT/__manifest__.py').read())['version'])")"
    py - "$ROOT/tools/releases" "$current" <<'PY'
import sys
current = tuple(int(p) for p in sys.argv[2].split("."))
found = []
for line in open(sys.argv[1]):
    if line.strip() and not line.startswith("#"):
        version, commit = line.split()
        if tuple(int(p) for p in version.split(".")) < current:
            found.append((tuple(int(p) for p in version.split(".")), commit))
if not found:
    sys.exit(1)
print(max(found)[1])
PY
}

UPGRADED_DB=""
check_upgrade() {
    local start=$SECONDS db="ccol_pkg_upgrade_$DB_SUFFIX" from
    if [[ -n "${UPGRADE_FROM:-}" ]]; then
        from="$UPGRADE_FROM"
    elif ! from="$(git -C "$ROOT" describe --tags --abbrev=0 --match '19.0.*' HEAD 2>/dev/null)" \
        && ! from="$(previous_release)"; then
        die "upgrade: no release older than the manifest's version in tools/releases" \
            "(nor a 19.0.* tag): record the last release there"
    fi
    if ! git -C "$ROOT" cat-file -e "$from^{commit}" 2>/dev/null; then
        die "upgrade: the release commit $from is not in this clone (a shallow clone?):" \
            "fetch the history (git fetch --unshallow) or set UPGRADE_FROM"
    fi
    log "upgrade: from $from ($(git -C "$ROOT" rev-parse --short "$from^{commit}")) to the work tree"
    local old="$WORK/upgrade-from"
    rm -rf "$old"
    mkdir -p "$old/$ADDON"
    git -C "$ROOT" archive --format=tar "$from" | tar -x -C "$old/$ADDON"
    [[ -f "$old/$ADDON/__manifest__.py" ]] || die "$from has no __manifest__.py at its root"
    conf_with_addons_path "$WORK/upgrade-from.conf" "$ODOO_SRC/addons,$old"
    new_db "$db"
    py "$CHECKS" schema -d "$db" -o "$WORK/schema-before-install.json"
    run "$WORK/upgrade-install.log" "installing $ADDON $from" \
        odoo_with "$WORK/upgrade-from.conf" -d "$db" -i "$ADDON" --stop-after-init --log-level=info
    py "$CHECKS" seed -c "$WORK/upgrade-from.conf" -d "$db" 2>"$WORK/upgrade-seed.log" \
        || { tail -30 "$WORK/upgrade-seed.log" >&2; die "seeding the $from database failed"; }
    py "$CHECKS" data -d "$db" -o "$WORK/data-before-upgrade.json"
    run "$WORK/upgrade.log" "upgrading $ADDON from $from" \
        odoo -d "$db" -u "$ADDON" --stop-after-init --log-level=info
    py "$CHECKS" data -d "$db" -o "$WORK/data-after-upgrade.json"
    # the scheduled actions are noupdate data: their migrations must have run
    local cron_code
    cron_code="$(psql -d "$db" -Atc "SELECT action.code FROM ir_cron cron
        JOIN ir_act_server action ON action.id = cron.ir_actions_server_id
        JOIN ir_model_data xmlid ON xmlid.model = 'ir.cron' AND xmlid.res_id = cron.id
        WHERE xmlid.module = '$ADDON' AND xmlid.name = 'ir_cron_update_collection_cases'")"
    [[ "$cron_code" == "model._cron_daily_run()" ]] \
        || die "after the upgrade from $from the daily scheduled action runs '$cron_code'"
    py "$CHECKS" compare "$WORK/data-before-upgrade.json" "$WORK/data-after-upgrade.json" \
        || die "the upgrade from $from changed the addon's data (above: key: row)"
    py "$CHECKS" ledger -d "$db" \
        || die "after the upgrade from $from the exposure ledger is not the open items' (above)"
    local version state
    version="$(py -c "import ast; print(ast.literal_eval(open('$ROOT/__manifest__.py').read())['version'])")"
    state="$(psql -d "$db" -Atc "select state || ' ' || latest_version from ir_module_module where name='$ADDON'")"
    [[ "$state" == "installed $version" ]] || die "after the upgrade $ADDON is '$state', not 'installed $version'"
    UPGRADED_DB="$db"
    log "upgrade: OK, $(py -c "import json; d=json.load(open('$WORK/data-after-upgrade.json')); print(sum(d['counts'].values()), 'rows in', len(d['counts']), 'tables and', sum(map(len, d['rows'].values())), 'compared row by row')") ($((SECONDS - start)) s)"
}

odoo_with() {
    local conf="$1"
    shift
    "$PYTHON" "$ODOO_BIN" -c "$conf" "$@"
}

check_uninstall() {
    local start=$SECONDS db
    if [[ -n "$UPGRADED_DB" ]]; then
        db="$UPGRADED_DB"
        log "uninstall: on the upgraded database $db"
    else
        db="ccol_pkg_uninstall_$DB_SUFFIX"
        log "uninstall: on a fresh install with a small book ($db)"
        new_db "$db"
        py "$CHECKS" schema -d "$db" -o "$WORK/schema-before-install.json"
        run "$WORK/uninstall-install.log" "installing $ADDON" \
            odoo -d "$db" -i "$ADDON" --stop-after-init --log-level=info
        py "$CHECKS" seed -c "$ODOO_CONF" -d "$db" 2>"$WORK/uninstall-seed.log" \
            || { tail -30 "$WORK/uninstall-seed.log" >&2; die "seeding $db failed"; }
    fi
    # the current version's daily run too (the ledger rebuilt, the cases
    # updated by this code): what it leaves must go as well
    py "$CHECKS" daily_run -c "$ODOO_CONF" -d "$db" 2>"$WORK/uninstall-daily-run.log" \
        || { tail -30 "$WORK/uninstall-daily-run.log" >&2; die "the daily run on $db failed"; }
    py "$CHECKS" core -d "$db" -o "$WORK/core-before-uninstall.json"
    run "$WORK/uninstall.log" "uninstalling $ADDON" \
        py "$CHECKS" uninstall -c "$ODOO_CONF" -d "$db"
    py "$CHECKS" core -d "$db" -o "$WORK/core-after-uninstall.json"
    py "$CHECKS" compare "$WORK/core-before-uninstall.json" "$WORK/core-after-uninstall.json" \
        || die "uninstalling $ADDON changed Odoo's own records (above)"
    py "$CHECKS" schema -d "$db" -o "$WORK/schema-after-uninstall.json"
    py "$CHECKS" compare "$WORK/schema-before-install.json" "$WORK/schema-after-uninstall.json" \
        || die "the schema after uninstalling $ADDON is not the one before its install (above)"
    local leftovers
    leftovers="$(psql -d "$db" -Atc "select count(*) from ir_model_data where module='$ADDON'")"
    [[ "$leftovers" == 0 ]] || die "$leftovers ir_model_data rows of $ADDON remain after its uninstall"
    drop_db "$db"
    log "uninstall: OK ($((SECONDS - start)) s)"
}

steps=("$@")
((${#steps[@]})) || steps=(wheel upgrade uninstall)
for step in "${steps[@]}"; do
    case "$step" in
        wheel | upgrade | uninstall) "check_$step" ;;
        *) die "unknown check $step (wheel, upgrade, uninstall)" ;;
    esac
done
