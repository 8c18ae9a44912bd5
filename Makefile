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
MATHJAX_STAMP := _mathjax/mathjax/.version
BOOK_FLAGS := --keep-going
STRICT_FLAGS := --all -W -n --keep-going

.PHONY: help chromium book test test-unit test-notebooks test-book test-browser test-portable lint format notebooks lock bench bench-vi mutation test-colab test-binder env clean distclean

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
# again whenever its source changes. The install is offline, so it also
# proves that the lock satisfies every range pyproject.toml declares.
$(PACKAGE_STAMP): $(ENV_STAMP) pyproject.toml $(wildcard src/vinotes/*.py src/vinotes/data/*) src/vinotes/py.typed
	$(BIN)/python -m pip uninstall --quiet --yes vinotes 2>/dev/null || true
	$(BIN)/python -m pip install --quiet --no-index --no-build-isolation ".[book,dev]" \
		|| { echo "requirements.txt does not satisfy pyproject.toml: run make lock"; exit 1; }
	touch $@

# The lock: every package of the book, its tests and its tools, pinned, for
# Python 3.11 on any platform. uv keeps the versions already in the file;
# `make lock LOCK_FLAGS=--upgrade` (or --upgrade-package NAME) moves them.
lock: $(ENV_STAMP)  ## regenerate requirements.txt from pyproject.toml with uv
	$(BIN)/uv pip compile pyproject.toml --extra book --extra dev --python-version 3.11 \
		--universal --custom-compile-command "make lock" $(LOCK_FLAGS) --output-file requirements.txt

# MathJax is served from the book itself (pinned npm release, integrity-checked).
$(MATHJAX_STAMP): tools/fetch_mathjax.py
	$(BIN)/python tools/fetch_mathjax.py
	touch $@

book: $(PACKAGE_STAMP) $(MATHJAX_STAMP)  ## build the HTML book from the chapters and their committed outputs
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo "The book is ready: open file://$(abspath _build/html/index.html)"

test: $(PACKAGE_STAMP)  ## lint, unit tests, strict nbval, strict book build, browser test
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-notebooks
	$(MAKE) --no-print-directory test-book
	$(MAKE) --no-print-directory test-browser
	@echo "All tests passed."

lint: $(PACKAGE_STAMP)  ## ruff on the package, tests and chapters; actionlint on the CI workflows
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint

format: $(PACKAGE_STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-unit: $(PACKAGE_STAMP)  ## unit tests of vinotes and of the committed notebooks
	$(BIN)/python -m pytest -n 2 tests --ignore=tests/browser

# Strict nbval runs each chapter once, on both cores, against its committed
# outputs; the book build then renders those outputs without executing.
test-notebooks: $(PACKAGE_STAMP)  ## strict nbval: every chapter against its committed outputs
	$(BIN)/python -m pytest --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg \
		-n 2 --dist loadfile -p no:cacheprovider $(CHAPTERS)

test-book: $(PACKAGE_STAMP) $(MATHJAX_STAMP)  ## build the whole book; any warning or cell error fails
	$(BIN)/jupyter-book build . $(STRICT_FLAGS)

# The browser check needs Debian's Chromium (nothing downloads a browser).
# make installs it where it can: Debian or Ubuntu, as root or with
# password-less sudo. Elsewhere it says what to run, and the check is skipped
# (outside CI only: under CI=true a missing browser fails the test).
CHROMIUM ?= /usr/bin/chromium

chromium:
	@test -x $(CHROMIUM) && exit 0; \
	if command -v apt-get >/dev/null 2>&1 && { [ "$$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo -n"; \
		echo "Installing Debian's chromium for the browser test"; \
		$$sudo apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium; \
	else \
		echo "No Chromium at $(CHROMIUM): run 'sudo apt-get install chromium' (or set CHROMIUM=/path/to/chromium)"; \
	fi

test-browser: $(PACKAGE_STAMP) chromium  ## every built page in headless Chromium, offline (run after test-book)
	$(BIN)/python -m pytest -n 2 tests/browser -p no:cacheprovider
	@echo "Screenshots of every page: $(abspath _build/screenshots)/"

# The committed outputs must not record the arithmetic of the machine that made
# them. test-portable runs the unit tests and strict nbval again under two other
# x86-64 configurations: NumPy's dispatched SIMD kernels off (the list is the
# locked NumPy's dispatch set), OpenBLAS's kernels for an older core, XLA and
# oneDNN held to an older instruction set, other thread counts (other summation
# orders), and in the second TensorFlow's oneDNN kernels on, as in Colab.
PORTABLE_SSE4 := NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR" \
	OPENBLAS_CORETYPE=Nehalem XLA_FLAGS=--xla_cpu_max_isa=SSE4_2 ONEDNN_MAX_CPU_ISA=SSE41 \
	TF_NUM_INTRAOP_THREADS=1 OPENBLAS_NUM_THREADS=1
PORTABLE_AVX2 := NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" \
	OPENBLAS_CORETYPE=Haswell XLA_FLAGS=--xla_cpu_max_isa=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 \
	TF_ENABLE_ONEDNN_OPTS=1 TF_NUM_INTRAOP_THREADS=3 OPENBLAS_NUM_THREADS=3

test-portable: $(PACKAGE_STAMP)  ## unit tests and strict nbval again under two other CPU arithmetics (x86-64)
	@test "$$(uname -m)" = x86_64 || { echo "test-portable needs an x86-64 CPU (see CONTRIBUTING.md)"; exit 1; }
	env $(PORTABLE_SSE4) $(BIN)/python -c 'import numpy; numpy.show_runtime()'
	env $(PORTABLE_SSE4) $(MAKE) --no-print-directory test-unit test-notebooks
	env $(PORTABLE_AVX2) $(BIN)/python -c 'import numpy; numpy.show_runtime()'
	env $(PORTABLE_AVX2) $(MAKE) --no-print-directory test-unit test-notebooks
	@echo "The committed outputs hold under both arithmetics."

REPEATS ?= 3

bench: $(PACKAGE_STAMP) $(MATHJAX_STAMP)  ## time builds, make test, chapters, VI; table -> CONTRIBUTING.md
	$(BIN)/python benchmarks/bench.py --repeats $(REPEATS)

bench-vi: $(PACKAGE_STAMP)  ## benchmark fit_surrogate against tfp.vi.fit_surrogate_posterior
	$(BIN)/python benchmarks/vi_fit.py

# Mutation testing: slow, so not part of `make test`. Lines whose mutants
# behave exactly like the original carry mutmut's `# pragma: no mutate` and
# the reason. Prints the survivors and the score; fails below 90 %.
MUTATION_STATS := mutants/mutmut-cicd-stats.json

mutation: $(PACKAGE_STAMP)  ## mutmut over vinotes against the unit tests: survivors and score
	rm -rf mutants
	mkdir -p _build
	$(BIN)/mutmut run --max-children 2 > _build/mutmut-run.log 2>&1 \
		|| { tail -c 3000 _build/mutmut-run.log; exit 1; }
	$(BIN)/mutmut results
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/python -c 'import json, sys; s = json.load(open("$(MUTATION_STATS)")); \
		score = s["killed"] / s["total"]; \
		print("%d of %d mutants killed: %.1f %%" % (s["killed"], s["total"], 100 * score)); \
		sys.exit(score < 0.9)'

notebooks: $(PACKAGE_STAMP)  ## re-execute the chapters in place to refresh their committed outputs
	$(BIN)/python tools/notebooks.py $(or $(NB),$(CHAPTERS))

# Today's Colab: Python 3.13 and Colab's own versions of what the chapters use
# (tests/colab/ holds the package list Colab publishes). Every chapter runs
# top to bottom through its own set-up cell, which installs vinotes from this
# checkout. Not part of `make test`: it builds a second stack (about 3 min).
PYTHON313 ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13; do \
	command -v $$p >/dev/null 2>&1 && $$p --version >/dev/null 2>&1 && { command -v $$p; break; }; done)
COLAB_VENV := .venv-colab
COLAB_RUNTIME := tests/colab/colab-runtime-2026-08.txt
COLAB_PACKAGES := pip tensorflow tensorflow-probability tf_keras keras numpy scipy matplotlib \
	pandas ipykernel ipython protobuf pillow jax jaxlib arviz xarray h5netcdf xarray-einstats

$(COLAB_VENV)/baseline.txt: $(COLAB_RUNTIME) Makefile
	@test -n "$(PYTHON313)" || { echo "python3.13 not found: set PYTHON313=/path/to/python3.13"; exit 1; }
	rm -rf $(COLAB_VENV)
	$(PYTHON313) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet -c $(COLAB_RUNTIME) $(COLAB_PACKAGES)
	$(COLAB_VENV)/bin/python -m pip freeze --all > $@

test-colab: $(PACKAGE_STAMP) $(COLAB_VENV)/baseline.txt  ## every chapter in an emulation of today's Colab
	$(BIN)/python tests/colab/run_chapters.py --python $(COLAB_VENV)/bin/python \
		--baseline $(COLAB_VENV)/baseline.txt --output-dir _build/colab $(CHAPTERS)

# Binder: an environment made only from binder/, the way repo2docker makes
# it (the Python of runtime.txt, pip install -r requirements.txt, postBuild,
# from the repository's root), then every chapter executed by nbconvert.
# jupyter nbconvert comes with repo2docker's own base environment.
BINDER_VENV := .venv-binder
BINDER_PYTHON = $(shell v=$$(sed -n 's/^python-//p' binder/runtime.txt); \
	command -v python$$v || ls $$HOME/.pyenv/versions/$$v*/bin/python$$v 2>/dev/null | head -1)

$(BINDER_VENV)/.installed: binder/runtime.txt binder/requirements.txt binder/postBuild requirements.txt
	@test -n "$(BINDER_PYTHON)" || { echo "the Python of binder/runtime.txt is not installed"; exit 1; }
	rm -rf $(BINDER_VENV)
	$(BINDER_PYTHON) -m venv $(BINDER_VENV)
	$(BINDER_VENV)/bin/python -m pip install --quiet -r binder/requirements.txt nbconvert
	PATH=$(abspath $(BINDER_VENV))/bin:$$PATH binder/postBuild
	touch $@

test-binder: $(BINDER_VENV)/.installed  ## every chapter executed in an environment made as Binder makes it
	rm -rf _build/binder
	PATH=$(abspath $(BINDER_VENV))/bin:$$PATH jupyter nbconvert --to notebook --execute \
		--ExecutePreprocessor.timeout=600 --output-dir _build/binder $(CHAPTERS)

clean:  ## remove the built book
	rm -rf _build

distclean: clean  ## also remove .venv, .venv-colab and .venv-binder
	rm -rf $(VENV) $(COLAB_VENV) $(BINDER_VENV)
