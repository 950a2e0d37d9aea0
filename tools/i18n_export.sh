#!/usr/bin/env bash
# `make i18n`: export the addon's terms to i18n/account_credit_collection.pot
# (Odoo's own exporter, on a database with the addon installed) and merge
# them into every i18n/*.po (tools/i18n_merge.py).
# The exporter walks the module folder, so it runs on a clean copy of the
# tracked files (the checkout's .build/ links back to the checkout).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare
TEMPLATE="$(template_db)"
DB="${I18N_DB:-ccol_i18n}"
SRC="$BUILD/i18n-src"
rm -rf "$SRC" && mkdir -p "$SRC/$ADDON"
git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 cp --parents -t "$SRC/$ADDON")
dropdb --if-exists "$DB"
createdb -T "$TEMPLATE" "$DB"
# a configuration whose addons path has the clean copy instead of .build/addons
CONF="$BUILD/i18n.conf"
ADDONS_PATH="$SRC,$(grep '^addons_path' "$ODOO_CONF" | cut -d= -f2 | tr -d ' ' | tr ',' '\n' \
    | grep -v "^$ADDONS_DIR\$" | paste -sd,)"
sed "s|^addons_path.*|addons_path = $ADDONS_PATH|" "$ODOO_CONF" >"$CONF"
"$PYTHON" "$ODOO_BIN" -c "$CONF" -d "$DB" -i "$ADDON" \
    --stop-after-init --log-level=warn >"$BUILD/i18n-install.log" 2>&1 \
    || { tail -30 "$BUILD/i18n-install.log" >&2; die "installing $ADDON failed"; }
"$PYTHON" "$ODOO_BIN" i18n export -c "$CONF" -d "$DB" \
    -o "$ROOT/i18n/$ADDON.pot" "$ADDON" >"$BUILD/i18n-export.log" 2>&1 \
    || { tail -30 "$BUILD/i18n-export.log" >&2; die "export failed"; }
"$VENV/bin/python" "$ROOT/tools/i18n_merge.py" "$ROOT/i18n"
dropdb --if-exists "$DB"
log "i18n/$ADDON.pot exported, i18n/*.po merged"
