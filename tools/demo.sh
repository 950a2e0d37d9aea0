#!/usr/bin/env bash
# `make demo`: database credit_demo with the addon and a generated receivables
# book, then Odoo served on http://127.0.0.1:$ODOO_HTTP_PORT (login admin/admin).
# Knobs: DEMO_DB (credit_demo), DEMO_CUSTOMERS (150), DEMO_INVOICES (1500),
# DEMO_SEED (42), DEMO_RESET=1 rebuilds the database, DEMO_NO_SERVE=1 stops
# after building it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DB="${DEMO_DB:-credit_demo}"
CUSTOMERS="${DEMO_CUSTOMERS:-150}"
INVOICES="${DEMO_INVOICES:-1500}"
SEED="${DEMO_SEED:-42}"
prepare

book_ready() {
    db_exists "$DB" && [[ "$(psql -d "$DB" -Atc \
        "select value from ir_config_parameter where key='account_credit_collection.demo_book'" \
        2>/dev/null)" == "$CUSTOMERS/$INVOICES/$SEED" ]]
}

if [[ "${DEMO_RESET:-0}" == 1 ]] || ! book_ready; then
    TEMPLATE="$(template_db)"
    log "Building $DB: $ADDON + a book of $CUSTOMERS customers / $INVOICES invoices (seed $SEED)"
    dropdb --if-exists "$DB"
    createdb -T "$TEMPLATE" "$DB"
    odoo -d "$DB" -i "$ADDON" --stop-after-init --log-level=warn >"$BUILD/demo-install.log" 2>&1 \
        || { tail -40 "$BUILD/demo-install.log" >&2; die "installing $ADDON failed"; }
    "$PYTHON" "$ROOT/tools/generate_book.py" -c "$ODOO_CONF" -d "$DB" \
        --customers "$CUSTOMERS" --invoices "$INVOICES" --seed "$SEED" \
        | tail -1
    log "First escalation run (reminders, statements, activities, fees, holds)"
    "$PYTHON" "$ODOO_BIN" shell -c "$ODOO_CONF" -d "$DB" --log-level=warn \
        >"$BUILD/demo-escalation.log" 2>&1 <<'PY' \
        || { tail -40 "$BUILD/demo-escalation.log" >&2; die "the escalation run failed"; }
# two collectors share the cases; customers without a salesperson get one
Users = env["res.users"].with_context(no_reset_password=True)
collector_group = env.ref("account_credit_collection.group_user")
collectors = env["res.users"]
for login, name in (("alice", "Alice Collector"), ("bob", "Bob Collector")):
    user = Users.search([("login", "=", login)]) or Users.create(
        {"login": login, "password": login, "name": name,
         "email": f"{login}@example.com",
         "group_ids": [(4, env.ref("account.group_account_invoice").id),
                       (4, collector_group.id)]})
    collectors |= user
salespeople = env["res.users"].search([("share", "=", False)], limit=3)
Case = env["credit.collection.case"]
Case._cron_update_cases()
for index, case in enumerate(Case.search([("user_id", "=", False)], order="id")):
    case.user_id = collectors[index % 2]
    if not case.partner_id.user_id:
        case.partner_id.user_id = salespeople[index % len(salespeople)]
env.cr.commit()
summary = Case._run_escalation(commit=True)
print("escalation:", summary)
PY
    grep "^escalation:" "$BUILD/demo-escalation.log" || true
    psql -d "$DB" -qc "insert into ir_config_parameter (key, value, create_uid, write_uid,
        create_date, write_date) values ('account_credit_collection.demo_book',
        '$CUSTOMERS/$INVOICES/$SEED', 1, 1, now(), now())
        on conflict (key) do update set value = excluded.value"
else
    log "Reusing $DB (DEMO_RESET=1 rebuilds it)"
    # bring the addon's code up to date in the existing database
    odoo -d "$DB" -u "$ADDON" --stop-after-init --log-level=warn >"$BUILD/demo-update.log" 2>&1 \
        || { tail -40 "$BUILD/demo-update.log" >&2; die "updating $ADDON failed"; }
fi

if [[ "${DEMO_NO_SERVE:-0}" == 1 ]]; then
    log "$DB is ready"
    exit 0
fi
cat >&2 <<MSG

  Credit & Collections demo
  URL:   http://127.0.0.1:$ODOO_HTTP_PORT/odoo/credit-collection-overdue
  Login: admin   Password: admin   (database $DB)
  Stop:  Ctrl+C

MSG
exec "$PYTHON" "$ODOO_BIN" -c "$ODOO_CONF" -d "$DB" --db-filter="^$DB\$" --log-level=info
