"""Install MathJax into `_mathjax/mathjax/`, so the built book typesets offline.

The book serves MathJax itself instead of loading it from a CDN. This script
(run by `make` before a build) downloads the pinned npm release of MathJax from
the npm registry, checks its published sha512 integrity, and unpacks the `es5/`
bundle into `_mathjax/mathjax/`. Sphinx copies `_mathjax/` into the HTML's
`_static/` (`html_static_path`); it is not called `_static` because Jupyter
Book adds every script found there to every page. Does nothing when that
version is already in place.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "3.2.2"
TARBALL = f"https://registry.npmjs.org/mathjax/-/mathjax-{VERSION}.tgz"
INTEGRITY = (  # from the registry's metadata for this version (dist.integrity)
    "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/"
    "O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
)
TARGET = Path(__file__).resolve().parent.parent / "_mathjax" / "mathjax"
STAMP = TARGET / ".version"


def main() -> int:
    if STAMP.exists() and STAMP.read_text(encoding="utf-8").strip() == VERSION:
        return 0
    print(f"fetching MathJax {VERSION} from the npm registry", flush=True)
    with urllib.request.urlopen(TARBALL, timeout=120) as response:
        payload = response.read()
    if "sha512-" + base64.b64encode(hashlib.sha512(payload).digest()).decode() != INTEGRITY:
        print(f"MathJax {VERSION}: integrity check failed for {TARBALL}", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    prefix = "package/es5/"
    with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.startswith(prefix):
                destination = TARGET / member.name[len(prefix) :]
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.extractfile(member).read())
    STAMP.write_text(VERSION + "\n", encoding="utf-8")
    print(f"MathJax {VERSION} installed in {TARGET.relative_to(TARGET.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
