/* Copyright 2026 Credit & Collections contributors
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0). */
import {registry} from "@web/core/registry";

// A manager opens a customer with a tier suggestion and applies it.
registry.category("web_tour.tours").add("credit_collection_manager_apply_tier_suggestion", {
    steps: () => [
        {
            trigger: ".o_notebook a[name=credit_collection]",
            run: "click",
        },
        {
            content: "The suggestion and its reason",
            trigger:
                "div[name=credit_tier_suggestion]:contains(Tour Watch list):contains(Days beyond terms)",
        },
        {
            trigger: "button[name=action_credit_apply_tier_suggestion]",
            run: "click",
        },
        {
            content: "Applied: the suggestion is gone, the tier changed",
            trigger:
                ".o_form_view:not(:has(div[name=credit_tier_suggestion])) .o_field_widget[name=credit_policy_id]:contains(Tour Watch list), .o_form_view:not(:has(div[name=credit_tier_suggestion])) .o_field_widget[name=credit_policy_id] input:value(Tour Watch list)",
        },
        {
            content: "The change is in the chatter, with its reason",
            trigger: ".o-mail-Message:contains(as suggested):contains(Days beyond terms)",
        },
    ],
});
