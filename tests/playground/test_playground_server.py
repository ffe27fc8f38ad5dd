"""The `make playground` Jupyter server refuses what a local kernel must refuse.

Raw HTTP and websocket requests (no browser), so the Origin header can be set at will:
a foreign Origin is refused even with the right token, for REST and for websockets
(kernel channels, terminals, events); no token, no access; terminals are off; it listens on
127.0.0.1 only; CORS names exactly the site's origin.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import json
import sys
import urllib.error
import urllib.request

import pytest

from sitekit.config import ROOT

from sitekit.playground import serve as kernel_server

SITE = "http://127.0.0.1:8000"
FOREIGN = "http://attacker.example"


@pytest.fixture(scope="module")
def kernel():
    with kernel_server.jupyter_server(SITE) as k:
        yield k


def call(k, path, method="GET", token=True, origin=None, referer=None, body=None):
    headers = {}
    if token:
        headers["Authorization"] = f"token {k.token if token is True else token}"
    if origin:
        headers["Origin"] = origin
    if referer:
        headers["Referer"] = referer
    data = json.dumps(body).encode() if body is not None else (b"{}" if method == "POST" else None)
    req = urllib.request.Request(k.url + path, method=method, headers=headers, data=data)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def websocket(k, path, origin):
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def go():
        req = HTTPRequest(k.url.replace("http", "ws") + path, headers={"Origin": origin} if origin else {})
        try:
            conn = await asyncio.wait_for(websocket_connect(req), 20)
        except Exception as e:  # tornado raises HTTPClientError(403) for a refused handshake
            return getattr(e, "code", type(e).__name__)
        conn.close()
        return "open"

    # A worker that also ran the browser tests has playwright's event loop running in this
    # thread (pytest -n 2 --dist loadgroup), so the websocket client gets a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, go()).result()


def test_token_is_required(kernel):
    assert call(kernel, "/api/status")[0] == 200
    assert call(kernel, "/api/status", token=False)[0] in (401, 403)
    assert call(kernel, "/api/kernels", token="wrong-token")[0] in (401, 403)
    assert call(kernel, "/api/kernels", "POST", token=False)[0] in (401, 403)


def test_cors_names_only_the_site(kernel):
    status, headers, _ = call(kernel, "/api/status", origin=SITE)
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == SITE


def test_foreign_origin_is_refused_even_with_the_token(kernel):
    for method, path in (("GET", "/api/status"), ("GET", "/api/kernels"), ("POST", "/api/kernels"), ("GET", "/api/contents")):
        status, headers, _ = call(kernel, path, method, origin=FOREIGN)
        assert status == 403, (method, path, status)
        assert headers.get("Access-Control-Allow-Origin") in (None, SITE)
    # without Origin, a Referer from a foreign page is refused as well
    assert call(kernel, "/api/kernels", "POST", referer=FOREIGN + "/page.html")[0] == 403
    assert call(kernel, "/api/status", origin="null")[0] == 403


def test_websockets_check_the_origin_even_with_the_token(kernel):
    status, _, body = call(kernel, "/api/kernels", "POST")
    assert status == 201
    kid = json.loads(body)["id"]
    try:
        channels = f"/api/kernels/{kid}/channels?token={kernel.token}"
        assert websocket(kernel, channels, FOREIGN) == 403
        assert websocket(kernel, f"/api/events/subscribe?token={kernel.token}", FOREIGN) == 403
        assert websocket(kernel, channels, SITE) == "open"
        assert websocket(kernel, f"/api/kernels/{kid}/channels", SITE) in (401, 403), "no token, no websocket"
    finally:
        call(kernel, f"/api/kernels/{kid}", "DELETE")


def test_terminals_are_disabled_and_only_loopback_listens(kernel):
    assert call(kernel, "/api/terminals", origin=SITE)[0] == 404
    assert call(kernel, "/api/terminals", "POST", origin=SITE)[0] == 404
    assert websocket(kernel, f"/terminals/websocket/1?token={kernel.token}", SITE) in (403, 404)
    assert kernel.url.startswith("http://127.0.0.1:")
    import socket

    port = int(kernel.url.rsplit(":", 1)[1])
    addresses = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {"127.0.0.1", "127.0.1.1"}
    for address in addresses:
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((address, port)) != 0, f"the server also listens on {address}"


def test_config_culls_idle_kernels_and_keeps_safe_defaults():
    config = (ROOT / "sitekit" / "playground" / "jupyter_server_config.py").read_text("utf-8")
    for setting in (
        'c.ServerApp.ip = "127.0.0.1"',
        "c.ServerApp.allow_remote_access = False",
        "c.ServerApp.terminals_enabled = False",
        "c.MappingKernelManager.cull_idle_timeout = 30 * 60",
    ):
        assert setting in config, setting


def test_make_playground_prints_a_working_link_and_stops_cleanly():
    """sitekit/playground/serve.py (what `make playground` runs): a fresh token per run, in the fragment only."""
    import re
    import signal
    import subprocess
    import urllib.parse

    site = "http://127.0.0.1:8123"
    tokens = []
    for _ in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sitekit", "playground", "--no-site", "--port", "0", "--site-origin", site],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            link = None
            for line in proc.stdout:
                m = re.search(r"(http://\S+#playground=\S+)", line)
                if m:
                    link = m[1]
                    break
            assert link, "serve.py printed no link"
            url, fragment = link.split("#", 1)
            assert url.rstrip("/") == site and "token" not in url
            params = dict(urllib.parse.parse_qsl(fragment))
            k = kernel_server.Kernel(params["playground"], params["token"], proc)
            assert call(k, "/api/status", origin=site)[0] == 200
            tokens.append(k.token)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        # the Jupyter server went down with it
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(k.url + "/api/status", timeout=5)
    assert tokens[0] != tokens[1] and len(tokens[0]) >= 32


def test_built_site_carries_no_token(built_site):
    config_blocks = []
    for page in built_site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert "JUPYTER_TOKEN" not in text
        m = re.search(r'<script[^>]*id="?playground-config"?[^>]*>(.*?)</script>', text, re.S)
        if m:
            config_blocks.append(json.loads(m[1]))
    assert config_blocks, "no page carries the playground configuration"
    for block in config_blocks:
        assert "token" not in json.dumps(block).lower()
