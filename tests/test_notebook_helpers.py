"""Unit tests of vinotes.notebook: real source display and glued numbers."""

from __future__ import annotations

import inspect

import numpy as np
from IPython.core.formatters import format_display_data

from vinotes import notebook
from vinotes.model import NormalModel


def test_show_source_is_the_real_source():
    code = notebook.show_source(NormalModel.log_joint)
    expected = inspect.getsource(NormalModel.log_joint)
    assert (
        code.data.splitlines()[0] == "def log_joint(self, mu: object, data: object) -> tf.Tensor:"
    )
    assert code.data.strip() == "\n".join(line[4:] for line in expected.splitlines()).strip()
    bundle, _ = format_display_data(code)
    assert "text/html" in bundle and "log_joint" in bundle["text/html"]


def test_show_source_joins_several_objects():
    code = notebook.show_source(NormalModel.sample_data, NormalModel.log_joint)
    assert code.data.startswith("def sample_data(")
    assert "\n\ndef log_joint(" in code.data


def _square(x):
    return x * x


class _Square:
    def area(self, side):
        return side * side


# The two tests above compare with vinotes' own code, which mutmut rewrites; these
# use objects defined here, so that `make mutation` runs them too.
def test_show_source_dedents_a_method_and_marks_it_as_python():
    code = notebook.show_source(_Square.area)
    assert code.data == "def area(self, side):\n    return side * side\n"
    assert code.language == "python"


def test_show_source_separates_objects_by_one_blank_line():
    code = notebook.show_source(_square, _Square.area)
    assert code.data == (
        "def _square(x):\n    return x * x\n\n\ndef area(self, side):\n    return side * side\n"
    )


def test_glue_records_the_value_without_displaying_it(monkeypatch):
    shown = []
    monkeypatch.setattr(
        "IPython.display.display", lambda *args, **kwargs: shown.append((args, kwargs))
    )
    monkeypatch.setattr("myst_nb.ext.glue.ipy_display", lambda *a, **k: shown.append((a, k)))
    notebook.glue("answer", 1.25)
    ((args, kwargs),) = shown
    bundle = args[0]
    assert bundle == {"application/papermill.record/text/plain": "1.25"}
    assert kwargs["metadata"]["scrapbook"]["name"] == "answer"


def test_glue_stores_numpy_scalars_as_python_numbers(monkeypatch):
    shown = []
    monkeypatch.setattr("myst_nb.ext.glue.ipy_display", lambda *a, **k: shown.append(a[0]))
    notebook.glue("gap", np.float64(1.5))
    notebook.glue("count", np.int32(7))
    assert [next(iter(bundle.values())) for bundle in shown] == ["1.5", "7"]
