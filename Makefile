# The two commands: `make demo` and `make test`. Each creates .venv with python3 if missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= outputs/ukraine_2025

.PHONY: demo test fuzz lint lab bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,notebooks,dask]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/negsim run ukraine_2025 --out $(OUT) --force
	$(BIN)/negsim claims ukraine_2025
	$(BIN)/negsim explain-delay ukraine_2025 --figure $(OUT)/delay.png

# the gates (lint, format, types) first, then the tests and every docstring example of
# negsim/ and docs/ (README promises them)
test: $(VENV)/.installed-dev lint
	$(BIN)/python -m pytest -n 2 -q tests negsim docs --doctest-modules --doctest-glob='*.md'

fuzz: $(VENV)/.installed-dev
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/test_fuzz.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check negsim tests benchmarks
	$(BIN)/ruff format --check negsim tests benchmarks
	$(BIN)/mypy negsim

lab: $(VENV)/.installed-dev
	$(BIN)/jupyter lab notebooks/

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/solve.py
	$(BIN)/python benchmarks/normal_form.py
	$(BIN)/python benchmarks/sweep.py

clean:
	rm -rf $(VENV) outputs .pytest_cache .hypothesis
