"""重启内核 then 运行, when the restart is slow: the cell runs on the new kernel and shows its error.

Thebe's kernel connection (@jupyterlab/services inside Thebe 0.9.3) stops holding back
messages as soon as anything arrives on its old websocket during a restart, and the kernel
being replaced does send: it answers the shutdown request and, while it terminates its child
processes, still runs what it is sent. docs/assets/javascripts/playground.js makes every run
wait for the restart to finish. Here the restart is made slow on purpose, in the ways a loaded
machine makes it slow, and 运行 is pressed inside that window.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest

from sitekit.playground import serve as kernel_server

# One worker for the four cases: they share one server and one page (one kernel start).
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("playground-restart")]

HERE = Path(__file__).resolve().parent
PAGE = "about/"
EDITOR = "document.querySelector('.thebe-cell .CodeMirror').CodeMirror"
OUTPUT = "(document.querySelector('.thebe-cell .thebe-output') || {innerText: ''}).innerText"
STATUS = "document.querySelector('.playground-status').innerText"

# A child process that ignores SIGTERM for 3 s. On restart the old kernel first terminates
# its children (ipykernel's _at_shutdown; torch.compile's worker pool is such a child): it has
# already said "busy" on iopub and still executes what it receives.
STUBBORN_CHILD = (
    "import subprocess, sys\n"
    "child = subprocess.Popen([sys.executable, '-c', "
    "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(3)'])\n"
)


def origin_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def slow_kernel(site_url, tmp_path_factory):
    """The playground's Jupyter server, whose restarts wait as delays.json says (slow_restart.py)."""
    delays = tmp_path_factory.mktemp("slow-restart") / "delays.json"
    delays.write_text("{}")
    with kernel_server.jupyter_server(
        origin_of(site_url),
        extra_args=["--ServerApp.kernel_manager_class=slow_restart.SlowRestartKernelManager"],
        extra_env={"PYTHONPATH": str(HERE), "SLOW_RESTART_FILE": str(delays)},
    ) as k:
        yield k, delays


@pytest.fixture(scope="module")
def page(chromium, site_url, slow_kernel):
    """The about page, its first block run once (Thebe loaded, kernel started)."""
    kernel, _ = slow_kernel
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(kernel.link(site_url, PAGE))
    page.locator(".playground-run").first.click()
    page.wait_for_function(f"() => /PyTorch\\s*:/.test({OUTPUT})", timeout=180_000)
    yield page
    context.close()


def run_cell(page, code: str) -> None:
    page.evaluate(f"{EDITOR}.setValue({json.dumps(code)})")
    page.locator(".thebe-cell").first.locator(".thebe-run-button").click()


@pytest.mark.parametrize(
    "setup, delays, wait_for_idle",
    [
        (STUBBORN_CHILD, {}, True),  # the steps: restart, wait until the kernel says idle, run
        (STUBBORN_CHILD, {}, False),  # 运行 pressed right after 重启内核
        ("", {"after": 3}, True),  # new kernel up and idle, the restart request not returned yet
        ("", {"before": 3}, False),  # the server is slow to even begin the restart
    ],
    ids=["old-kernel-slow-to-exit", "old-kernel-slow-to-exit-run-at-once", "restart-returns-late", "restart-begins-late"],
)
def test_run_after_a_slow_restart_shows_the_error(page, slow_kernel, setup, delays, wait_for_idle):
    _, delays_file = slow_kernel
    run_cell(page, setup + 'answer = 41\nprint("answer", answer + 1)')
    page.wait_for_function(f"() => /answer 42/.test({OUTPUT})", timeout=60_000)

    delays_file.write_text(json.dumps(delays))
    try:
        page.locator(".thebe-cell").first.locator(".thebe-restart-button").click()
        if wait_for_idle:
            page.wait_for_function("() => window.thebe.session.kernel.status === 'idle'", timeout=60_000)
        run_cell(page, "print(answer)")
        # On the old kernel this printed 41, or nothing ever came back.
        page.wait_for_function(f"() => /NameError/.test({OUTPUT})", timeout=30_000)
    finally:
        delays_file.write_text("{}")
    assert "41" not in page.evaluate(OUTPUT)
    assert "内核已重启" in page.evaluate(STATUS)
    assert not page.errors, page.errors
