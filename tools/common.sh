# shellcheck shell=bash
# Shared settings for the project's scripts (sourced, never run).
#
# Knobs (environment variables, all optional):
#   ODOO_SRC                 an Odoo 19.0 source tree to use as is
#   CREDIT_COLLECTION_CACHE  cache folder (default: ${XDG_CACHE_HOME:-~/.cache}/credit-collection)
#                            holds odoo-19.0/ (the Odoo source tree looked for when
#                            ODOO_SRC is unset) and the Python environments venv-<key>/
#   PGHOST PGPORT PGUSER PGPASSWORD   an existing PostgreSQL server to use; when PGHOST
#                            is unset the local Debian cluster is started (and installed)
#   ODOO_HTTP_PORT           port of the demo server (default 8069)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON=account_credit_collection
CACHE="${CREDIT_COLLECTION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/credit-collection}"
ODOO_SRC="${ODOO_SRC:-$CACHE/odoo-19.0}"
# Build folder inside the checkout (git-ignored): the addons path holding a link
# named like the addon, since the checkout folder may have any name.
BUILD="$ROOT/.build"
ADDONS_DIR="$BUILD/addons"
ODOO_HTTP_PORT="${ODOO_HTTP_PORT:-8069}"
ODOO_ARCHIVE_URL="${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz}"

log() { printf '\033[1;34m[%s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# The Python environment is keyed on everything that decides its content, so a
# changed requirement builds a new one and an unchanged one is reused as is.
venv_key() {
    {
        python3 --version 2>&1
        cat "$ODOO_SRC/requirements.txt" 2>/dev/null || true
        cat "$ROOT/tools/requirements-dev.txt"
        cat "$ROOT/tools/setup_python.sh"
    } | sha256sum | cut -c1-12
}

# Prepare the environment (PostgreSQL, Odoo source, venv) and export VENV,
# PYTHON, ODOO_BIN and ODOO_CONF for the caller.
prepare() {
    bash "$ROOT/tools/setup_pg.sh"
    VENV="$(bash "$ROOT/tools/setup_python.sh")"
    PYTHON="$VENV/bin/python"
    ODOO_BIN="$ODOO_SRC/odoo-bin"
    ODOO_CONF="$BUILD/odoo.conf"
    write_odoo_conf
    export VENV PYTHON ODOO_BIN ODOO_CONF
}

write_odoo_conf() {
    mkdir -p "$BUILD"
    {
        echo "[options]"
        echo "addons_path = $ODOO_SRC/addons,$ADDONS_DIR"
        echo "data_dir = $CACHE/data"
        echo "http_interface = 127.0.0.1"
        echo "http_port = $ODOO_HTTP_PORT"
        [[ -z "${PGHOST:-}" ]] || echo "db_host = $PGHOST"
        [[ -z "${PGPORT:-}" ]] || echo "db_port = $PGPORT"
        [[ -z "${PGUSER:-}" ]] || echo "db_user = $PGUSER"
        [[ -z "${PGPASSWORD:-}" ]] || echo "db_password = $PGPASSWORD"
        echo "list_db = True"
        echo "max_cron_threads = 1"
    } >"$ODOO_CONF.tmp"
    mv "$ODOO_CONF.tmp" "$ODOO_CONF"
}

odoo() { "$PYTHON" "$ODOO_BIN" -c "$ODOO_CONF" "$@"; }

db_exists() { [[ "$(psql -d postgres -Atc "select 1 from pg_database where datname='$1'")" == 1 ]]; }

# A database with Odoo's `account` and `sale_management` (no demo data),
# built once and copied with `createdb -T` afterwards. Keyed on the Python
# environment and Odoo's source so that a change rebuilds it. Prints its name.
BASE_MODULES="account,sale_management"
template_db() {
    local key name
    key="$( { basename "$VENV"; cat "$ODOO_SRC/odoo/release.py"; echo "$BASE_MODULES";
              cat "$ODOO_SRC"/addons/{account,sale,sale_management,mail}/__manifest__.py; } \
            | sha256sum | cut -c1-10)"
    name="ccol_tpl_$key"
    if ! db_exists "$name"; then
        log "Building template database $name ($BASE_MODULES, about a minute, once)"
        local tmp="${name}_building"
        dropdb --if-exists "$tmp"
        odoo -d "$tmp" -i "$BASE_MODULES" --stop-after-init --log-level=warn \
            >"$BUILD/template.log" 2>&1 \
            || { tail -30 "$BUILD/template.log" >&2; die "building $name failed (see $BUILD/template.log)"; }
        psql -d postgres -qc "ALTER DATABASE \"$tmp\" RENAME TO \"$name\""
        # Templates of other keys are kept: another checkout may use them
        # (`make clean-cache` drops them).
    fi
    echo "$name"
}

# Fail when an Odoo log has a WARNING, ERROR or CRITICAL line.
check_log() {
    local logfile="$1" what="$2"
    if grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) " "$logfile" >&2; then
        die "$what logged the warnings/errors above (full log: $logfile)"
    fi
}

# OCA queue_job (with openupgradelib, which it requires to install), for the
# tests and the benchmark of the escalation spread over workers: installed from
# PyPI into a folder of its own, never into the project's venv, so that every
# other test and Odoo's runner from the wheel run without it. Exports
# QUEUE_JOB_DIR, QUEUE_CONF (the Odoo config with queue_job on the addons path)
# and QUEUE_PYTHONPATH (openupgradelib, for processes installing queue_job).
QUEUE_JOB_PIN="odoo-addon-queue-job==19.0.2.4.0.1"
OPENUPGRADELIB_PIN="openupgradelib==3.13.7"
ensure_queue_job() {
    local target="$CACHE/queue-job-${QUEUE_JOB_PIN##*==}" tmp
    if [[ ! -d "$target/python/openupgradelib" ]]; then
        log "Installing $QUEUE_JOB_PIN from PyPI into $target (not the project's venv)"
        tmp="$(mktemp -d "$CACHE/.queue-job.XXXXXX")"
        local pip=("$VENV/bin/pip" install -q --disable-pip-version-check --no-deps)
        "${pip[@]}" --target "$tmp" "$QUEUE_JOB_PIN"
        "${pip[@]}" --target "$tmp/python" "$OPENUPGRADELIB_PIN"
        rm -rf "$target"
        mv "$tmp" "$target"
    fi
    QUEUE_JOB_DIR="$target"
    QUEUE_PYTHONPATH="$target/python"
    QUEUE_CONF="$BUILD/queue-odoo.conf"
    sed "s|^addons_path = .*|&,$target/odoo/addons|" "$ODOO_CONF" >"$QUEUE_CONF"
    export QUEUE_JOB_DIR QUEUE_PYTHONPATH QUEUE_CONF
}
