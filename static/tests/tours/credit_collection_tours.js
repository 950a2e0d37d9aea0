/* Copyright 2026 Credit & Collections contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0). */
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");

// (a) A salesperson opens the quotation of a customer on hold, reads the
// reasons and what would release them, and requests a release.
tours.add("credit_collection_salesperson_request_release", {
    steps: () => [
        {
            content: "The quotation says it cannot be confirmed",
            trigger:
                ".o_form_view .alert-danger:contains(this order cannot be confirmed)",
        },
        {
            content: "The reason: the credit limit, with its figures",
            trigger: ".o_form_view .alert-danger:contains(Credit limit)",
        },
        {
            content: "What would release it",
            trigger: ".o_form_view .alert-danger:contains(pay)",
        },
        {
            content: "No Confirm button can pass: request a release",
            trigger: "button[name=action_credit_request_release]",
            run: "click",
        },
        {
            content: "The quotation shows the request",
            trigger:
                ".o_form_view .alert-danger:contains(A release was requested from the credit managers)",
        },
    ],
});

// (b) A credit manager overrides the hold from the quotation, with a reason.
tours.add("credit_collection_manager_override", {
    steps: () => [
        {
            trigger: ".o_form_view .alert-danger:contains(A release was requested)",
        },
        {
            content: "Override the credit hold",
            trigger: "button[name=action_credit_override]",
            run: "click",
        },
        {
            content: "The wizard recalls the reasons",
            trigger: ".modal:contains(Credit limit)",
        },
        {
            content: "A reason is required",
            trigger: ".modal div[name=reason] input, .modal div[name=reason] textarea",
            run: "edit Long-standing customer, payment announced by phone",
        },
        {
            trigger: ".modal button[name=action_override]",
            run: "click",
        },
        {
            content: "The banner is gone: the order may be confirmed",
            trigger:
                ".o_form_view:not(:has(.alert-danger:contains(this order cannot be confirmed)))",
        },
        {
            content: "Nothing left unsaved",
            trigger: ".o_form_view .o_form_status_indicator_buttons.invisible:not(:visible)",
        },
    ],
});

// (b) ... then the salesperson confirms the order.
tours.add("credit_collection_salesperson_confirm", {
    steps: () => [
        {
            content: "No hold banner any more",
            trigger:
                ".o_form_view:not(:has(.alert-danger:contains(this order cannot be confirmed)))",
        },
        {
            content: "Confirm",
            trigger: "button[name=action_confirm]:not(.o_invisible_modifier)",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
    ],
});

// (c) A collector opens the collections board, filters their cases, opens a
// case, logs a call and records a promise to pay.
tours.add("credit_collection_collector_case", {
    steps: () => [
        {
            content: "The board shows the stages",
            trigger: ".o_kanban_group .o_column_title:contains(Reminder)",
        },
        {
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "My Cases",
            trigger: ".o_filter_menu .o-dropdown-item:contains(My Cases)",
            run: "click",
        },
        {
            content: "Only my case is left",
            trigger:
                ".o_kanban_renderer:not(:has(.o_kanban_record:contains(Someone Else Ltd)))",
        },
        {
            trigger: ".o_kanban_record:contains(Tour Debtor Ltd)",
            run: "click",
        },
        {
            content: "The case shows its open items by age",
            trigger: ".o_form_view div[name=open_items_html]:contains(Days overdue)",
        },
        {
            trigger: ".o-mail-Chatter-topbar button.o-mail-Chatter-logNote",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit Called the customer: payment promised for next week",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The call is in the chatter",
            trigger: ".o-mail-Message:contains(payment promised for next week)",
        },
        {
            trigger: "a.nav-link:contains(Promises to Pay)",
            run: "click",
        },
        {
            trigger: "div[name=promise_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: "div[name=promise_ids] .o_data_row div[name=amount] input",
            run: "edit 250",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The promise is open, on the overdue invoice",
            trigger: "div[name=promise_ids] .o_data_row:contains(Open):contains(INV/)",
        },
        {
            trigger: ".o_form_view .o_form_status_indicator_buttons.invisible:not(:visible)",
        },
    ],
});

// (c) A manager moves a case to another stage on the board, with a reason.
tours.add("credit_collection_manager_move_case", {
    steps: () => [
        {
            trigger: ".o_kanban_record:contains(Tour Debtor Ltd)",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains(Final notice)))",
        },
        {
            content: "The case is in Final notice, pinned",
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(Final notice)) .o_kanban_record:contains(Tour Debtor Ltd):contains(pinned)",
        },
        {
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(Final notice)) .o_kanban_record:contains(Tour Debtor Ltd)",
            run: "click",
        },
        {
            trigger: ".o_form_view div[name=pin_reason] input",
            run: "edit Promised twice already",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_status_indicator_buttons.invisible:not(:visible)",
        },
    ],
});

