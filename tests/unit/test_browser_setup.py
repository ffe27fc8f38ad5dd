"""`make test`'s browser step (sitekit/browser_setup.py): what it decides, with nothing installed for real."""

from __future__ import annotations

import pytest

from sitekit import browser_setup as bs


class Machine:
    """A pretend machine: which browsers exist, what apt and playwright would do."""

    def __init__(self, monkeypatch, *, chromium=False, playwright=False, apt=None, has_apt=True,
                 apt_works=True, playwright_download_works=True, font=True, font_installable=True):
        self.chromium, self.playwright, self.font = chromium, playwright, font
        self.commands: list[list[str]] = []
        monkeypatch.delenv("SKIP_BROWSER_TESTS", raising=False)
        monkeypatch.setattr(bs, "system_chromium", lambda: "/usr/bin/chromium" if self.chromium else None)
        monkeypatch.setattr(bs, "playwright_chromium_works", lambda: self.playwright)
        monkeypatch.setattr(bs, "apt_prefix", lambda: apt)
        monkeypatch.setattr(bs, "has_apt", lambda: has_apt)
        monkeypatch.setattr(bs, "cjk_font_present", lambda: self.font)

        def run(cmd, timeout, env=None):
            assert timeout > 0, "every attempt has a timeout"
            self.commands.append(cmd)
            if "apt-get" in cmd:
                if env is not None:
                    assert env.get("DEBIAN_FRONTEND") == "noninteractive"
                assert "DEBIAN_FRONTEND=noninteractive" in cmd  # survives sudo's clean environment
                if not apt_works:
                    return False
                if "install" in cmd:
                    self.chromium = self.chromium or "chromium" in cmd
                    self.font = self.font or ("fonts-noto-cjk" in cmd and font_installable)
                return True
            if cmd[1:] == ["-m", "playwright", "install", "chromium"]:
                self.playwright = playwright_download_works
                return playwright_download_works
            raise AssertionError(f"unexpected command {cmd}")

        monkeypatch.setattr(bs, "run", run)

    def ran(self, word: str) -> list[list[str]]:
        return [c for c in self.commands if word in " ".join(c)]


def test_debian_chromium_found_installs_nothing(monkeypatch, capsys):
    m = Machine(monkeypatch, chromium=True, apt=[])
    assert bs.main() == 0
    assert m.commands == []
    assert "/usr/bin/chromium" in capsys.readouterr().err


def test_playwright_chromium_found_installs_nothing(monkeypatch, capsys):
    m = Machine(monkeypatch, playwright=True, apt=[], has_apt=False)
    assert bs.main() == 0
    assert m.commands == []
    assert "Playwright" in capsys.readouterr().err


def test_root_on_debian_installs_chromium_and_fonts_with_apt(monkeypatch):
    m = Machine(monkeypatch, apt=[], font=False)
    assert bs.main() == 0
    assert m.commands == [
        ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"],
        ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "chromium", "fonts-noto-cjk"],
    ]
    assert not m.ran("playwright")


def test_sudo_user_goes_through_sudo_without_a_password_prompt(monkeypatch):
    m = Machine(monkeypatch, apt=["sudo", "-n"])
    assert bs.main() == 0
    assert m.commands and all(c[:2] == ["sudo", "-n"] for c in m.commands)


def test_apt_failing_falls_back_to_playwright(monkeypatch):
    m = Machine(monkeypatch, apt=[], apt_works=False)
    assert bs.main() == 0
    assert m.ran("apt-get update")
    assert m.commands[-1][1:] == ["-m", "playwright", "install", "chromium"]


def test_no_root_uses_playwright_and_never_apt(monkeypatch):
    """A reader's macOS, or Linux without root: Playwright's download."""
    m = Machine(monkeypatch, apt=None, has_apt=False)
    assert bs.main() == 0
    assert len(m.commands) == 1 and m.commands[0][1:] == ["-m", "playwright", "install", "chromium"]


def test_nothing_works_fails_with_the_command_to_run(monkeypatch, capsys):
    Machine(monkeypatch, apt=None, has_apt=False, playwright_download_works=False)
    assert bs.main() == 1
    err = capsys.readouterr().err
    assert "-m playwright install chromium" in err
    assert "SKIP_BROWSER_TESTS=1" in err


def test_nothing_works_on_debian_names_the_apt_command(monkeypatch, capsys):
    Machine(monkeypatch, apt=None, has_apt=True, playwright_download_works=False)
    assert bs.main() == 1
    assert "sudo apt-get install -y chromium fonts-noto-cjk" in capsys.readouterr().err


def test_missing_cjk_font_is_installed_when_chromium_is_there(monkeypatch):
    m = Machine(monkeypatch, chromium=True, apt=[], font=False)
    assert bs.main() == 0
    assert m.commands[-1][-3:] == ["install", "-y", "fonts-noto-cjk"]
    assert len(m.ran("apt-get update")) == 1


def test_cjk_font_that_cannot_be_installed_is_a_warning(monkeypatch, capsys):
    m = Machine(monkeypatch, chromium=True, apt=None, font=False)
    assert bs.main() == 0
    assert m.commands == []
    assert "fonts-noto-cjk" in capsys.readouterr().err


def test_skip_browser_tests_does_nothing(monkeypatch):
    m = Machine(monkeypatch)
    monkeypatch.setenv("SKIP_BROWSER_TESTS", "1")
    assert bs.main() == 0
    assert m.commands == []


@pytest.mark.parametrize("value, skip", [("1", True), ("true", True), ("", False), ("0", False)])
def test_skip_requested(value, skip):
    assert bs.skip_requested({"SKIP_BROWSER_TESTS": value}) is skip


def test_a_timed_out_attempt_is_a_failed_attempt(monkeypatch):
    import subprocess

    def too_slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(subprocess, "run", too_slow)
    assert bs.run(["apt-get", "update"], timeout=1) is False


def test_a_chromium_that_does_not_start_is_not_found(monkeypatch, tmp_path):
    """Ubuntu's chromium-browser can be a stub for a snap that cannot run here."""
    stub = tmp_path / "chromium-browser"
    stub.write_text("#!/bin/sh\necho 'requires the chromium snap' >&2\nexit 1\n")
    stub.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert bs.system_chromium() is None
    stub.write_text("#!/bin/sh\necho 'Chromium 140.0'\n")
    assert bs.system_chromium() == str(stub)
