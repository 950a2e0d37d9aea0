/* Copyright 2026 Credit & Collections contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0). */
import {registry} from "@web/core/registry";

// (h) A collector opens My Day, logs a call on a case never called with the
// outcome "promised" and records the promise in the same dialog.
registry.category("web_tour.tours").add("credit_collection_my_day_log_call", {
    steps: () => [
        {
            content: "My Day: the case never called has new overdue items",
            trigger: ".o_list_view .o_group_header:contains(New Overdue Items)",
        },
        {
            content: "The other collector's case is not on my day",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Someone Else Ltd)))",
        },
        {
            content: "Log Call",
            trigger: ".o_data_row:contains(Tour Debtor Ltd) button[name=action_log_call]",
            run: "click",
        },
        {
            content: "The outcome",
            trigger: ".modal div[name=outcome] input",
            run: "click",
        },
        {
            content: "The customer promised to pay",
            trigger: ".o_select_menu_menu .o_select_menu_item:contains(Promised to Pay)",
            run: "click",
        },
        {
            content: "How much",
            trigger: ".modal div[name=promise_amount] input",
            run: "edit 250",
        },
        {
            content: "What was said",
            trigger: ".modal div[name=note] textarea",
            run: "edit Will pay by transfer next week",
        },
        {
            trigger: ".modal button[name=action_log]",
            run: "click",
        },
        {
            content: "The dialog is closed, the case is called: back in the worklist",
            trigger:
                "body:not(:has(.modal)) .o_list_view .o_group_header:contains(Worklist)",
        },
        {
            content: "The case shows today's human contact",
            trigger:
                ".o_data_row:contains(Tour Debtor Ltd) td[name=last_contact_date]:not(:empty)",
        },
    ],
});
