"""Sphinx extension: each script tag at most once per page.

sphinx-thebe 0.3.1 (pulled in by Jupyter Book 1.x) registers its inline
configuration script twice, so every page declared `const THEBE_JS_URL` twice
and the browser reported "Identifier 'THEBE_JS_URL' has already been
declared". This drops exact duplicates from each page's script list.
"""

from __future__ import annotations


def _script_key(script: object) -> tuple:
    # An inline script may carry filename None or "": the same script either way.
    filename = str(getattr(script, "filename", script) or "")
    attributes = getattr(script, "attributes", {}) or {}
    return (filename, tuple(sorted(attributes.items())))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    # Early: html-page-context stops at the first handler that returns a value.
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
