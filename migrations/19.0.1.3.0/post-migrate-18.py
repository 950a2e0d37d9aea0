# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.3.0 (figures keyed on the commercial partner, issue #18): the open
items of a contact count for its company. The exposure ledger is rebuilt on
the new key at every upgrade (``credit.exposure.entry.init``); here the
collection cases opened on a contact move to its company: the case becomes
the company's when the company has none in that company, otherwise it is
closed (its history stays). The figures of the customers concerned are
recomputed.

Collectability curves: the shipped curves never calibrated, still on their
former points, become the seed's table read as steps (the others keep their
points, read linearly as before: pre-migrate-18.py)."""

from odoo import SUPERUSER_ID, Command, api

from odoo.addons.account_credit_collection.models.credit_collectability_curve import (
    DEFAULT_MODE,
    DEFAULT_POINTS,
)

# the points the curves were shipped with before 19.0.1.3.0
FORMER_POINTS = {
    "credit_age": [(60, 1.0), (100, 0.8), (180, 0.5), (365, 0.1)],
    "days_past_due": [(0, 1.0), (90, 0.85), (180, 0.7), (365, 0.266), (730, 0.136)],
}


def _shipped_curves_to_steps(env):
    Curve = env["credit.collectability.curve"].with_context(
        active_test=False, tracking_disable=True
    )
    for curve in Curve.search(
        [("date_calibrated", "=", False), ("mode", "=", "linear")]
    ):
        if curve._points() != FORMER_POINTS[curve.basis]:
            continue
        shipped = {
            values["basis"]: values
            for values in Curve._default_curve_values(curve.company_id)
        }[curve.basis]
        curve.write(
            {
                "mode": DEFAULT_MODE,
                "description": shipped["description"],
                "point_ids": [Command.clear()]
                + [
                    Command.create({"age_days": age, "probability": p})
                    for age, p in DEFAULT_POINTS[curve.basis]
                ],
            }
        )


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    Case = env["credit.collection.case"].with_context(
        active_test=False, tracking_disable=True, mail_notrack=True
    )
    cr.execute(
        """
        SELECT ccase.id
          FROM credit_collection_case ccase
          JOIN res_partner partner ON partner.id = ccase.partner_id
         WHERE partner.commercial_partner_id IS DISTINCT FROM partner.id
      ORDER BY ccase.active DESC, ccase.id
        """
    )
    cases = Case.browse([case_id for (case_id,) in cr.fetchall()])
    touched = {}
    for case in cases:
        customer = case.partner_id.commercial_partner_id
        taken = Case.search_count(
            [("partner_id", "=", customer.id), ("company_id", "=", case.company_id.id)]
        )
        if taken:
            case.write({"active": False})
        else:
            case.write({"partner_id": customer.id})
        touched.setdefault(case.company_id, env["res.partner"])
        touched[case.company_id] |= customer
    for company, customers in touched.items():
        Case._update_cases(company, customers)
    _shipped_curves_to_steps(env)
