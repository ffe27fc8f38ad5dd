"""Chinese typography of everything a reader sees: full-width punctuation in Chinese prose.

    python -m sitekit.chinese            # report every finding (file:line, what, suggested fix)
    python -m sitekit.chinese --fix      # apply the fixes (`make fix-zh`)

Two checkers, both run by the test suite (tests/content/test_chinese_text.py):

- autocorrect (autocorrect-py, configured by .autocorrectrc, files skipped by
  .autocorrectignore): spacing between Chinese and Latin text, full-width punctuation in
  plain Markdown paragraphs;
- this module, for what autocorrect does not reach or does not do: Markdown indented under
  admonitions and tabs (autocorrect reads it as a code block), mermaid labels, parentheses
  and quotation marks (autocorrect pads `(`/`"` with spaces instead of making them
  full-width), and the Chinese comments and strings of Python, C++, shell, JavaScript and
  HTML sources.

The rule of this module: inside Chinese prose, `,:;?!` become `,:.?!` when the text
next to them is Chinese; a `(...)` or `"..."` pair becomes `(...)` / `“...”` when its
content or a neighbour is Chinese. Code (fenced blocks, inline code, includes), URLs, HTML
tags, attribute lists and syntax quotes (admonition titles, tab labels, mermaid strings)
are never touched, and English text keeps ASCII punctuation.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import io
import re
import sys
import tokenize
from pathlib import Path

from sitekit.config import ROOT

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
FULLWIDTH = "，。、；：？！（）“”‘’《》「」【】…—"
_CJK_OR_FULL = re.compile(f"[{CJK}{FULLWIDTH}]")
_HAS_CJK = re.compile(f"[{CJK}]")
# Private-use characters stand in for masked text (code, URLs, tags) while prose is fixed.
_MASK_OPEN, _MASK_CLOSE = "\ue000", "\ue001"
_MASKED = re.compile(f"{_MASK_OPEN}(\\d+){_MASK_CLOSE}")
_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_MARKUP = "*_"

# What the lint covers: every file whose Chinese a reader sees.
FILES = (
    "README.md", "mkdocs.yml", "docs/**/*.md", "docs/assets/javascripts/*.js", "overrides/**/*.html",
    "snippets/**/*.py", "snippets/**/*.cpp", "snippets/**/*.sh", "snippets/**/CMakeLists.txt",
    "snippets/**/*.toml", "snippets/**/*.md", "sitekit/**/*.py", "sitekit/**/*.js", "bench/*.py",
    "bench/report/*.md",
)


def _is_cjk(ch: str) -> bool:
    return bool(ch) and _CJK_OR_FULL.match(ch) is not None


def _neighbour(text: str, i: int, step: int, skip: str = " " + _MARKUP) -> str:
    """The first character from i in direction step that is not in `skip` and not masked
    code ('' at an end): text beside inline code is judged by what lies beyond it."""
    while 0 <= i < len(text):
        if text[i] in skip:
            i += step
        elif text[i] == (_MASK_CLOSE if step < 0 else _MASK_OPEN):
            i = text.rfind(_MASK_OPEN, 0, i) - 1 if step < 0 else text.find(_MASK_CLOSE, i) + 1
        else:
            return text[i]
    return ""


_LATIN_END = re.compile(f"[A-Za-z0-9)\\]'\"`{_MASK_CLOSE}]")
_LATIN_START = re.compile(f"[A-Za-z0-9(\\['\"`{_MASK_OPEN}]")


def _joins_latin(text: str, i: int) -> bool:
    """Punctuation squeezed between two Latin words with no space after it (or ending a
    line), as Chinese text writes it; not 1,000 or 10:30, not aten::mul."""
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if before == ":" or after == ":" or (before.isdigit() and after.isdigit()):
        return False
    if after == "" or after == "\n":
        return bool(before) and text[i] in ",:;" and _LATIN_END.match(before) is not None
    return _LATIN_END.match(before) is not None and _LATIN_START.match(after) is not None


def _punctuation(text: str) -> str:
    """, : ; ? ! next to Chinese become full-width."""
    out = list(text)
    for i, ch in enumerate(text):
        if ch not in _PUNCT:
            continue
        before = _neighbour(text, i - 1, -1, _MARKUP)
        after = _neighbour(text, i + 1, 1)
        if before.isdigit() and after.isdigit():
            continue  # 1,000 and 10:30
        if ch == ":" and ":" in (text[i - 1 : i], text[i + 1 : i + 2]):
            continue  # aten::mul
        if ch == "!" and after == "[":
            continue  # an image
        if _is_cjk(before) or _is_cjk(after):
            out[i] = _PUNCT[ch]
        elif _HAS_CJK.search(text) and _joins_latin(text, i):
            out[i] = _PUNCT[ch]  # "lite interpreter,PyTorch": English would put a space after it
    text = "".join(out)
    return text


def fix_prose(text: str) -> str:
    """Fix one stretch of prose in which code and URLs are already masked."""
    if not _HAS_CJK.search(text):
        return text
    # Parentheses, innermost pairs first.
    pair = re.compile(r"\(([^()\n]*)\)")

    def paren(m: re.Match) -> str:
        inner, before, after = m[1], _neighbour(text_, m.start() - 1, -1, " "), _neighbour(text_, m.end(), 1, "")
        if _HAS_CJK.search(inner) or _HAS_CJK.match(before) or _HAS_CJK.match(after):
            return f"（{inner.strip()}）"
        return "\ue002" + inner + "\ue003"  # a Latin pair: kept, hidden from the next round

    text_ = text
    while True:
        new = pair.sub(paren, text_)
        if new == text_:
            break
        text_ = new
    text = text_.replace("\ue002", "(").replace("\ue003", ")")

    text = _punctuation(text)
    # Quotation marks, in pairs on one line.
    def quote(m: re.Match) -> str:
        inner = m[1]
        if m.start() and re.match(r"[A-Za-z0-9_=(\[,.]", text[m.start() - 1]):
            return m[0]  # key="value", f("x"): code written in prose or a comment
        before, after = _neighbour(text, m.start() - 1, -1), _neighbour(text, m.end(), 1)
        if _HAS_CJK.search(inner) or _is_cjk(before) or _is_cjk(after):
            return f"“{inner}”"
        return m[0]

    text = re.sub(r'"([^"\n]+)"', quote, text)

    text = _punctuation(text)
    # No space next to full-width punctuation.
    text = re.sub(f"(?<=[\\w{FULLWIDTH}`)\\]*{_MASK_CLOSE}]) +([{FULLWIDTH}])", r"\1", text)
    text = re.sub(f"([{FULLWIDTH}]) +(?=[^\\s|])", r"\1", text)
    return text


class _Masker:
    """Replace parts that are not prose by placeholders, fix the rest, put them back."""

    def __init__(self):
        self.parts: list[str] = []

    def mask(self, text: str, pattern: re.Pattern) -> str:
        def keep(m: re.Match) -> str:
            self.parts.append(m[0])
            return f"{_MASK_OPEN}{len(self.parts) - 1}{_MASK_CLOSE}"

        return pattern.sub(keep, text)

    def unmask(self, text: str) -> str:
        while _MASKED.search(text):
            text = _MASKED.sub(lambda m: self.parts[int(m[1])], text)
        return text


_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK_DEST = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"<?https?://[^\s)>\]]+>?")
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>|<!--.*?-->")
_ATTRS = re.compile(r"\{[#.:][^{}\n]*\}|\{\s+[.#][^{}\n]*\}")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_ENTITY = re.compile(r"&[a-z]+;|&#\d+;")
_ESCAPE = re.compile(r"\\.")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_BLOCK_TITLE = re.compile(r'^(?P<head>[ \t]*(?:[!?]{3}\+?\s+[\w-]+(?:\s+[\w-]+)*|===\+?)\s+)"(?P<title>[^"]*)"(?P<tail>.*)$')


_PROSE_MASKS = (_INLINE_CODE, _LINK_DEST, _URL, _TAG, _ATTRS, _ENTITY)


def _is_english(text: str) -> bool:
    """Text that starts as an English sentence (it may quote a Chinese label)."""
    prose = _INLINE_CODE.sub("", text).lstrip("#/*\"' ")
    return bool(re.match(r"[A-Za-z]", prose) and re.search(r"[A-Za-z']+(?: [A-Za-z']+){2}", prose))


def fix_comment(line: str) -> str:
    """A source comment: fixed if it is Chinese; an English one quoting a Chinese label is not."""
    return line if _is_english(line) else fix_line(line)


def fix_line(line: str, masks: tuple[re.Pattern, ...] = _PROSE_MASKS) -> str:
    if not _HAS_CJK.search(line):
        return line
    m = _BLOCK_TITLE.match(line)
    if m:  # !!! note“标题”/ ===“标签”：the quotes are syntax
        return f'{m["head"]}"{fix_line(m["title"], masks)}"{fix_line(m["tail"], masks) if m["tail"] else ""}'
    masker = _Masker()
    masked = line
    for pattern in masks:
        masked = masker.mask(masked, pattern)
    return masker.unmask(fix_prose(masked))


def _fix_mermaid_line(line: str) -> str:
    """Only the text of labels: "...", |...|; the rest is mermaid syntax."""
    def label(m: re.Match) -> str:
        return m[1] + fix_line(m[2]) + m[3]

    line = re.sub(r'(")([^"]*)(")', label, line)
    line = re.sub(r"(\|)([^|]*)(\|)", label, line)
    if '"' not in line and "|" not in line and not re.search(r"[\[\]{}()>]", line):
        line = fix_line(line)  # a continuation line of a multi-line "`...`" label
    return line


def fix_markdown(text: str) -> str:
    lines = text.split("\n")
    out, fence, mermaid, front = [], None, False, False
    in_label = False
    for number, line in enumerate(lines):
        if number == 0 and line.strip() == "---":
            front = True
            out.append(line)
            continue
        if front:
            if line.strip() == "---":
                front = False
            else:
                key, sep, value = line.partition(":")
                line = key + sep + fix_line(value) if sep and re.fullmatch(r"\s*[\w-]+", key) else line
            out.append(line)
            continue
        m = _FENCE.match(line)
        if fence is None and m:
            fence, mermaid = m["indent"] + m["fence"], m["info"].strip().startswith("mermaid")
            fence_info = m["info"].strip()
            out.append(line)
            continue
        if fence is not None:
            if line.strip() == fence.strip() and line.startswith(fence[: len(fence) - len(fence.lstrip())]):
                fence = None
                out.append(line)
                continue
            if mermaid:
                # Multi-line "`...`" labels: lines after the opening one are label text.
                opens = line.count('"`') - line.count('`"')
                if in_label and '`"' not in line:
                    out.append(fix_line(line))
                    continue
                if in_label:
                    head, _, tail = line.partition('`"')
                    out.append(fix_line(head) + '`"' + _fix_mermaid_line(tail))
                    in_label = False
                    continue
                fixed = _fix_mermaid_line(line) if '"`' not in line else re.sub(
                    r'("`)(.*)$', lambda mm: mm[1] + fix_line(mm[2]), line)
                in_label = opens > 0
                out.append(fixed)
                continue
            if not fence_info:  # a plain hand-typed block (README's tree): its text is prose
                line = fix_line(line)
            elif "#" in line and _HAS_CJK.search(line.partition("#")[2]):  # a comment in a hand-typed block
                code, _, comment = line.partition("#")
                line = code + fix_comment("#" + comment)
            out.append(line)
            continue
        if line.lstrip().startswith("--8<--"):
            out.append(line)
            continue
        out.append(fix_line(line))
    return "\n".join(out)


def fix_yaml(text: str) -> str:
    """mkdocs.yml: the values of keys whose text is Chinese, never keys or tags."""
    out = []
    for line in text.split("\n"):
        m = re.match(r"^(\s*-?\s*[\w.-]+:\s+)(.*)$", line)
        if m and _HAS_CJK.search(m[2]) and not m[2].lstrip().startswith(("!", "[", "'")):
            line = m[1] + fix_line(m[2], (_INLINE_CODE, _URL, _TAG, _ENTITY))
        elif line.lstrip().startswith("#"):
            line = fix_comment(line)
        out.append(line)
    return "\n".join(out)


def fix_python(text: str) -> str:
    """Comments and string literals of a Python file; code is never touched."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    lines = text.split("\n")
    edits = []  # (row, col_start, col_end, new)
    for tok in tokens:
        if tok.type == tokenize.COMMENT and _HAS_CJK.search(tok.string):
            edits.append((tok.start, tok.end, fix_comment(tok.string)))
        elif tok.type == tokenize.STRING and _HAS_CJK.search(tok.string) and tok.start[0] == tok.end[0]:
            m = re.match(r"^([rbfuRBFU]*)('''|\"\"\"|'|\")(.*)(\2)$", tok.string, re.S)
            if not m or "r" in m[1].lower():
                continue  # raw strings are regexes here
            masks = (_ESCAPE,) + ((re.compile(r"\{[^{}]*\}"),) if "f" in m[1].lower() else ()) + (
                _INLINE_CODE, _LINK_DEST, _URL, _TAG, _ENTITY)
            body = m[3] if _is_english(m[3]) else fix_line(m[3], masks)
            edits.append((tok.start, tok.end, m[1] + m[2] + body + m[4]))
        elif tok.type == tokenize.STRING and _HAS_CJK.search(tok.string):  # a docstring or long string
            edits.append((tok.start, tok.end, "\n".join(fix_comment(l) for l in tok.string.split("\n"))))
    for (srow, scol), (erow, ecol), new in sorted(edits, reverse=True):
        if srow == erow:
            line = lines[srow - 1]
            lines[srow - 1] = line[:scol] + new + line[ecol:]
        else:
            head, tail = lines[srow - 1][:scol], lines[erow - 1][ecol:]
            lines[srow - 1 : erow] = (head + new + tail).split("\n")
    return "\n".join(lines)


