"""Bad input gets a clear error, and nothing is lost: the pipeline's own failure modes."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from sitekit import capture, config, hardware, runner, snippets, versions


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
    # a wheel's build tag is not a different release; the release number is
    assert snippet.diff("PyTorch 2.15.0+cu132\n", "PyTorch 2.15.0+cpu\n") == ""
    assert "+PyTorch 2.13.0" in snippet.diff("PyTorch 2.15.0+cu132\n", "PyTorch 2.13.0+cpu\n")
    diff = snippet.diff("result 1\ntook 1.25 ms\n", "result 2\ntook 9.99 ms\n")
    assert "-result 1" in diff and "+result 2" in diff
    assert "-took" not in diff and "+took" not in diff


def test_unknown_metadata_is_rejected(fake_snippet):
    snippet = fake_snippet("", meta="['demo.py']\nrequires = ['tpu']\n")
    with pytest.raises(ValueError, match="unknown requirement"):
        snippet.requires


PRIMARY = versions.primary()
OTHER = versions.Build("2.13.0")
CUDA = versions.Build(PRIMARY.torch, "cuda")


def test_outputs_are_rewritten_only_when_they_really_changed(fake_snippet):
    snippet = fake_snippet("import time\nprint('x'); print(f'{time.perf_counter():.3f} s')\n",
                           meta="['demo.py']\nvolatile = ['[\\d.]+ s']\n")
    assert capture.capture(snippet, PRIMARY)[0] == "updated"
    first = snippet.output_path().read_text()
    assert capture.capture(snippet, PRIMARY)[0] == "unchanged"
    assert snippet.output_path().read_text() == first  # the old timing is kept, no churn


@pytest.mark.parametrize("other", [OTHER, CUDA], ids=["other-version", "cuda"])
def test_another_build_stores_its_output_only_where_it_differs(fake_snippet, tmp_path, other):
    # What `make outputs TORCH=2.13.0` (or a run on a GPU) does for a snippet. The script
    # prints the contents of a file, so the test decides what "that build" prints.
    said = tmp_path / "said.txt"
    snippet = fake_snippet(f"import torch\nprint(open({str(said)!r}).read(), end='')\n")
    own = snippet.output_path(other)
    assert own == snippet.path.parent / "demo.versions" / f"{other.label}.out"
    snippet.output_path().write_text("same on both\n")
    said.write_text("same on both\n")
    assert capture.capture(snippet, other) == ("unchanged", "")
    assert not own.exists() and not own.parent.exists()
    assert snippet.expected_output(other) == snippet.output_path()

    said.write_text(f"different on {other.title}\n")
    assert capture.capture(snippet, other)[0] == "updated"
    assert own.read_text() == f"different on {other.title}\n"
    assert snippet.output_path().read_text() == "same on both\n"  # the primary output stays
    assert snippet.expected_output(other) == own
    assert snippet.expected_output(PRIMARY) == snippet.output_path()
    assert snippet.other_outputs() == {other: own}

    said.write_text("same on both\n")  # it prints what the primary build prints again: the stale file goes
    status, detail = capture.capture(snippet, other)
    assert status == "updated" and detail.startswith("removed") and f"demo.versions/{other.label}.out" in detail
    assert not own.exists() and not own.parent.exists()


def test_outputs_of_snippets_that_cannot_run_here_are_kept(fake_snippet):
    snippet = fake_snippet("raise SystemExit('needs a GPU')\n", meta="['demo.py']\nrequires = ['cuda']\n")
    snippet.output_path().write_text("captured on a GPU\n")
    assert capture.capture(snippet, PRIMARY) == ("kept", "needs cuda")
    failing = fake_snippet("raise RuntimeError('broken')\n")
    failing.output_path().write_text("old output\n")
    status, detail = capture.capture(failing, PRIMARY)
    assert status == "failed" and "RuntimeError: broken" in detail
    assert failing.output_path().read_text() == "old output\n"


def test_snippets_without_torch_run_on_the_primary_build_only(fake_snippet):
    no_torch = fake_snippet("print('tensorflow, say')\n")
    assert capture.skip_reason(no_torch, PRIMARY) is None
    assert "primary build only" in capture.skip_reason(no_torch, OTHER)


def test_environment_noise_is_dropped_and_paths_are_shortened():
    import sysconfig

    site = sysconfig.get_paths()["purelib"]
    raw = (f"before\nNo CUDA runtime is found, using CUDA_HOME='/usr/local/cuda'\n"
           f"W1202 13:44:06.196000 9775 torch/utils/cpp_extension.py:183] No CUDA runtime is found, using CUDA_HOME='/opt/cuda'\n"
           f"{site}/torch/x.py:1: FutureWarning: y\nafter\n")
    assert snippets.clean(raw) == "before\n<site-packages>/torch/x.py:1: FutureWarning: y\nafter\n"
    logs = ("W1202 13:44:06.196000 9775 torch/_dynamo/variables/tensor.py:2043] [1/0] Graph break\n"
            "[W1202 13:44:48.908541790 init.cpp:778] Warning: nvfuser\n")
    assert snippets.clean(logs) == "W torch/_dynamo/variables/tensor.py] [1/0] Graph break\n[W init.cpp] Warning: nvfuser\n"


def test_a_version_whose_environment_cannot_be_made_touches_no_output(tmp_path, monkeypatch, capsys):
    # A version pip cannot install (here: one that does not exist) stops `make outputs
    # TORCH=...` with a message naming it, before any stored output is read or written.
    monkeypatch.setattr(versions, "VENVS", tmp_path / "venvs")
    monkeypatch.setattr(versions, "others", lambda: [versions.Supported(versions.Build("0.0.1"), "test")])
    before = {p: p.stat().st_mtime_ns for p in config.SNIPPETS.rglob("*.out")}
    assert capture.main(["--torch", "0.0.1"]) == 1
    said = capsys.readouterr().out
    assert "torch 0.0.1" in said and "no output of torch 0.0.1 was touched" in said
    assert {p: p.stat().st_mtime_ns for p in config.SNIPPETS.rglob("*.out")} == before
    with pytest.raises(SystemExit):  # not a supported version at all: refused up front
        capture.main(["--torch", "9.9.9"])


def test_versions_toml_and_stored_outputs_agree():
    supported = versions.supported()
    assert supported[0] == PRIMARY and len(set(supported)) == len(supported)
    for snippet in snippets.discover():
        for build, path in snippet.other_outputs().items():
            assert build.base in supported, f"{path} belongs to no supported build (snippets/versions.toml)"
            if build.isa:
                assert build in versions.isa_variants(), f"{path}: {build.isa} is not a stored ISA (versions.toml [isa])"
                assert snippet.isa_dependent, f"{path} is an ISA's output of a snippet not marked isa_dependent"


# ------------------------------------------------------------ the CPU's vector ISA -----

AVX2 = versions.Build(PRIMARY.torch, isa="avx2")
NEON = versions.Build(PRIMARY.torch, isa="neon")


def test_labels_name_version_device_and_isa():
    for label, build in [("2.15.0", versions.Build("2.15.0")), ("2.11.0-cuda", versions.Build("2.11.0", "cuda")),
                         ("2.15.0-avx2", versions.Build("2.15.0", "cpu", "avx2")),
                         ("2.11.0-cuda-avx2", versions.Build("2.11.0", "cuda", "avx2"))]:
        assert build.label == label and versions.Build.from_label(label) == build
    assert AVX2.title == f"{PRIMARY.torch} · CPU · AVX2" and AVX2.base == PRIMARY
    assert hardware.policy().shown.key == "avx512vnni" and [i.key for i in hardware.policy().also] == ["avx2"]


def test_pick_vec_isa_classes_map_to_isas():
    assert hardware.from_class("VecAVX2").floats == 8
    assert hardware.from_class("VecAVX512VNNI").floats == hardware.from_class("VecAMX").floats == 16
    assert hardware.from_class("VecNEON").floats == 4 and hardware.from_class("VecSVE256").floats == 8
    assert hardware.from_class("InvalidVecISA").capability == "default"
    assert hardware.from_class("VecRISCV").key == "riscv"  # one torch adds later: named, never a crash


def test_an_isa_dependent_output_is_stored_per_isa(fake_snippet, tmp_path):
    # What `make outputs` does on an AVX2 machine, or with ATEN_CPU_CAPABILITY=avx2: the
    # ISA-dependent snippet's output goes to <version>-avx2.out, even where it prints what
    # the shown ISA prints; any other snippet's output stays the primary one.
    said = tmp_path / "said.txt"
    source = f"import torch\nprint(open({str(said)!r}).read(), end='')\n"
    dependent = fake_snippet(source, meta="['demo.py']\nisa_dependent = true\n")
    dependent.output_path().write_text("16 floats\n")
    said.write_text("16 floats\n")
    own = dependent.path.parent / "demo.versions" / "2.15.0-avx2.out"
    assert capture.capture(dependent, AVX2)[0] == "updated"  # stored although the same
    assert own.read_text() == "16 floats\n"
    assert dependent.expected_output(AVX2) == own and dependent.expected_output(PRIMARY) == dependent.output_path()
    said.write_text("8 floats\n")
    assert capture.capture(dependent, AVX2)[0] == "updated" and own.read_text() == "8 floats\n"
    assert dependent.output_path().read_text() == "16 floats\n"
    assert dependent.other_outputs() == {AVX2: own}
    # An ISA with no stored outputs: kept when capturing, skipped (after running) when testing.
    assert capture.capture(dependent, NEON)[0] == "kept"
    reason = capture.isa_skip_reason(dependent, NEON)
    assert "ISA neon" in reason and "versions.toml [isa]" in reason
    assert dependent.expected_output(NEON) is None

    plain = fake_snippet(source)  # same folder, not marked: the ISA does not count
    plain.output_path().unlink()
    assert capture.isa_skip_reason(plain, NEON) is None and plain.effective(NEON) == PRIMARY
    assert capture.capture(plain, AVX2)[0] == "updated" and plain.output_path().read_text() == "8 floats\n"
    assert plain.expected_output(AVX2) == plain.output_path()


def test_captures_are_recorded_per_label(tmp_path):
    path = tmp_path / "captured.toml"
    versions.record_capture(PRIMARY, "3.11", "avx512vnni", ["a/x.py", "a/y.py"], keep=set(), path=path)
    versions.record_capture(PRIMARY, "3.11", "avx512vnni", ["a/z.py"], path=path)  # partial: added
    versions.record_capture(AVX2, "3.11", "avx2", ["a/x.py"], keep=set(), path=path)
    import tomllib

    data = tomllib.loads(path.read_text())
    assert data[PRIMARY.label]["snippets"] == ["a/x.py", "a/y.py", "a/z.py"]
    assert data[AVX2.label] | {"date": None} == {"date": None, "python": "3.11", **versions.machine(), "isa": "avx2", "snippets": ["a/x.py"]}
    # A full capture replaces the list, keeping only what it could not capture (kept): a
    # deleted snippet leaves it.
    versions.record_capture(PRIMARY, "3.11", "avx2", ["a/x.py"], keep={"a/y.py"}, path=path)
    assert tomllib.loads(path.read_text())[PRIMARY.label]["snippets"] == ["a/x.py", "a/y.py"]


def test_each_cpu_capability_gets_its_own_inductor_cache():
    # torch 2.15 reuses an AVX-512 graph from the FX graph cache under ATEN_CPU_CAPABILITY=avx2
    # (and fails to compile it under `default`): the ISA is not in the cache key.
    assert runner.inductor_cache({"TORCHINDUCTOR_CACHE_DIR": "/c/ti"}) == "/c/ti"
    assert runner.inductor_cache({"TORCHINDUCTOR_CACHE_DIR": "/c/ti", "ATEN_CPU_CAPABILITY": "avx2"}) == "/c/ti-avx2"
    assert runner.inductor_cache({"TORCHINDUCTOR_CACHE_DIR": "/c/ti-avx2", "ATEN_CPU_CAPABILITY": "avx2"}) == "/c/ti-avx2"
    assert runner.snippet_env("default")["TORCHINDUCTOR_CACHE_DIR"].endswith("-default")
