"""Keep the chapter notebooks in their canonical, reproducible form.

``python tools/notebooks.py chapters/01_model.ipynb ...`` (what
``make notebooks`` runs) does, for each notebook:

1. rewrites its first code cell, the Colab set-up cell;
2. formats its code cells with ruff;
3. executes it top to bottom in a fresh kernel, in its own folder;
4. drops volatile metadata (timings, the kernel's exact Python version) so
   that re-executing unchanged code gives byte-identical files;
5. records the fingerprint of the code that produced its outputs (its code
   cells and the vinotes package) and writes it back.

The unit tests import :func:`colab_setup_source`, :func:`is_normalized` and
:func:`code_fingerprint` to check the committed notebooks: strict nbval
compares only text, so the fingerprint is what shows a figure is not stale.
"""

from __future__ import annotations

import copy
import hashlib
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {"name": "python"}
COLAB_SETUP_TAGS = ["hide-cell", "colab-setup"]
CELL_TIMEOUT_SECONDS = 300
FINGERPRINT_KEY = "outputs_from_code"


def repository_url(config_path: Path = ROOT / "_config.yml") -> str:
    """The repository URL, the one setting in ``_config.yml`` that locates the book."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/")


def book_versions() -> dict[str, str]:
    """Each runtime dependency of vinotes as installed here, where the chapters run."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [canonicalize_name(Requirement(d).name) for d in project["dependencies"]]
    return {name: metadata.version(name) for name in names}


def colab_setup_source(url: str | None = None) -> str:
    """Source of the first code cell of every chapter."""
    url = url or repository_url()
    book = ",\n        ".join(f'"{name}": "{version}"' for name, version in book_versions().items())
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"""# Colab set-up; elsewhere it does nothing. It installs what Colab lacks
# (vinotes and daft-pgm) and keeps every package Colab already has, then shows
# which versions run here beside those the book's numbers were computed with.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess
    from importlib import metadata

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    before = {{d.name.lower(): d.version for d in metadata.distributions()}}
    # make test-colab sets VINOTES_SOURCE to the checkout
    source = os.environ.get("VINOTES_SOURCE", "git+{url}")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", f"vinotes @ {{source}}"]
    subprocess.run(pip, check=True)
    after = {{d.name.lower(): d.version for d in metadata.distributions()}}
    added = [f"{{name}} {{after[name]}}" for name in sorted(after.keys() - before.keys())]
    print("Installed:", ", ".join(added) or "nothing")
    book = {{
        {book},
    }}
    print(f"{{'':24}}{{'here':>10}}{{'book':>10}}")
    print(f"{{'python':24}}{{sys.version.split()[0]:>10}}{{'{python}':>10}}")
    for name, version in book.items():
        print(f"{{name:24}}{{metadata.version(name):>10}}{{version:>10}}")
    owners = metadata.packages_distributions()
    imported = {{d.lower() for module in sys.modules for d in owners.get(module, [])}}
    replaced = sorted(n for n in imported & before.keys() if after.get(n) != before[n])
    if replaced:
        raise RuntimeError(
            f"Restart needed: pip replaced {{', '.join(replaced)}}, already imported here."
            " Choose Runtime > Restart session, then run the notebook again from the top."
        )"""


def code_fingerprint(notebook: nbformat.NotebookNode) -> str:
    """SHA-256 of the code behind the outputs: the code cells and every vinotes file."""
    digest = hashlib.sha256()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode() + b"\0")
    package = ROOT / "src" / "vinotes"
    for path in sorted([*package.glob("*.py"), *package.glob("data/*")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def first_code_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The first code cell of ``notebook``."""
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


def set_colab_setup(notebook: nbformat.NotebookNode) -> None:
    """Make the first code cell the canonical Colab set-up cell."""
    cell = first_code_cell(notebook)
    cell.source = colab_setup_source()
    cell.metadata["tags"] = list(COLAB_SETUP_TAGS)


def merge_streams(outputs: list) -> list:
    """Join consecutive outputs of the same stream (how a kernel splits them varies)."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else {}
        if output.output_type == previous.get("output_type") == "stream" and (
            output.name == previous.name
        ):
            previous.text += output.text
        else:
            merged.append(copy.deepcopy(output))
    return merged


def normalize(notebook: nbformat.NotebookNode) -> None:
    """Drop volatile metadata and join split streams, in place."""
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = dict(LANGUAGE_INFO)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)


def is_normalized(notebook: nbformat.NotebookNode) -> bool:
    """Whether ``notebook`` is as :func:`normalize` leaves it."""
    normalized = copy.deepcopy(notebook)
    normalize(normalized)
    return normalized == notebook


def execute(path: Path) -> None:
    """Regenerate the set-up cell, execute ``path`` in place and normalize it."""
    notebook = nbformat.read(path, as_version=4)
    set_colab_setup(notebook)
    nbformat.write(notebook, path)
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(path)], check=True)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=KERNELSPEC["name"],
        timeout=CELL_TIMEOUT_SECONDS,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    normalize(notebook)
    notebook.metadata[FINGERPRINT_KEY] = code_fingerprint(notebook)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)


def main(paths: list[str]) -> int:
    for path in paths:
        print(f"executing {path}", flush=True)
        execute(Path(path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
