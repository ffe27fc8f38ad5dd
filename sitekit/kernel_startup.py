"""IPython startup file for the kernels that execute the 实验场 notebooks (make notebooks, tests).

ipykernel forwards what C++ writes to fd 1/2 (c10 warnings such as TorchScript's fuser
notices) from a pipe, in a thread. Under load that thread can read a cell's C++ output
only after the cell has finished, and the text then appears under a later cell. After
each cell this waits until the pipes are empty, so every cell keeps its own output.
It changes nothing a reader runs: notebooks.execute() installs it for its own kernels.
"""

import select
import sys
import time


def _drain_fd_pipes(*_args):
    fids = [fid for fid in (getattr(s, "_fid", None) for s in (sys.stdout, sys.stderr)) if fid is not None]
    deadline = time.monotonic() + 5
    while fids and time.monotonic() < deadline and select.select(fids, [], [], 0)[0]:
        time.sleep(0.01)  # the forwarding thread is reading it
    time.sleep(0.02)  # and hands what it read to the stream


get_ipython().events.register("post_run_cell", _drain_fd_pipes)  # noqa: F821 (IPython defines it)
