#!/usr/bin/env bash
# `make test`: fresh test database from the cached template, install the addon
# (its log must be clean), run the packaging checks (tools/check_packaging.sh),
# then run the suite with pytest-odoo, then under Odoo's own runner from the
# installed wheel (tools/test_odoo.sh).
# Extra arguments go to pytest, e.g. `make test ARGS="-k generate_book"`, and
# run pytest only (no packaging checks, no Odoo runner).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare
TEMPLATE="$(template_db)"
DB="${TEST_DB:-credit_test}"
dropdb --if-exists "$DB"
createdb -T "$TEMPLATE" "$DB"
log "Installing $ADDON into $DB"
odoo -d "$DB" -i "$ADDON" --stop-after-init --log-level=info >"$BUILD/test-install.log" 2>&1 \
    || { tail -40 "$BUILD/test-install.log" >&2; die "installing $ADDON failed"; }
check_log "$BUILD/test-install.log" "installing $ADDON"
# The escalation spread over queue_job workers is tested in a copy of the test
# database where OCA queue_job is installed too (tests/test_queue_job.py; they
# skip in every database without it): with the full suite, or when asked for.
QUEUE_DB=""
if (($# == 0)) || [[ "$*" == *test_queue_job* ]]; then
    QUEUE_DB="${DB}_queue"
    ensure_queue_job
    dropdb --if-exists "$QUEUE_DB"
    createdb -T "$DB" "$QUEUE_DB"
    log "Installing queue_job into $QUEUE_DB"
    PYTHONPATH="$QUEUE_PYTHONPATH" "$PYTHON" "$ODOO_BIN" -c "$QUEUE_CONF" -d "$QUEUE_DB" \
        -i queue_job --stop-after-init --log-level=info >"$BUILD/test-queue-install.log" 2>&1 \
        || { tail -40 "$BUILD/test-queue-install.log" >&2; die "installing queue_job failed"; }
    check_log "$BUILD/test-queue-install.log" "installing queue_job"
fi
# The packaging checks (wheel, upgrade from the last release, uninstall; about
# a minute) with the full suite only: `make test ARGS=...` runs just pytest.
if (($# == 0)); then
    log "Packaging checks (tools/check_packaging.sh)"
    TEMPLATE="$TEMPLATE" bash "$ROOT/tools/check_packaging.sh"
fi
log "Running the tests"
export CREDIT_COLLECTION_TEMPLATE_DB="$TEMPLATE"
# pytest-odoo names the addon after the folder holding __manifest__.py: run it
# through the link named like the addon (the checkout may have any name).
# test paths given relative to the checkout are run through the link too
args=()
targets=()
for arg in "$@"; do
    if [[ "$arg" != -* && -e "$ROOT/${arg%%::*}" ]]; then
        targets+=("$ADDONS_DIR/$ADDON/$arg")
    else
        args+=("$arg")
    fi
done
((${#targets[@]})) || targets=("$ADDONS_DIR/$ADDON/tests")
set +e
# tools/ccol_pytest_summary.py: the adversarial suite's counts in the summary
PYTHONPATH="$ROOT/tools${PYTHONPATH:+:$PYTHONPATH}" \
    "$VENV/bin/pytest" -p no:cacheprovider -p ccol_pytest_summary --rootdir="$ADDONS_DIR/$ADDON" \
    -c "$ADDONS_DIR/$ADDON/pytest.ini" --odoo-config="$ODOO_CONF" --odoo-database="$DB" \
    --odoo-log-level=warn --odoo-http "${targets[@]}" ${args[@]+"${args[@]}"}
rc=$?
if [[ $rc -eq 5 ]]; then
    die "pytest collected no test"
fi
if [[ -n "$QUEUE_DB" ]]; then
    log "Running tests/test_queue_job.py in $QUEUE_DB (queue_job installed)"
    ODOO_QUEUE_JOB_CHANNELS=root:0 CREDIT_COLLECTION_QUEUE_TESTS=1 PYTHONPATH="$ROOT/tools:$QUEUE_PYTHONPATH${PYTHONPATH:+:$PYTHONPATH}" \
        "$VENV/bin/pytest" -p no:cacheprovider -p ccol_pytest_summary --rootdir="$ADDONS_DIR/$ADDON" \
        -c "$ADDONS_DIR/$ADDON/pytest.ini" --odoo-config="$QUEUE_CONF" --odoo-database="$QUEUE_DB" \
        --odoo-log-level=warn --odoo-http "$ADDONS_DIR/$ADDON/tests/test_queue_job.py" || rc=1
fi
set -e
# The same suite under Odoo's own runner, from the wheel, with the full suite
# only (about five minutes)
if (($# == 0)); then
    TEMPLATE="$TEMPLATE" bash "$ROOT/tools/test_odoo.sh" wheel || rc=1
fi
exit $rc
