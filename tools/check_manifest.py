#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fail when the addon imports a Python library that is neither Odoo's (listed
in Odoo's requirements.txt) nor declared in the manifest's
``external_dependencies['python']``. An optional import (in a ``try`` whose
handler catches ``ImportError``, e.g. a test tool the tests skip without) is
not a requirement. Run by tools/check_manifest.sh.

Usage: check_manifest.py ADDON_DIR ODOO_REQUIREMENTS_TXT
"""

import ast
import re
import sys
from pathlib import Path

# import name -> distribution name, where they differ
DISTRIBUTIONS = {"dateutil": "python-dateutil", "yaml": "pyyaml", "PIL": "pillow"}
NOT_SHIPPED = {"tools", ".build", "dist", "build"}  # development tooling


def _norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _optional_imports(tree):
    """The import nodes of ``tree`` guarded by ``except ImportError``."""
    optional = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        caught = {
            name.id
            for handler in node.handlers
            for name in ast.walk(handler.type)
            if handler.type is not None and isinstance(name, ast.Name)
        }
        if caught & {"ImportError", "ModuleNotFoundError"}:
            for statement in node.body:
                optional.update(ast.walk(statement))
    return optional


def main(addon_dir, requirements):
    addon_dir = Path(addon_dir)
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text())
    declared = {
        _norm(n) for n in manifest.get("external_dependencies", {}).get("python", [])
    }
    odoo_reqs = {
        _norm(re.split(r"[\s;=<>!~\[]", line.strip(), maxsplit=1)[0])
        for line in Path(requirements).read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    problems = []
    for path in sorted(addon_dir.rglob("*.py")):
        rel = path.relative_to(addon_dir)
        if rel.parts[0] in NOT_SHIPPED:
            continue
        tree = ast.parse(path.read_text(), str(path))
        optional = _optional_imports(tree)
        for node in ast.walk(tree):
            if node in optional:
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "odoo" or top in sys.stdlib_module_names:
                    continue
                dist = _norm(DISTRIBUTIONS.get(top, top))
                if dist not in odoo_reqs and dist not in declared:
                    problems.append(f"{rel}:{node.lineno}: imports {top}")
    for problem in problems:
        print(  # pylint: disable=print-used
            f"{problem}: not one of Odoo's requirements, declare it in "
            "__manifest__.py external_dependencies['python']"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
