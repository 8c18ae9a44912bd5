"""Every page of the built book, opened in a real browser with no network.

Serves `_build/html/` on localhost, opens each page in headless Chromium
(Debian's `/usr/bin/chromium`, driven by Playwright; nothing downloads a
browser), blocks every request that leaves localhost, and asserts per page:

* no JavaScript console error, no page error, no failed or blocked request;
* every equation typeset by MathJax (no raw TeX left, no MathJax error, no
  display equation wider than the text column);
* every image loaded (non-zero natural size);
* on chapter pages, Binder and Colab buttons pointing at that chapter's notebook;
* every internal link resolving to an existing page and anchor.

A full-page screenshot of each page is saved in `_build/screenshots/`.
Run after `make book` (`make test` does both).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHAPTER = re.compile(r"chapters/(\d\d_\w+)\.html$")


def book_pages() -> list[str]:
    """Paths of every HTML page of the built book, relative to `_build/html/`."""
    if not HTML.is_dir():
        return []
    return sorted(
        path.relative_to(HTML).as_posix()
        for path in HTML.rglob("*.html")
        if not path.relative_to(HTML).parts[0].startswith("_")
    )


class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)


@functools.cache
def anchors_of(relative_path: str) -> frozenset[str]:
    collector = _IdCollector()
    collector.feed((HTML / relative_path).read_text(encoding="utf-8"))
    return frozenset(collector.ids)


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = (
            f"CHROMIUM NOT FOUND at {CHROMIUM}: the browser test of the book did not run. "
            "Install Debian's chromium (apt-get install chromium) or set CHROMIUM=/path."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def test_the_book_is_built():
    pages = book_pages()
    assert pages, f"no pages in {HTML}: run `make book` first"
    chapters = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
    built = sorted(m[1] for p in pages if (m := CHAPTER.search(p)))
    assert built == chapters


REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.IGNORECASE)


@pytest.mark.parametrize("relative_path", book_pages())
def test_page(relative_path, server, browser):
    redirect = REDIRECT.search((HTML / relative_path).read_text(encoding="utf-8"))
    if redirect:
        # A redirect stub (the book's index.html): its target must exist; the
        # target page is checked in its own right.
        target = (HTML / relative_path).parent / urllib.parse.unquote(redirect[1])
        assert target.is_file(), f"{relative_path} redirects to a missing page: {redirect[1]}"
        return
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def route(request_route):
        if request_route.request.url.startswith(server):
            request_route.continue_()
        else:
            problems.append(f"request left localhost: {request_route.request.url}")
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )

    url = urllib.parse.urljoin(server, relative_path)
    page.goto(url, wait_until="load")
    page.evaluate("() => document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "async () => { if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; } }"
    )

    math = page.evaluate(
        """() => {
            const spans = Array.from(document.querySelectorAll('.math'));
            return {
                total: spans.length,
                raw: spans.filter(s => !s.querySelector('mjx-container'))
                          .map(s => s.textContent.slice(0, 80)),
                errors: document.querySelectorAll('mjx-merror').length,
                overflowing: Array.from(document.querySelectorAll('mjx-container[display="true"]'))
                    .filter(c => c.scrollWidth > c.clientWidth + 1)
                    .map(c => c.closest('.math').textContent.slice(0, 60)),
            };
        }"""
    )
    problems += [f"equation not typeset: {raw!r}" for raw in math["raw"]]
    if math["errors"]:
        problems.append(f"{math['errors']} MathJax errors on the page")
    problems += [f"equation wider than the text column: {tex!r}" for tex in math["overflowing"]]

    broken = page.evaluate(
        "() => Array.from(document.images)"
        ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    problems += [f"image not loaded: {src}" for src in broken]

    if chapter := CHAPTER.search(relative_path):
        notebook = f"chapters/{chapter[1]}.ipynb"
        hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a')).map(a => a.href)")
        for service in ("mybinder.org", "colab.research.google.com"):
            buttons = [h for h in hrefs if service in h]
            if not buttons or not all(h.endswith(notebook) for h in buttons):
                problems.append(
                    f"{service} button missing or not pointing at {notebook}: {buttons}"
                )

    links = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    for link in sorted(set(links)):
        if not link.startswith(server):
            continue
        target, _, fragment = link[len(server) :].partition("#")
        target = urllib.parse.unquote(target.split("?")[0]) or "index.html"
        if target.endswith("/"):
            target += "index.html"
        if not (HTML / target).is_file():
            problems.append(f"broken link: {link}")
        elif (
            fragment
            and target.endswith(".html")
            and urllib.parse.unquote(fragment) not in anchors_of(target)
        ):
            problems.append(f"missing anchor: {link}")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / (relative_path.replace("/", "__") + ".png"), full_page=True)
    context.close()
    assert problems == [], "\n".join(problems)
