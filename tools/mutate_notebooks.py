"""Hand-made bugs in vinotes must fail strict nbval over the chapters.

Usage: python tools/mutate_notebooks.py   (or `make mutation-notebooks`)

Each mutation below is a classic slip in the mathematics. For each, the
package is copied to a scratch folder, the one line is changed, and strict
nbval runs every chapter with that copy first on PYTHONPATH (the kernels
nbval starts inherit it). The script checks that the mutated copy is the one
imported, then reports how many cells of which chapters failed. It exits
with status 1 if nbval passes on any mutation: the notebooks are regression
tests, not only demonstrations.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "chapters").glob("*.ipynb"))

# (name, module file, original line fragment, mutated fragment)
MUTATIONS = [
    (
        "wrong posterior variance: the prior's precision left out",
        "posterior.py",
        "return mean, math.sqrt(1.0 / precision)",
        "return mean, math.sqrt(1.0 / data_precision)",
    ),
    (
        "sign error in the ELBO: entropy subtracted",
        "elbo.py",
        "return expected_log_prior + expected_log_likelihood + entropy",
        "return expected_log_prior + expected_log_likelihood - entropy",
    ),
    (
        "missing factor N in the CAVI update of q(tau)",
        "meanfield.py",
        "expected_squares = float(np.sum((x - mu_loc) ** 2)) + n * variance",
        "expected_squares = float(np.sum((x - mu_loc) ** 2)) + variance",
    ),
]
FAILED_CELL = re.compile(r"^FAILED (chapters/\S+?\.ipynb)::Cell (\d+)", re.MULTILINE)


def mutated_package(scratch: Path, module: str, original: str, mutated: str) -> Path:
    package = scratch / "vinotes"
    shutil.copytree(ROOT / "src" / "vinotes", package)
    path = package / module
    source = path.read_text()
    if source.count(original) != 1:
        raise SystemExit(f"{module}: expected exactly one `{original}`")
    path.write_text(source.replace(original, mutated))
    return package


def run_nbval(env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval_sanitize.cfg",
        "-n",
        "2",
        "--dist",
        "loadfile",
        "-p",
        "no:cacheprovider",
        "-rf",
        *CHAPTERS,
    ]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def main() -> int:
    survived = []
    for name, module, original, mutated in MUTATIONS:
        with tempfile.TemporaryDirectory() as scratch:
            package = mutated_package(Path(scratch), module, original, mutated)
            env = {**os.environ, "PYTHONPATH": scratch}
            imported = subprocess.run(
                [sys.executable, "-c", "import vinotes; print(vinotes.__file__)"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            if Path(imported).parent != package:
                raise SystemExit(f"the kernel would import {imported}, not the mutated copy")
            result = run_nbval(env)
        failures = FAILED_CELL.findall(result.stdout)
        chapters = sorted({Path(chapter).stem for chapter, _ in failures})
        if result.returncode == 0:
            survived.append(name)
            print(f"SURVIVED  {name}: strict nbval passed")
        else:
            print(
                f"caught    {name}: {len(failures)} cell(s) failed in {', '.join(chapters)}",
                flush=True,
            )
    if survived:
        print(f"{len(survived)} of {len(MUTATIONS)} hand-made mutation(s) passed strict nbval")
        return 1
    print(f"All {len(MUTATIONS)} hand-made mutations fail strict nbval.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
