# Atelier: `make run` starts the product (the ASGI server and the background worker), `make test`
# passes the whole suite.
# Both install what they need first (a virtualenv, Debian packages when missing).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

# Debian packages the tests use: Chromium for the browser tests, docker-compose to
# validate docker-compose.yml, gettext's msgfmt to compile translations.
TEST_DEBS := chromium fonts-dejavu-core docker-compose gettext
# What the minutes need at run time: pango for WeasyPrint's PDF, cairo for the charts
# drawn into DOCX (cairosvg), and a font.
MINUTES_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fonts-dejavu-core

.PHONY: run test install messages js system-packages minutes-libs lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Atelier needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed messages js minutes-libs

# Checked by library name first: a machine that has them (Debian or not) installs nothing.
minutes-libs:
	@ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' && ldconfig -p | grep -q 'libcairo.so.2' \
	  && fc-list 2>/dev/null | grep -q . \
	  || $(MAKE) --no-print-directory system-packages DEBS="$(MINUTES_DEBS)"

# Browser bundles (static/build/, not committed): `npm ci` again when node_modules is missing
# or package.json/package-lock.json changed, then esbuild when a source changed.
# Needs Node 18+ and npm (Debian's nodejs and npm when missing).
JS_SOURCES := $(wildcard static/src/*.js)
JS_BUNDLES := static/build/conclusion.js

js: $(JS_BUNDLES)

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory system-packages DEBS="nodejs npm"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(JS_BUNDLES): node_modules/.installed $(JS_SOURCES)
	npm run --silent build
	@touch $@

# compilemessages needs msgfmt (Debian's gettext).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-packages DEBS=gettext
	@DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv -v 0

system-packages:
	@missing=""; for deb in $${DEBS:-$(TEST_DEBS)}; do \
	  dpkg -s $$deb >/dev/null 2>&1 || missing="$$missing $$deb"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

run: install
	@DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput -v 0
	@DEBUG=$${DEBUG:-true} $(BIN)/python manage.py atelier_demo
	@echo "  Serving on http://$(HOST):$(PORT) (Ctrl+C to stop)"
	@export DEBUG=$${DEBUG:-true}; \
	$(BIN)/python manage.py atelier_worker >.data/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m config.serve -b $(HOST) -p $(PORT)

test: system-packages install
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every scenario of bench/run.py at 100, 500 and 1,000 participants (about 25 minutes);
# the table, the machine and the command go into docs/performance.md.
bench: install
	@command -v redis-server >/dev/null || $(MAKE) --no-print-directory system-packages DEBS=redis-server
	$(BIN)/python -m bench.run --sizes 100,500,1000 --write-docs docs/performance.md

clean:
	rm -rf $(VENV) .data .pytest_cache .ruff_cache node_modules static/build
