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
set -e
if [[ $rc -eq 5 ]]; then
    die "pytest collected no test"
fi
# The same suite under Odoo's own runner, from the wheel, with the full suite
# only (about five minutes)
if (($# == 0)); then
    TEMPLATE="$TEMPLATE" bash "$ROOT/tools/test_odoo.sh" wheel || rc=1
fi
exit $rc
