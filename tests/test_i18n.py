# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Simplified Chinese: the translation file is complete and matches the
template, and with zh_CN loaded the addon's menus, field labels, selections,
stages, reports and emails show no English of the addon's own."""

from pathlib import Path

from babel.messages.pofile import read_po

from odoo.tests import TransactionCase, tagged

ADDON = "account_credit_collection"
I18N = Path(__file__).resolve().parent.parent / "i18n"
# labels that are the same in Chinese (technical names, abbreviations)
MAIL_PREFIXES = ("activity_", "message_", "has_message", "my_activity", "rating_")
SAME_IN_CHINESE = {"ID", "DSO", "CEI", "ADD", "1-30", "31-60", "61-90"}


def _entries(path):
    """{msgid: msgstr} of a PO/POT file (Babel, which Odoo depends on)."""
    with open(path, "rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


@tagged("post_install", "-at_install")
class TestChineseTranslation(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            [ADDON], ["zh_CN"], overwrite=True
        )
        cls.zh = cls.env(context=dict(cls.env.context, lang="zh_CN"))

    def test_po_file_is_complete_and_matches_the_template(self):
        pot = set(_entries(I18N / f"{ADDON}.pot"))
        po = _entries(I18N / "zh_CN.po")
        self.assertEqual(set(po), pot, "run `make i18n`")
        missing = sorted(msgid for msgid, msgstr in po.items() if not msgstr)
        self.assertEqual(missing, [], f"{len(missing)} terms without a translation")

    def test_menus_fields_and_selections_in_chinese(self):
        menus = (
            self.env["ir.model.data"]
            .search([("module", "=", ADDON), ("model", "=", "ir.ui.menu")])
            .mapped("res_id")
        )
        english = self.env["ir.ui.menu"].browse(menus).mapped("name")
        chinese = self.zh["ir.ui.menu"].browse(menus).mapped("name")
        left = [e for e, z in zip(english, chinese, strict=True) if e == z]
        self.assertEqual(left, [])
        self.assertIn("催收", chinese)
        field_ids = (
            self.env["ir.model.data"]
            .search([("module", "=", ADDON), ("model", "=", "ir.model.fields")])
            .mapped("res_id")
        )
        # the addon's own fields (not the ones of modules it extends)
        own = (
            self.env["ir.model.fields"]
            .browse(field_ids)
            .filtered(
                lambda f: f.name not in ("id", "display_name")
                # (the chatter and activity fields are mail's, translated by mail)
                and not f.name.startswith(MAIL_PREFIXES)
                and (f.model.startswith("credit.") or f.name.startswith("credit_"))
            )
        )
        self.assertTrue(own)
        left = [
            f"{f.model}.{f.name}: {f.field_description}"
            for f in own
            if f.with_context(lang="zh_CN").field_description == f.field_description
            and f.field_description not in SAME_IN_CHINESE
        ]
        self.assertEqual(left, [], "field labels left in English")
        selections = self.env["ir.model.fields.selection"].search(
            [("field_id", "in", own.ids)]
        )
        left = [
            f"{s.field_id.model}.{s.field_id.name}: {s.name}"
            for s in selections
            if s.with_context(lang="zh_CN").name == s.name
            and s.name not in SAME_IN_CHINESE
        ]
        self.assertEqual(left, [], "selection labels left in English")

    def test_stages_board_and_statement_in_chinese(self):
        stages = self.zh["credit.collection.stage"].search([("company_id", "=", False)])
        self.assertIn("最后通知", stages.mapped("name"))
        self.assertNotIn("Final notice", stages.mapped("name"))
        partner = self.env["res.partner"].create(
            {"name": "Zhang Ltd", "is_company": True, "lang": "zh_CN"}
        )
        case = self.env["credit.collection.case"].create(
            {
                "partner_id": partner.id,
                "company_id": self.env.company.id,
                "stage_id": self.env.ref(f"{ADDON}.stage_reminder").id,
            }
        )
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            f"{ADDON}.action_report_credit_statement", case.ids
        )
        html = html.decode()
        self.assertIn("对账单", html)
        self.assertIn("付款方式", html)
        self.assertNotIn("Statement of account", html)
        self.assertNotIn("How to pay", html)
        kanban = self.zh["credit.collection.case"].get_views([(False, "kanban")])
        arch = kanban["views"]["kanban"]["arch"]
        self.assertNotIn(">pinned<", arch)
