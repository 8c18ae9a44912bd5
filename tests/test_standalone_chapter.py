"""A chapter copied alone into an empty folder runs against vinotes installed as a wheel.

The wheel is built from the checkout, installed into a scratch folder, and the
chapter is executed from an empty directory with only that folder added to
the kernel's path. A cell appended to the copy proves where vinotes came
from and that nothing of the checkout is importable.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

CHAPTER = ROOT / "chapters" / "01_model.ipynb"

PROVENANCE_CHECK = """
import sys
from pathlib import Path
import vinotes

site = Path({site!r}).resolve()
checkout = Path({checkout!r}).resolve()
assert Path(vinotes.__file__).resolve().is_relative_to(site), vinotes.__file__
environment = Path(sys.prefix).resolve()
from_checkout = [
    p for p in sys.path
    if Path(p or ".").resolve().is_relative_to(checkout)
    and not Path(p or ".").resolve().is_relative_to(environment)
]
assert from_checkout == [], from_checkout
print("vinotes from the wheel")
"""


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory):
    """Build the wheel from the checkout and install it into a scratch folder."""
    build_dir = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(build_dir),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = build_dir.glob("vinotes-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "vinotes/model.py" in names and "vinotes/py.typed" in names
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    return site


def test_chapter_runs_alone_against_the_wheel(wheel_site, tmp_path, monkeypatch):
    workdir = tmp_path / "empty"
    workdir.mkdir()
    copy = workdir / CHAPTER.name
    shutil.copy(CHAPTER, copy)
    notebook = nbformat.read(copy, as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(PROVENANCE_CHECK.format(site=str(wheel_site), checkout=str(ROOT)))
    )

    monkeypatch.setenv("PYTHONPATH", str(wheel_site))
    monkeypatch.chdir(workdir)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()

    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert notebook.cells[-1].outputs[-1].text == "vinotes from the wheel\n"
