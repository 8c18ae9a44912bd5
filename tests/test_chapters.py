"""Checks of the committed chapter notebooks that nbval does not make.

nbval re-executes every chapter and compares its outputs with the committed
ones; these tests check what the committed files must be in themselves.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import CHAPTERS, ROOT

spec = importlib.util.spec_from_file_location("notebooks", ROOT / "tools" / "notebooks.py")
notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(notebooks)

# Lines TensorFlow's C++ runtime writes to stderr (absl logging and friends), and
# its Python logger's warnings.
TF_LOG_PATTERNS = [
    r"^WARNING:tensorflow:",
    r"absl::InitializeLog",
    r"^[IWEF]\d{4} \d\d:\d\d:\d\d",
    r"oneDNN custom operations",
    r"cudart_stub|cuInit|cuda_platform|cpu_feature_guard",
    r"This TensorFlow binary is optimized",
]
# Paths that would only exist on the machine that executed the notebook.
MACHINE_PATH_PATTERNS = [r"/home/\w+", r"/root/", r"/tmp/", r"/work/", r"site-packages", r"\.venv"]


def chapter_ids():
    return [path.stem for path in CHAPTERS]


@pytest.fixture(params=CHAPTERS, ids=chapter_ids())
def chapter(request):
    return nbformat.read(request.param, as_version=4)


def text_outputs(notebook):
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                yield cell, output.text
            elif output.output_type == "error":
                yield cell, "\n".join(output.traceback)
            else:
                for mime, value in output.get("data", {}).items():
                    if mime.startswith("text/") or "papermill.record/text" in mime:
                        yield cell, value if isinstance(value, str) else "".join(value)


def test_there_are_chapters():
    assert [path.name for path in CHAPTERS][:1] == ["01_model.ipynb"]


def test_notebook_is_valid_and_normalized(chapter):
    nbformat.validate(chapter)
    assert notebooks.is_normalized(chapter), "run `make notebooks` to normalize it"


def test_outputs_come_from_the_current_code(chapter):
    """The committed outputs, figures included, were made by this chapter's and vinotes' code."""
    recorded = chapter.metadata.get(notebooks.FINGERPRINT_KEY)
    assert recorded == notebooks.code_fingerprint(chapter), "run `make notebooks` to refresh it"


def test_first_code_cell_is_the_colab_setup(chapter):
    cell = notebooks.first_code_cell(chapter)
    assert cell.source == notebooks.colab_setup_source()
    assert "hide-cell" in cell.metadata.get("tags", [])
    assert cell.outputs == []
    earlier_code = [c for c in chapter.cells[: chapter.cells.index(cell)] if c.cell_type == "code"]
    assert earlier_code == []


def test_colab_setup_does_nothing_outside_colab():
    """Run as a plain script, the set-up cell prints nothing and starts no process."""
    probe = (
        "import subprocess\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('the set-up cell started a process')\n"
        "subprocess.run = refuse\n" + notebooks.colab_setup_source()
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_colab_setup_names_the_locked_versions():
    """The cell's 'book' column is what requirements.txt pins, the stack the chapters ran on."""
    lock = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            requirement = Requirement(line)
            lock[canonicalize_name(requirement.name)] = next(iter(requirement.specifier)).version
    book = notebooks.book_versions()
    assert {"tensorflow", "numpy", "daft-pgm"} <= book.keys()
    assert book == {name: lock[name] for name in book}


def test_every_code_cell_was_executed_in_order(chapter):
    counts = [cell.execution_count for cell in chapter.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "run `make notebooks` to re-execute it"


def test_no_errors_and_no_stderr(chapter):
    for cell in chapter.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"cell {cell.id} raised"
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"cell {cell.id} wrote to stderr: {output.text[:200]}"
            )


def test_no_tensorflow_log_lines(chapter):
    for cell, text in text_outputs(chapter):
        for pattern in TF_LOG_PATTERNS:
            assert not re.search(pattern, text, flags=re.MULTILINE), (
                f"cell {cell.id} holds a TensorFlow log line matching {pattern!r}"
            )


def test_no_machine_specific_paths(chapter):
    for cell, text in text_outputs(chapter):
        for pattern in MACHINE_PATH_PATTERNS:
            assert not re.search(pattern, text), f"cell {cell.id} shows a local path ({pattern})"


def test_figures_have_captions_and_alt_text(chapter):
    for cell in chapter.cells:
        if cell.cell_type != "code":
            continue
        has_image = any("image/png" in o.get("data", {}) for o in cell.outputs)
        if has_image and "remove-cell" not in cell.metadata.get("tags", []):
            settings = cell.metadata.get("mystnb", {})
            assert settings.get("figure", {}).get("caption"), f"cell {cell.id}: no caption"
            assert settings.get("figure", {}).get("name"), f"cell {cell.id}: no label"
            assert settings.get("image", {}).get("alt"), f"cell {cell.id}: no alt text"


def test_every_captioned_figure_cell_shows_an_image(chapter):
    for cell in chapter.cells:
        if cell.cell_type == "code" and "figure" in cell.metadata.get("mystnb", {}):
            images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
            assert len(images) == 1, f"cell {cell.id} should display exactly one figure"


def test_chapter_is_in_the_table_of_contents(chapter):
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    # the fixture does not carry the path, so check all chapters at once
    for path in CHAPTERS:
        assert f"file: chapters/{path.stem}" in toc
