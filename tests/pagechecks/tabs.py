"""Content tabs: each label shows its own panel, and only that one."""

from __future__ import annotations

from pagechecks import script
from pagechecks.session import page_name


def check_tabs(page, rel: str) -> tuple[int, list[str]]:
    count, problems = page.evaluate(script("tabs"))
    return count, [f"{page_name(rel)}: {p}" for p in problems]
