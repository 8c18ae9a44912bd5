# Entry points of the book. A new user needs only two of them:
#   make book   build the HTML book into _build/html/
#   make test   unit tests, strict nbval on every chapter, strict book build
# Both create .venv (once; again only when requirements change) themselves.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

CHAPTERS := $(sort $(wildcard chapters/*.ipynb))
ENV_STAMP := $(VENV)/.installed
PACKAGE_STAMP := $(VENV)/.vinotes-installed
BOOK_FLAGS := --keep-going
STRICT_FLAGS := --all -W -n --keep-going

.PHONY: help book test test-unit test-notebooks test-book lint format notebooks bench-vi env clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

env: $(PACKAGE_STAMP)  ## create .venv with the pinned stack and vinotes

# The pinned stack is installed again only when what it is built from changes.
$(ENV_STAMP): requirements.txt tools/ipython_kernel_config.py
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -r requirements.txt
	mkdir -p $(VENV)/etc/ipython
	cp tools/ipython_kernel_config.py $(VENV)/etc/ipython/ipython_kernel_config.py
	touch $@

# vinotes is installed as a wheel, as a reader's environment has it, and
# again whenever its source changes. Jupyter Book caches executed notebooks
# by their code only, so outputs cached with the old package are dropped.
$(PACKAGE_STAMP): $(ENV_STAMP) pyproject.toml $(wildcard src/vinotes/*.py) src/vinotes/py.typed
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --force-reinstall .
	rm -rf _build/.jupyter_cache
	touch $@

book: $(PACKAGE_STAMP)  ## execute the chapters (cached) and build the HTML book
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo "The book is ready: open file://$(abspath _build/html/index.html)"

test: $(PACKAGE_STAMP)  ## lint, unit tests, strict nbval, strict book build
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-notebooks
	$(MAKE) --no-print-directory test-book
	@echo "All tests passed."

lint: $(PACKAGE_STAMP)  ## ruff lint and format check of the package, tests and chapters
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(PACKAGE_STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-unit: $(PACKAGE_STAMP)  ## unit tests of vinotes and of the committed notebooks
	$(BIN)/python -m pytest tests

test-notebooks: $(PACKAGE_STAMP)  ## strict nbval: every chapter against its committed outputs
	$(BIN)/python -m pytest --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg \
		-n 2 --dist loadfile -p no:cacheprovider $(CHAPTERS)

test-book: $(PACKAGE_STAMP)  ## build the whole book; any warning or cell error fails
	$(BIN)/jupyter-book build . $(STRICT_FLAGS)

bench-vi: $(PACKAGE_STAMP)  ## benchmark fit_surrogate against tfp.vi.fit_surrogate_posterior
	$(BIN)/python benchmarks/vi_fit.py

notebooks: $(PACKAGE_STAMP)  ## re-execute the chapters in place to refresh their committed outputs
	$(BIN)/python tools/notebooks.py execute $(or $(NB),$(CHAPTERS))

clean:  ## remove the built book and its execution cache
	rm -rf _build

distclean: clean  ## also remove .venv
	rm -rf $(VENV)
