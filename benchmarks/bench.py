"""Benchmark the book: build times, `make test` and its steps, chapters, the VI fit.

Run with `make bench` (REPEATS=3 by default). Each repeat, in this order:

1. cold book build: every build product is removed, then `make book` renders
   the chapters with their committed outputs (the package is installed
   beforehand and not timed);
2. warm rebuild: `make book` again, nothing changed;
3. `make test`, timed as a whole and per step: the bench reads the lines make
   echoes as it starts each step of the `test` recipe.

Per-chapter execution times: each chapter executed in a fresh kernel, one
after the other, kernel start-up and imports included (what `make notebooks`
and strict nbval spend on it).
The VI benchmark is `benchmarks/vi_fit.py`, run once (its own medians).

Prints one Markdown table of medians with the targets beside them, writes it
to `benchmarks/results.md`, and replaces the table between the bench markers
in CONTRIBUTING.md. The exit status is 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
RESULTS = ROOT / "benchmarks" / "results.md"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
TEST_STEPS = {
    "lint": "lint (ruff)",
    "test-unit": "unit tests",
    "test-notebooks": "strict nbval, 2 workers",
    "test-book": "strict book build",
    "test-browser": "browser test",
}
STEP_LINE = re.compile(r"--no-print-directory (test-[a-z]+|lint)\s*$")


@dataclass
class Row:
    """One measured quantity: its runs, and the bound it must stay within."""

    label: str
    unit: str = "s"
    target: float | None = None
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.median <= self.target


def run(command: list[str], log) -> float:
    """Run a command from the repository root, log its output, return wall seconds."""
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - start


def cold_build(log) -> float:
    for folder in ["html", ".doctrees", "jupyter_execute"]:
        shutil.rmtree(BUILD / folder, ignore_errors=True)
    return run(["make", "--no-print-directory", "book"], log)


# Seconds per chapter: 30 by default; the chapters written to a tighter budget.
CHAPTER_TARGETS = {"06_beyond_closed_forms": 20, "07_which_kl": 20}


def chapter_seconds() -> dict[str, float]:
    """Wall seconds to execute each chapter in a fresh kernel."""
    seconds = {}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()
        seconds[path.stem] = time.perf_counter() - start
    return seconds


def make_test(log) -> tuple[float, dict[str, float]]:
    """Wall time of `make test`, and of each step, from when make echoes it."""
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "test"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    for line in process.stdout:
        log.write(line)
        if match := STEP_LINE.search(line):
            marks.append((match[1], time.perf_counter()))
    if process.wait() != 0:
        raise SystemExit(f"make test failed; see {log.name}")
    total = time.perf_counter() - start
    ends = [t for _, t in marks[1:]] + [start + total]
    return total, {name: end - t for (name, t), end in zip(marks, ends, strict=True)}


def vi_benchmark(log) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "vi.json"
        run([sys.executable, "benchmarks/vi_fit.py", "--json", str(out)], log)
        return json.loads(out.read_text())


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.1f} s" if value >= 1 else f"{value * 1000:.1f} ms"
    if unit == "ratio":
        return f"{value:.3f}"
    return f"{value:.1e}"


def table(rows: list[Row]) -> str:
    lines = [
        "| measure | target | median | runs | met |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        target = "" if row.target is None else f"<= {fmt(row.target, row.unit)}"
        runs = ", ".join(fmt(value, row.unit) for value in row.runs)
        met = {None: "", True: "yes", False: "**no**"}[row.met]
        lines.append(f"| {row.label} | {target} | {fmt(row.median, row.unit)} | {runs} | {met} |")
    return "\n".join(lines)


def machine() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"commit {commit or 'unknown'}, {time.strftime('%Y-%m-%d')}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    cold = Row("cold book build (committed outputs rendered)", target=120)
    warm = Row("warm rebuild, nothing changed", target=15)
    test = Row("`make test`", target=150)
    steps = {name: Row(f"&nbsp;&nbsp;{label}") for name, label in TEST_STEPS.items()}
    chapters: dict[str, Row] = {}
    log_path = BUILD / "bench.log"
    BUILD.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        run(["make", "--no-print-directory", "env"], log)  # installation is not timed
        for repeat in range(1, args.repeats + 1):
            print(f"repeat {repeat}/{args.repeats}: cold build", flush=True)
            cold.runs.append(cold_build(log))
            print(f"repeat {repeat}/{args.repeats}: chapters", flush=True)
            for name, seconds in chapter_seconds().items():
                label = f"chapter {name} (execution)"
                target = CHAPTER_TARGETS.get(name, 30)
                chapters.setdefault(name, Row(label, target=target)).runs.append(seconds)
            print(f"repeat {repeat}/{args.repeats}: warm rebuild", flush=True)
            warm.runs.append(run(["make", "--no-print-directory", "book"], log))
            print(f"repeat {repeat}/{args.repeats}: make test", flush=True)
            seconds, step_seconds = make_test(log)
            test.runs.append(seconds)
            for name, step in step_seconds.items():
                steps[name].runs.append(step)
        print("VI benchmark", flush=True)
        vi = vi_benchmark(log)

    ours, tfp = vi["fit_surrogate"], vi["tfp_as_called"]
    steady = vi["tfp_steady_state"]
    vi_rows = [
        Row("`fit_surrogate`, one 1000-step fit", runs=[ours["seconds"]]),
        Row("TFP `fit_surrogate_posterior`, as called", runs=[tfp["seconds"]]),
        Row("TFP, steady state (graph traced once)", runs=[steady["seconds"]]),
        Row("time ratio ours / TFP as called", "ratio", 1.0, [ours["seconds"] / tfp["seconds"]]),
        Row("time ratio ours / TFP steady", "ratio", 1.0, [ours["seconds"] / steady["seconds"]]),
        Row("error of `fit_surrogate`", "error", tfp["median_error"], [ours["median_error"]]),
        Row("error of TFP", "error", None, [tfp["median_error"]]),
    ]
    rows = [cold, warm, test, *(steps[name] for name in TEST_STEPS), *chapters.values(), *vi_rows]
    text = (
        f"Medians of {args.repeats} runs of `make bench` on {machine()}. "
        "VI: medians of 7 fits in one run; error = max(|m - mu_N| / sigma_N, "
        "|s / sigma_N - 1|), and the target for ours is TFP's error.\n\n" + table(rows) + "\n"
    )
    print(text)
    RESULTS.write_text(text)
    readme = CONTRIBUTING.read_text()
    if START in readme and END in readme:
        head, rest = readme.split(START, 1)
        CONTRIBUTING.write_text(f"{head}{START}\n{text}{END}{rest.split(END, 1)[1]}")
    print(f"Written to {RESULTS.relative_to(ROOT)} and CONTRIBUTING.md; full log: {log_path}")
    missed = [row.label for row in rows if row.met is False]
    if missed:
        print("Targets missed: " + "; ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
