"""The shell every page shares: one HTML file, scripts and styles inlined, nothing fetched.

Data reaches the scripts as JSON inside `<script type="application/json">`, with `<`, `>`
and `&` written as \\u escapes so no document text can close the element. A Content
Security Policy forbids every network request and every script but the page's own (a
per-page nonce), so even markup that slipped through could not run or load anything.
"""
from __future__ import annotations

import html
import json
import secrets
from importlib import resources
from typing import Any


def asset(name: str) -> str:
    """A file of `extractor/views/assets/` as text."""
    return resources.files(__package__).joinpath("assets", name).read_text("utf-8")


def json_for_script(obj: Any) -> str:
    """JSON that is safe inside a <script> element (no `</script>`, `<!--`, or line separators)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def script_text(code: str) -> str:
    """Library code made safe to inline: a `</script` inside a string literal would end the element."""
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def document(title: str, body: str, styles: str, scripts: list[str], data: dict[str, Any],
             allow_eval: bool = False) -> str:
    """A complete page. `body` is trusted markup written by this package (texts escaped by the caller)."""
    nonce = secrets.token_urlsafe(16)
    eval_source = " 'unsafe-eval'" if allow_eval else ""  # Vega compiles its expressions with Function()
    csp = (f"default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; "
           f"script-src 'nonce-{nonce}'{eval_source}; "
           f"base-uri 'none'; form-action 'none'")
    data_tags = "".join(f'<script type="application/json" id="{html.escape(k)}">{json_for_script(v)}</script>\n'
                        for k, v in data.items())
    code = "".join(f'<script nonce="{nonce}">{script_text(s)}</script>\n' for s in scripts)
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{styles}</style>\n</head>\n<body>\n"
        f"{body}\n{data_tags}{code}</body>\n</html>\n"
    )
