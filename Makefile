# Baton developer entry points. Each target bootstraps .venv itself, so a fresh machine with
# only Python 3.11 needs nothing installed by hand.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
#: which CRMs the demo runs beside: both (default), hubspot or salesforce (make run CRM=hubspot)
CRM    ?= both

.PHONY: run demo test test-fast lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

## run: play a week of a revenue team through Baton on SQLite + the sandbox CRMs, print a summary
## (CRM=hubspot or CRM=salesforce: a day beside that CRM alone; the other sandbox is not started)
run: $(STAMP)
	$(BIN)/baton demo --once --crm $(CRM)

## demo: the same, then keep serving the dashboard until Ctrl-C
demo: $(STAMP)
	$(BIN)/baton demo --crm $(CRM)

## test: the whole suite (PostgreSQL tests run when BATON_TEST_POSTGRES_URL is set)
test: $(STAMP)
	$(BIN)/python -m pytest

## test-fast: everything except tests marked slow
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

## lint: ruff, and the layering contracts in pyproject.toml (core ↛ front door, ↛ stand-ins)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: every benchmark under bench/, figures printed beside their baselines
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