def fix_hash_comments(text: str) -> str:
    """Shell, CMake, TOML: `#` comment lines (and TOML `why = "..."` values)."""
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            line = fix_comment(line)
        else:
            m = re.match(r'^(\s*why\s*=\s*")(.*)("\s*)$', line)
            if m:
                line = m[1] + fix_line(m[2]) + m[3]
        out.append(line)
    return "\n".join(out)


_JS_STRING = re.compile(r"'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`|//[^\n]*|/\*.*?\*/", re.S)


def fix_js_like(text: str) -> str:
    """JavaScript and C++: comments and string literals."""
    def fix(m: re.Match) -> str:
        s = m[0]
        if not _HAS_CJK.search(s):
            return s
        if s.startswith(("//", "/*")):
            return "\n".join(fix_comment(l) for l in s.split("\n"))
        return s[0] + fix_line(s[1:-1], (_INLINE_CODE, _URL, _TAG, _ENTITY, re.compile(r"\$\{[^}]*\}"))) + s[-1]

    return _JS_STRING.sub(fix, text)


def fix_html(text: str) -> str:
    return "\n".join(fix_line(l, (_JINJA, _TAG, _URL, _ENTITY, _INLINE_CODE)) for l in text.split("\n"))


def fix_text(text: str, name: str) -> str:
    """The fixed text of a file, by its kind."""
    if name.endswith(".md"):
        return fix_markdown(text)
    if name.endswith((".yml", ".yaml")):
        return fix_yaml(text)
    if name.endswith(".py"):
        return fix_python(text)
    if name.endswith((".js", ".cpp", ".h")):
        return fix_js_like(text)
    if name.endswith(".html"):
        return fix_html(text)
    if name.endswith((".sh", ".toml")) or name.endswith("CMakeLists.txt"):
        return fix_hash_comments(text)
    return text


