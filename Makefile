# The two commands a newcomer needs: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench load lint clean

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
	$(BIN)/hub db upgrade
	$(BIN)/hub reference load
	$(BIN)/hub agreements load
	$(BIN)/hub demo

# The dashboard's browser tests and PDF pack need Debian's Chromium, pdftotext and pdftoppm,
# Pango and HarfBuzz's subsetter (WeasyPrint's layout), Arial-metric fonts (the pages' Arial
# family). Installed once when missing; never a browser download.
SYSTEM_DEPS := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-dejavu-core fonts-liberation
$(VENV)/.system-deps: | $(BIN)/python
	@if command -v chromium >/dev/null && command -v pdftoppm >/dev/null \
	    && ldconfig -p | grep -q libpangoft2-1.0 \
	    && ldconfig -p | grep -q libharfbuzz-subset && fc-list | grep -q Liberation; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_DEPS); } \
	    || { echo "make test: apt-get could not install $(SYSTEM_DEPS)" >&2; exit 1; }; \
	else \
	    echo "make test needs Debian's $(SYSTEM_DEPS); as root: apt-get install -y $(SYSTEM_DEPS)" >&2; \
	    exit 1; \
	fi
	touch $@

# axe-core, the accessibility checker the browser tests run in Chromium on every page, from
# the npm registry at a pinned version (tests/web/accessibility.py reads its axe.min.js).
AXE_CORE := axe-core@4.11.4
# npm comes with the machine's Node.js; where there is none, Debian's.
$(VENV)/.node-deps: | $(BIN)/python
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -q \
	    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm; } \
	    || { echo "make test needs npm: apt-get install -y npm" >&2; exit 1; }
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node $(AXE_CORE)
	touch $@

test: $(VENV)/.installed-test $(VENV)/.system-deps $(VENV)/.node-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The HTTP benchmarks and the load test drive gunicorn with Debian's wrk.
$(VENV)/.bench-deps: | $(BIN)/python
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q wrk; } \
	    || { apt-get update -q && apt-get install -y -q wrk; } \
	    || { echo "make bench needs Debian's wrk: apt-get install -y wrk" >&2; exit 1; }
	touch $@

# Every benchmark in tests/bench/, one table of ratios against same-run baselines.
# Needs PostgreSQL and Redis like the tests; `make bench BENCH=token` runs a subset.
bench: $(VENV)/.installed-test $(VENV)/.bench-deps
	$(BIN)/python -m tests.bench $(BENCH)

# 200 concurrent clients for 60 s on the benchmark endpoints: no 5xx, p50/p99, throughput.
load: $(VENV)/.installed-test $(VENV)/.bench-deps
	$(BIN)/python -m tests.bench.load_benchmarks $(LOAD_SECONDS) $(LOAD_CONNECTIONS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy policies connectors

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
