# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The escalation section with the rhythm on (issue #19): the shipped
repetition of the final notice (weekly, three times) is switched on when a
book built before it lacks it, and a second run a week later — the day the
first repetitions fall due — is timed and its repeated actions and reminders
of new overdue invoices counted. Called by ``bench.py`` (``child_escalation``)
inside its transaction, rolled back there."""

import time
from datetime import timedelta

from odoo import fields

WEEK = 7


def enable_repetition(env):
    """The shipped repetition of the final notice: on (a book built before
    19.0.1.3.0 does not have it). Returns the repeating rules' names."""
    rule = env.ref(
        "account_credit_collection.rule_final_notice_email", raise_if_not_found=False
    )
    if rule and not rule.repeat:
        rule.write({"repeat": True, "repeat_interval_days": WEEK, "repeat_max": 3})
    rules = env["credit.collection.rule"].search([("repeat", "=", True)])
    return [
        f"{rule.name}: every {rule.repeat_interval_days} days, "
        f"{rule.repeat_max} times at most"
        for rule in rules
    ]


def week_later(env, cases):
    """The run a week after the first one on ``cases``: seconds, actions
    planned and executed, repetitions and reminders of new overdue invoices
    planned and done."""
    Action = env["credit.collection.action"]
    before = Action.search([], order="id desc", limit=1).id or 0
    date = fields.Date.context_today(env.user) + timedelta(days=WEEK)
    start = time.perf_counter()
    summary = env["credit.collection.case"]._run_escalation(cases=cases, date=date)
    env.flush_all()
    elapsed = time.perf_counter() - start
    new = Action.search([("id", ">", before), ("case_id", "in", cases.ids)])
    repeated = new.filtered("repetition")
    fresh = new.filtered("new_items")
    return {
        "seconds": elapsed,
        "planned": summary["planned"],
        "executed": summary["processed"],
        "repeated": len(repeated),
        "repeated_done": len(repeated.filtered(lambda a: a.state == "done")),
        "new_items": len(fresh),
        "new_items_done": len(fresh.filtered(lambda a: a.state == "done")),
    }


def render(x):
    """The Markdown lines of the rhythm under the escalation section."""
    r = x.get("rhythm")
    if not r:
        return []
    rules = "; ".join(x.get("repeating_rules") or ["none"])
    return [
        f"Repetition on ({rules}). A week later, on the same cases (the day the "
        "final notices' first repetitions fall due):",
        "",
        "| figure | value |",
        "| --- | --: |",
        f"| seconds | {r['seconds']:.1f} |",
        f"| actions planned / executed | {r['planned']:,} / {r['executed']:,} |",
        f"| repetitions planned / done | {r['repeated']:,} / {r['repeated_done']:,} |",
        "| reminders of new overdue invoices planned / done "
        f"| {r['new_items']:,} / {r['new_items_done']:,} |",
        "",
    ]
