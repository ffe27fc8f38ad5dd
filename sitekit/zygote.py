"""Run snippets in processes forked from one that has already imported torch.

`import torch` costs 2-4 s of CPU on the 2-core test machines, about as much as most
snippets themselves, and the suite ran ~30 of them. This server imports torch once, then
for each request forks a child that runs one script the way `python name.py` would: its
own working directory, `__main__`, sys.argv and sys.path[0], stdout and stderr merged
unbuffered into one file (C++ writes included), tracebacks as Python prints them, and a
normal interpreter exit (atexit handlers, non-daemon threads). The child's torch has done
nothing yet: no Dynamo cache, no compiled kernel, no thread pool; that is the isolation
the snippet test needs. Captured outputs still come from real fresh interpreters
(sitekit.capture, `make outputs`), so a difference between the two ways shows up as a test failure.

Protocol (one JSON object per line): stdin {"script", "cwd", "out"} ->
stdout {"returncode"}.
"""

from __future__ import annotations

import io
import json
import os
import runpy
import sys
import traceback

import torch  # noqa: F401  (the point: imported once, before any fork)


def _run_child(script: str, cwd: str, out: str) -> None:
    """In the forked child: become `python script` and exit the way it would."""
    os.setsid()  # its own process group, so a timeout can kill what it started
    os.chdir(cwd)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    # What PYTHONUNBUFFERED=1 and PYTHONIOENCODING=utf-8 give a fresh interpreter.
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", write_through=True
    )
    sys.argv = [script]
    sys.path[0] = cwd
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        raise SystemExit(exc.code) from None
    except BaseException as exc:  # noqa: BLE001  printed as the interpreter would, then exit 1
        tb = exc.__traceback__
        while tb is not None and os.path.basename(tb.tb_frame.f_code.co_filename) != script:
            tb = tb.tb_next  # drop the frames of this file and of runpy
        traceback.print_exception(type(exc), exc, tb or exc.__traceback__)
        code = 1
    raise SystemExit(code)  # leaves through the interpreter's normal shutdown


def main() -> None:
    control_in = sys.stdin
    control_out = os.fdopen(os.dup(1), "w", buffering=1)
    for line in control_in:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            control_out.close()
            _run_child(request["script"], request["cwd"], request["out"])
        control_out.write(json.dumps({"pid": pid}) + "\n")
        _, status = os.waitpid(pid, 0)
        control_out.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")


if __name__ == "__main__":
    main()
