# The two commands of the README: `make demo` and `make test`. `make setup` is idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= dateline.db
PORT ?= 8321
VENDOR := src/dateline/web/vendor
VENDOR_STAMP := $(VENDOR)/node_modules/.installed-stamp

.PHONY: setup system demo test lint typecheck unit bench golden clean

setup: $(STAMP) $(VENDOR_STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	test -x $(BIN)/dateline
	touch $(STAMP)

# the web app's front-end libraries (Leaflet, topojson-client, world-atlas outlines), from the
# npm registry into an ignored folder; dateline serves them itself (never a CDN)
$(VENDOR_STAMP): $(VENDOR)/package.json
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix $(VENDOR) --no-audit --no-fund --omit=dev --no-package-lock --silent \
		&& touch $@; \
	else echo "setup: npm not found; the web map needs it (apt-get install npm)" >&2; fi

# ends by serving the demo store (Ctrl-C stops it)
demo: setup
	$(BIN)/dateline ingest --db $(DB) samples/
	$(BIN)/dateline summary --db $(DB)
	$(BIN)/dateline serve --db $(DB) --port $(PORT)

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: setup
	$(BIN)/mypy src benchmarks scripts

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
