"""Fail the build with a clear message when a page embeds a missing snippet file or section.

pymdownx.snippets (check_paths: true) already fails, but for a missing section its message
names neither the page nor the file. This hook checks every `--8<-- "file[:section]"` line
first and names the page, the file and the section.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

INCLUDE = re.compile(r"""^[ \t]*--8<--[ \t]+["']([^"':]+)(?::([^"']+))?["'][ \t]*$""", re.M)


def check(markdown: str, page_path: str, base_paths: list[Path]) -> None:
    for m in INCLUDE.finditer(markdown):
        rel, section = m.group(1), m.group(2)
        found = next((base / rel for base in base_paths if (base / rel).is_file()), None)
        line = markdown.count("\n", 0, m.start()) + 1
        where = f"docs/{page_path}:{line}"
        if found is None:
            raise PluginError(f"{where} embeds '{rel}', which does not exist under {', '.join(map(str, base_paths))}")
        if section and not re.search(rf"--8<--\s*\[start:{re.escape(section)}\]", found.read_text("utf-8")):
            raise PluginError(f"{where} embeds section '{section}' of '{rel}', but that file has no [start:{section}] marker")


def on_page_markdown(markdown, page, config, files):
    options = config["mdx_configs"].get("pymdownx.snippets", {})
    base = options.get("base_path", ["."])
    base_paths = [Path(p) if Path(p).is_absolute() else Path(config["config_file_path"]).parent / p for p in ([base] if isinstance(base, str) else base)]
    check(markdown, page.file.src_uri, base_paths)
    return markdown
