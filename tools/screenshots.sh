#!/usr/bin/env bash
# Screenshots of the running demo (`make demo` in another terminal) into
# static/description/screenshots/. Installs Chromium (Debian) and
# playwright-core (npm, into .build/) when missing.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DB="${DEMO_DB:-credit_demo}"
BASE="http://127.0.0.1:$ODOO_HTTP_PORT"
curl -fsS -o /dev/null "$BASE/web/login" || die "no Odoo at $BASE: run make demo first"
if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; then
    sudo=""
    [[ $EUID -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium poppler-utils \
        >/dev/null
fi
mkdir -p "$BUILD/node"
if [[ ! -d "$BUILD/node/node_modules/playwright-core" ]]; then
    (cd "$BUILD/node" && npm init -y >/dev/null && npm install -q playwright-core@1 >/dev/null)
fi
q() { psql -d "$DB" -Atc "$1"; }
held_order="$(q "select so.id from sale_order so join res_partner p on p.id = so.partner_invoice_id
    join credit_hold h on h.partner_id = p.commercial_partner_id and h.company_id = so.company_id
    and h.state = 'active' where so.state in ('draft', 'sent') order by so.id limit 1")"
held_partner="$(q "select partner_id from credit_hold where state = 'active' order by id limit 1")"
hold="$(q "select id from credit_hold where state = 'active' order by id limit 1")"
case="$(q "select id from credit_collection_case where active and worst_days_overdue > 30 order by amount_overdue desc limit 1")"
OUT="$ROOT/static/description/screenshots"
mkdir -p "$OUT"
NODE_PATH="$BUILD/node/node_modules" node "$ROOT/tools/screenshots/shoot.js" "$BASE" "$OUT" \
    "collections_kanban=/odoo/collections" \
    "collection_case=/odoo/collections/$case" \
    "quotation_on_hold=/odoo/action-sale.action_quotations_with_onboarding/$held_order" \
    "credit_holds=/odoo/credit-holds" \
    "credit_hold_form=/odoo/credit-holds/$hold" \
    "partner_credit=/odoo/action-account.res_partner_action_customer/$held_partner|Credit" \
    "escalation_outbox=/odoo/action-account_credit_collection.credit_collection_action_action" \
    "dry_run=/odoo/action-account_credit_collection.credit_collection_simulation_action!.modal div[name=date] button;;fill:.modal div[name=date] input::$(date -d '+20 days' +%m/%d/%Y);;.modal button[name=action_simulate]" \
    "statement=pdf:/report/pdf/account_credit_collection.report_credit_statement/$case" \
    "worklist=/odoo/collections-worklist" \
    "receivables_analysis=/odoo/receivables-analysis" \
    "collection_kpis=/odoo/collection-kpis"
