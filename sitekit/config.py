"""The repository's layout and mkdocs.yml, read in one place.

Everything that needs the nav, `extra.repository` or the snippet base paths asks here:
the MkDocs plugin (with the config MkDocs loaded) and the command-line tools (which load
mkdocs.yml themselves, through `load()`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
MKDOCS_YML = ROOT / "mkdocs.yml"
CACHE = ROOT / ".cache"


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml names Python objects (`!!python/name:...`): read them as None."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def load(path: Path = MKDOCS_YML) -> dict[str, Any]:
    """mkdocs.yml as plain data, without importing what its tags name."""
    return yaml.load(path.read_text("utf-8"), Loader=_IgnoreTags)


def nav_pages(nav: list | None) -> Iterator[tuple[str, str]]:
    """(title, target) of every page in a nav, depth first, in reading order."""
    for item in nav or []:
        if isinstance(item, dict):
            for title, target in item.items():
                if isinstance(target, list):
                    yield from nav_pages(target)
                elif isinstance(target, str):
                    yield str(title), target
        elif isinstance(item, str):
            yield Path(item).stem, item


def repository(config: dict) -> dict[str, str]:
    """extra.repository {owner, name, branch}: what the Colab/Binder links point at."""
    repo = (config.get("extra") or {}).get("repository") or {}
    missing = [key for key in ("owner", "name", "branch") if not repo.get(key)]
    if missing:
        raise ValueError(
            f"mkdocs.yml: extra.repository needs {missing} (the GitHub repository and branch "
            "that the Colab/Binder links and the Binder kernel use)"
        )
    return {key: str(repo[key]) for key in ("owner", "name", "branch")}


def _extension_options(config: dict, name: str) -> dict:
    options = config.get("mdx_configs")  # a config MkDocs loaded
    if options is not None:
        return options.get(name, {}) or {}
    for ext in config.get("markdown_extensions") or []:
        if isinstance(ext, dict) and name in ext:
            return ext[name] or {}
    return {}


def snippet_base_paths(config: dict, root: Path = ROOT) -> list[Path]:
    """pymdownx.snippets' base_path: where `--8<--` paths are looked up, in order."""
    base = _extension_options(config, "pymdownx.snippets").get("base_path", ["."])
    bases = [base] if isinstance(base, str) else list(base)
    if config.get("config_file_path"):
        root = Path(config["config_file_path"]).parent
    return [Path(b) if Path(b).is_absolute() else root / b for b in bases]