// (d) A manager runs the dry run and reads its result.
tours.add("credit_collection_manager_dry_run", {
    steps: () => [
        {
            content: "Simulate today's run",
            trigger: ".modal button[name=action_simulate]",
            run: "click",
        },
        {
            content: "The result counts the stage changes and reminders",
            trigger: ".modal div[name=email_count]",
        },
        {
            content: "and lists the customer with its stage change and actions",
            trigger:
                ".modal div[name=line_ids] .o_data_row:contains(Soon Late Ltd):contains(Send a reminder email)",
        },
    ],
});

// (e) A salesperson asks for a new customer's credit: a credit application.
tours.add("credit_collection_salesperson_credit_application", {
    steps: () => [
        {
            content: "The customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Applicant",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Applicant Ltd)",
            run: "click",
        },
        {
            content: "The limit asked for",
            trigger: ".o_field_widget[name=requested_limit] input",
            run: "edit 10000",
        },
        {
            content: "Submit it to the credit team",
            trigger: "button[name=action_submit]",
            run: "click",
        },
        {
            content: "Submitted",
            trigger:
                ".o_statusbar_status button.o_arrow_button_current:contains(Submitted)",
        },
    ],
});

// (e) ... a credit manager recommends and approves it ...
tours.add("credit_collection_manager_approves_application", {
    steps: () => [
        {
            trigger: "a.nav-link:contains(Scorecard and recommendation)",
            run: "click",
        },
        {
            content: "The analyst's recommendation",
            trigger: ".o_field_widget[name=recommendation] input[data-value=approve]",
            run: "click",
        },
        {
            content: "The recommendation is chosen",
            trigger: ".o_field_widget[name=recommendation] input[data-value=approve]:checked",
        },
        {
            trigger: ".o_field_widget[name=recommendation_note] textarea",
            run: "edit Trade references good, two years of prompt payment",
        },
        {
            content: "Save the analysis",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_status_indicator_buttons.invisible:not(:visible)",
        },
        {
            content: "Approve",
            trigger: "button[name=action_approve]",
            run: "click",
        },
        {
            content: "Applied to the customer",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Applied)",
        },
    ],
});

// (e) ... and the salesperson confirms the order the new limit now covers.
tours.add("credit_collection_salesperson_confirms_after_application", {
    steps: () => [
        {
            content: "No hold banner",
            trigger:
                ".o_form_view:not(:has(.alert-danger:contains(this order cannot be confirmed)))",
        },
        {
            content: "Confirm",
            trigger: "button[name=action_confirm]:not(.o_invisible_modifier)",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
    ],
});

// (f) A collector assesses a customer in difficulty and proposes a payment
// arrangement...
tours.add("credit_collection_collector_assess_and_arrange", {
    steps: () => [
        {
            content: "Record what the customer said",
            trigger: "button[name=action_record_assessment]",
            run: "click",
        },
        {
            content: "Temporarily unable to pay",
            trigger: ".modal div[name=situation] input[data-value=unable]",
            run: "click",
        },
        {
            trigger: ".modal div[name=note] textarea",
            run: "edit Lost its main client, asks for three months",
        },
        {
            content: "The form says what follows",
            trigger: ".modal:contains(offer a payment arrangement)",
        },
        {
            trigger: ".modal-footer button:contains(Record)",
            run: "click",
        },
        {
            content: "The assessment is on the case",
            trigger: ".o-mail-Message:contains(Temporarily unable)",
        },
        {
            content: "The collector is asked to offer an arrangement",
            trigger: ".o-mail-Activity:contains(Offer a payment arrangement)",
        },
        {
            trigger: "button[name=action_propose_arrangement]",
            run: "click",
        },
        {
            content: "The overdue invoice is covered",
            trigger: ".o_form_view div[name=amount_covered]:contains(300.00)",
        },
        {
            trigger: "div[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: "div[name=line_ids] .o_data_row div[name=date] input",
            run: `edit ${luxon.DateTime.now().plus({days: 20}).toFormat("MM/dd/yyyy")}`,
        },
        {
            trigger: "div[name=line_ids] .o_data_row div[name=amount] input",
            run: "edit 300",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Submit it for approval",
            trigger: "button[name=action_submit]",
            run: "click",
        },
        {
            content: "Submitted",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Submitted)",
        },
    ],
});

// (f) ... and a credit manager approves it.
tours.add("credit_collection_manager_approve_arrangement", {
    steps: () => [
        {
            content: "The instalment to approve",
            trigger: "div[name=line_ids] .o_data_row:contains(300.00)",
        },
        {
            trigger: "button[name=action_approve]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Approved)",
        },
    ],
});

// (g) A credit manager writes off a case.
tours.add("credit_collection_manager_write_off", {
    steps: () => [
        {
            trigger: "button[name=action_writeoff]",
            run: "click",
        },
        {
            content: "The case's open item, for its open amount",
            trigger: ".modal div[name=line_ids] .o_data_row:contains(300.00)",
        },
        {
            trigger: ".modal div[name=reason] textarea",
            run: "edit Liquidation: the liquidator confirms no dividend",
        },
        {
            trigger: ".modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The write-off is posted",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Posted)",
        },
    ],
});
