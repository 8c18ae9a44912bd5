"""The pins and the package metadata stay consistent."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s#]+)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"requirements.txt: {line!r} is not an exact pin"
        pins[normalized(match[1])] = match[2]
    return pins


def test_every_requirement_is_pinned_exactly():
    pins = requirement_pins()
    for name in [
        "tensorflow",
        "tensorflow-probability",
        "tf-keras",
        "jupyter-book",
        "myst-nb",
        "nbval",
        "matplotlib",
        "numpy",
        "daft-pgm",
        "pytest",
        "pytest-xdist",
        "ruff",
    ]:
        assert name in pins, f"{name} must be pinned in requirements.txt"
    assert pins["tensorflow"] == "2.21.0"
    assert pins["tensorflow-probability"] == "0.25.0"
    assert pins["tf-keras"] == "2.21.0"
    assert pins["jupyter-book"] == "1.0.4.post1"
    assert "daft" not in pins, "the PyPI package 'daft' is a dataframe engine; use daft-pgm"


def test_package_dependencies_match_the_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = requirement_pins()
    for dependency in project["dependencies"]:
        name = normalized(re.split(r"[=<>!~ ]", dependency, maxsplit=1)[0])
        assert name in pins, f"{name} is a dependency of vinotes but not in requirements.txt"
        match = PIN.match(dependency)
        if match:
            assert pins[name] == match[2], (
                f"{name}: pyproject pins {match[2]}, requirements {pins[name]}"
            )


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    pins = requirement_pins()
    for name in ["tensorflow", "tensorflow-probability", "tf-keras", "numpy", "matplotlib"]:
        assert version(name) == pins[name], f"{name} installed {version(name)}, pinned {pins[name]}"
