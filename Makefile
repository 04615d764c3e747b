# The two commands of the README: `make demo` and `make test`. `make setup` is idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= dateline.db

.PHONY: setup system demo test lint typecheck unit bench golden clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	test -x $(BIN)/dateline
	touch $(STAMP)

demo: setup
	$(BIN)/dateline ingest --db $(DB) samples/
	$(BIN)/dateline summary --db $(DB)

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: setup
	$(BIN)/mypy src

unit: setup
	$(BIN)/pytest -q

# system: Debian packages for the browser and PostgreSQL tests (skipped when unavailable)
system:
	scripts/system_deps.sh

test: system lint typecheck unit

golden: setup
	$(BIN)/python scripts/regenerate_golden.py

bench: setup
	$(BIN)/python benchmarks/bench_html.py
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_nlp.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache src/*.egg-info
