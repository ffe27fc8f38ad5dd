"""Shared fixtures: the device the snippets run on, and one strict build of the site."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from sitekit import browser, snippets
from sitekit.build import build

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config):
    config.addinivalue_line("markers", "cuda: needs an NVIDIA GPU; skipped with a reason without one")
    config.addinivalue_line("markers", "tensorflow: runs TensorFlow code (tensorflow-cpu)")
    config.addinivalue_line("markers", "browser: drives the built site in Debian's chromium")
    config.addinivalue_line("markers", "isa: a snippet whose output depends on the CPU's vector ISA (sitekit/hardware.py)")
    config.addinivalue_line("markers", "slow: takes more than ~20 s on 2 cores; still part of `make test`")
    # pytest-xdist registers this itself; repeated here so `-p no:xdist` runs still collect.
    config.addinivalue_line("markers", "xdist_group(name): run on one xdist worker with --dist loadgroup")


_UNGROUPED = pytest.StashKey[bool]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """`make test` runs `-n $(JOBS) --dist loadgroup`: each xdist_group (the browser walks) must stay
    on one worker, or its module fixtures are built once per worker. xdist marks a grouped
    test by suffixing its node id with @group; under pytest 9.2 that silently stops working
    (pytest-dev/pytest-xdist#1386), hence pytest 9.1.1 in requirements.txt and this check."""
    if getattr(config.option, "loadgroup", False):  # set on xdist workers only
        for item in items:
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
                item.stash[_UNGROUPED] = True


def pytest_runtest_setup(item):
    if item.stash.get(_UNGROUPED, False):
        pytest.fail(
            "pytest-xdist did not keep this xdist_group test on one worker: this pytest/pytest-xdist "
            "pair breaks --dist loadgroup (pytest-dev/pytest-xdist#1386); use the versions pinned "
            "in requirements.txt",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def device() -> str:
    return snippets.detect_device()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site, built once per run (xdist workers share it); the build log is kept beside it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # .../pytest-N/, shared by this run's workers only
    dest, log, status = base / "site", base / "build.log", base / "build.returncode"
    with open(base / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds, the others wait for it
        if not status.exists():
            proc = build(dest)
            log.write_text(proc.stdout, encoding="utf-8")
            status.write_text(str(proc.returncode))
    if status.read_text() != "0":
        pytest.fail(f"mkdocs build --strict failed:\n{log.read_text('utf-8')}")
    return dest


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


def requirement_skip(missing: list[str]):
    """Skip for a missing optional dependency, except where it must run: TensorFlow in CI,
    CUDA where REQUIRE_CUDA=1 (the `cuda` CI job), so a job cannot pass by skipping."""
    if "cuda" in missing:
        reason = "needs an NVIDIA GPU with CUDA (torch.cuda.is_available() is False); runs in the `cuda` CI job"
        if env_flag("REQUIRE_CUDA"):
            pytest.fail(f"{reason}; REQUIRE_CUDA=1 is set, so CUDA must be available, not skipped", pytrace=False)
        pytest.skip(reason)
    if "tensorflow" in missing:
        reason = "needs tensorflow-cpu, which `make test` installs (requirements.txt)"
        if IN_CI:
            pytest.fail(f"{reason}; in CI it must be installed, not skipped")
        pytest.skip(reason)


NO_BROWSER = (
    "no browser for the browser tests: `make test` finds or installs one first "
    "(python -m sitekit.browser_setup; it names the command to run when it cannot); "
    "`make test SKIP_BROWSER_TESTS=1` skips the browser tests on purpose"
)


@pytest.fixture(scope="session")
def chromium():
    """A headless chromium (Debian's, else Playwright's). A missing one fails the test, in CI
    or not; only SKIP_BROWSER_TESTS=1 skips, on purpose."""
    if env_flag("SKIP_BROWSER_TESTS"):
        pytest.skip("SKIP_BROWSER_TESTS=1: browser tests skipped on purpose")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            instance = browser.launch(p)
        except PlaywrightError as error:
            pytest.fail(f"{NO_BROWSER}\n\nchromium did not start: {error}", pytrace=False)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def site_url(built_site):
    """Base URL of the strictly built site, served from 127.0.0.1."""
    with browser.serve(built_site) as url:
        yield url
