# notai: one task runner, the same commands locally and in CI.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
DEMO_DB ?= ./notai-demo.db
HOST ?= 127.0.0.1
PORT ?= 8000
NATIVE := src/notai/detect/_native/SOURCES

.PHONY: help install native run test lint typecheck bench bench-collector bench-detection bench-detection-gate bench-gate pixel clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: $(BIN)/.installed $(NATIVE) ## Create the virtualenv with notai and its test tools

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The detector's fold compiled with mypyc (src/notai/detect/native.py); rebuilt when any
# source it depends on changes, as a stale build is never used.
$(NATIVE): $(BIN)/.installed $(wildcard src/notai/detect/*.py) src/notai/events.py
	$(BIN)/python scripts/build-native

native: $(NATIVE) ## Compile the detector's fold (make install does; ~25 s)

run: install ## Start notai on SQLite with fresh demo data (prints a key and a curl line)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	NOTAI_DATABASE_URL=sqlite:///$(DEMO_DB) $(BIN)/notai quickstart --host $(HOST) --port $(PORT)

test: install ## Run the whole suite: format, lint, types, tests on SQLite and PostgreSQL
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	scripts/ensure-postgres
	scripts/ensure-chromium
	$(BIN)/pytest -q

lint: install ## Format and lint in place
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: install ## mypy --strict
	$(BIN)/mypy

bench: install ## Full benchmark of GET /v1/users/{userId}/sessions (1,000,000 sessions)
	scripts/ensure-postgres
	scripts/ensure-wrk
	$(BIN)/python bench/user_sessions.py --backend both

bench-collector: install ## Collector throughput: WebSocket pixels into SQLite and PostgreSQL
	scripts/ensure-postgres
	$(BIN)/python bench/collector.py --backend both

bench-gate: install ## The small, fixed benchmarks CI runs as gates
	scripts/ensure-postgres
	scripts/ensure-wrk
	$(BIN)/python bench/user_sessions.py --gate
	$(BIN)/python bench/collector.py --gate

bench-detection: install ## Detection evaluation: recorded people and real automated Chromium (~30 min)
	scripts/ensure-chromium
	$(BIN)/python -m bench.detection

bench-detection-gate: install ## The detection evaluation's quick gate (~2 min)
	scripts/ensure-chromium
	$(BIN)/python -m bench.detection --quick

pixel: ## Rebuild the minified pixel (needs npm)
	scripts/build-pixel

clean: ## Remove the virtualenv, caches, the compiled detector and demo database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis src/notai/detect/_native
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
