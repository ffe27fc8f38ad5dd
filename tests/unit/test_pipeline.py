"""Bad input gets a clear error, and nothing is lost: the pipeline's own failure modes."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from sitekit import capture, runner, snippets


@pytest.fixture
def fake_snippet(tmp_path):
    def make(source: str, meta: str = "") -> snippets.Snippet:
        folder = tmp_path / "chapter"
        folder.mkdir(exist_ok=True)
        (folder / "demo.py").write_text(textwrap.dedent(source), encoding="utf-8")
        (folder / "snippets.toml").write_text(textwrap.dedent(meta), encoding="utf-8")
        return snippets.Snippet(folder / "demo.py")

    return make


@pytest.mark.parametrize("fork", [False, True], ids=["fresh", "forked"])
def test_a_raising_snippet_reports_its_traceback(fake_snippet, fork):
    snippet = fake_snippet("import torch\nprint('before')\nraise ValueError('boom')\n")
    assert snippet.forkable
    result = runner.run(snippet, fork=fork)
    assert result.returncode == 1
    assert result.output.startswith("before\n")
    assert 'File "demo.py", line 3' in result.output  # the reader's view: `python demo.py`
    assert "ValueError: boom" in result.output
    assert "runpy" not in result.output and "zygote" not in result.output


# Everything `python demo.py` shows that a forked run could get wrong.
AS_A_READER_RUNS_IT = """
import atexit, os, sys, threading, time, warnings
import torch

print("argv", sys.argv, "name", __name__, "path0", os.path.basename(sys.path[0]) == os.path.basename(os.getcwd()))
print("to stdout"); print("to stderr", file=sys.stderr); print("stdout again")
warnings.warn("a Python warning")
torch.tensor([1.0, 2.0]).storage()  # a TypedStorage warning from torch, once
with open("written.txt", "w") as f:
    f.write("x")
print("cwd holds", sorted(os.listdir(".")))
atexit.register(lambda: print("atexit ran"))
threading.Thread(target=lambda: (time.sleep(0.2), print("thread finished"))).start()
sys.exit(3)
"""


def test_a_forked_run_prints_what_a_fresh_interpreter_prints(fake_snippet):
    snippet = fake_snippet(AS_A_READER_RUNS_IT)
    fresh, forked = runner.run(snippet), runner.run(snippet, fork=True)
    assert (forked.returncode, forked.output) == (fresh.returncode, fresh.output)
    assert fresh.returncode == 3
    for line in ("argv ['demo.py'] name __main__ path0 True", "to stderr", "UserWarning: a Python warning",
                 "TypedStorage is deprecated", "cwd holds ['demo.py', 'written.txt']", "thread finished", "atexit ran"):
        assert line in fresh.output, line


def test_fresh_interpreter_opt_out_is_never_forked(fake_snippet):
    # A forked child finds torch imported already; a fresh interpreter does not. A snippet
    # that sets an environment variable torch reads at import needs the latter.
    source = "import sys\nprint('torch already imported:', 'torch' in sys.modules)\nimport torch\n"
    assert runner.run(fake_snippet(source), fork=True).output == "torch already imported: True\n"
    opted_out = fake_snippet(source, meta="['demo.py']\nfresh_interpreter = true\n")
    assert not opted_out.forkable
    assert runner.run(opted_out, fork=True).output == "torch already imported: False\n"


def test_a_forked_run_that_hangs_is_killed_and_the_next_one_runs(fake_snippet, tmp_path):
    hangs = fake_snippet("import subprocess, sys, torch\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\ntorch.ones(1)\nimport time; time.sleep(600)\n")
    with pytest.raises(subprocess.TimeoutExpired):
        runner.run(hangs, timeout=3, fork=True)
    fine = fake_snippet("import torch\nprint(torch.ones(2).sum().item())\n")
    assert runner.run(fine, fork=True).output == "2.0\n"


def test_drift_is_shown_as_a_unified_diff_and_volatile_parts_are_ignored(fake_snippet):
    snippet = fake_snippet("", meta="['demo.py']\nvolatile = ['\\d+\\.\\d+ ms']\n")
    assert snippet.diff("took 1.25 ms at 0x7f00deadbeef\n", "took 3.50 ms at 0x7f00cafef00d\n") == ""
    diff = snippet.diff("result 1\ntook 1.25 ms\n", "result 2\ntook 9.99 ms\n")
    assert "-result 1" in diff and "+result 2" in diff
    assert "-took" not in diff and "+took" not in diff


def test_unknown_metadata_is_rejected(fake_snippet):
    snippet = fake_snippet("", meta="['demo.py']\nrequires = ['tpu']\n")
    with pytest.raises(ValueError, match="unknown requirement"):
        snippet.requires


def test_outputs_are_rewritten_only_when_they_really_changed(fake_snippet):
    snippet = fake_snippet("import time\nprint('x'); print(f'{time.perf_counter():.3f} s')\n",
                           meta="['demo.py']\nvolatile = ['[\\d.]+ s']\n")
    assert capture.capture(snippet, "cpu")[0] == "updated"
    first = snippet.output_path().read_text()
    assert capture.capture(snippet, "cpu")[0] == "unchanged"
    assert snippet.output_path().read_text() == first  # the old timing is kept, no churn


def test_a_cuda_run_writes_its_own_output_only_where_it_differs(fake_snippet, tmp_path):
    # What `make outputs` does on a GPU machine for a device-agnostic snippet. The script
    # prints the contents of a file, so the test decides what "the CUDA run" prints.
    said = tmp_path / "said.txt"
    snippet = fake_snippet(f"print(open({str(said)!r}).read(), end='')\n")
    snippet.output_path("cpu").write_text("same on both\n")
    said.write_text("same on both\n")
    assert capture.capture(snippet, "cuda") == ("unchanged", "")
    assert not snippet.output_path("cuda").exists()
    assert snippet.expected_output("cuda") == snippet.output_path("cpu")

    said.write_text("different on CUDA\n")
    assert capture.capture(snippet, "cuda")[0] == "updated"
    assert snippet.output_path("cuda").read_text() == "different on CUDA\n"
    assert snippet.output_path("cpu").read_text() == "same on both\n"  # the CPU output stays
    assert snippet.expected_output("cuda") == snippet.output_path("cuda")
    assert snippet.expected_output("cpu") == snippet.output_path("cpu")

    said.write_text("same on both\n")  # CUDA prints what CPU prints again: the stale file goes
    status, detail = capture.capture(snippet, "cuda")
    assert status == "updated" and "removed demo.cuda.out" in detail
    assert not snippet.output_path("cuda").exists()


def test_outputs_of_snippets_that_cannot_run_here_are_kept(fake_snippet):
    snippet = fake_snippet("raise SystemExit('needs a GPU')\n", meta="['demo.py']\nrequires = ['cuda']\n")
    snippet.output_path("cpu").write_text("captured on a GPU\n")
    assert capture.capture(snippet, "cpu") == ("kept", "needs cuda")
    failing = fake_snippet("raise RuntimeError('broken')\n")
    failing.output_path("cpu").write_text("old output\n")
    status, detail = capture.capture(failing, "cpu")
    assert status == "failed" and "RuntimeError: broken" in detail
    assert failing.output_path("cpu").read_text() == "old output\n"
