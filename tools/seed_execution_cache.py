"""Hand the notebooks strict nbval just executed to Jupyter Book's execution cache.

Usage: python tools/seed_execution_cache.py EXECUTED_DIR CACHE_DIR

``tools/nbval_keep.py`` writes every chapter whose cells all passed strict
nbval, with the outputs of that run, to EXECUTED_DIR. This script adds each
to the jupyter-cache at CACHE_DIR (the book's ``execute.cache`` folder), so
the book build that follows renders those outputs instead of executing the
chapter again. The cache matches a notebook by its code cells, exactly as for
outputs it computed itself. jupyter-cache checks that the execution counts
run 1, 2, 3, ...; this script also refuses a notebook holding an error
output. A chapter that is not handed over is executed by the book build.

It also reports, per chapter, whether each fresh figure is byte-identical to
the committed one: nbval compares text, not images.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn


def _figures(nb: nbformat.NotebookNode) -> list[str]:
    return [
        output.data["image/png"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]


def seed(executed_dir: Path, cache_dir: Path) -> int:
    cache = get_cache(str(cache_dir))
    seeded = 0
    for path in sorted(executed_dir.glob("*.ipynb")):
        info = json.loads(path.with_suffix(".json").read_text())
        nb = nbformat.read(path, as_version=4)
        errors = [
            output
            for cell in nb.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if output.output_type == "error"
        ]
        if errors:
            raise SystemExit(f"{path.name}: holds an error output; not cached")
        seconds = {"execution_seconds": info["execution_seconds"]}
        cache.cache_notebook_bundle(
            CacheBundleIn(nb, info["source"], data=seconds),
            check_validity=True,
            overwrite=True,
        )
        fresh = _figures(nb)
        committed = _figures(nbformat.read(info["source"], as_version=4))
        same = sum(a == b for a, b in zip(fresh, committed, strict=False))
        print(
            f"cached {path.stem}: executed in {info['execution_seconds']:.1f} s by nbval; "
            f"figures identical to the committed ones: {same} of {len(fresh)}"
        )
        seeded += 1
    return seeded


if __name__ == "__main__":
    executed, cache = map(Path, sys.argv[1:3])
    count = seed(executed, cache)
    print(f"{count} executed chapter(s) handed to the book build's cache at {cache}")
