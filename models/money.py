# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Amounts formatted for people, many at a time."""

import ast

from odoo.tools import get_lang

from odoo.addons.base.models.res_lang import intersperse


def money_formatter(env, currency):
    """``format_amount`` for many amounts of one currency: the language and the
    currency are looked up once, not per amount (a batch evaluation formats
    tens of thousands of amounts). Same output as ``format_amount``."""
    lang = get_lang(env)  # res.lang's cached data
    grouping = ast.literal_eval(lang.grouping)
    thousands_sep = lang.thousands_sep or ""
    fmt = f"%.{currency.decimal_places}f"
    symbol = currency.symbol or ""
    before = currency.position == "before"

    def money(amount):
        # ResLang.format(fmt, amount, grouping=True), grouping parsed once
        parts = (fmt % currency.round(amount)).split(".")
        parts[0] = intersperse(parts[0], grouping, thousands_sep)[0]
        formatted = (
            lang.decimal_point.join(parts)
            .replace(" ", "\N{NO-BREAK SPACE}")
            .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
        )
        if before:
            return f"{symbol}\N{NO-BREAK SPACE}{formatted}"
        return f"{formatted}\N{NO-BREAK SPACE}{symbol}"

    return money
