# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CreditCollectionCommon


@tagged("post_install", "-at_install")
class TestCaseAssignment(CreditCollectionCommon):
    """Assignment rules give new cases their collector; a manager rebalances
    in bulk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.use_credit_limit = False
        cls.Case = cls.env["credit.collection.case"]
        cls.Rule = cls.env["credit.collection.assignment.rule"]
        cls.Rule.search([]).unlink()
        groups = "account_credit_collection.group_user"
        cls.anna = new_test_user(cls.env, "ccol_anna", groups=groups)
        cls.bert = new_test_user(cls.env, "ccol_bert", groups=groups)
        cls.carl = new_test_user(cls.env, "ccol_carl", groups=groups)
        cls.belgium = cls.env.ref("base.be")
        cls.other_tier = cls.tier.copy({"name": "Key accounts"})

    def _rule(self, name, collectors, **vals):
        return self.Rule.create(
            dict(
                vals,
                name=name,
                company_id=self.company.id,
                collector_ids=[(6, 0, collectors.ids)],
            )
        )

    def _case_of(self, name, amount=100.0, tier=None, **partner_vals):
        partner = self._customer(name, tier=tier)
        if partner_vals:
            partner.write(partner_vals)
        self._invoice(partner, amount, overdue_days=3)
        self.env.flush_all()
        self.Case.sudo()._update_cases(self.company, partner)
        return self.Case.search([("partner_id", "=", partner.id)])

    def test_first_matching_rule_gives_the_collector(self):
        self._rule("Big", self.anna, sequence=1, amount_min=5000.0)
        self._rule("Belgium", self.bert, sequence=2, country_ids=[self.belgium.id])
        self._rule(
            "Key accounts", self.carl, sequence=3, policy_ids=[self.other_tier.id]
        )
        self._rule(
            "Salesperson", self.carl, sequence=4, salesperson_ids=[self.salesman.id]
        )
        big = self._case_of("Big BE", 9000.0, country_id=self.belgium.id)
        belgian = self._case_of("Small BE", 100.0, country_id=self.belgium.id)
        key = self._case_of("Key", 100.0, tier=self.other_tier)
        sold = self._case_of("Sold by", 100.0, user_id=self.salesman.id)
        nobody = self._case_of("Unmatched", 100.0)
        self.assertEqual(big.user_id, self.anna, "first rule by sequence wins")
        self.assertEqual(belgian.user_id, self.bert)
        self.assertEqual(key.user_id, self.carl)
        self.assertEqual(sold.user_id, self.carl)
        self.assertFalse(nobody.user_id, "no rule matches: no collector")

    def test_amount_band_upper_bound_is_exclusive(self):
        self._rule("Small", self.anna, sequence=1, amount_max=1000.0)
        self._rule("Rest", self.bert, sequence=2)
        self.assertEqual(self._case_of("Under", 999.0).user_id, self.anna)
        self.assertEqual(self._case_of("At", 1000.0).user_id, self.bert)

    def test_least_loaded_collector_of_the_rule(self):
        self._rule("Everyone", self.anna | self.bert)
        first = self._case_of("First")
        second = self._case_of("Second")
        third = self._case_of("Third")
        self.assertEqual(
            sorted(case.user_id.login for case in first | second | third),
            ["ccol_anna", "ccol_anna", "ccol_bert"],
        )
        self.assertNotEqual(first.user_id, second.user_id)

    def test_case_with_a_collector_keeps_it(self):
        self._rule("Everyone", self.anna)
        partner = self._customer("Chosen")
        self._invoice(partner, 100.0, overdue_days=3)
        case = self.Case.sudo().create(
            {
                "partner_id": partner.commercial_partner_id.id,
                "company_id": self.company.id,
                "user_id": self.bert.id,
            }
        )
        self.assertEqual(case.user_id, self.bert)

    def test_rules_of_another_company_do_not_apply(self):
        other = self.env["res.company"].create({"name": "Other Assign Co"})
        self.anna.company_ids |= other
        self.Rule.create(
            {
                "name": "Elsewhere",
                "company_id": other.id,
                "collector_ids": [(6, 0, self.anna.ids)],
            }
        )
        self.assertFalse(self._case_of("Here").user_id)

    def test_bad_rules_are_refused(self):
        cases = [
            ("must be above", dict(amount_min=500.0, amount_max=100.0)),
            ("cannot be negative", dict(amount_min=-1.0)),
        ]
        for message, vals in cases:
            with self.assertRaises(ValidationError) as caught:
                self._rule("Band", self.anna, **vals)
            self.assertIn(message, str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self._rule("Salesman", self.salesman)
        self.assertIn("Collections: User access", str(caught.exception))
        with self.assertRaises(ValidationError):
            self.Rule.create({"name": "Nobody", "company_id": self.company.id})
        self.assertFalse(self.Rule.search([]))

    def test_collectors_read_rules_managers_write(self):
        rule = self._rule("Everyone", self.anna)
        self.assertEqual(rule.with_user(self.collector).name, "Everyone")
        with self.assertRaises(AccessError):
            rule.with_user(self.collector).write({"name": "Mine"})
        rule.with_user(self.manager).write({"name": "Renamed"})
        self.assertEqual(rule.name, "Renamed")

    def _wizard(self, cases, user=None, **vals):
        Wizard = self.env["credit.collection.assign"].with_user(user or self.manager)
        return Wizard.with_context(
            active_model="credit.collection.case", active_ids=cases.ids
        ).create(vals)

    def test_manager_reapplies_the_rules_in_bulk(self):
        cases = self._case_of("One") | self._case_of("Two")
        self.assertFalse(cases.user_id)
        self._rule("Everyone", self.carl)
        wizard = self._wizard(cases, mode="rules")
        self.assertEqual(wizard.case_count, 2)
        result = wizard.action_assign()
        self.assertEqual(cases.user_id, self.carl)
        self.assertIn("2 of 2", result["params"]["message"])
        # a case no rule matches keeps its collector
        self.Rule.search([]).write({"country_ids": [(6, 0, self.belgium.ids)]})
        cases[0].sudo().user_id = self.anna
        self._wizard(cases, mode="rules").action_assign()
        self.assertEqual(cases.mapped("user_id"), self.anna | self.carl)

    def test_manager_spreads_cases_evenly(self):
        self._rule("Everyone", self.anna)
        cases = self.Case.browse()
        for name, amount in [("A", 900.0), ("B", 500.0), ("C", 300.0), ("D", 200.0)]:
            cases |= self._case_of(name, amount)
        self.assertEqual(cases.user_id, self.anna)
        self._wizard(
            cases, mode="spread", user_ids=[(6, 0, (self.bert | self.carl).ids)]
        ).action_assign()
        self.assertEqual(len(cases.filtered(lambda c: c.user_id == self.bert)), 2)
        self.assertEqual(len(cases.filtered(lambda c: c.user_id == self.carl)), 2)
        # by amount overdue: the biggest case alone, the three others together
        self._wizard(
            cases,
            mode="spread",
            balance_by="amount",
            user_ids=[(6, 0, (self.bert | self.carl).ids)],
        ).action_assign()
        by_user = {
            user: sorted(
                cases.filtered(lambda c, u=user: c.user_id == u).mapped(
                    "amount_overdue"
                )
            )
            for user in self.bert | self.carl
        }
        self.assertCountEqual(list(by_user.values()), [[900.0], [200.0, 300.0, 500.0]])

    def test_only_managers_assign_in_bulk(self):
        case = self._case_of("Guarded")
        with self.assertRaises(AccessError):
            self._wizard(case, user=self.collector, mode="rules")
        wizard = self._wizard(case, mode="spread")
        with self.assertRaises(UserError) as caught:
            wizard.action_assign()
        self.assertIn("Choose the collectors", str(caught.exception))
        wizard.user_ids = self.salesman
        with self.assertRaises(ValidationError) as caught:
            wizard.action_assign()
        self.assertIn("cannot work", str(caught.exception))
        self.assertFalse(case.user_id)
