r"""The one `--8<--` grammar of this site (pymdownx.snippets, as mkdocs.yml configures it).

A page embeds a file, or one section of it, on a line of its own, at any indentation
(inside a tab or an admonition):

    --8<-- "paradigms/eager_prints.py"          the whole file, section markers removed
    --8<-- "torchscript/limits.py:errors"       the lines between the section's markers, dedented

A section is marked in the file by `# --8<-- [start:name]` and `# --8<-- [end:name]`.
Line ranges (`file:3:9`), which pymdownx also accepts, are not used here: a section keeps
meaning when the file changes, a line range does not. A line that starts with `--8<--`
and is neither form is an error naming the page and the line. The build check, the
notebook generator and the copy-button test all read includes through this module.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from pathlib import Path

# A line that is an include, however it is quoted or indented.
_CANDIDATE = re.compile(r"^(?P<indent>[ \t]*)--8<--(?P<rest>.*)$")
_INCLUDE = re.compile(r"""^[ \t]+(?P<q>["'])(?P<path>[^"':\s]+)(?::(?P<section>[\w-]+))?(?P=q)[ \t]*$""")
SECTION_MARK = re.compile(r"^[ \t]*#[ \t]*--8<--[ \t]*\[(?P<kind>start|end):(?P<name>[\w-]+)\][ \t]*$")


class IncludeError(ValueError):
    """A malformed, missing or dangling include; the message names the page and line."""


@dataclasses.dataclass(frozen=True)
class Include:
    path: str  # relative to a base path, e.g. "paradigms/eager_prints.py"
    section: str | None
    page: str  # the page it is on, relative to docs/
    line: int  # 1-based

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


def parse_line(line: str, page: str = "<page>", line_no: int = 0) -> Include | None:
    """The include on this line; None if the line is no include; IncludeError if malformed."""
    m = _CANDIDATE.match(line.rstrip("\r\n"))
    if not m or not m["rest"].strip():
        return None
    inc = _INCLUDE.match(m["rest"])
    if inc is None:
        raise IncludeError(
            f"docs/{page}:{line_no}: malformed include {line.strip()!r}: write "
            '--8<-- "chapter/file.py" or --8<-- "chapter/file.py:section"'
        )
    return Include(inc["path"], inc["section"], page, line_no)


def find(markdown: str, page: str = "<page>") -> list[Include]:
    """Every include line of a page, in order (a mention inside a sentence is no include)."""
    found = []
    for number, line in enumerate(markdown.splitlines(), 1):
        inc = parse_line(line, page, number)
        if inc is not None:
            found.append(inc)
    return found


def locate(inc: Include, bases: list[Path]) -> Path:
    """The file an include names, under the first base path that has it."""
    for base in bases:
        if (base / inc.path).is_file():
            return base / inc.path
    raise IncludeError(f"{inc.where} embeds '{inc.path}', which does not exist under {', '.join(map(str, bases))}")


def strip_markers(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not SECTION_MARK.match(line))


def section(text: str, name: str) -> str | None:
    """The lines of section `name` (markers of nested sections removed), dedented; None if absent."""
    lines, inside = [], False
    for line in text.splitlines(keepends=True):
        m = SECTION_MARK.match(line)
        if m and m["name"] == name:
            if m["kind"] == "start":
                inside = True
                continue
            if inside:
                break
        if inside and not m:
            lines.append(line)
    return textwrap.dedent("".join(lines)) if inside else None


def text_of(inc: Include, bases: list[Path]) -> str:
    """What pymdownx.snippets inserts for the include (dedent_subsections: true)."""
    source = locate(inc, bases).read_text("utf-8")
    if inc.section is None:
        return strip_markers(source)
    found = section(source, inc.section)
    if found is None:
        raise IncludeError(
            f"{inc.where} embeds section '{inc.section}' of '{inc.path}', "
            f"but that file has no [start:{inc.section}] marker"
        )
    return found


def check(markdown: str, page: str, bases: list[Path]) -> list[Include]:
    """Every include of a page resolves (file and section); raises IncludeError otherwise."""
    found = find(markdown, page)
    for inc in found:
        text_of(inc, bases)
    return found
