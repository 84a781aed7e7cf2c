# The few verbs people type. Everything creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out

.PHONY: demo test install lint bench goldens clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Cần Python 3.11 trở lên / Python 3.11+ required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/vaxutils demo --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q
	@echo "Identifier modules must stay fully covered:"
	$(BIN)/python -m pytest -q tests/test_ids_*.py vaxutils/ids --cov=vaxutils.ids --cov-fail-under=100 --cov-report=term-missing:skip-covered

lint: $(STAMP)
	$(BIN)/ruff check vaxutils tests benchmarks scripts
	$(BIN)/ruff format --check vaxutils tests benchmarks scripts
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(OUT) build *.egg-info

goldens: $(STAMP)
	$(BIN)/python scripts/regen_goldens.py