# ------------------------------------------------------------------ files ---------------

def _ignored_patterns() -> list[str]:
    path = ROOT / ".autocorrectignore"
    return [l.strip() for l in path.read_text("utf-8").splitlines() if l.strip() and not l.startswith("#")] if path.exists() else []


def files(root: Path = ROOT) -> list[Path]:
    ignored = _ignored_patterns()
    found = set()
    for pattern in FILES:
        for path in root.glob(pattern):
            rel = path.relative_to(root).as_posix()
            if any(rel.startswith(p) if p.endswith("/") else fnmatch.fnmatch(rel, p) for p in ignored):
                continue
            if path.is_file():
                found.add(path)
    return sorted(found)


@dataclasses.dataclass
class Finding:
    path: str
    line: int
    old: str
    new: str
    checker: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.checker}]\n    - {self.old.strip()}\n    + {self.new.strip()}"


def _autocorrect():
    import autocorrect_py

    config = ROOT / ".autocorrectrc"
    if config.exists():
        autocorrect_py.load_config(config.read_text("utf-8"))
    return autocorrect_py


def lint(paths: list[Path] | None = None) -> list[Finding]:
    ac = _autocorrect()
    findings = []
    for path in paths or files():
        rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        text = path.read_text("utf-8")
        fixed = fix_text(text, path.name)
        if fixed != text:
            old_lines, new_lines = text.split("\n"), fixed.split("\n")
            for i, (a, b) in enumerate(zip(old_lines, new_lines), 1):
                if a != b:
                    findings.append(Finding(rel, i, a, b, "full-width"))
        for r in ac.lint_for(text, path.name).lines:
            findings.append(Finding(rel, r.line, r.old, r.new, "autocorrect"))
    return findings


def fix(paths: list[Path] | None = None) -> list[Path]:
    ac = _autocorrect()
    changed = []
    for path in paths or files():
        text = path.read_text("utf-8")
        fixed = ac.format_for(fix_text(text, path.name), path.name)
        fixed = fix_text(fixed, path.name)  # autocorrect may pad what this module then joins
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit.chinese", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fix", action="store_true", help="rewrite the files instead of reporting")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or None
    if args.fix:
        for path in fix(paths):
            print(f"fixed {path.relative_to(ROOT)}")
        return 0
    findings = lint(paths)
    for f in findings:
        print(f)
    print(f"{len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
