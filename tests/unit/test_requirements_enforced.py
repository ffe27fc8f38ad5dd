"""Where a test must run, a skip is a failure: CUDA under REQUIRE_CUDA=1 (the `cuda` CI job),
TensorFlow in CI, and the browser everywhere unless SKIP_BROWSER_TESTS=1 asks to skip it."""

from __future__ import annotations

import pytest

import conftest


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("REQUIRE_CUDA", "SKIP_BROWSER_TESTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(conftest, "IN_CI", False)
    return monkeypatch


def test_cuda_missing_skips_by_default(clean_env):
    with pytest.raises(pytest.skip.Exception, match="NVIDIA GPU"):
        conftest.requirement_skip(["cuda"])


def test_cuda_missing_fails_when_required(clean_env):
    clean_env.setenv("REQUIRE_CUDA", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_CUDA=1"):
        conftest.requirement_skip(["cuda"])


def test_cuda_missing_still_skips_in_other_ci_jobs(clean_env):
    """The cpu job has no GPU: CI alone does not turn the CUDA skip into a failure."""
    clean_env.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.skip.Exception):
        conftest.requirement_skip(["cuda"])


def test_required_cuda_present_runs(clean_env):
    clean_env.setenv("REQUIRE_CUDA", "1")
    assert conftest.requirement_skip([]) is None


def test_tensorflow_missing_fails_in_ci_only(clean_env):
    with pytest.raises(pytest.skip.Exception):
        conftest.requirement_skip(["tensorflow"])
    clean_env.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="in CI it must be installed"):
        conftest.requirement_skip(["tensorflow"])


def _chromium_fixture():
    return conftest.chromium._get_wrapped_function()()


def test_browser_that_does_not_start_fails_not_skips(clean_env):
    from playwright.sync_api import Error

    def no_browser(playwright):
        raise Error("Executable doesn't exist at /nowhere/chrome")

    clean_env.setattr(conftest.browser, "launch", no_browser)
    # In a thread of its own: a worker that ran the browser tests has playwright's event loop
    # running in this thread, and the sync API refuses to start inside it.
    import concurrent.futures

    with pytest.raises(pytest.fail.Exception) as failure, concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: next(_chromium_fixture())).result()
    message = str(failure.value)
    assert "sitekit.browser_setup" in message and "SKIP_BROWSER_TESTS=1" in message
    assert "/nowhere/chrome" in message


def test_skip_browser_tests_skips_on_purpose(clean_env):
    clean_env.setenv("SKIP_BROWSER_TESTS", "1")
    clean_env.setattr(conftest.browser, "launch", lambda p: pytest.fail("must not launch"))
    with pytest.raises(pytest.skip.Exception, match="on purpose"):
        next(_chromium_fixture())
