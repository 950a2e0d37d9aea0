# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.2.0 (one daily pipeline): the daily case update becomes the daily
run (ledger, cases, escalation: the figures computed once), and the
escalation job only executes the planned actions. Their scheduled actions are
``noupdate`` data: their code and name are set here."""

from odoo import SUPERUSER_ID, api

CRONS = {
    "ir_cron_update_collection_cases": (
        "model._cron_daily_run()",
        "Credit & Collections: daily run (cases and escalation)",
    ),
    "ir_cron_escalate": (
        "model._cron_escalate()",
        "Credit & Collections: execute the planned escalation actions",
    ),
}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, (code, name) in CRONS.items():
        cron = env.ref(f"account_credit_collection.{xmlid}", raise_if_not_found=False)
        if cron:
            cron.write({"code": code, "name": name})
