# TableKit: the README's commands. `make run` starts the app with demo data; `make test` runs
# every test. Both work on a fresh machine with Python 3.11+, Node 20 and the registries.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FRONTEND_STAMP := tablekit/web/dist/.built-stamp
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/package.json frontend/vite.config.ts -type f 2>/dev/null)
PYTEST_ARGS ?=

.PHONY: install frontend run test test-python test-frontend lint bench e2e clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Builds the web app when frontend/ has one and copies it where `tablekit serve` finds it.
$(FRONTEND_STAMP): $(FRONTEND_SOURCES)
	@if [ -f frontend/package.json ]; then \
		cd frontend && npm ci --no-audit --no-fund && npm run build && cd .. && \
		rm -rf tablekit/web/dist && cp -r frontend/dist tablekit/web/dist && \
		touch $(FRONTEND_STAMP); \
	else mkdir -p tablekit/web/dist && touch $(FRONTEND_STAMP); fi

frontend: $(FRONTEND_STAMP)

run: install frontend
	$(BIN)/tablekit serve

test: test-python test-frontend e2e

test-python: install frontend
	$(BIN)/pytest -n 2 --ignore=tests/e2e $(PYTEST_ARGS)

test-frontend:
	@if [ -f frontend/package.json ]; then cd frontend && npm run test; fi

# Browser tests run one at a time against their own `tablekit serve` (see tests/e2e).
e2e: install frontend
	$(BIN)/pytest tests/e2e -p no:xdist $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check tablekit tests bench
	$(BIN)/ruff format --check tablekit tests bench
	$(BIN)/mypy
	@if [ -f frontend/package.json ]; then cd frontend && npm run lint; fi

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) tablekit/web/dist frontend/dist frontend/node_modules .pytest_cache .mypy_cache .ruff_cache
