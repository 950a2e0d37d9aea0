# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Merge the exported template (``<addon>.pot``) into every ``*.po`` of the
folder: new terms are added untranslated, gone terms are dropped, the
translations of the others are kept (Babel, which Odoo depends on)."""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def merge(folder):
    folder = Path(folder)
    pot_path = next(folder.glob("*.pot"))
    with pot_path.open("rb") as handle:
        template = read_po(handle)
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.stem)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.msgid_bugs_address = ""
        catalog.last_translator = "Credit & Collections contributors"
        catalog.language_team = ""
        catalog.obsolete.clear()
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=78, omit_header=False)
        missing = sum(1 for message in catalog if message.id and not message.string)
        sys.stdout.write(
            f"{po_path.name}: {len(catalog) - 1} terms, {missing} untranslated\n"
        )


if __name__ == "__main__":
    merge(sys.argv[1])
