"""Pages read well on a phone: no prose paragraph or list item longer than 300 characters.

On a phone a paragraph of about 220 Chinese characters already fills 12 lines; the pages aim
for that, and this test fails above LIMIT. What counts is the text a reader sees: fenced
code, front matter, tables, HTML blocks, admonition and tab titles, link destinations,
attribute lists and Markdown markup are left out; whitespace is not counted. Paragraphs
inside admonitions, tabs and list items are checked like any other.
"""

from __future__ import annotations

import re

import pytest

from sitekit.config import DOCS

LIMIT = 300
PAGES = sorted(DOCS.rglob("*.md"))

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_ITEM = re.compile(r"^(?:[-*+]|\d+\.)\s+")
_CONTAINER = re.compile(r"^(?:[!?]{3}\+?|===\+?)\s")


def visible_length(text: str) -> int:
    """Characters a reader sees in a stretch of Markdown, whitespace excluded."""
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link destinations
    text = re.sub(r"<[^<>]+>|\{[#.:][^{}]*\}", "", text)  # HTML tags, attribute lists
    text = re.sub(r"[*_`\[\]]", "", text)  # emphasis, code and link markup
    return len(re.sub(r"\s", "", text))


def blocks(markdown: str) -> list[tuple[int, str]]:
    """(first line, text) of each prose paragraph and list item of a page."""
    found: list[tuple[int, str]] = []
    current: list[str] = []
    start = fence = None

    def close():
        nonlocal current, start
        if current:
            found.append((start, " ".join(current)))
        current, start = [], None

    lines = markdown.split("\n")
    if lines and lines[0].strip() == "---":  # front matter
        end = lines.index("---", 1)
        lines = [""] * (end + 1) + lines[end + 1:]
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if fence:
            if text.startswith(fence) and not text.strip("`~"):
                fence = None
            continue
        if m := _FENCE.match(line):
            close()
            fence = m[1]
            continue
        if not text or text.startswith(("|", "<", "#", "--8<--")) or _CONTAINER.match(text):
            close()
            continue
        if _ITEM.match(text):  # a list item starts a block of its own
            close()
            text = _ITEM.sub("", text)
        if start is None:
            start = number
        current.append(text)
    close()
    return found


def test_blocks_are_split_and_measured_as_a_reader_sees_them():
    page = "\n".join([
        "---", "description: " + "长" * 400, "---", "", "# 标题", "",
        "第一段，[链接](https://example.com/很长的地址)与 `code`。", "接着一行。", "",
        "- 条目一", "  续行", "- **条目二**", "",
        '!!! note "标题"', "    框里的段落。", "",
        "```python", "代码" * 400, "```", "",
        "| 表 | " + "格" * 400 + " |",
    ])
    assert [(n, visible_length(t)) for n, t in blocks(page)] == [(7, 17), (10, 5), (12, 3), (15, 6)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_no_paragraph_or_list_item_is_too_long_for_a_phone(page):
    long = [(n, visible_length(t), t[:40]) for n, t in blocks(page.read_text("utf-8")) if visible_length(t) > LIMIT]
    assert not long, f"docs/{page.relative_to(DOCS).as_posix()}: split these (limit {LIMIT} characters):\n" + "\n".join(
        f"  line {n}: {length} characters: {start}…" for n, length, start in long)
