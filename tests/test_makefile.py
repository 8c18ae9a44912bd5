"""The Makefile wires up what the README promises: `make test` runs every check."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
TARGET = re.compile(r"^([A-Za-z][\w.-]*)\s*:(?!=)", flags=re.MULTILINE)


def recipe(target: str) -> str:
    match = re.search(rf"^{re.escape(target)}\s*:.*\n((?:\t.*\n)+)", MAKEFILE, flags=re.MULTILINE)
    assert match, f"no recipe for {target}"
    return match[1]


def test_every_target_is_defined_once():
    names = TARGET.findall(MAKEFILE)
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert duplicates == []


def test_make_test_runs_lint_unit_tests_strict_nbval_and_the_strict_build():
    steps = recipe("test")
    for target in ["lint", "test-unit", "test-notebooks", "test-book", "test-browser"]:
        assert f"$(MAKE) --no-print-directory {target}\n" in steps


def test_nbval_is_strict_and_covers_every_chapter():
    steps = recipe("test-notebooks")
    assert "--nbval " in steps and "--nbval-lax" not in steps
    assert "$(CHAPTERS)" in steps
    assert "CHAPTERS := $(sort $(wildcard chapters/*.ipynb))" in MAKEFILE


def test_book_build_is_strict():
    assert "STRICT_FLAGS := --all -W -n --keep-going" in MAKEFILE
    assert "$(STRICT_FLAGS)" in recipe("test-book")


def test_browser_test_runs_and_unit_tests_leave_it_out():
    assert "pytest tests/browser" in recipe("test-browser")
    assert "--ignore=tests/browser" in recipe("test-unit")


def test_ci_installs_chromium_and_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get install" in script and "chromium" in script
    assert script.strip().splitlines()[-1] == "make test"


def test_book_build_reuses_only_what_nbval_has_just_executed():
    steps = recipe("test-notebooks").splitlines()
    clear = next(i for i, s in enumerate(steps) if "rm -rf $(NBVAL_EXECUTED)" in s)
    nbval = next(i for i, s in enumerate(steps) if "pytest --nbval " in s)
    seed = next(i for i, s in enumerate(steps) if "seed_execution_cache.py" in s)
    assert clear < nbval < seed
    assert "--nbval-keep-executed=$(NBVAL_EXECUTED)" in recipe("test-notebooks")
    # Jupyter Book's default cache folder, which _config.yml does not move.
    assert "EXECUTION_CACHE := _build/.jupyter_cache" in MAKEFILE
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "cache" not in config["execute"]
