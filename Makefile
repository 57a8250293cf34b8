# Yici: the two set-up commands are `make run` and `make test`; everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install test-unit lint i18n-check bench bench-scale clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c requirements.lock 'setuptools==80.9.0' 'pip>=23'
	$(BIN)/pip install -q -c requirements.lock -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/yici run

# ruff (lint) and mypy (types, configured in pyproject.toml): any finding fails `make test` and `make test-unit`
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# every user-facing string has its Mongolian (drafts allowed, counted): fails on an untranslated one (ADR 0030)
i18n-check: $(STAMP)
	$(BIN)/yici i18n check --quiet

test: $(STAMP) lint i18n-check
	bash deploy/ensure-services.sh
	bash deploy/install-browser.sh
	bash deploy/install-tools.sh
	$(BIN)/python -m pytest tests -n 3 --dist loadgroup --durations=25

test-unit: $(STAMP) lint
	bash deploy/install-tools.sh asyncapi
	$(BIN)/python -m pytest tests/unit tests/contract

bench: $(STAMP)
	bash deploy/ensure-services.sh
	$(BIN)/python bench/pipeline.py $(BENCH_ARGS)

bench-scale: $(STAMP)
	bash deploy/ensure-services.sh
	$(BIN)/python bench/scale.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
