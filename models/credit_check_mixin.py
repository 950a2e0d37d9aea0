# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.exceptions import UserError

from .credit_rules import blocking


class CreditCheckMixin(models.AbstractModel):
    """May this document move on: a sale order be confirmed, an invoice be
    posted (a delivery later)? The same decision for every document:
    the rules' reasons → any? → paid in advance? → blocking? → a manager's
    override? → refused, with what would release it.

    A document provides the hooks (its amount, whether it is paid, the
    refusal's text, what to record under an override) and calls
    ``_credit_enforce`` from its own entry points."""

    _name = "credit.check.mixin"
    _description = "Credit Check of a Document"

    # ------------------------------------------------------------------ hooks
    def _credit_amount_company(self):
        """The document's amount in its company's currency."""
        raise NotImplementedError

    def _credit_is_prepaid(self):
        """Paid in advance: no rule stops it."""
        return False

    def _credit_usable_override(self, partner, **how):
        """The override that lets this document through, or an empty
        recordset."""
        return self.env["credit.hold"]._find_usable_override(
            partner, self.company_id, self._credit_amount_company()
        )

    def _credit_refusal_message(self, partner, reasons, coverage=None, **how):
        """The refusal's text, listing the blocking ``reasons`` (and what the
        money received covers, when ``coverage`` was computed)."""
        raise NotImplementedError

    def _credit_on_override(self, override, reasons, **how):
        """Record that ``override`` let this document through."""

    # --------------------------------------------------------------- decision
    def _credit_enforce(self, partner, reasons, with_hints=None, coverage=None, **how):
        """Decide on this document from the rules' ``reasons`` for its
        commercial ``partner``: "pass", "prepaid" or "override", or raise a
        UserError listing the blocking reasons — those of ``with_hints()``
        when given (the same figures, with what would release each reason).
        ``coverage()``, when given, is the document's ``Coverage`` by the
        customer's money received (money_received.py): covered in full, it
        is paid in advance. ``how`` is passed to the hooks (e.g. ``grown``
        for an order)."""
        self.ensure_one()
        if not reasons:
            return "pass"
        blocked = blocking(reasons)
        # paid in advance: read only when a rule fires (most checks fire none)
        if self._credit_is_prepaid():
            return "prepaid"
        if not blocked:
            return "pass"
        covered = coverage() if coverage is not None else None
        if covered is not None and covered.covers(self.company_id.currency_id):
            return "prepaid"
        override = self._credit_usable_override(partner, **how)
        if not override:
            if with_hints is not None:
                blocked = blocking(with_hints())
            raise UserError(
                self._credit_refusal_message(partner, blocked, coverage=covered, **how)
            )
        self._credit_on_override(override, blocked, **how)
        return "override"
