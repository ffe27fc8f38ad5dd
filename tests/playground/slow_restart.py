"""Kernel managers whose restarts are slow, for tests of 重启内核 under load.

Loaded by the test's Jupyter server (--ServerApp.kernel_manager_class). Each restart reads its delays from the
JSON file named by SLOW_RESTART_FILE, so one server can be slow in different ways:

- "before": seconds before the old kernel is even asked to stop (a busy server);
- "after": seconds the restart request keeps waiting once the new kernel is up and has
  answered (the page sees it idle through its old websocket; the request has not returned).
"""

import asyncio
import json
import os

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


def _delay(name: str) -> float:
    try:
        with open(os.environ["SLOW_RESTART_FILE"], encoding="utf-8") as f:
            return float(json.load(f).get(name, 0))
    except (KeyError, OSError, ValueError):
        return 0.0


class SlowRestartKernelManager(AsyncMappingKernelManager):
    async def restart_kernel(self, kernel_id, now=False):
        await asyncio.sleep(_delay("before"))
        future = await super().restart_kernel(kernel_id, now=now)
        after = _delay("after")
        if after:
            await future  # the new kernel answered kernel_info: it is up and idle
            await asyncio.sleep(after)
        return future
