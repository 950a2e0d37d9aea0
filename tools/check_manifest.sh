#!/usr/bin/env bash
# Manifest hygiene, run by `make lint` (pre-commit hook "manifestoo", which puts
# manifestoo on PATH): with Odoo's addons as the dependency set,
#   - every dependency of the addon exists (manifestoo list-missing);
#   - the licences are compatible (check-licenses --transitive);
#   - no dependency is less mature than the addon (check-dev-status --transitive);
#   - every Python library the addon imports is Odoo's (in its requirements.txt)
#     or declared in the manifest's external_dependencies (check_manifest.py).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ -f "$ODOO_SRC/odoo/release.py" ]] || die "no Odoo source at $ODOO_SRC (make setup)"
# the addon as a folder named like it (the checkout may have any name)
mkdir -p "$ADDONS_DIR"
ln -sfn "$ROOT" "$ADDONS_DIR/$ADDON"
mfo=(manifestoo --select-addons-dir "$ADDONS_DIR" --no-addons-path-from-import-odoo
    --addons-path "$ODOO_SRC/addons,$ODOO_SRC/odoo/addons" --odoo-series 19.0)
missing="$("${mfo[@]}" list-missing)"
[[ -z "$missing" ]] || die "$ADDON depends on addons that do not exist: $missing"
"${mfo[@]}" check-licenses --transitive
"${mfo[@]}" check-dev-status --transitive
python "$ROOT/tools/check_manifest.py" "$ROOT" "$ODOO_SRC/requirements.txt"
