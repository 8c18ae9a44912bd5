"""tools/mutation_report.py: the score, and when `make mutation` must fail."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import mutation_report

RESULTS = """\
    vinotes.a.x_f__mutmut_1: killed
    vinotes.a.x_f__mutmut_2: killed
    vinotes.a.x_f__mutmut_3: killed
    vinotes.a.x_f__mutmut_4: timeout
    vinotes.a.x_f__mutmut_5: survived
"""


@pytest.fixture
def report(tmp_path, monkeypatch, capsys):
    """Run the report on RESULTS (plus ``extra``) with ``equivalent`` listed."""

    def run(equivalent: dict[str, str], extra: str = "") -> tuple[int, str]:
        listed = tmp_path / "equivalent_mutants.toml"
        listed.write_text(
            "[equivalent]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in equivalent.items())
        )
        monkeypatch.setattr(mutation_report, "EQUIVALENTS", listed)
        monkeypatch.setattr(mutation_report, "ROOT", tmp_path)
        monkeypatch.setattr(
            mutation_report,
            "mutmut",
            lambda *args: RESULTS + extra if args[0] == "results" else f"diff of {args[1]}",
        )
        status = mutation_report.main()
        return status, capsys.readouterr().out

    return run


def test_every_survivor_explained_passes_with_the_score_over_the_rest(report):
    status, out = report({"vinotes.a.x_f__mutmut_5": "same as the original"})
    assert status == 0
    assert "4 detected of 4 non-equivalent mutants = 100.0%" in out
    assert "vinotes.a.x_f__mutmut_5: same as the original" in out


def test_an_unexplained_survivor_fails_even_above_the_target(report):
    extra = "".join(f"    vinotes.b.x_g__mutmut_{i}: killed\n" for i in range(40))
    status, out = report({}, extra)
    assert status == 1
    assert "44 detected of 45 non-equivalent mutants = 97.8%" in out
    assert "diff of vinotes.a.x_f__mutmut_5" in out
    assert "1 survivors are neither killed nor listed as equivalent." in out


def test_a_listed_mutant_that_is_now_killed_fails(report):
    status, out = report(
        {"vinotes.a.x_f__mutmut_5": "same", "vinotes.a.x_f__mutmut_1": "was the same"}
    )
    assert status == 1
    assert "Listed as equivalent but not surviving: vinotes.a.x_f__mutmut_1" in out


def test_a_mutant_without_tests_counts_as_a_survivor(report):
    status, out = report(
        {"vinotes.a.x_f__mutmut_5": "same"}, "    vinotes.c.x_h__mutmut_1: no tests\n"
    )
    assert status == 1
    assert "vinotes.c.x_h__mutmut_1 (no tests)" in out


def test_no_results_is_an_error_not_a_pass(monkeypatch):
    monkeypatch.setattr(mutation_report, "mutmut", lambda *args: "")
    with pytest.raises(SystemExit, match="no mutmut results"):
        mutation_report.main()
