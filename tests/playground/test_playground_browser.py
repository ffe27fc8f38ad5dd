"""The 运行 buttons in a real browser, against the real `make playground` Jupyter server.

One server (playground/serve.py, a fresh token) serves the whole module; the built site is
served from another port on 127.0.0.1, which is the one origin the server accepts.
Screenshots before and after running a block land in test-results/screenshots/.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path

import pytest

from sitekit.browser import serve
from sitekit.config import ROOT

from sitekit.playground import serve as kernel_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ROOT / "test-results" / "screenshots"
# The page whose first block prints the torch version and a tensor (docs/about.md embeds
# snippets/about/environment.py whole).
PAGE = "about/"
OUTPUT_TIMEOUT_MS = 180_000


def origin_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def kernel(site_url):
    with kernel_server.jupyter_server(origin_of(site_url)) as k:
        yield k


def third_party(requests: list[str]) -> list[str]:
    return [u for u in requests if urllib.parse.urlsplit(u).hostname not in {"127.0.0.1", None} and not u.startswith(("data:", "blob:"))]


def open_page(chromium, url: str):
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return context, page, requests, errors


def cell_output(page, index: int = 0) -> str:
    return page.locator(".thebe-cell").nth(index).locator(".thebe-output").first.inner_text()


def test_run_edit_and_run_again_then_no_kernel_message(chromium, site_url, kernel):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page, requests, errors = open_page(chromium, kernel.link(site_url, PAGE))
    try:
        # The token moved from the address bar into this tab's sessionStorage.
        assert kernel.token not in page.url
        stored = json.loads(page.evaluate("sessionStorage.getItem('playground-kernel')"))
        assert stored == {"url": kernel.url, "token": kernel.token}
        # Nothing of Thebe is loaded before the reader asks for it.
        assert not [u for u in requests if "/vendor/thebe/" in u]

        block = page.locator("article .language-python.highlight").first
        block.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "playground-before-run.png"))
        page.locator(".playground-run").first.click()

        page.wait_for_function(
            "() => { const o = document.querySelector('.thebe-cell .thebe-output');"
            " return o && /PyTorch\\s*:/.test(o.innerText) && /tensor\\(/.test(o.innerText); }",
            timeout=OUTPUT_TIMEOUT_MS,
        )
        text = cell_output(page)
        import torch

        assert f"PyTorch : {torch.__version__}" in text
        assert "tensor([[ 0.,  2.,  4.]," in text
        page.screenshot(path=str(SHOTS / "playground-after-run.png"))
        assert [u for u in requests if "/vendor/thebe/index.js" in u], "Thebe was not loaded from the site"

        # Edit the code in the editor, run it again: new output, same kernel.
        page.evaluate(
            "document.querySelector('.thebe-cell .CodeMirror').CodeMirror.setValue("
            "'import torch\\nprint(torch.ones(2, 3) * 7)\\nprint(\"再次运行\", torch.__version__)')"
        )
        page.locator(".thebe-cell").first.locator(".thebe-run-button").click()
        page.wait_for_function(
            "() => /tensor\\(\\[\\[7\\., 7\\., 7\\.\\]/.test(document.querySelector('.thebe-cell .thebe-output').innerText)",
            timeout=60_000,
        )
        assert "再次运行" in cell_output(page)

        # Errors come back with their traceback, under the block.
        page.evaluate("document.querySelector('.thebe-cell .CodeMirror').CodeMirror.setValue('1 / 0')")
        page.locator(".thebe-cell").first.locator(".thebe-run-button").click()
        page.wait_for_function(
            "() => /ZeroDivisionError/.test(document.querySelector('.thebe-cell .thebe-output').innerText)",
            timeout=60_000,
        )
        page.screenshot(path=str(SHOTS / "playground-after-edit.png"))

        # 重启内核 clears the page's variables.
        editor = "document.querySelector('.thebe-cell .CodeMirror').CodeMirror"
        run = page.locator(".thebe-cell").first.locator(".thebe-run-button")
        page.evaluate(f"{editor}.setValue('answer = 41\\nprint(\"answer\", answer + 1)')")
        run.click()
        page.wait_for_function(
            "() => /answer 42/.test(document.querySelector('.thebe-cell .thebe-output').innerText)", timeout=60_000
        )
        restart = page.locator(".thebe-cell").first.locator(".thebe-restart-button")
        assert restart.inner_text() == "重启内核"
        restart.click()
        page.wait_for_function("() => window.thebe.session.kernel.status === 'idle'", timeout=60_000)
        page.evaluate(f"{editor}.setValue('print(answer)')")
        run.click()
        page.wait_for_function(
            "() => /NameError/.test(document.querySelector('.thebe-cell .thebe-output').innerText)", timeout=60_000
        )
        assert not third_party(requests), f"requests to other hosts: {third_party(requests)}"
        assert not errors, errors
    finally:
        context.close()


def test_messages_without_a_reachable_kernel(chromium, site_url, built_site):
    """No token, a wrong token, a stopped server: the page says so in Chinese, with what to do."""
    with kernel_server.jupyter_server(origin_of(site_url)) as k:
        wrong = kernel_server.Kernel(k.url, "not-the-token", k.process)
        context, page, requests, _ = open_page(chromium, wrong.link(site_url, PAGE))
        try:
            page.locator(".playground-run").first.click()
            status = page.locator(".playground-status").first
            status.wait_for(state="visible")
            page.wait_for_function(
                "() => /拒绝/.test(document.querySelector('.playground-status').innerText)", timeout=30_000
            )
            assert "make playground" in status.inner_text()
        finally:
            context.close()
        link = k.link(site_url, PAGE)
    # The server has stopped: the same link (a valid token) now finds nobody.
    context, page, requests, _ = open_page(chromium, link)
    try:
        page.locator(".playground-run").first.click()
        page.wait_for_function(
            "() => /连不上本地 Jupyter 内核/.test(document.querySelector('.playground-status').innerText)", timeout=30_000
        )
        text = page.locator(".playground-status").first.inner_text()
        assert "make playground" in text and "LAUNCHING" not in text.upper()
        page.screenshot(path=str(SHOTS / "playground-no-kernel.png"))
        # and a reader who never started one is told how
        page.evaluate("sessionStorage.clear()")
        page.reload()
        page.locator(".playground-run").first.click()
        page.wait_for_function(
            "() => /还没有连接/.test(document.querySelector('.playground-status').innerText)", timeout=10_000
        )
        assert not third_party(requests)
    finally:
        context.close()


FOREIGN_PAGE = """<!doctype html><meta charset="utf-8"><title>foreign</title><script>
window.results = {};
async function attempt() {
  const base = %(url)s, token = %(token)s;
  try {
    const r = await fetch(base + "/api/kernels", {method: "POST", headers: {Authorization: "token " + token}, body: "{}"});
    window.results.rest = "status " + r.status;
  } catch (e) { window.results.rest = "blocked"; }
  try {
    const r = await fetch(base + "/api/kernels?token=" + token, {mode: "no-cors", method: "POST", body: "{}"});
    window.results.restNoCors = "opaque";
  } catch (e) { window.results.restNoCors = "blocked"; }
  for (const [name, path] of [["kernelWs", "/api/kernels/%(kernel_id)s/channels"], ["terminalWs", "/terminals/websocket/1"], ["eventsWs", "/api/events/subscribe"]]) {
    window.results[name] = await new Promise((resolve) => {
      const ws = new WebSocket(base.replace("http", "ws") + path + "?token=" + token);
      ws.onopen = () => { resolve("open"); ws.close(); };
      ws.onerror = () => resolve("refused");
      setTimeout(() => resolve("timeout"), 10000);
    });
  }
  window.results.done = true;
}
attempt();
</script>"""


def test_foreign_origin_with_the_token_is_refused(chromium, site_url, kernel, tmp_path):
    """A page on another origin that knows the token can neither use the API nor open websockets."""
    import urllib.request

    def api(path, method="GET", **headers):
        req = urllib.request.Request(kernel.url + path, method=method, headers=headers, data=b"{}" if method == "POST" else None)
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, None

    status, model = api("/api/kernels", "POST", Authorization=f"token {kernel.token}")
    assert status == 201, status
    kernel_id = model["id"]
    kernels_before = {k["id"] for k in api("/api/kernels", Authorization=f"token {kernel.token}")[1]}

    (tmp_path / "index.html").write_text(
        FOREIGN_PAGE % {"url": json.dumps(kernel.url), "token": json.dumps(kernel.token), "kernel_id": kernel_id},
        encoding="utf-8",
    )
    with serve(tmp_path) as foreign_url:
        assert origin_of(foreign_url) != origin_of(site_url)
        context = chromium.new_context()
        page = context.new_page()
        try:
            page.goto(foreign_url)
            page.wait_for_function("() => window.results && window.results.done", timeout=60_000)
            results = page.evaluate("window.results")
        finally:
            context.close()
    assert results["rest"] == "blocked", results  # CORS: the browser never hands over the answer
    assert results["kernelWs"] == "refused", results
    assert results["terminalWs"] == "refused", results
    assert results["eventsWs"] == "refused", results
    # ...and the server did nothing for it: the no-cors POST did not start a kernel.
    kernels_after = {k["id"] for k in api("/api/kernels", Authorization=f"token {kernel.token}")[1]}
    assert kernels_after == kernels_before
    api(f"/api/kernels/{kernel_id}", "DELETE", Authorization=f"token {kernel.token}")


def test_playground_pages_make_no_third_party_requests(chromium, site_url, built_site):
    """Notebook pages (mkdocs-jupyter) and the 实验场 index load everything from the site."""
    pages = ["playground/"] + sorted(
        p.parent.relative_to(built_site).as_posix() + "/" for p in (built_site / "playground").glob("*/index.html")
    )
    assert len(pages) > 1, "no notebook page was built"
    for rel in pages:
        context, page, requests, errors = open_page(chromium, site_url + rel)
        try:
            page.wait_for_load_state("networkidle")
            assert not third_party(requests), f"/{rel}: {third_party(requests)}"
            assert not errors, f"/{rel}: {errors}"
            if rel != "playground/":
                assert page.locator(".jupyter-wrapper .jp-OutputArea-output").count() > 0, f"/{rel}: no outputs shown"
                assert page.locator(".playground-launch__colab").count() == 1
                page.screenshot(path=str(SHOTS / f"playground-notebook-{rel.strip('/').replace('/', '-')}.png"))
        finally:
            context.close()
