# `make demo` and `make test` each set up their own virtual environment in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
DEMO_DB := db/tracker.db
FIXTURE := fixtures/pakistan-us-security-talks.yaml

.PHONY: demo test lint typecheck unit install install-test bench screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# An editable install leaves tracker's modules uncompiled, and PYTHONDONTWRITEBYTECODE (set on
# some machines) stops Python caching them: compile them, as a regular install does, or every
# command compiles source first (docs/speed.md).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) -e . --config-settings editable_mode=compat
	$(BIN)/python -m compileall -q tracker
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[test]' --config-settings editable_mode=compat
	$(BIN)/python -m compileall -q tracker
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	@if [ ! -f $(DEMO_DB) ]; then $(BIN)/tracker --db $(DEMO_DB) load $(FIXTURE); fi
	@echo
	$(BIN)/tracker --db $(DEMO_DB) list
	@echo
	$(BIN)/tracker --db $(DEMO_DB) report

lint: install-test
	$(BIN)/ruff check tracker tests bench
	$(BIN)/ruff format --check tracker tests bench

typecheck: install-test
	$(BIN)/mypy

# The fast subset: SQLite only, without the tests marked slow, on every core.
unit: install-test
	$(BIN)/pytest -n auto -m "not slow and not postgresql"

# Lint, types, then the whole suite on SQLite and on PostgreSQL (a throwaway server, when
# PostgreSQL is installed; TRACKER_TEST_POSTGRES names one to use instead).
test: lint typecheck
	scripts/test-both-backends.sh

# Times every command at 1k, 10k and 100k commitments beside its floors (README, "Speed").
# Generated data is kept in bench/data/; install Debian's taskwarrior to compare with it.
bench: install-test
	$(BIN)/python -m bench.run

# docs/images/report.png: the fixture's HTML report, rendered by headless chromium.
screenshot: install
	scripts/screenshot.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
