# Credit & Collections: the project's vocabulary. Every target calls tools/.
# Knobs (environment): ODOO_SRC, CREDIT_COLLECTION_CACHE, PGHOST/PGPORT/PGUSER/
# PGPASSWORD, ODOO_HTTP_PORT, DEMO_*; see README.md.
.PHONY: help setup demo test test-odoo test-core fuzz lint dist check-packaging big-book bench bench-quick i18n clean clean-cache

help:
	@echo "make demo   database credit_demo with a generated book, served on http://127.0.0.1:8069"
	@echo "make test   fresh test database, install the addon, packaging checks, the suite (pytest-odoo, then Odoo's runner)"
	@echo "make test-odoo  the suite under Odoo's own runner (ARGS: wheel, source or both)"
	@echo "make test-core  Odoo's sale/account suites with and without the addon, side by side (long)"
	@echo "make fuzz   the figures harness at length (thousands of random examples), prints the seed"
	@echo "make lint   OCA-style checks (ruff, pylint-odoo, prettier, XML)"
	@echo "make dist   build the wheel odoo-addon-account_credit_collection into dist/ (whool)"
	@echo "make check-packaging  wheel install, upgrade from the last release, uninstall"
	@echo "make setup  only prepare PostgreSQL, Odoo's source and the Python environment"
	@echo "make big-book  the 20,000-customer / 200,000-invoice book (credit_big), checked"
	@echo "make bench-quick  benchmarks on a small generated book (< 3 min): addon vs plain Odoo vs OCA"
	@echo "make bench  the same on the 20,000-customer book; writes docs/benchmarks.md"
	@echo "make i18n   export i18n/account_credit_collection.pot and merge it into i18n/*.po"

setup:
	@bash tools/setup_pg.sh
	@bash tools/setup_python.sh >/dev/null

demo:
	@bash tools/demo.sh

test:
	@bash tools/test.sh $(ARGS)

# ARGS: wheel (default), source or both
test-odoo:
	@bash tools/test_odoo.sh $(ARGS)

# Odoo's own sale / sale_management / account suites with and without the
# addon, side by side (long: not part of `make test`); see tools/test_core.sh
test-core:
	@bash tools/test_core.sh $(ARGS)

fuzz:
	@bash tools/fuzz.sh $(ARGS)

lint:
	@bash tools/lint.sh

dist:
	@bash tools/dist.sh

check-packaging:
	@bash tools/check_packaging.sh $(ARGS)

big-book:
	@bash tools/big_book.sh

bench:
	@bash tools/bench/bench.sh full

bench-quick:
	@bash tools/bench/bench.sh quick

i18n:
	@bash tools/i18n_export.sh

clean:
	rm -rf .build dist

# Remove the Python environments and template databases of every key (they are
# rebuilt on the next run); the Odoo source tree is kept.
clean-cache:
	rm -rf "$${CREDIT_COLLECTION_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/credit-collection}"/venv-*
	for db in $$(psql -d postgres -Atc "select datname from pg_database where datname like 'ccol_tpl_%'"); do dropdb "$$db"; done
