"""pytest plugin: keep the notebooks strict nbval has just executed.

Strict nbval runs every chapter in a fresh kernel and compares each cell's
outputs with the committed ones. Its fresh outputs are thrown away, so the
book build used to execute every chapter a second time. With
``--nbval-keep-executed=DIR`` this plugin writes, for every notebook whose
cells *all* passed (none failed, none skipped), the notebook with the outputs
of this run and consecutive execution counts to ``DIR/<name>.ipynb``, plus
the seconds its cells took. ``tools/seed_execution_cache.py`` then hands
those to Jupyter Book's execution cache. A notebook with any failed or
skipped cell is not written, so the book build executes it itself.

Load with ``-p tools.nbval_keep``; it works under pytest-xdist because each
worker writes only the notebooks it ran.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile


@dataclass
class _NotebookRun:
    collector: IPyNbFile
    outputs: dict[int, list] = field(default_factory=dict)
    seconds: float = 0.0
    failed: bool = False


_runs: dict[str, _NotebookRun] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--nbval-keep-executed",
        metavar="DIR",
        default=None,
        help="write each fully passing notebook, with its fresh outputs, to DIR",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if not isinstance(item, IPyNbCell):
        return
    run = _runs.setdefault(str(item.parent.path), _NotebookRun(item.parent))
    if report.failed or report.skipped:
        run.failed = True
    elif report.when == "call":
        run.outputs[item.cell_num] = item.test_outputs
        run.seconds += report.duration


def _executed_notebook(run: _NotebookRun) -> nbformat.NotebookNode | None:
    """The committed notebook with this run's outputs, or None if a cell is missing."""
    nb = copy.deepcopy(run.collector.nb)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    if run.failed or sorted(run.outputs) != list(range(len(code_cells))):
        return None
    for count, cell in enumerate(code_cells, start=1):
        outputs = []
        for output in run.outputs[count - 1]:
            output = nbformat.from_dict(json.loads(json.dumps(output)))
            if output.output_type == "execute_result":
                output.execution_count = count
            outputs.append(output)
        cell.outputs = outputs
        cell.execution_count = count
    nbformat.validate(nb)
    return nb


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = session.config.getoption("--nbval-keep-executed")
    if target is None:
        return
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    for path, run in _runs.items():
        stem = Path(path).stem
        for stale in (target / f"{stem}.ipynb", target / f"{stem}.json"):
            stale.unlink(missing_ok=True)
        nb = _executed_notebook(run)
        if nb is None:
            continue
        nbformat.write(nb, target / f"{stem}.ipynb")
        (target / f"{stem}.json").write_text(
            json.dumps({"source": path, "execution_seconds": round(run.seconds, 3)})
        )
