"""The commands the Makefile runs: `python -m sitekit <command> [options]`.

    outputs      re-run snippets, rewrite the captured outputs that changed (make outputs)
    notebooks    regenerate and execute the 实验场 notebooks (make notebooks)
    thebe        fetch the pinned Thebe build into .cache/thebe/ (make thebe)
    playground   the site plus a local Jupyter kernel for its 运行 buttons (make playground)
    page-weight  bytes transferred and load time of every page (make page-weight)
    lighthouse   Lighthouse scores of every page on a phone (make lighthouse)
    diagrams     draw the mermaid diagrams into docs/assets/diagrams/ (make diagrams)
    graphs       draw the graphs snippets build into snippets/<chapter>/<name>.graphs/ (make graphs)
    offline      the site as a zip that works from disk, and as a PDF, in dist/ (make offline)
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "outputs": "sitekit.capture",
    "notebooks": "sitekit.notebooks",
    "thebe": "sitekit.thebe",
    "playground": "sitekit.playground.serve",
    "page-weight": "sitekit.pageweight",
    "lighthouse": "sitekit.lighthouse",
    "diagrams": "sitekit.diagrams",
    "graphs": "sitekit.graphs",
    "offline": "sitekit.offline",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[argv[0]])
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
