# Condor: two set-up commands (see README): `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test lint fmt bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/condor serve --demo --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

test: lint
	$(BIN)/pytest -n 2

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/groups.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build src/*.egg-info

# Peer comparison (bench/peers/): NautilusTrader and backtrader in their own virtualenv.
PEERS := .venv-peers
.PHONY: bench-peers bench-load

$(PEERS)/.installed:
	$(PY) -m venv $(PEERS)
	$(PEERS)/bin/pip install -q --upgrade pip
	$(PEERS)/bin/pip install -q nautilus_trader==1.221.0 backtrader
	touch $(PEERS)/.installed

bench-peers: $(STAMP) $(PEERS)/.installed
	$(BIN)/python bench/peers/compare.py

bench-load: $(STAMP)
	$(BIN)/python bench/load.py
