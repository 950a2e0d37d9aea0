# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tally of the adversarial suite (tests/test_adversarial_*.py): every attempt
is recorded here with its outcome, and tools/ccol_pytest_summary.py prints the
counts per category at the end of the pytest run, e.g.

    bypass attempts: 212 refused, 0 accepted
    concurrent confirmations: 6, 1 passed
"""

from collections import Counter, defaultdict

# category -> Counter(outcome -> count), in the order categories were first seen
TALLY = defaultdict(Counter)
# category -> [(label, outcome)] of the attempts that went the wrong way
FAILURES = defaultdict(list)

CATEGORIES = (
    "bypass attempts",
    "legitimate manager paths",
    "concurrent confirmations",
    "faults",
    "bad input",
    "integrity checks",
)


def record(category, outcome, label="", ok=True):
    """Count one attempt of ``category`` with ``outcome`` (e.g. "refused")."""
    TALLY[category][outcome] += 1
    if not ok:
        FAILURES[category].append((label, outcome))


def summary_lines():
    lines = []
    known = [c for c in CATEGORIES if c in TALLY] + [
        c for c in TALLY if c not in CATEGORIES
    ]
    for category in known:
        counts = TALLY[category]
        total = sum(counts.values())
        parts = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        lines.append(f"{category}: {total} ({parts})")
        for label, outcome in FAILURES.get(category, []):
            lines.append(f"    WRONG: {label}: {outcome}")
    return lines
