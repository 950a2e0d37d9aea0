# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The aging buckets, one definition for the cases, the receivables analysis,
the case form and the statement of account."""

from odoo.tools import SQL

# (key, label, last day past due of the bucket; None: no end)
AGING_BUCKETS = [
    ("not_due", "Not due", 0),
    ("1_30", "1-30", 30),
    ("31_60", "31-60", 60),
    ("61_90", "61-90", 90),
    ("91_180", "91-180", 180),
    ("181_365", "181-365", 365),
    ("over_365", "Over 365", None),
]
AGING_SELECTION = [(key, label) for key, label, _last in AGING_BUCKETS]


def aging_bucket_key(days_past_due):
    """The key of the bucket of ``days_past_due`` (0 or less: not due)."""
    for key, _label, last in AGING_BUCKETS:
        if last is None or days_past_due <= last:
            return key


def aging_bucket_sql(days_past_due):
    """SQL CASE giving the aging bucket key of ``days_past_due``."""
    whens = SQL(" ").join(
        SQL("WHEN %s <= %s THEN %s", days_past_due, last, key)
        for key, _label, last in AGING_BUCKETS
        if last is not None
    )
    return SQL("CASE %s ELSE %s END", whens, AGING_BUCKETS[-1][0])


def aging_labels(env):
    """{key: label} in the environment's language (the selection's
    translations)."""
    return dict(
        env["credit.collection.report"]
        ._fields["aging_bucket"]
        ._description_selection(env)
    )
