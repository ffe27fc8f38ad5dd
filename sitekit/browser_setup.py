"""`make test`'s browser step: find a chromium for the browser tests, or install one.

    python -m sitekit.browser_setup

1. Found: Debian's `chromium` (or `chromium-browser`) on PATH, or a Playwright-managed
   chromium that really launches (`playwright install chromium` put it in its cache).
2. Otherwise installed, first way that works, each attempt under a timeout:
   - Debian/Ubuntu, as root or with password-less sudo:
     `apt-get update` + `apt-get install -y chromium fonts-noto-cjk`;
   - anywhere with network (macOS, Linux without root): `python -m playwright install chromium`.
3. None works: exit 1 with one message naming the command to run.

On Debian/Ubuntu it also makes sure a CJK font is there (fonts-noto-cjk): without one the
Chinese pages render as boxes in the screenshots. A font that cannot be installed is a
warning, not a failure (the tests read text, not pixels).

SKIP_BROWSER_TESTS=1 skips all of this; the browser tests then skip on purpose.
Standard library only (sitekit.browser is too): it runs before anything else is known to work.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from sitekit.browser import find_chromium

APT_PACKAGES = ["chromium", "fonts-noto-cjk"]
FONT_PACKAGE = "fonts-noto-cjk"
# Seconds per attempt: a slow mirror or download fails with a message instead of hanging.
APT_UPDATE_TIMEOUT = 300
APT_INSTALL_TIMEOUT = 900
PLAYWRIGHT_INSTALL_TIMEOUT = 900
LAUNCH_CHECK_TIMEOUT = 120

# Launches Playwright's own chromium the way the tests do (headless), then closes it.
_PLAYWRIGHT_CHECK = (
    "from playwright.sync_api import sync_playwright\n"
    "with sync_playwright() as p:\n"
    "    p.chromium.launch(args=['--no-sandbox']).close()\n"
)


def skip_requested(env=os.environ) -> bool:
    return env.get("SKIP_BROWSER_TESTS", "").strip().lower() in {"1", "true", "yes"}


def log(message: str) -> None:
    print(f"browser setup: {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], timeout: float, env: dict | None = None) -> bool:
    """Run one attempt; True when it exits 0 within `timeout` seconds."""
    log("$ " + " ".join(cmd))
    try:
        return subprocess.run(cmd, timeout=timeout, env=env).returncode == 0
    except subprocess.TimeoutExpired:
        log(f"gave up after {timeout:.0f} s: {' '.join(cmd)}")
    except OSError as error:
        log(f"could not run {cmd[0]}: {error}")
    return False


def system_chromium() -> str | None:
    """Debian's chromium, if it starts (the same lookup the tests launch with)."""
    return find_chromium()


def playwright_chromium_works() -> bool:
    """Playwright's own chromium is installed and starts (checked in a child process)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PLAYWRIGHT_CHECK],
            timeout=LAUNCH_CHECK_TIMEOUT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    except (subprocess.TimeoutExpired, OSError):
        return False
    return proc.returncode == 0


def find_browser() -> str | None:
    """What the browser tests will drive, in words; None when there is nothing."""
    path = system_chromium()
    if path:
        return path
    if playwright_chromium_works():
        return "Playwright's chromium"
    return None


def has_apt() -> bool:
    """Debian/Ubuntu (or another apt-based Linux)."""
    return sys.platform.startswith("linux") and bool(shutil.which("apt-get"))


def apt_prefix() -> list[str] | None:
    """How to run apt-get here: [] as root, ["sudo", "-n"] with password-less sudo, else None."""
    if not has_apt():
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(
        ["sudo", "-n", "true"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).returncode == 0:
        return ["sudo", "-n"]
    return None


def cjk_font_present() -> bool:
    if not shutil.which("fc-list"):
        return False
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
    except (subprocess.TimeoutExpired, OSError):
        return False
    return bool(out.strip())


class Apt:
    """apt-get through `prefix`, with one `apt-get update` per run."""

    def __init__(self, prefix: list[str]):
        self.prefix = prefix
        self.updated = False

    def install(self, packages: list[str]) -> bool:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if not self.updated:
            if not run(self.prefix + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"], APT_UPDATE_TIMEOUT, env):
                return False
            self.updated = True
        return run(
            self.prefix + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", *packages],
            APT_INSTALL_TIMEOUT, env,
        )


def playwright_install() -> bool:
    return run([sys.executable, "-m", "playwright", "install", "chromium"], PLAYWRIGHT_INSTALL_TIMEOUT)


def how_to_fix(apt_available: bool) -> str:
    python = sys.executable
    if python.startswith(os.getcwd() + os.sep):
        python = os.path.relpath(python)  # .venv/bin/python
    if apt_available:
        command = "sudo apt-get install -y chromium fonts-noto-cjk"
    else:
        command = f"{python} -m playwright install chromium"
    return (
        f"no browser for the browser tests, and installing one did not work. Run:\n\n    {command}\n\n"
        "then `make test` again. To run the tests without a browser on purpose: "
        "`make test SKIP_BROWSER_TESTS=1`."
    )


def ensure_font(apt: Apt | None) -> None:
    if not has_apt() or cjk_font_present():
        return
    if apt and apt.install([FONT_PACKAGE]) and cjk_font_present():
        return
    log(f"warning: no CJK font, Chinese text renders as boxes in screenshots; run: sudo apt-get install -y {FONT_PACKAGE}")


def main(argv=None) -> int:
    if skip_requested():
        log("SKIP_BROWSER_TESTS is set: no browser set up, the browser tests will be skipped")
        return 0
    prefix = apt_prefix()
    apt = Apt(prefix) if prefix is not None else None
    found = find_browser()
    if not found and apt:
        log("no chromium found: installing Debian's chromium and CJK fonts with apt-get")
        if apt.install(APT_PACKAGES):
            found = find_browser()
    if not found:
        log("no chromium found: installing Playwright's chromium (`playwright install chromium`)")
        if playwright_install():
            found = find_browser()
    if not found:
        log(how_to_fix(has_apt()))
        return 1
    ensure_font(apt)
    log(f"using {found}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
