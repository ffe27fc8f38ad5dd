"""Every copy button copies exactly the file or section the page embeds there."""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from pagechecks import script
from pagechecks.session import page_name
from sitekit import includes, versionpages
from sitekit.config import DOCS

COPY_BUTTON = "button.md-clipboard, button.md-code__button[data-md-type='copy']"
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.S | re.M,
)


def expected_code_blocks(md_file: Path, bases: list[Path]) -> list[str]:
    """The text of each code block of a page, in order, from its Markdown source and the
    blocks the site adds to it (version diffs)."""
    text = md_file.read_text(encoding="utf-8")
    if md_file.is_relative_to(DOCS):
        text = versionpages.page_markdown(text, md_file.relative_to(DOCS).as_posix())
    blocks = []
    for m in FENCE.finditer(text):
        if m["info"].strip().lower().startswith("mermaid"):
            continue
        body = textwrap.dedent("\n".join(l[len(m["indent"]):] for l in m["body"].splitlines()))
        lines = [l for l in body.splitlines() if l.strip()]
        found = [includes.parse_line(l, md_file.name) for l in lines]
        if found and all(found):
            blocks.append("\n".join(includes.text_of(inc, bases).rstrip("\n") for inc in found))
        else:
            blocks.append(body)
    return blocks


def _normalise_code(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def check_copy_buttons(page, rel: str, md_file: Path | None, bases: list[Path]) -> tuple[int, list[str]]:
    """Click every copy button; the clipboard must hold exactly the embedded file/section."""
    if md_file is None:
        return 0, []
    where = page_name(rel)
    expected = expected_code_blocks(md_file, bases)
    # Element handles, resolved once: a locator re-runs the `:has()` query over the whole
    # page for every step, which cost more than the clicks on a long chapter.
    blocks = page.query_selector_all(".md-content pre:has(> code)")
    n = len(blocks)
    if n != len(expected):
        return n, [f"{where}: {len(expected)} code blocks in {md_file.name}, {n} on the page"]
    problems = []
    for i, block in enumerate(blocks):
        # Empty the clipboard, and show a block that sits in a closed tab or <details>.
        block.evaluate("async el => { await navigator.clipboard.writeText(''); (" + script("reveal") + ")(el); }")
        # Material mounts a block's buttons when it comes into view (content.lazy), as a
        # reader scrolls to it. Material >= 9.7 puts the button in a nav (.md-code__button).
        block.scroll_into_view_if_needed()
        try:
            block.wait_for_selector(COPY_BUTTON, state="attached", timeout=5_000)
        except PlaywrightTimeout:
            pass
        buttons = block.query_selector_all(COPY_BUTTON)
        if len(buttons) != 1:
            problems.append(f"{where}: code block {i + 1} has {len(buttons)} copy buttons once in view, not 1")
            continue
        copied = ""
        # The clipboard is written asynchronously; on a loaded CI machine (3 browser workers on
        # 2 cores) that took over a second once. A reader whose click did nothing clicks again.
        for _attempt in range(2):
            buttons[0].click()  # hovers the block and clicks, as a reader would
            deadline = time.monotonic() + 5
            while not copied and time.monotonic() < deadline:
                copied = page.evaluate("navigator.clipboard.readText()")
                if not copied:
                    time.sleep(0.05)
            if copied:
                break
        if _normalise_code(copied) != _normalise_code(expected[i]):
            first = expected[i].strip().splitlines()[0] if expected[i].strip() else ""
            problems.append(
                f"{where}: copy button of code block {i + 1} ({first[:60]!r}) copied "
                f"{len(copied)} chars that differ from the embedded source ({len(expected[i])} chars):\n"
                + _short_diff(expected[i], copied)
            )
    return n, problems


def _short_diff(expected: str, actual: str) -> str:
    import difflib

    diff = difflib.unified_diff(
        _normalise_code(expected).splitlines(), _normalise_code(actual).splitlines(), "source", "clipboard", lineterm="", n=1
    )
    return "\n".join(list(diff)[:20])


