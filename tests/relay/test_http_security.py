"""What the relay serves over HTTP: security headers on every answer, no path out of its static
folder, and a buyer page whose CSP holds because it has no inline script."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
import pytest

from relay.server import STATIC_DIR
from tests.conftest import RunningRelay

PATHS = ("/", "/static/app.js", "/static/style.css", "/api/shops", "/healthz", "/api/session", "/static/nope.js")


@pytest.mark.parametrize("path", PATHS)
async def test_every_answer_carries_the_security_headers(relay: RunningRelay, path: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(relay.url + path) as resp:
        h = resp.headers
    csp = dict(part.strip().split(" ", 1) for part in h["Content-Security-Policy"].split(";") if part.strip())
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert "script-src" not in csp or "'unsafe-inline'" not in csp["script-src"]
    assert "unsafe-inline" not in h["Content-Security-Policy"] and "unsafe-eval" not in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "no-referrer"
    policy = dict(item.strip().split("=", 1) for item in h["Permissions-Policy"].split(","))
    allowed = {feature for feature, origins in policy.items() if origins != "()"}
    assert allowed == {"camera", "microphone", "autoplay", "fullscreen"}
    assert all(policy[f] == "(self)" for f in allowed)
    assert policy["geolocation"] == policy["display-capture"] == policy["payment"] == "()"


def test_the_buyer_page_has_no_inline_script_or_handler() -> None:
    """The CSP forbids inline script; the page must not need any (it would silently break)."""
    for page in STATIC_DIR.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
            assert re.search(r"\bsrc=", tag), f"{page.name}: inline {tag}"
        assert not re.findall(r"<script\b[^>]*>\s*[^<\s]", html, flags=re.I), f"{page.name}: script body"
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), f"{page.name}: inline event handler"
        assert "javascript:" not in html.lower()


async def _raw_get(relay: RunningRelay, target: str) -> tuple[int, bytes]:
    """A request line sent exactly as written (clients normalise `..` away before sending)."""
    host, port = relay.url.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


TRAVERSALS = (
    "/static/../server.py", "/static/%2e%2e/server.py", "/static/..%2fserver.py", "/static/%2e%2e%2fserver.py",
    "/static/..%5cserver.py", "/static/....//server.py", "/static/%252e%252e/server.py",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/../../../../etc/passwd",
    "/static/..;/server.py", "/static/app.js%00.txt", "/static/.", "/static/",
)


@pytest.mark.parametrize("target", TRAVERSALS)
async def test_nothing_outside_the_static_folder_is_served(relay: RunningRelay, target: str) -> None:
    status, body = await _raw_get(relay, target)
    secrets = [Path(__file__).resolve().parents[2].joinpath("relay", "server.py").read_bytes()[:200],
               b"root:x:0:0", b"buyer-session"]
    assert not any(s in body for s in secrets), f"{target} leaked a file ({status})"
    assert status in (400, 403, 404), f"{target}: {status}"


async def test_the_data_folder_is_not_reachable(relay: RunningRelay) -> None:
    """The buyer-session key and the database live in data_dir, never under a served folder."""
    data_dir = relay.config.data_dir.resolve()
    assert STATIC_DIR.resolve() not in (data_dir, *data_dir.parents)
    for name in ("buyer-session.key", "relay.sqlite3"):
        status, _ = await _raw_get(relay, f"/static/{name}")
        assert status == 404
