"""The book build reuses what strict nbval executed, and nothing else.

`tools/nbval_keep.py` keeps a notebook only when every one of its cells passed;
`tools/seed_execution_cache.py` caches only executed notebooks without errors,
under the key Jupyter Book looks up for the committed file.
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from jupyter_cache import get_cache
from jupyter_cache.base import NbValidityError

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import seed_execution_cache


def _notebook(*sources: str, outputs: list | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter")]
    for count, source in enumerate(sources, start=1):
        cell = nbformat.v4.new_code_cell(source, execution_count=count)
        cell.outputs = (outputs or {}).get(count, [])
        nb.cells.append(cell)
    return nb


def _run_nbval(tmp_path, *notebooks) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            "-p",
            "no:cacheprovider",
            "-p",
            "tools.nbval_keep",
            f"--nbval-keep-executed={tmp_path / 'executed'}",
            "--rootdir",
            str(tmp_path),
            "-c",
            "/dev/null",
            *map(str, notebooks),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def nbval_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("nbval")
    stdout = nbformat.v4.new_output("stream", name="stdout", text="3\n")
    result = nbformat.v4.new_output("execute_result", data={"text/plain": "6"}, execution_count=2)
    passing = _notebook("x = 3\nprint(x)", "2 * x", outputs={1: [stdout], 2: [result]})
    wrong = nbformat.v4.new_output("stream", name="stdout", text="4\n")
    failing = _notebook("x = 3\nprint(x)", "2 * x", outputs={1: [wrong], 2: [result]})
    nbformat.write(passing, tmp_path / "passing.ipynb")
    nbformat.write(failing, tmp_path / "failing.ipynb")
    run = _run_nbval(tmp_path, tmp_path / "passing.ipynb", tmp_path / "failing.ipynb")
    return tmp_path, run


def test_only_the_fully_passing_notebook_is_kept(nbval_run):
    tmp_path, run = nbval_run
    assert run.returncode == 1, run.stdout  # the failing notebook fails nbval
    assert "1 failed, 3 passed" in run.stdout
    kept = sorted(p.name for p in (tmp_path / "executed").iterdir())
    assert kept == ["passing.ipynb", "passing.json"]


def test_kept_notebook_holds_this_runs_outputs(nbval_run):
    tmp_path, _ = nbval_run
    nb = nbformat.read(tmp_path / "executed" / "passing.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == [1, 2]
    assert code[0].outputs[0].text == "3\n"
    assert code[1].outputs[0].data["text/plain"] == "6"
    assert code[1].outputs[0].execution_count == 2
    info = json.loads((tmp_path / "executed" / "passing.json").read_text())
    assert info["source"] == str(tmp_path / "passing.ipynb")
    assert info["execution_seconds"] > 0


def test_seeded_cache_matches_the_committed_notebook(nbval_run, tmp_path):
    executed = nbval_run[0] / "executed"
    assert seed_execution_cache.seed(executed, tmp_path / "cache") == 1
    committed = nbformat.read(nbval_run[0] / "passing.ipynb", as_version=4)
    record = get_cache(str(tmp_path / "cache")).match_cache_notebook(committed)
    assert record.data["execution_seconds"] > 0


def test_seeding_refuses_an_error_output(tmp_path):
    error = nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="", traceback=[])
    nb = _notebook("1 / 0", outputs={1: [error]})
    nbformat.write(nb, tmp_path / "broken.ipynb")
    source = str(tmp_path / "broken.ipynb")
    (tmp_path / "broken.json").write_text(json.dumps({"source": source, "execution_seconds": 1}))
    with pytest.raises(SystemExit, match="error output"):
        seed_execution_cache.seed(tmp_path, tmp_path / "cache")


def test_seeding_refuses_an_unexecuted_notebook(tmp_path):
    nb = _notebook("x = 1", "x + 1")
    nb.cells[2].execution_count = None
    nbformat.write(nb, tmp_path / "unrun.ipynb")
    source = str(tmp_path / "unrun.ipynb")
    (tmp_path / "unrun.json").write_text(json.dumps({"source": source, "execution_seconds": 1}))
    with pytest.raises(NbValidityError, match="execution_count"):
        seed_execution_cache.seed(tmp_path, tmp_path / "cache")
