# The two commands a newcomer needs: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the packaging changes; an editable install keeps code edits live.
$(VENV)/.installed-run: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres,test,bench]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	@mkdir -p var
	$(BIN)/hub db upgrade
	$(BIN)/hub reference load
	$(BIN)/hub agreements load
	$(BIN)/hub demo

# The dashboard's browser tests and PDF pack need Debian's Chromium, pdftotext and Pango
# (WeasyPrint's layout). Installed once when missing; never a browser download of Playwright's.
SYSTEM_DEPS := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
$(VENV)/.system-deps: | $(BIN)/python
	@if command -v chromium >/dev/null && command -v pdftotext >/dev/null \
	    && ldconfig -p | grep -q libpangoft2-1.0; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_DEPS); } \
	    || { echo "make test: apt-get could not install $(SYSTEM_DEPS)" >&2; exit 1; }; \
	else \
	    echo "make test needs Debian's $(SYSTEM_DEPS); as root: apt-get install -y $(SYSTEM_DEPS)" >&2; \
	    exit 1; \
	fi
	touch $@

test: $(VENV)/.installed-test $(VENV)/.system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every benchmark in tests/bench/, one table of ratios against same-run baselines.
# Needs PostgreSQL and Redis like the tests; `make bench BENCH=token` runs a subset.
bench: $(VENV)/.installed-test
	$(BIN)/python -m tests.bench $(BENCH)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy policies connectors

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
