# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestGroupsAndMenus(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_user = cls.env.ref("account_credit_collection.group_user")
        cls.group_manager = cls.env.ref("account_credit_collection.group_manager")
        cls.menu_root = cls.env.ref("account_credit_collection.menu_root")

    def test_groups_declared_with_privilege(self):
        privilege = self.env.ref(
            "account_credit_collection.res_groups_privilege_credit_collection"
        )
        self.assertEqual(self.group_user.privilege_id, privilege)
        self.assertEqual(self.group_manager.privilege_id, privilege)
        self.assertEqual(
            privilege.category_id, self.env.ref("base.module_category_accounting")
        )
        self.assertEqual(self.group_user.name, "Collections: User")
        self.assertEqual(self.group_manager.name, "Collections: Manager")

    def test_manager_implies_user(self):
        self.assertIn(self.group_user, self.group_manager.all_implied_ids)
        self.assertNotIn(self.group_manager, self.group_user.all_implied_ids)
        manager = new_test_user(
            self.env, "ccol_mgr", groups="account_credit_collection.group_manager"
        )
        self.assertTrue(manager.has_group("account_credit_collection.group_user"))

    def test_accounting_roles_get_collections_groups(self):
        billing = new_test_user(
            self.env, "ccol_billing", groups="account.group_account_invoice"
        )
        self.assertTrue(billing.has_group("account_credit_collection.group_user"))
        self.assertFalse(billing.has_group("account_credit_collection.group_manager"))
        admin = new_test_user(
            self.env, "ccol_acc_admin", groups="account.group_account_manager"
        )
        self.assertTrue(admin.has_group("account_credit_collection.group_manager"))
        salesman = new_test_user(
            self.env, "ccol_sales", groups="sales_team.group_sale_salesman"
        )
        self.assertFalse(salesman.has_group("account_credit_collection.group_user"))

    def test_collections_menu_in_invoicing(self):
        self.assertEqual(self.menu_root.parent_id, self.env.ref("account.menu_finance"))
        self.assertEqual(self.menu_root.group_ids, self.group_user)
        overdue = self.env.ref("account_credit_collection.account_move_menu_overdue")
        self.assertEqual(overdue.parent_id, self.menu_root)
        self.assertEqual(overdue.action.res_model, "account.move")

        def visible_to(user):
            menus = self.env["ir.ui.menu"].with_user(user)
            return self.menu_root.id in menus._visible_menu_ids()

        billing = new_test_user(
            self.env, "ccol_vis_billing", groups="account.group_account_invoice"
        )
        salesman = new_test_user(
            self.env, "ccol_vis_sales", groups="sales_team.group_sale_salesman"
        )
        self.assertTrue(visible_to(billing))
        self.assertFalse(visible_to(salesman))
