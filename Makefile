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

test: $(VENV)/.installed-test
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
