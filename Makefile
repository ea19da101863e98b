# quelle: `make run` and `make test` do all set-up on a fresh machine (Python 3.11 + pip).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: run test lint bench soak clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/quelle run

test: $(STAMP)
	@command -v chromium >/dev/null || [ -z "$$CI" ] || ./.ci/install-chromium.sh
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check flows parsers warehouse tests bench
	$(BIN)/mypy flows parsers warehouse

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Longer, randomised crash soak (kills at random stages and moments), bounded in time.
soak: $(STAMP)
	QUELLE_SOAK_ITERATIONS=$${QUELLE_SOAK_ITERATIONS:-30} QUELLE_SOAK_SECONDS=$${QUELLE_SOAK_SECONDS:-900} \
		$(BIN)/pytest tests/faults/test_kill_soak.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
