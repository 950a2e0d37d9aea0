# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Generate a realistic receivables book in an Odoo 19 database.

Customers with different payment behaviour (prompt, late, chronic, insolvent),
posted invoices spread over every aging bucket (not yet due to over a year
overdue), full and partial payments reconciled with their invoices, credit
notes (applied and unapplied), unapplied customer payments, a foreign-currency
customer, a second company and quotations / confirmed sale orders.

Everything goes through the ORM in batches (no per-record commit). The open
items are planned exactly: for each aging bucket of ``aging`` the number of open
invoices is ``round(open_share * invoices * share)`` (largest remainder), so a
test can compare what it finds with what was asked.

Part of the addon's test package (the tests need it wherever the addon is
installed, the wheel included): ``generate_book(env, BookParams(...))``
returns a summary dict. The command line, for the demo and the benchmarks, is
``tools/generate_book.py`` (development tooling, which loads this module)::

    tools/generate_book.py -c .build/odoo.conf -d credit_demo \\
        --customers 150 --invoices 1500 --seed 42
"""

import logging
import math
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

_logger = logging.getLogger("generate_book")

# (code, first day overdue, last day overdue); "not_due" = due today or later
BUCKETS = [
    ("not_due", -45, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("91_180", 91, 180),
    ("181_365", 181, 365),
    ("365_plus", 366, 700),
]
BUCKET_CODES = [b[0] for b in BUCKETS]
DEFAULT_AGING = {
    "not_due": 34,
    "1_30": 20,
    "31_60": 12,
    "61_90": 8,
    "91_180": 10,
    "181_365": 8,
    "365_plus": 8,
}

# weight: share of customers; open: buckets where they may leave invoices open;
# delay: (min, max) days between due date and payment of what they do pay;
# partial: share of their open overdue invoices that are partly paid.
BEHAVIOURS = {
    "prompt": {"weight": 45, "open": BUCKET_CODES[:2], "delay": (-8, 4), "partial": 0},
    "late": {"weight": 30, "open": BUCKET_CODES[:4], "delay": (8, 55), "partial": 0.1},
    "chronic": {
        "weight": 17,
        "open": BUCKET_CODES[:7],
        "delay": (40, 150),
        "partial": 0.35,
    },
    "insolvent": {
        "weight": 8,
        "open": BUCKET_CODES[3:],
        "delay": (90, 220),
        "partial": 0.15,
    },
}
BEHAVIOUR_LABELS = {
    "prompt": "Payer: prompt",
    "late": "Payer: late",
    "chronic": "Payer: chronic late",
    "insolvent": "Payer: insolvent",
}
TERMS = [  # xmlid, days, weight
    ("account.account_payment_term_immediate", 0, 5),
    ("account.account_payment_term_15days", 15, 20),
    ("account.account_payment_term_21days", 21, 10),
    ("account.account_payment_term_30days", 30, 50),
    ("account.account_payment_term_45days", 45, 15),
]
PRODUCTS = [  # name, type, price
    ("Consulting hour", "service", 120.0),
    ("Maintenance contract (month)", "service", 450.0),
    ("Hardware kit", "consu", 890.0),
    ("Spare parts set", "consu", 65.0),
    ("Training day", "service", 980.0),
]
_NAME_A = (
    "Alder Amber Apex Atlas Beacon Birch Blue Bright Cedar Civic Cobalt Coral "
    "Crest Delta Dune Eagle East Ember Fern Fjord Forge Granite Green Harbor "
    "Hazel Helix Iron Ivory Jade Juniper Keystone Lake Linden Lotus Maple Meridian "
    "Metro Mint North Nova Oak Ocean Onyx Orchid Pacific Pine Pioneer Polar Prime "
    "Quartz Rapid River Rock Royal Sage Sierra Silver Solar Spruce Star Stone "
    "Summit Swift Terra Tidal Union Valley Vector Vista West Willow Zenith"
).split()
_NAME_B = (
    "Logistics Foods Textiles Motors Pharma Retail Builders Media Energy Labs "
    "Timber Plastics Optics Farms Steel Print Software Hotels Dental Marine "
    "Packaging Electric Coffee Medical Tools Furniture Paper Glass Robotics Wines"
).split()
_NAME_C = "Ltd Inc GmbH SA SARL BV Co. LLC AG Oy SpA Pty".split()
_CITIES = [
    ("Brussels", "BE"),
    ("Lyon", "FR"),
    ("Hamburg", "DE"),
    ("Rotterdam", "NL"),
    ("Milan", "IT"),
    ("Austin", "US"),
    ("Chicago", "US"),
    ("Toronto", "CA"),
    ("Shanghai", "CN"),
    ("Shenzhen", "CN"),
    ("Manchester", "GB"),
    ("Porto", "PT"),
]
# context for bulk data: no mail, no tracking, no auto-subscription
BULK_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "no_reset_password": True,
}


@dataclass
class BookParams:
    customers: int = 150
    invoices: int = 1500
    seed: int = 42
    as_of: date | None = None  # default: today
    open_share: float = 0.35  # share of invoices still open at as_of
    aging: dict = field(default_factory=lambda: dict(DEFAULT_AGING))
    credit_note_share: float = 0.03
    foreign_currency: str = "EUR"
    foreign_customers: int = 1  # customers invoiced in foreign_currency
    orders: int | None = None  # quotations + sale orders (default customers // 2)
    second_company: bool = True
    second_company_name: str = "Credit Demo Europe"
    second_company_currency: str = "EUR"
    company_id: int | None = None  # default: env.company
    batch_size: int = 250
    name_prefix: str = ""

    def validate(self):
        errors = []
        if self.customers < len(BEHAVIOURS):
            errors.append(f"customers must be at least {len(BEHAVIOURS)}")
        if self.invoices < self.customers:
            errors.append("invoices must be at least the number of customers")
        if not 0 < self.open_share < 1:
            errors.append("open_share must be between 0 and 1 (exclusive)")
        if set(self.aging) - set(BUCKET_CODES):
            errors.append(
                f"unknown aging buckets {sorted(set(self.aging) - set(BUCKET_CODES))}"
                f"; known: {BUCKET_CODES}"
            )
        if any(v < 0 for v in self.aging.values()) or not sum(self.aging.values()):
            errors.append("aging shares must be >= 0 with a positive total")
        if self.foreign_customers >= self.customers:
            errors.append("foreign_customers must be below customers")
        if errors:
            raise ValueError("; ".join(errors))


def plan_bucket_counts(total_open, aging):
    """Largest-remainder split of ``total_open`` over the aging shares."""
    weight = sum(aging.get(code, 0) for code in BUCKET_CODES)
    raw = {code: total_open * aging.get(code, 0) / weight for code in BUCKET_CODES}
    counts = {code: math.floor(v) for code, v in raw.items()}
    rest = total_open - sum(counts.values())
    for code in sorted(BUCKET_CODES, key=lambda c: raw[c] - counts[c], reverse=True)[
        :rest
    ]:
        counts[code] += 1
    return counts


def bucket_of(days_overdue):
    for code, low, high in BUCKETS:
        if code == "not_due" and days_overdue <= 0:
            return code
        if low <= days_overdue <= high:
            return code
    return "365_plus"


class BookGenerator:
    def __init__(self, env, params):
        params.validate()
        self.params = params
        self.rng = random.Random(params.seed)
        self.as_of = params.as_of or date.today()
        self.env = env(context=dict(env.context, **BULK_CONTEXT))
        self.company = (
            self.env["res.company"].browse(params.company_id)
            if params.company_id
            else self.env.company
        )
        self.summary = {
            "as_of": self.as_of.isoformat(),
            "seed": params.seed,
            "companies": {},
            "customers": {},
        }
        self.timings = {}

    # ------------------------------------------------------------------ utils
    def _tick(self, label, start):
        self.timings[label] = self.timings.get(label, 0.0) + time.perf_counter() - start

    def _batches(self, items):
        size = self.params.batch_size
        for i in range(0, len(items), size):
            yield items[i : i + size]

    # ------------------------------------------------------------------ setup
    def _ensure_currency(self, code, company):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency:
            raise ValueError(f"currency {code} does not exist in this database")
        if not currency.active:
            currency.active = True
        if currency == company.currency_id:
            return currency
        # monthly rates over the whole book (company currency units per 1 unit
        # is 1/rate: Odoo stores units of `currency` per unit of company currency)
        base = 0.92 if company.currency_id.name == "USD" else 1.0 / 0.92
        if code == "USD" and company.currency_id.name == "EUR":
            base = 1.08
        existing = set(
            self.env["res.currency.rate"]
            .search(
                [("currency_id", "=", currency.id), ("company_id", "=", company.id)]
            )
            .mapped("name")
        )
        vals = []
        day = date(self.as_of.year - 3, 1, 1)
        i = 0
        while day <= self.as_of:
            if day not in existing:
                vals.append(
                    {
                        "name": day,
                        "rate": round(base * (1 + 0.04 * math.sin(i / 5.0)), 6),
                        "currency_id": currency.id,
                        "company_id": company.id,
                    }
                )
            i += 1
            day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        self.env["res.currency.rate"].create(vals)
        return currency

    def _ensure_products(self):
        Product = self.env["product.product"]
        products = Product.browse()
        for name, ptype, price in PRODUCTS:
            product = Product.search(
                [("default_code", "=", f"CCBOOK-{len(products)}")], limit=1
            )
            if not product:
                product = Product.create(
                    {
                        "name": name,
                        "type": ptype,
                        "list_price": price,
                        "default_code": f"CCBOOK-{len(products)}",
                        "invoice_policy": "order",
                        "company_id": False,
                    }
                )
            products |= product
        return products

    def _ensure_second_company(self):
        params = self.params
        Company = self.env["res.company"]
        company = Company.search([("name", "=", params.second_company_name)], limit=1)
        if company:
            return company
        start = time.perf_counter()
        currency = self._ensure_currency(params.second_company_currency, self.company)
        # no country: a country would install its localisation modules
        company = Company.create(
            {"name": params.second_company_name, "currency_id": currency.id}
        )
        self.env.user.company_ids |= company
        self.env["account.chart.template"].try_loading(
            "generic_coa", company, install_demo=False
        )
        # loading a chart resets the currency to its fiscal country's one
        company.currency_id = currency
        self._tick("second company + chart", start)
        return company

    # -------------------------------------------------------------- customers
    def _create_customers(self):
        rng = self.rng
        params = self.params
        n = params.customers
        # behaviour assignment: at least one of each, then by weight
        behaviours = list(BEHAVIOURS)
        weights = [BEHAVIOURS[b]["weight"] for b in behaviours]
        assigned = behaviours + rng.choices(behaviours, weights, k=n - len(behaviours))
        rng.shuffle(assigned)
        tags = {}
        Category = self.env["res.partner.category"]
        for code, label in BEHAVIOUR_LABELS.items():
            tag = Category.search([("name", "=", label)], limit=1)
            tags[code] = tag or Category.create({"name": label})
        countries = {c.code: c.id for c in self.env["res.country"].search([])}
        terms = [(self.env.ref(x), days, w) for x, days, w in TERMS]
        vals_list, meta = [], []
        used = set()
        for i in range(n):
            while True:
                name = (
                    f"{rng.choice(_NAME_A)} {rng.choice(_NAME_B)} {rng.choice(_NAME_C)}"
                )
                if name not in used:
                    used.add(name)
                    break
                if len(used) > 0.8 * len(_NAME_A) * len(_NAME_B) * len(_NAME_C):
                    name = f"{name} {i}"
                    used.add(name)
                    break
            name = f"{params.name_prefix}{name}"
            city, country = rng.choice(_CITIES)
            term, days, _w = rng.choices(terms, [t[2] for t in terms])[0]
            behaviour = assigned[i]
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
            vals_list.append(
                {
                    "name": name,
                    "is_company": True,
                    "ref": f"{params.name_prefix}C{params.seed % 1000:03d}{i:06d}",
                    "email": f"ar@{slug}.example.com",
                    "phone": f"+1 555 {rng.randint(100, 999)} "
                    f"{rng.randint(1000, 9999)}",
                    "city": city,
                    "country_id": countries.get(country),
                    "customer_rank": 1,
                    "category_id": [(6, 0, tags[behaviour].ids)],
                    "comment": f"Generated customer, payment behaviour: {behaviour}",
                }
            )
            meta.append({"behaviour": behaviour, "term": term, "term_days": days})
        start = time.perf_counter()
        partners = self.env["res.partner"].browse()
        for batch in self._batches(vals_list):
            partners |= self.env["res.partner"].create(batch)
        # one accounts-payable contact for a third of the customers
        contacts = [
            {
                "name": f"Accounts Payable ({p.name})",
                "parent_id": p.id,
                "type": "invoice",
                "email": f"ap.{p.email}",
            }
            for p in partners
            if rng.random() < 0.33
        ]
        for batch in self._batches(contacts):
            self.env["res.partner"].create(batch)
        self._tick("customers", start)
        customers = []
        for partner, info in zip(partners, meta, strict=True):
            info["partner"] = partner
            # invoice frequency follows a capped Pareto law; amounts grow more
            # slowly with it (a big customer buys more often, a bit more each time)
            info["volume"] = min(rng.paretovariate(1.6), 25.0)
            info["scale"] = info["volume"] ** 0.5
            customers.append(info)
        # foreign-currency customers: pick among late/chronic payers if possible
        pool = [
            c for c in customers if c["behaviour"] in ("late", "chronic")
        ] or customers
        for c in rng.sample(pool, min(params.foreign_customers, len(pool))):
            c["foreign"] = True
        for c in customers:
            self.summary["customers"].setdefault(c["behaviour"], 0)
            self.summary["customers"][c["behaviour"]] += 1
        return customers

    def _set_company_properties(self, customers, company):
        """Payment terms and credit limits are company-dependent."""
        start = time.perf_counter()
        by_term = {}
        for c in customers:
            by_term.setdefault(c["term"], self.env["res.partner"])
            by_term[c["term"]] |= c["partner"]
        for term, partners in by_term.items():
            partners.with_company(company).property_payment_term_id = term
        # the book predates the addon: its customers keep the company's
        # default tier, not the tier of new, unvetted customers (a plain Odoo
        # database, for the benchmark, has no tiers)
        if "credit_policy_id" in self.env["res.partner"]._fields:
            partners = self.env["res.partner"].union(*(c["partner"] for c in customers))
            partners.with_company(company).credit_policy_id = False
        self._tick("customers", start)

    # credit limit as a multiple of the open receivable the customer ends with:
    # comfortable for prompt payers, tight for chronic and insolvent ones
    LIMIT_FACTORS = {
        "prompt": (1.5, 3.0),
        "late": (1.1, 2.0),
        "chronic": (0.7, 1.2),
        "insolvent": (0.4, 0.9),
    }

    def _set_credit_limits(self, customers, company):
        start = time.perf_counter()
        self.env.flush_all()
        open_amounts = dict(
            self.env["account.move.line"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", [c["partner"].id for c in customers]),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("reconciled", "=", False),
                    ("parent_state", "=", "posted"),
                ],
                ["partner_id"],
                ["amount_residual:sum"],
            )
        )
        by_limit = {}
        for c in customers:
            low, high = self.LIMIT_FACTORS[c["behaviour"]]
            open_amount = max(open_amounts.get(c["partner"], 0.0), 0.0)
            limit = max(5000.0, round(open_amount * self.rng.uniform(low, high), -3))
            by_limit.setdefault(limit, self.env["res.partner"])
            by_limit[limit] |= c["partner"]
        for limit, partners in by_limit.items():
            partners.with_company(company).credit_limit = limit
        self._tick("customers", start)

    # --------------------------------------------------------------- planning
    def _plan_invoices(self, customers, n_invoices, company):
        """Return a list of planned invoices (dicts), open ones planned by bucket."""
        rng = self.rng
        params = self.params
        as_of = self.as_of
        n_open = round(n_invoices * params.open_share)
        counts = plan_bucket_counts(n_open, params.aging)
        planned = []

        def pick(pool):
            return rng.choices(pool, [c["volume"] for c in pool])[0]

        for code, low, high in BUCKETS:
            pool = [c for c in customers if code in BEHAVIOURS[c["behaviour"]]["open"]]
            for _i in range(counts[code]):
                cust = pick(pool)
                days = cust["term_days"]
                if code == "not_due":
                    overdue = -rng.randint(0, days) if days else 0
                else:
                    overdue = rng.randint(low, high)
                due = as_of - timedelta(days=overdue)
                partial = code != "not_due" and (
                    rng.random() < BEHAVIOURS[cust["behaviour"]]["partial"]
                )
                planned.append(
                    {
                        "customer": cust,
                        "invoice_date": due - timedelta(days=days),
                        "due": due,
                        "target": "open",
                        "bucket": code,
                        "partial": partial,
                    }
                )
        # every customer gets at least one invoice
        rest = [c for c in customers if not any(p["customer"] is c for p in planned)]
        n_paid = n_invoices - len(planned)
        paid_customers = rest[:n_paid] + [
            pick(customers) for _i in range(max(0, n_paid - len(rest)))
        ]
        for cust in paid_customers:
            days = cust["term_days"]
            dmin, dmax = BEHAVIOURS[cust["behaviour"]]["delay"]
            delay = rng.randint(dmin, dmax)
            latest = as_of - timedelta(days=days + max(delay, 0) + 1)
            invoice_date = latest - timedelta(days=rng.randint(0, 700))
            due = invoice_date + timedelta(days=days)
            pay_date = max(invoice_date, due + timedelta(days=delay))
            planned.append(
                {
                    "customer": cust,
                    "invoice_date": invoice_date,
                    "due": due,
                    "target": "paid",
                    "pay_date": min(pay_date, as_of),
                }
            )
        rng.shuffle(planned)
        self.summary["companies"][company.name]["planned_open"] = counts
        return planned

    # --------------------------------------------------------------- invoices
    def _invoice_vals(self, plan, company, products, currencies):
        rng = self.rng
        cust = plan["customer"]
        currency = (
            currencies["foreign"] if cust.get("foreign") else currencies["company"]
        )
        lines = []
        for _i in range(rng.choices([1, 2, 3, 4], [45, 30, 15, 10])[0]):
            product = rng.choice(products)
            qty = rng.choice([1, 1, 2, 3, 5, 8, 10, 20])
            price = round(product.list_price * rng.uniform(0.8, 1.3) * cust["scale"], 2)
            lines.append(
                (0, 0, {"product_id": product.id, "quantity": qty, "price_unit": price})
            )
        return {
            "move_type": "out_invoice",
            "partner_id": cust["partner"].id,
            "invoice_date": plan["invoice_date"],
            "date": plan["invoice_date"],
            "invoice_payment_term_id": cust["term"].id,
            "currency_id": currency.id,
            "company_id": company.id,
            "invoice_line_ids": lines,
        }

    def _create_invoices(self, planned, company, products, currencies):
        Move = self.env["account.move"].with_company(company)
        for batch in self._batches(planned):
            start = time.perf_counter()
            moves = Move.create(
                [self._invoice_vals(p, company, products, currencies) for p in batch]
            )
            self._tick("invoices create", start)
            start = time.perf_counter()
            moves._post(soft=False)
            self._tick("invoices post", start)
            for plan, move in zip(batch, moves, strict=True):
                plan["move"] = move
                if move.invoice_date_due != plan["due"]:
                    raise AssertionError(
                        f"{move.name}: due {move.invoice_date_due}, "
                        f"planned {plan['due']}"
                    )

    def _create_credit_notes(self, planned, company):
        """Credit notes: some applied to invoices that will be paid (the rest is
        paid by payment), some left unapplied (open credit for the customer)."""
        rng = self.rng
        paid = [p for p in planned if p["target"] == "paid"]
        n = round(len(planned) * self.params.credit_note_share)
        if not n or not paid:
            return []
        chosen = rng.sample(paid, min(n, len(paid)))
        n_unapplied = max(1, len(chosen) // 4)
        vals_list, pairs = [], []
        for i, plan in enumerate(chosen):
            inv = plan["move"]
            share = rng.choice([0.1, 0.2, 0.5, 1.0])
            lines = [
                (
                    0,
                    0,
                    {
                        "product_id": line.product_id.id,
                        "quantity": line.quantity,
                        "price_unit": round(line.price_unit * share, 2),
                    },
                )
                for line in inv.invoice_line_ids
            ]
            cn_date = min(plan["pay_date"], inv.invoice_date + timedelta(days=10))
            if i < n_unapplied:
                cn_date = self.as_of - timedelta(days=rng.randint(0, 60))
            vals_list.append(
                {
                    "move_type": "out_refund",
                    "partner_id": inv.partner_id.id,
                    "invoice_date": cn_date,
                    "date": cn_date,
                    "currency_id": inv.currency_id.id,
                    "company_id": company.id,
                    "reversed_entry_id": False if i < n_unapplied else inv.id,
                    "ref": f"Credit note for {inv.name}",
                    "invoice_line_ids": lines,
                }
            )
            pairs.append((plan, i < n_unapplied))
        start = time.perf_counter()
        refunds = self.env["account.move"].with_company(company).create(vals_list)
        refunds._post(soft=False)
        plan_lines = []
        for (plan, unapplied), refund in zip(pairs, refunds, strict=True):
            if unapplied:
                continue
            plan_lines.append(
                self._receivable_lines(plan["move"]) + self._receivable_lines(refund)
            )
        self.env["account.move.line"]._reconcile_plan(plan_lines)
        self._tick("credit notes", start)
        self.summary["companies"][company.name]["credit_notes"] = len(refunds)
        self.summary["companies"][company.name]["credit_notes_unapplied"] = n_unapplied
        return refunds

    def _analyze(self):
        """Refresh planner statistics of the tables just filled: on a new
        database they say "empty", and core's reconciliation queries (OR joins
        on account_partial_reconcile) then pick nested loops that never end.
        ANALYZE counts the rows inserted by the current transaction."""
        start = time.perf_counter()
        self.env.flush_all()
        self.env.cr.execute(
            "ANALYZE account_move, account_move_line, account_partial_reconcile,"
            " account_payment, res_partner"
        )
        self._tick("analyze", start)

    @staticmethod
    def _receivable_lines(move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
            and not line.reconciled
        )

    # --------------------------------------------------------------- payments
    def _create_payments(self, planned, customers, company):
        rng = self.rng
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        if not journal:
            raise ValueError(f"company {company.name} has no bank journal")
        todo = []  # (plan or None, amount, date, partner, currency)
        for plan in planned:
            move = plan["move"]
            if plan["target"] == "paid":
                move.invalidate_recordset(["amount_residual"])
                if move.currency_id.is_zero(move.amount_residual):
                    continue  # fully credited
                todo.append((plan, move.amount_residual, plan["pay_date"]))
            elif plan.get("partial"):
                share = rng.choice([0.2, 0.3, 0.5, 0.7])
                amount = move.currency_id.round(move.amount_residual * share)
                pay_date = plan["due"] + timedelta(
                    days=rng.randint(0, max(0, (self.as_of - plan["due"]).days))
                )
                todo.append((plan, amount, pay_date))
        # unapplied payments on account (not matched to any invoice yet)
        n_unapplied = max(1, len(customers) // 50)
        pool = [
            c for c in customers if c["behaviour"] in ("late", "chronic")
        ] or customers
        unapplied = []
        for cust in rng.sample(pool, min(n_unapplied, len(pool))):
            amount = round(rng.uniform(200, 3000) * cust["scale"], 2)
            unapplied.append(
                (cust, amount, self.as_of - timedelta(days=rng.randint(0, 20)))
            )
        Payment = self.env["account.payment"].with_company(company)
        method_line = journal.inbound_payment_method_line_ids[:1]
        # in date order: each payment's sequence look-up (core's
        # _get_last_sequence: the journal's latest move dated on or before it)
        # then finds the previous payment a few rows back instead of scanning
        # the whole history: random order made payments quadratic on big books
        todo.sort(key=lambda item: (item[2], item[0]["move"].id))
        for batch in self._batches(todo):
            start = time.perf_counter()
            payments = Payment.create(
                [
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": plan["move"].commercial_partner_id.id,
                        "amount": amount,
                        "currency_id": plan["move"].currency_id.id,
                        "date": pay_date,
                        "journal_id": journal.id,
                        "payment_method_line_id": method_line.id,
                        "memo": plan["move"].name,
                    }
                    for plan, amount, pay_date in batch
                ]
            )
            payments.action_post()
            self._tick("payments create", start)
            start = time.perf_counter()
            plan_lines = [
                self._receivable_lines(plan["move"])
                + self._receivable_lines(pay.move_id)
                for (plan, _a, _d), pay in zip(batch, payments, strict=True)
            ]
            self.env["account.move.line"]._reconcile_plan(plan_lines)
            self._tick("payments reconcile", start)
        start = time.perf_counter()
        on_account = Payment.create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": cust["partner"].id,
                    "amount": amount,
                    "date": pay_date,
                    "journal_id": journal.id,
                    "payment_method_line_id": method_line.id,
                    "memo": "Payment on account",
                }
                for cust, amount, pay_date in unapplied
            ]
        )
        on_account.action_post()
        self._tick("payments create", start)
        info = self.summary["companies"][company.name]
        info["payments"] = len(todo) + len(on_account)
        info["partial_payments"] = sum(1 for p, _a, _d in todo if p["target"] == "open")
        info["unapplied_payments"] = len(on_account)

    # ------------------------------------------------------------ sale orders
    def _create_sale_orders(self, customers, company, products):
        rng = self.rng
        n = self.params.orders
        if n is None:
            n = len(customers) // 2
        if not n:
            return
        pool = [c for c in customers if c["behaviour"] != "insolvent"] or customers
        vals_list = []
        for _i in range(n):
            cust = rng.choices(pool, [c["volume"] for c in pool])[0]
            vals_list.append(
                {
                    "partner_id": cust["partner"].id,
                    "company_id": company.id,
                    "date_order": self.as_of - timedelta(days=rng.randint(0, 30)),
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "product_uom_qty": rng.choice([1, 2, 5, 10]),
                                "price_unit": round(
                                    product.list_price * cust["scale"], 2
                                ),
                            },
                        )
                        for product in rng.sample(list(products), rng.randint(1, 3))
                    ],
                }
            )
        start = time.perf_counter()
        orders = self.env["sale.order"].with_company(company).create(vals_list)
        to_confirm = orders.filtered(lambda o: rng.random() < 0.6)
        refused = self._confirm_orders(to_confirm)
        to_confirm -= refused
        self._tick("sale orders", start)
        info = self.summary["companies"][company.name]
        info["quotations"] = len(orders) - len(to_confirm)
        info["sale_orders"] = len(to_confirm)
        info["orders_refused"] = len(refused)

    def _confirm_orders(self, orders):
        """Confirm the orders; where an addon refuses a confirmation (a credit
        hold, for instance), the order stays a quotation. Returns the refused."""
        from odoo.exceptions import UserError  # noqa: PLC0415

        try:
            with self.env.cr.savepoint():
                orders.action_confirm()
            return orders.browse()
        except UserError as exc:
            _logger.info("batch confirmation refused (%s), confirming one by one", exc)
        refused = orders.browse()
        for order in orders:
            try:
                with self.env.cr.savepoint():
                    order.action_confirm()
            except UserError:
                refused |= order
        return refused

    # ------------------------------------------------------------------- run
    def _generate_company(self, company, customers, n_invoices, products):
        self.summary["companies"][company.name] = {"company_id": company.id}
        env_company = self.env(
            context=dict(self.env.context, allowed_company_ids=company.ids)
        )
        self.env = env_company
        currencies = {
            "company": company.currency_id,
            "foreign": self._ensure_currency(self.params.foreign_currency, company)
            if self.params.foreign_currency != company.currency_id.name
            else company.currency_id,
        }
        self._set_company_properties(customers, company)
        # orders first: they are recent and do not depend on the book
        self._create_sale_orders(customers, company, products)
        planned = self._plan_invoices(customers, n_invoices, company)
        self._create_invoices(planned, company, products, currencies)
        self._analyze()
        self._create_credit_notes(planned, company)
        self._create_payments(planned, customers, company)
        self._analyze()
        self._set_credit_limits(customers, company)
        info = self.summary["companies"][company.name]
        info["invoices"] = len(planned)
        info["foreign_customers"] = [
            c["partner"].id for c in customers if c.get("foreign")
        ]

    def run(self):
        t0 = time.perf_counter()
        params = self.params
        main_company = self.company
        self.env = self.env(
            context=dict(self.env.context, allowed_company_ids=main_company.ids)
        )
        products = self._ensure_products()
        customers = self._create_customers()
        self._generate_company(main_company, customers, params.invoices, products)
        if params.second_company:
            company = self._ensure_second_company()
            self.env = self.env(
                context=dict(self.env.context, allowed_company_ids=company.ids)
            )
            subset = customers[: max(len(BEHAVIOURS), len(customers) // 5)]
            # make sure every behaviour is represented in the second company too
            for behaviour in BEHAVIOURS:
                if not any(c["behaviour"] == behaviour for c in subset):
                    subset.append(
                        next(c for c in customers if c["behaviour"] == behaviour)
                    )
            n_invoices = max(len(subset), params.invoices // 8)
            self._generate_company(company, subset, n_invoices, products)
        self.env.flush_all()
        elapsed = time.perf_counter() - t0
        total = sum(c["invoices"] for c in self.summary["companies"].values())
        self.summary["customers_total"] = len(customers)
        self.summary["invoices_total"] = total
        self.summary["seconds"] = round(elapsed, 1)
        self.summary["invoices_per_second"] = (
            round(total / elapsed, 1) if elapsed else None
        )
        self.summary["timings"] = {k: round(v, 1) for k, v in self.timings.items()}
        self.summary["customer_ids"] = {
            behaviour: [
                c["partner"].id for c in customers if c["behaviour"] == behaviour
            ]
            for behaviour in BEHAVIOURS
        }
        return self.summary


def generate_book(env, params=None, **kwargs):
    """Generate a book in ``env``'s database and return its summary."""
    params = params or BookParams(**kwargs)
    return BookGenerator(env, params).run()
