"""Run every chapter as a learner would in today's Colab: ``make test-colab``.

The environment (built by ``make test-colab`` from Colab's published package
list) stands in for a fresh Colab runtime. For each chapter this script

1. checks that the environment is exactly as Colab ships it (``pip freeze``
   equal to the one recorded when it was built), removing what an earlier
   chapter's set-up cell installed;
2. starts a kernel in which ``google.colab`` exists and numpy and PIL are
   already imported, as in Colab, and whose set-up cell installs vinotes from
   this checkout instead of GitHub;
3. executes the chapter top to bottom; after its set-up cell, a check cell
   fails if any already-imported distribution was replaced (a restart would
   be needed);
4. fails on any cell error or assert, and on any package of the runtime the
   chapter changed; prints what the set-up cell installed and the seconds from
   the first cell to the last.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
KERNEL_NAME = "colab-emulation"
CELL_TIMEOUT_SECONDS = 600

# Run by the emulated kernel before any cell: what a Colab kernel has done.
KERNEL_STARTUP = """
import google.colab
import numpy
import PIL.Image
from importlib import metadata as _metadata
_versions_at_start = {d.name.lower(): d.version for d in _metadata.distributions()}
"""

# Inserted after the set-up cell.
STALE_MODULE_CHECK = """
import sys
_owners = _metadata.packages_distributions()
_imported = {d.lower() for m in list(sys.modules) for d in _owners.get(m, [])}
_now = {d.name.lower(): d.version for d in _metadata.distributions()}
_stale = sorted(
    f"{d} {_versions_at_start[d]} -> {_now.get(d)}"
    for d in _imported & _versions_at_start.keys()
    if _now.get(d) != _versions_at_start[d]
)
assert not _stale, f"the set-up cell replaced imported distributions: {_stale}"
"""


def freeze(python: Path) -> list[str]:
    """``pip freeze`` of the environment of ``python``."""
    result = subprocess.run(
        [str(python), "-m", "pip", "freeze", "--all"], check=True, capture_output=True, text=True
    )
    return sorted(result.stdout.splitlines())


def reset(python: Path, baseline: list[str]) -> None:
    """Give the environment back its Colab state, or fail saying what differs."""
    subprocess.run(
        [str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "vinotes", "daft-pgm"],
        check=True,
        capture_output=True,
    )
    difference = sorted(set(freeze(python)) ^ set(baseline))
    if difference:
        raise SystemExit(f"the emulated Colab runtime was changed: {difference}")


def write_kernel(folder: Path, python: Path) -> dict[str, str]:
    """A kernelspec, a fake ``google.colab`` and a startup file; the environment to use them."""
    (folder / "stub" / "google" / "colab").mkdir(parents=True)
    (folder / "stub" / "google" / "colab" / "__init__.py").write_text(
        '"""Stand-in for Colab\'s package: only its presence matters."""\n'
    )
    startup = folder / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text(KERNEL_STARTUP)
    spec = folder / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    kernel = {
        "argv": [
            str(python),
            "-Xfrozen_modules=off",
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ],
        "display_name": "Colab emulation",
        "language": "python",
        "env": {
            "PYTHONPATH": str(folder / "stub"),
            "IPYTHONDIR": str(folder / "ipython"),
            "VINOTES_SOURCE": ROOT.as_uri(),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        },
    }
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=1))
    return {"JUPYTER_PATH": str(folder / "jupyter")}


def seconds(cell: nbformat.NotebookNode, key: str) -> float:
    return datetime.fromisoformat(cell.metadata["execution"][key]).timestamp()


# TensorFlow's C++ log lines, which Colab's kernel passes on to the cells.
TF_LOG_LINE = re.compile(r"^(\S+ \S+: [IWEF] external/|[IWEF]\d{4} |WARNING: All log messages)")


def text_outputs(cell: nbformat.NotebookNode) -> str:
    """What a cell printed or returned as text, without TensorFlow's log lines."""
    text = "".join(o.get("text") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    return "".join(line for line in text.splitlines(True) if not TF_LOG_LINE.match(line))


def run_chapter(path: Path, output_dir: Path) -> tuple[float, int]:
    """Execute ``path`` in the emulated kernel.

    Prints what its set-up cell printed; returns the learner's wait (seconds
    from the first cell to the last) and how many cells printed text other
    than the committed text; writes the executed notebook to ``output_dir``.
    """
    notebook = nbformat.read(path, as_version=4)
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    notebook.cells.insert(code[0] + 1, nbformat.v4.new_code_cell(STALE_MODULE_CHECK))
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT_SECONDS,
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    try:
        client.execute()
    finally:
        nbformat.write(notebook, output_dir / path.name)
        report = "".join(output.get("text", "") for output in cells[0].outputs)
        print(report, end="", flush=True)
    wait = seconds(cells[-1], "shell.execute_reply") - seconds(cells[0], "iopub.execute_input")
    committed = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    differ = sum(
        text_outputs(ran) != text_outputs(kept)
        for ran, kept in zip(cells[2:], committed[1:], strict=True)
    )
    return wait, differ


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", type=Path, required=True, help="the emulated runtime's python")
    parser.add_argument("--baseline", type=Path, required=True, help="its recorded pip freeze")
    parser.add_argument("--output-dir", type=Path, required=True, help="for the executed chapters")
    parser.add_argument("chapters", nargs="+", type=Path)
    args = parser.parse_args(argv)
    baseline = sorted(args.baseline.read_text().splitlines())
    args.output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        os.environ.update(write_kernel(Path(folder), args.python.absolute()))
        waits = {}
        for path in args.chapters:
            reset(args.python, baseline)
            print(f"{path.name}: running", flush=True)
            waits[path.name], differ = run_chapter(path, args.output_dir)
            installed = sorted(set(freeze(args.python)) - set(baseline))
            print(
                f"{path.name}: {waits[path.name]:.1f} s; set-up installed {installed}; "
                f"{differ} cells printed other text than the committed outputs"
            )
        reset(args.python, baseline)
    print("\nSeconds from the first cell to the last, in the emulated Colab runtime:")
    for name, wait in waits.items():
        print(f"  {name:40} {wait:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
