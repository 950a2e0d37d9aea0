# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one definition of an *open receivable item*.

A journal item is a **receivable item** when it is posted, on a receivable
account and has a partner; it counts for the **customer** that is its
partner's commercial partner (an item on a contact of a company, such as a
bank payment matched to a person, counts for the company: ``CUSTOMER``); it
is **open** when, besides, it is not reconciled
and its invoice is not paid or being paid (a payment registered without journal
entry leaves the receivable line open while the invoice shows *In payment* or
*Paid*: such an invoice is never chased and never counted).

Each condition is written once below, as an ORM leaf and as its SQL twin
(aliases ``line``, ``account``, ``move``), side by side, so that the ORM
readers (holds, cases, promises, hints), the SQL readers (exposure, cases,
report, KPIs, calibration) and the ledger's triggers and rebuild count the same
items (``tests/test_exposure_ledger.py`` compares the ORM and SQL answers).
This module imports from no model file.
"""

from odoo.fields import Domain
from odoo.tools import SQL

# an invoice in one of these payment states is paid or being paid
PAID_STATES = ("in_payment", "paid")


def move_is_open(payment_state):
    """SQL: the invoice whose payment state is the SQL expression
    ``payment_state`` leaves its items open (the ledger's move trigger reads
    the OLD and NEW rows, not ``move``)."""
    states = ", ".join(f"'{state}'" for state in PAID_STATES)
    return f"({payment_state} IS NULL OR {payment_state} NOT IN ({states}))"


# (table alias, ORM leaf on account.move.line, SQL twin)
RECEIVABLE_ITEM = (
    ("line", ("parent_state", "=", "posted"), "line.parent_state = 'posted'"),
    (
        "account",
        ("account_id.account_type", "=", "asset_receivable"),
        "account.account_type = 'asset_receivable'",
    ),
    ("line", ("partner_id", "!=", False), "line.partner_id IS NOT NULL"),
)
OPEN = (
    ("line", ("reconciled", "=", False), "line.reconciled IS NOT TRUE"),
    (
        "move",
        ("move_id.payment_state", "not in", PAID_STATES),
        move_is_open("move.payment_state"),
    ),
)
OPEN_ITEM = RECEIVABLE_ITEM + OPEN

# SQL: the customer an item counts for, the commercial partner of its partner
# (alias ``item_partner``, joined by ``open_items_sql``); the ORM twin is the
# path ``partner_id.commercial_partner_id``
CUSTOMER = "item_partner.commercial_partner_id"

# SQL: the disputed part of an open item. A dispute belongs to its invoice:
# its amount, capped at what the invoice owes on its open items, spread over
# them in proportion to their residuals (over the open items of the query:
# all of the invoice's, which share their customer). The ledger's twin is
# ``credit_exposure_entry.DISPUTE_SHARES``, the ORM's ``dispute_shares``.
DISPUTE_SHARE = """CASE WHEN line.amount_residual > 0
                        AND move.credit_dispute_amount > 0
                   THEN LEAST(move.credit_dispute_amount,
                              SUM(GREATEST(line.amount_residual, 0))
                                  OVER (PARTITION BY line.move_id))
                        * line.amount_residual
                        / SUM(GREATEST(line.amount_residual, 0))
                              OVER (PARTITION BY line.move_id)
                   ELSE 0 END"""


def dispute_shares(moves):
    """{line: disputed part} of the open receivable items (positive residual)
    of the invoices ``moves``: the twin of ``DISPUTE_SHARE`` in Python."""
    shares = {}
    for move in moves.filtered(lambda m: m.credit_dispute_amount > 0):
        if move.payment_state in PAID_STATES:
            continue
        lines = move.line_ids.filtered(
            lambda line: line.parent_state == "posted"
            and line.account_id.account_type == "asset_receivable"
            and line.partner_id
            and not line.reconciled
            and line.amount_residual > 0
        )
        owed = sum(lines.mapped("amount_residual"))
        if owed:
            disputed = min(move.credit_dispute_amount, owed)
            for line in lines:
                shares[line] = disputed * line.amount_residual / owed
    return shares


# what decides whether an item is open, and what it counts for
ITEM_FIELDS = {
    "account.move.line": [
        "partner_id",
        "account_id",
        "amount_residual",
        "reconciled",
        "parent_state",
        "date_maturity",
        "date",
        "company_id",
        "move_id",
    ],
    "account.move": ["payment_state", "credit_dispute_amount"],
    "account.account": ["account_type"],
    "res.partner": ["commercial_partner_id"],
}


def item_domain(company=None, partners=None, open_only=True):
    """ORM domain on ``account.move.line`` of the (open) receivable items, of
    ``company`` (a record or recordset) and ``partners`` (commercial partners,
    ids or records: their contacts' items included) when given."""
    leaves = [
        leaf for _alias, leaf, _sql in (OPEN_ITEM if open_only else RECEIVABLE_ITEM)
    ]
    domain = Domain.AND([Domain(*leaf) for leaf in leaves])
    if company is not None:
        domain &= Domain("company_id", "in", company.ids)
    if partners is not None:
        ids = partners if isinstance(partners, list | tuple) else partners.ids
        domain &= Domain("partner_id.commercial_partner_id", "in", list(ids))
    return domain


def item_condition_text(aliases=("line", "account", "move"), open_only=True):
    """The SQL twin of ``item_domain()`` as plain text, the conditions on the
    tables ``aliases`` only, joined by AND (for the ledger's PL/pgSQL, whose
    triggers read some of the tables from their rows)."""
    rules = OPEN_ITEM if open_only else RECEIVABLE_ITEM
    return "\n       AND ".join(sql for alias, _leaf, sql in rules if alias in aliases)


def flush_open_items(env):
    """Flush what decides the open receivable items (and so the exposure
    ledger's triggers) before reading them in SQL."""
    for model, names in ITEM_FIELDS.items():
        env[model].flush_model(names)


def company_condition(company, alias="line"):
    """SQL: the rows of ``company`` (a record or recordset; None: all)."""
    if company is None:
        return SQL("TRUE")
    column = SQL.identifier(alias, "company_id")
    if len(company) == 1:
        return SQL("%s = %s", column, company.id)
    return SQL("%s = ANY(%s)", column, company.ids)


def open_items_sql(env, company, partner_ids=None, open_only=True):
    """``FROM … WHERE …`` of the open receivable items of ``company`` (a
    record or recordset, None for all companies; of ``partner_ids`` only, when
    given, commercial partners: their contacts' items included): the SQL
    twin of ``item_domain``. Aliases: ``line``, ``account``, ``move``,
    ``item_partner`` (the item's partner; its customer is ``CUSTOMER``).
    Flushes what it reads."""
    flush_open_items(env)
    conditions = [
        sql for _alias, _leaf, sql in (OPEN_ITEM if open_only else RECEIVABLE_ITEM)
    ]
    if partner_ids is not None:
        # Written so that Odoo's partial index on unreconciled items (account,
        # partner) does not match: for some customers PostgreSQL otherwise
        # ANDs its bitmap (every open item of the book) with the partner
        # index's, a scan that costs more than the customers' own items (see
        # docs/benchmarks.md).
        conditions = [
            "NOT COALESCE(line.reconciled, FALSE)" if sql == OPEN[0][2] else sql
            for sql in conditions
        ]
        partner_filter = SQL(
            "AND item_partner.commercial_partner_id = ANY(%s)", list(partner_ids)
        )
    else:
        partner_filter = SQL()
    return SQL(
        """
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
              JOIN account_move move ON move.id = line.move_id
              JOIN res_partner item_partner ON item_partner.id = line.partner_id
             WHERE %s
               AND %s
               %s
        """,
        company_condition(company),
        SQL(" AND ".join(conditions)),
        partner_filter,
    )
