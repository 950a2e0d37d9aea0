# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Install and upgrade the addon in a separate database, with a real Odoo
process, and require a log without any warning."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import odoo
from odoo.modules.module import get_manifest
from odoo.tests import BaseCase, tagged
from odoo.tools import config

ADDON = "account_credit_collection"
LOG_PROBLEM = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ", re.MULTILINE)


@tagged("post_install", "-at_install", "credit_collection_slow")
class TestInstall(BaseCase):
    """Runs odoo-bin; no transaction of the test database is used."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.odoo_bin = Path(odoo.release.__file__).resolve().parents[1] / "odoo-bin"
        cls.db = f"ccol_install_{uuid.uuid4().hex[:8]}"
        cls.template = os.environ.get("CREDIT_COLLECTION_TEMPLATE_DB")

    def _psql_cmd(self, *args):
        env = dict(os.environ)
        for key, opt in (
            ("PGHOST", "db_host"),
            ("PGPORT", "db_port"),
            ("PGUSER", "db_user"),
        ):
            if config.get(opt):
                env[key] = str(config[opt])
        if config.get("db_password"):
            env["PGPASSWORD"] = config["db_password"]
        return subprocess.run(args, env=env, check=True, capture_output=True, text=True)

    def _odoo(self, *args):
        cmd = [sys.executable, str(self.odoo_bin), "-d", self.db, "--stop-after-init"]
        if config.get("config"):
            cmd += ["-c", config["config"]]
        else:
            cmd += ["--addons-path", ",".join(config["addons_path"])]
        cmd += ["--log-level=info", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        log = proc.stdout + proc.stderr
        self.assertEqual(
            proc.returncode, 0, f"odoo-bin {' '.join(args)} failed:\n{log[-4000:]}"
        )
        return log

    def test_install_and_upgrade_log_is_clean(self):
        if self.template:
            self._psql_cmd("createdb", "-T", self.template, self.db)
        try:
            log = self._odoo("-i", ADDON)
            self.assertIn(f"Loading module {ADDON}", log)
            lines = [line for line in log.splitlines() if LOG_PROBLEM.match(line)]
            self.assertFalse(lines, "install logged:\n" + "\n".join(lines))
            log = self._odoo("-u", ADDON)
            lines = [line for line in log.splitlines() if LOG_PROBLEM.match(line)]
            self.assertFalse(lines, "upgrade logged:\n" + "\n".join(lines))
            state = self._psql_cmd(
                "psql",
                "-d",
                self.db,
                "-Atc",
                "select state, latest_version from ir_module_module"
                f" where name='{ADDON}'",
            ).stdout.strip()
            version = get_manifest(ADDON)["version"]
            self.assertEqual(state, f"installed|{version}")
        finally:
            odoo.sql_db.close_db(self.db)
            self._psql_cmd("dropdb", "--if-exists", self.db)
