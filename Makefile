# Newsroom: `make run` serves the site, `make test` runs every test.
# Both set everything up first, from a fresh clone.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

# The first Python of at least 3.12 on this machine (pyenv's included).
PYTHON ?= $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$p; break; fi; done)

# make run serves with production settings on plain http at 127.0.0.1. A local
# secret key is made once under .data/ unless SECRET_KEY is set.
RUN_ENV := SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} SECURE_COOKIES=$${SECURE_COOKIES:-false} \
	SECRET_KEY_FILE=$${SECRET_KEY_FILE:-.data/secret_key}

.PHONY: help
help:
	@echo "make run     set up and serve the site at http://127.0.0.1:8000/ (HOST, PORT)"
	@echo "make dev     the same with Django's auto-reloading server and DEBUG on"
	@echo "make test    set up, check, and run the whole test suite in parallel (PYTEST_ARGS=-n0: serially)"
	@echo "make check   ruff (lint and format), missing migrations, types (mypy); make test runs it first"
	@echo "make lint    ruff only"
	@echo "make messages   add the code's new strings to every translation catalog (needs GNU gettext)"
	@echo "make messages-check   list strings in the code that a catalog lacks or leaves untranslated"
	@echo "make fuzz    the property-based tests with many random examples (long)"
	@echo "make bench   serve with production settings and measure throughput"
	@echo "make bench-cache   only the page-cache figures: Varnish vs nginx, commit to fresh page"
	@echo "make bench-wordpress   import a generated 100 MB WordPress export; report items/s and peak memory"
	@echo "make bench-newsletter   send one campaign to 100,000 subscribers with two workers"
	@echo "make bench-spam   the spam classifier on labelled comment sets it was not trained on"
	@echo "make cluster / cluster-stop   a primary, a replica, Redis, two app servers, two workers, Varnish"
	@echo "make cluster-test   load through the cluster while each part is killed and restarted"
	@echo "make db-start / db-stop   the private PostgreSQL under .data/ (when DATABASE_URL is unset)"

$(VENV)/.installed: pyproject.toml requirements.lock
	@if [ -z "$(PYTHON)" ]; then \
		echo "Newsroom needs Python 3.12 or newer. Install it (e.g. 'apt-get install python3.12', 'brew install python@3.12'," >&2; \
		echo "or 'pyenv install 3.12') or point PYTHON at it: make run PYTHON=/path/to/python3.12" >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	@touch $@

# The translation catalogs, compiled with Babel: no GNU gettext needed. The .mo files are
# build output (git-ignored), remade whenever their .po changes.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

%.mo: %.po $(VENV)/.installed
	$(PY) -m newsroom.catalogs compile $<

.PHONY: install
install: $(VENV)/.installed $(MO_FILES)

.data/secret_key:
	@mkdir -p .data
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

.PHONY: run
run: install .data/secret_key
	@$(RUN_ENV) $(MANAGE) serve

.PHONY: dev
dev: install
	DEBUG=true $(MANAGE) migrate
	DEBUG=true $(MANAGE) createcachetable
	DEBUG=true $(MANAGE) load_demo
	DEBUG=true $(MANAGE) ensure_admin
	DEBUG=true $(MANAGE) run_worker & worker=$$!; trap "kill $$worker" EXIT; \
		DEBUG=true $(MANAGE) runserver $${HOST:-127.0.0.1}:$${PORT:-8000}

# Browser tests need Debian's chromium (no browser downloads) and, for the
# accessibility and HTML checks, axe-core and vnu-jar from npm plus a Java.
# Where they cannot be installed, those tests skip and say why.
.PHONY: browser-deps
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "Installing chromium and a Java runtime with apt-get..."; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless >/dev/null) \
				|| echo "apt-get could not install chromium: browser tests will be skipped"; \
		else echo "chromium is not installed and apt-get is not usable here: browser tests will be skipped"; fi; \
	fi
	@if command -v npm >/dev/null 2>&1 && [ ! -d node_modules/axe-core ]; then \
		npm ci --silent --no-audit --no-fund || echo "npm ci failed: accessibility and HTML checks will be skipped"; \
	fi

# The cluster's programs (make cluster, and the PgBouncer and cluster tests): Debian's pgbouncer,
# varnish and redis-server. Where they cannot be installed, those tests skip and say why.
CLUSTER_PROGRAMS := pgbouncer:pgbouncer varnishd:varnish redis-server:redis-server
.PHONY: cluster-deps
cluster-deps:
	@missing=""; for pair in $(CLUSTER_PROGRAMS); do \
		command -v $${pair%%:*} >/dev/null 2>&1 || [ -x /usr/sbin/$${pair%%:*} ] || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "Installing$$missing with apt-get..."; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
				|| echo "apt-get could not install$$missing: the tests that need them will be skipped"; \
		else echo "$$missing not installed and apt-get is not usable here: the tests that need them will be skipped"; fi; \
	fi

