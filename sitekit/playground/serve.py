"""`make playground`: the site plus a local Jupyter kernel for its 运行 buttons.

Starts a Jupyter server (sitekit/playground/jupyter_server_config.py: 127.0.0.1 only, terminals off,
CORS and Origin checks for exactly the site's origin, idle kernels culled) with a random
token made for this run, then `mkdocs serve`, and prints the link to open. The token travels
only in that link's fragment (#playground=<server>&token=<token>): browsers do not send
fragments to servers, and the page moves it into sessionStorage and off the address bar.

    python -m sitekit playground [--site-port 8000] [--port 8888]
    python -m sitekit playground --no-site --site-origin http://127.0.0.1:5000 --port 0
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sitekit.config import CACHE, ROOT

HERE = Path(__file__).resolve().parent
WORK_DIR = CACHE / "playground"


@dataclass
class Kernel:
    url: str
    token: str
    process: subprocess.Popen

    def link(self, site: str, page: str = "") -> str:
        fragment = urllib.parse.urlencode({"playground": self.url, "token": self.token})
        return f"{site.rstrip('/')}/{page.lstrip('/')}#{fragment}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, token: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Jupyter server exited with {process.returncode}")
        try:
            req = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"the Jupyter server did not answer at {url} within {timeout:.0f} s")


@contextlib.contextmanager
def jupyter_server(site_origin: str, port: int = 0, log=None, extra_args=(), extra_env=None):
    """Run the playground's Jupyter server; yields a Kernel (url, token, process).

    extra_args (command-line options) and extra_env are for tests, e.g. a kernel manager
    that restarts slowly."""
    port = port or free_port()
    token = secrets.token_urlsafe(32)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        JUPYTER_TOKEN=token,
        PLAYGROUND_SITE_ORIGIN=site_origin.rstrip("/"),
        PLAYGROUND_ROOT_DIR=str(WORK_DIR),
        TORCHINDUCTOR_CACHE_DIR=env.get("TORCHINDUCTOR_CACHE_DIR", str(CACHE / "torchinductor")),
        PYTHONHASHSEED="0",
    )
    env.update(extra_env or {})
    process = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter_server",
            f"--config={HERE / 'jupyter_server_config.py'}",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0", *extra_args,
        ],
        cwd=WORK_DIR, env=env, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, token, process)
        yield Kernel(url, token, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit playground", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site-port", type=int, default=8000, help="port of `mkdocs serve` (default 8000)")
    parser.add_argument("--port", type=int, default=8888, help="port of the Jupyter server (default 8888; 0: any free)")
    parser.add_argument("--site-origin", help="origin the pages come from (default http://127.0.0.1:<site-port>)")
    parser.add_argument("--no-site", action="store_true", help="start only the Jupyter server")
    args = parser.parse_args(argv)

    def stop(signum, frame):  # `kill` stops the kernel server and the site too, like Ctrl+C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    site = (args.site_origin or f"http://127.0.0.1:{args.site_port}").rstrip("/")
    site_proc = None
    with jupyter_server(site, args.port, log=sys.stderr) as kernel:
        try:
            if not args.no_site:
                site_proc = subprocess.Popen(
                    [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{args.site_port}"], cwd=ROOT
                )
            print(
                "\n实验场已启动。打开下面的链接（令牌只在这次运行有效，不要分享）：\n\n"
                f"    {kernel.link(site)}\n\n"
                f"Jupyter 服务器：{kernel.url}（只接受来自 {site} 的页面）；按 Ctrl+C 停止。\n",
                flush=True,
            )
            while kernel.process.poll() is None and (site_proc is None or site_proc.poll() is None):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            if site_proc and site_proc.poll() is None:
                site_proc.terminate()
                site_proc.wait(timeout=15)
    return 0

