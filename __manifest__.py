# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Credit & Collections",
    "summary": "Credit holds that really stop sales orders, aging-based "
    "collection stages and escalation, inside Odoo's accounting",
    "version": "19.0.1.0.0",
    "category": "Accounting",
    "website": "https://github.com/credit-collection/account_credit_collection",
    "author": "Credit & Collections contributors",
    "maintainers": [],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["account", "sale", "mail"],
    "data": [
        "security/account_credit_collection_groups.xml",
        "security/account_credit_collection_security.xml",
        "security/ir.model.access.csv",
        "data/mail_activity_type_data.xml",
        "data/ir_cron.xml",
        "views/account_move_views.xml",
        "views/credit_collection_policy_views.xml",
        "views/credit_hold_views.xml",
        "wizards/credit_hold_override_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/account_credit_collection_menus.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