# The property-based tests with many random examples each (Hypothesis's "fuzz" profile);
# a failure is shrunk to its smallest case and replayed first next time (.hypothesis/).
.PHONY: fuzz
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest tests/newsroom/test_hostile_content.py $(PYTEST_ARGS)

# The page-cache tests start Debian's Varnish (tests/newsroom/test_varnish.py); they skip
# and say why where it cannot be installed.
.PHONY: varnish-deps
varnish-deps:
	@if ! command -v varnishd >/dev/null 2>&1 && [ ! -x /usr/sbin/varnishd ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "Installing varnish with apt-get..."; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish >/dev/null) \
				|| echo "apt-get could not install varnish: the page-cache tests will be skipped"; \
		else echo "varnish is not installed and apt-get is not usable here: the page-cache tests will be skipped"; fi; \
	fi

# make test runs the tests in parallel (pytest-xdist): PYTEST_WORKERS processes, each with its own
# test database (test_newsroom_gw0, _gw1...). Whole modules and test classes go to one worker each,
# the slowest first (tests/conftest.py). PYTEST_ARGS=-n0 runs them in one process, as before.
PYTEST_WORKERS ?= 4
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadscope --no-loadscope-reorder

# Tests marked `alone` time themselves against a budget: they run first, by themselves (exit
# status 5, no test selected, is fine there), then everything else in parallel.
.PHONY: test
test: check browser-deps varnish-deps cluster-deps
	$(VENV)/bin/pytest -m alone $(PYTEST_ARGS) || [ $$? = 5 ]
	$(VENV)/bin/pytest $(PYTEST_XDIST) -m "not alone" $(PYTEST_ARGS)

# Finding the strings in the code needs GNU gettext (xgettext, msgmerge); both say so if it is missing.
.PHONY: messages messages-check
messages: install
	$(PY) -m newsroom.catalogs update
messages-check: install
	$(PY) -m newsroom.catalogs check

.PHONY: lint
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Everything CI checks besides the tests (make test runs it first): the style (ruff), migrations
# that match the models, and the types (mypy; its strictness per package is in pyproject.toml).
.PHONY: check
check: lint
	DJANGO_SETTINGS_MODULE=tests.settings $(MANAGE) makemigrations --check --dry-run >/dev/null || { echo "Missing migrations: run 'manage.py makemigrations'" >&2; exit 1; }
	$(VENV)/bin/mypy

.PHONY: bench
bench: install .data/secret_key
	@$(RUN_ENV) $(PY) -m devtools.bench

# Only the page-cache part of make bench: Varnish vs nginx, and commit-to-fresh times.
.PHONY: bench-cache
bench-cache: install .data/secret_key
	@$(RUN_ENV) $(PY) -m devtools.bench_cache

# One campaign to 100,000 subscribers, two workers, a local SMTP server (a throwaway database).
.PHONY: bench-newsletter
bench-newsletter: install .data/secret_key
	@$(RUN_ENV) $(PY) -m devtools.bench_send

# The spam classifier trained on all labelled comment sets but one and tested on that one, each way.
.PHONY: bench-spam
bench-spam: install
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) -m devtools.bench_spam $(ARGS)

# A small real cluster on this machine: PostgreSQL primary and streaming replica, Redis (if
# installed), two app servers, two workers and Varnish in front (CLUSTER_PORT, default 8080).
.PHONY: cluster cluster-stop cluster-status cluster-test
cluster: install cluster-deps
	@$(PY) -m devtools.cluster start
cluster-stop: install
	@$(PY) -m devtools.cluster stop
cluster-status: install
	@$(PY) -m devtools.cluster status
# Load through Varnish while parts of a throwaway cluster are killed and restarted, one at a time.
cluster-test: install cluster-deps
	@$(PY) -m devtools.cluster_test $(ARGS)

.PHONY: db-start db-stop
db-start: install
	$(PY) -m devtools.devdb start
db-stop: install
	$(PY) -m devtools.devdb stop

# Import a generated 100 MB WordPress export (dry run; ARGS=--full really imports
# into the development database) and report items/s and peak memory.
.PHONY: bench-wordpress
bench-wordpress: install
	DEBUG=true $(PY) -m devtools.bench_wordpress $(ARGS)
