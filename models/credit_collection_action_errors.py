# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How an escalation action fails: the attempts limit, the two outcomes a
handler raises on purpose, and the error as the collector reads it. Plain
Python: imports no model file."""

import re

from odoo.exceptions import UserError

MAX_ATTEMPTS = 3

TRACEBACK = "Traceback (most recent call last)"
ERROR_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception)): (.+)$", re.M)


class DeliveryImpossible(UserError):
    """The action cannot succeed by retrying (no email address, bounce)."""


class NothingToDo(UserError):
    """The action has nobody to address: skipped, with the reason."""


def readable_error(exc):
    """The error of a failed action as the collector reads it: the message,
    without the traceback some errors embed (e.g. a mail template that fails
    to render), but with the exception it ends on."""
    message = str(exc.args[0] if exc.args else exc)
    head, found, tail = message.partition(TRACEBACK)
    if not found:
        return _with_cause(message, exc.__cause__)
    causes = [
        f"{name}: {text.strip()}"
        for name, text in ERROR_LINE.findall(tail)
        if "Error while rendering" not in text
    ]
    return "\n".join(filter(None, [head.strip(), causes[0] if causes else ""]))


def _with_cause(message, cause):
    """``message``, followed by the exception it was raised from unless the
    message already says it."""
    if cause is not None and str(cause) not in message:
        return f"{message}\n{type(cause).__name__}: {cause}"
    return message
