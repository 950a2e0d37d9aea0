# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""pytest plugin (loaded by tools/test.sh with ``-p ccol_pytest_summary``):
prints the adversarial suite's counts per category at the end of the run.

Not a conftest.py in tests/: pytest imports the initial conftest before
pytest-odoo maps the addon to ``odoo.addons.*``, and importing the addon as a
top-level package fails. The tally lives in the test package
(tests/adversarial.py); this plugin only reads it once the tests ran."""

import sys

TALLY_MODULE = "odoo.addons.account_credit_collection.tests.adversarial"


def pytest_terminal_summary(terminalreporter):
    module = sys.modules.get(TALLY_MODULE)
    if module is None or not module.TALLY:
        return
    terminalreporter.section("adversarial suite")
    for line in module.summary_lines():
        terminalreporter.write_line(line)
