# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.3.0 (issue #18): collectability curves get a mode, steps by default.
The existing curves were read linearly: they keep that (the column is made
here, before the new default fills it); the shipped curves never calibrated
become the seed's steps in the post-migration."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE credit_collectability_curve ADD COLUMN IF NOT EXISTS mode varchar"
    )
    cr.execute(
        "UPDATE credit_collectability_curve SET mode = 'linear' WHERE mode IS NULL"
    )
