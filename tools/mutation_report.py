"""Mutation score of vinotes from mutmut's results, with the equivalent mutants.

Usage: python tools/mutation_report.py   (the last step of `make mutation`)

Reads `mutmut results --all true` and `tests/equivalent_mutants.toml`, where
every surviving mutant that no test can kill is listed with the reason it
behaves exactly like the original. Prints the counts, every equivalent mutant
with its reason, and every other survivor (with its diff). Exits with
status 1 if the score, killed / (all - equivalent), is below 90 %, if any
mutant survives that is not listed as equivalent (every survivor must be
killed by a test or explained), or if the list names a mutant that no longer
survives.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tests" / "equivalent_mutants.toml"
TARGET = 0.90
LINE = re.compile(r"^\s+(vinotes\.\S+): (.+)$")
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}


def mutmut(*args: str) -> str:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def main() -> int:
    statuses = dict(
        match.groups()
        for line in mutmut("results", "--all", "true").splitlines()
        if (match := LINE.match(line))
    )
    if not statuses:
        raise SystemExit("no mutmut results: run `make mutation`")
    equivalents = tomllib.loads(EQUIVALENTS.read_text())["equivalent"]
    counts = Counter(statuses.values())
    stale = sorted(name for name in equivalents if statuses.get(name) != "survived")
    survivors = sorted(
        name
        for name, status in statuses.items()
        if status not in DETECTED and name not in equivalents
    )
    detected = sum(counts[status] for status in DETECTED)
    scored = len(statuses) - len(equivalents)
    score = detected / scored

    print(f"mutants: {len(statuses)}  " + ", ".join(f"{k}: {v}" for k, v in counts.most_common()))
    print(f"\nEquivalent mutants ({len(equivalents)}), listed in {EQUIVALENTS.relative_to(ROOT)}:")
    for name, reason in sorted(equivalents.items()):
        print(f"  {name}: {reason}")
    print(f"\nOther survivors ({len(survivors)}):")
    for name in survivors:
        print(f"  {name} ({statuses[name]})")
        print("    " + mutmut("show", name).strip().replace("\n", "\n    "))
    print(
        f"\nmutation score: {detected} detected of {scored} non-equivalent mutants = "
        f"{score:.1%} (target {TARGET:.0%})"
    )
    if survivors:
        print(f"{len(survivors)} survivors are neither killed nor listed as equivalent.")
    if stale:
        print("Listed as equivalent but not surviving: " + ", ".join(stale))
    return 0 if score >= TARGET and not survivors and not stale else 1


if __name__ == "__main__":
    sys.exit(main())
