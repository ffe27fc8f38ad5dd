"""Chinese typography of everything a reader sees.

    python -m sitekit.chinese            # report every finding (file:line, what, suggested fix)
    python -m sitekit.chinese --fix      # apply the fixes (`make fix-zh`)

autocorrect (autocorrect-py, pinned; configured by .autocorrectrc) does most of the work:
spacing between Chinese and Latin text, `,.:!?` made full-width beside Chinese, no space
beside full-width punctuation, and it parses Markdown and the comments and strings of
Python, C++, JavaScript, shell, YAML and HTML by itself.

This module adds only what autocorrect does not do; tests/unit/test_chinese.py runs
autocorrect on a case of each rule to show that it is still needed:

1. a `(...)` or `"..."` pair with Chinese in or beside it becomes a full-width pair
   (autocorrect pads a half-width pair with spaces and never converts quotes). A `(` right
   after a name, a `)` or a `]` opens a call or an index (`call()`, `x.numpy()`,
   `traced(neg)`) and is never touched;
2. `;` beside Chinese (autocorrect never converts it), and `,:;?!` whose Chinese neighbour
   lies beyond inline code, emphasis or a bracket, or that joins two Latin words with no
   space inside a Chinese sentence or table (autocorrect only looks at the next character);
3. text autocorrect does not read: Markdown indented under admonitions and tabs (it takes
   that for a code block; this module hands it over dedented), mermaid labels, and the
   `why` strings of TOML files.

Code (fenced blocks, inline code, includes), URLs, HTML tags, attribute lists and syntax
quotes (admonition titles, tab labels) are never touched; English keeps ASCII punctuation.
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
_ZH = re.compile(f"[{CJK}{FULLWIDTH}\u2460-\u24ff]")  # Chinese text, its punctuation, ①②③
_HAS_CJK = re.compile(f"[{CJK}]")
_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
# What ends a name, a call or an index: a `(` right after it opens a call (`f(`, `x.numpy(`).
_CALLEE = re.compile(f"[^\\W{CJK}]|[.)\\]]")
# Private-use characters stand in for masked text (code, URLs, tags) while prose is fixed.
_MASK_OPEN, _MASK_CLOSE, _KEEP_OPEN, _KEEP_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003"
_MASKED = re.compile(f"{_MASK_OPEN}(\\d+){_MASK_CLOSE}")

# What the lint covers: every file whose Chinese a reader sees.
FILES = (
    "README.md", "mkdocs.yml", "docs/**/*.md", "docs/glossary.toml", "docs/assets/javascripts/*.js", "overrides/**/*.html",
    "snippets/**/*.py", "snippets/**/*.cpp", "snippets/**/*.sh", "snippets/**/CMakeLists.txt",
    "snippets/**/*.toml", "snippets/**/*.md", "sitekit/**/*.py", "sitekit/**/*.js", "bench/*.py",
    "bench/report/*.md",
)


# ------------------------------------------------------------------ prose rules ---------

def _neighbour(text: str, i: int, step: int, skip: str = " *_") -> str:
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


def _parens(text: str) -> str:
    """A `(...)` pair with Chinese inside, before or right after it becomes full-width; innermost
    first. Right after a name, `)` or `]` it is a call or an index (`x.numpy()`, `traced(neg)`)
    and stays, unless Chinese is inside and no quote or `=` (code has Chinese only in strings)."""
    def paren(m: re.Match) -> str:
        inner, start = m[1], m.start()
        before = _neighbour(text, start - 1, -1, " ")
        call = start and _CALLEE.match(text[start - 1]) and not (_HAS_CJK.search(inner) and not re.search("[\"'=]", inner))
        if call or not inner.strip() or not (
                _HAS_CJK.search(inner) or _HAS_CJK.match(before) or _HAS_CJK.match(text[m.end():m.end() + 1])):
            return _KEEP_OPEN + inner + _KEEP_CLOSE  # a call, maths or English: hidden from the next round
        return f"（{inner.strip()}）"

    while (new := re.sub(r"\(([^()\n]*)\)", paren, text)) != text:
        text = new
    return text.replace(_KEEP_OPEN, "(").replace(_KEEP_CLOSE, ")")


def _quotes(text: str) -> str:
    def quote(m: re.Match) -> str:
        if m.start() and re.match(r"[\w=(\[,.]", text[m.start() - 1]) and not _HAS_CJK.match(text[m.start() - 1]):
            return m[0]  # key="value", f("x"): code written in prose or a comment
        if _HAS_CJK.search(m[1]) or _ZH.match(_neighbour(text, m.start() - 1, -1)) or _ZH.match(_neighbour(text, m.end(), 1)):
            return f"“{m[1]}”"
        return m[0]

    return re.sub(r'"([^"\n]+)"', quote, text)


_LATIN_END = re.compile(f"[A-Za-z0-9)\\]'\"`{_MASK_CLOSE}]")
_LATIN_START = re.compile(f"[A-Za-z0-9(\\['\"`{_MASK_OPEN}]")


def _punctuation(text: str) -> str:
    """`,:;?!` beside Chinese (past emphasis and inline code), or squeezed between two Latin
    words in Chinese text as Chinese writes it (`lite interpreter,PyTorch`); not 1,000,
    10:30, aten::mul or an image's `![`."""
    out = list(text)
    for i, ch in enumerate(text):
        if ch not in _PUNCT:
            continue
        prev, next_ = text[i - 1 : i], text[i + 1 : i + 2]
        before, after = _neighbour(text, i - 1, -1, "*_"), _neighbour(text, i + 1, 1)
        if (before.isdigit() and after.isdigit()) or (ch == ":" and ":" in prev + next_) or (ch == "!" and after == "["):
            continue
        squeezed = (_LATIN_END.match(prev) is not None and (
            _LATIN_START.match(next_) is not None or (next_ in ("", "\n") and ch in ",:;")))
        if _ZH.match(before) or _ZH.match(after) or squeezed:
            out[i] = _PUNCT[ch]
    return "".join(out)


def fix_prose(text: str, chinese: bool = False) -> str:
    """One stretch of prose in which code and URLs are already masked. `chinese`: the text
    is Chinese even without a Chinese character in it (a row of a Chinese table)."""
    if not (chinese or _HAS_CJK.search(text)):
        return text
    text = _punctuation(_quotes(_punctuation(_parens(text))))
    # No space between full-width punctuation and code, a bracket or emphasis: autocorrect
    # removes it only beside a letter or a Chinese character.
    text = re.sub(f"(?<=\\S[{_MASK_CLOSE})\\]*]) +(?=[{FULLWIDTH}])", "", text)
    return re.sub(f"(?<=[{FULLWIDTH}]) +(?=[{_MASK_OPEN}(\\[*])", "", text)


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
_PROSE_MASKS = (_INLINE_CODE, _LINK_DEST, _URL, _TAG, _ATTRS, _ENTITY)
_BLOCK_TITLE = re.compile(r'^(?P<head>[ \t]*(?:[!?]{3}\+?\s+[\w-]+(?:\s+[\w-]+)*|===\+?)\s+)"(?P<title>[^"]*)"(?P<tail>.*)$')


def fix_line(line: str, masks: tuple[re.Pattern, ...] = _PROSE_MASKS, chinese: bool = False) -> str:
    if not (chinese or _HAS_CJK.search(line)):
        return line
    m = _BLOCK_TITLE.match(line)
    if m:  # the quotes of an admonition title or a tab label are syntax
        return f'{m["head"]}"{fix_line(m["title"], masks)}"{fix_line(m["tail"], masks)}'
    masker = _Masker()
    for pattern in masks:
        line = masker.mask(line, pattern)
    return masker.unmask(fix_prose(line, chinese))


def _is_english(text: str) -> bool:
    """Text that starts as an English sentence (it may quote a Chinese label)."""
    prose = _INLINE_CODE.sub("", text).lstrip("#/*\"' ")
    return bool(re.match(r"[A-Za-z]", prose) and re.search(r"[A-Za-z']+(?: [A-Za-z']+){2}", prose))


def fix_comment(line: str) -> str:
    """A source comment: fixed if it is Chinese; an English one quoting a Chinese label is not."""
    return line if _is_english(line) else fix_line(line)


# ------------------------------------------------------------------ file kinds ----------

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
# The text of a mermaid label: "..." (a "`...`" Markdown string may span lines) or |...|.
_MERMAID_LABEL = re.compile(r'(")(`?)([^"]*?)(`?)(")|(\|)()([^|\n]*)()(\|)')


def _fix_mermaid(block: str) -> str:
    def label(m: re.Match) -> str:
        g = [x or "" for x in m.groups()]
        head, inner, tail = (g[0] + g[1], g[2], g[3] + g[4]) if g[0] else (g[5] + g[6], g[7], g[8] + g[9])
        inner = "\n".join(_autocorrect().format(fix_line(l)) if _HAS_CJK.search(l) else l for l in inner.split("\n"))
        return head + inner + tail

    return _MERMAID_LABEL.sub(label, block)


def fix_markdown(text: str) -> str:
    """This module's rules on a Markdown page: prose lines, front-matter values, mermaid
    labels, hand-typed blocks without a language (README's tree) and `#` comments in
    hand-typed code; includes and embedded code are left alone."""
    lines, out = text.split("\n"), []
    fence = front = None
    block: list[str] = []
    for number, line in enumerate(lines):
        if number == 0 and line.strip() == "---":
            front = True
        elif front:
            front = line.strip() != "---"
            key, sep, value = line.partition(":")
            if front and sep and re.fullmatch(r"\s*[\w-]+", key):
                line = key + sep + fix_line(value)
        elif fence is None and (m := _FENCE.match(line)):
            fence, info, block = m["indent"] + m["fence"], m["info"].strip(), []
        elif fence is not None:
            if line.strip() == fence.strip() and line.startswith(fence[: len(fence) - len(fence.lstrip())]):
                fence = None
                if info.startswith("mermaid"):
                    out.extend(_fix_mermaid("\n".join(block)).split("\n"))
                    block = []
            elif info.startswith("mermaid"):
                block.append(line)
                continue
            elif not info:
                line = fix_line(line)
            elif "#" in line and _HAS_CJK.search(line.partition("#")[2]):
                code, _, comment = line.partition("#")
                line = code + fix_comment("#" + comment)
        elif not line.lstrip().startswith("--8<--"):
            line = fix_line(line, chinese=line.lstrip().startswith("|"))
        out.append(line)
    return "\n".join(out + block)


_CONTAINER = re.compile(r"^(?:[!?]{3}\+?|===\+?)\s")


def _autocorrect_markdown(text: str) -> str:
    """autocorrect on a page, then on the body of each admonition and tab, dedented (where
    it stays indented autocorrect takes it for a code block)."""
    lines, out, fence, i = _autocorrect().format_for(text, "page.md").split("\n"), [], None, 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if (m := _FENCE.match(line)) and not m["indent"]:
            fence = None if fence == m["fence"] and not m["info"] else fence or m["fence"]
        if fence or not _CONTAINER.match(line):
            continue
        end = i
        while end < len(lines) and (not lines[end].strip() or lines[end].startswith("    ")):
            end += 1
        while end > i and not lines[end - 1].strip():
            end -= 1
        body = _autocorrect_markdown("\n".join(l[4:] for l in lines[i:end]))
        out.extend(("    " + l if l.strip() else l) for l in body.split("\n"))
        i = end
    return "\n".join(out)


def fix_python(text: str) -> str:
    """Comments and string literals of a Python file; code is never touched."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    lines, edits = text.split("\n"), []
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
        head, tail = lines[srow - 1][:scol], lines[erow - 1][ecol:]
        lines[srow - 1 : erow] = (head + new + tail).split("\n")
    return "\n".join(lines)


_VALUE = re.compile(r'^(\s*-?\s*[\w.-]+\s*[:=]\s+"?)(.*?)("?\s*)$')


def fix_config(text: str) -> str:
    """YAML, TOML, shell, CMake: `#` comment lines and the Chinese values of `key: value` and
    `key = "value"` lines, never keys, tags, lists or single-quoted regexes. autocorrect does
    not read TOML values, so its rules run on them here."""
    out = []
    for line in text.split("\n"):
        m = _VALUE.match(line)
        if line.lstrip().startswith("#"):
            line = fix_comment(line)
        elif m and _HAS_CJK.search(m[2]) and not m[2].startswith(("!", "[", "'")):
            line = m[1] + _autocorrect().format(fix_line(m[2], (_INLINE_CODE, _URL, _TAG, _ENTITY))) + m[3]
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


_KINDS = ((".md", fix_markdown), (".py", fix_python), ((".js", ".cpp", ".h"), fix_js_like), (".html", fix_html),
          ((".yml", ".yaml", ".sh", ".toml", "CMakeLists.txt"), fix_config))


def fix_text(text: str, name: str) -> str:
    """This module's rules on a file, by its kind."""
    return next((fix(text) for ends, fix in _KINDS if name.endswith(ends)), text)


def format_text(text: str, name: str) -> str:
    """Everything: this module's rules and autocorrect's, until nothing changes."""
    for _ in range(3):
        fixed = _autocorrect_markdown(text) if name.endswith(".md") else _autocorrect().format_for(text, name)
        fixed = fix_text(fixed, name)
        if fixed == text:
            break
        text = fixed
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


_AC = None


def _autocorrect():
    global _AC
    if _AC is None:
        import autocorrect_py

        config = ROOT / ".autocorrectrc"
        if config.exists():
            autocorrect_py.load_config(config.read_text("utf-8"))
        _AC = autocorrect_py
    return _AC


def lint(paths: list[Path] | None = None) -> list[Finding]:
    """Each line the fixes would change; [sitekit] where this module's rules change it."""
    findings = []
    for path in paths or files():
        rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        text = path.read_text("utf-8")
        ours, fixed = fix_text(text, path.name).split("\n"), format_text(text, path.name).split("\n")
        for i, (old, new) in enumerate(zip(text.split("\n"), fixed), 1):
            if old != new:
                checker = "sitekit" if i <= len(ours) and ours[i - 1] != old else "autocorrect"
                findings.append(Finding(rel, i, old, new, checker))
    return findings


def fix(paths: list[Path] | None = None) -> list[Path]:
    changed = []
    for path in paths or files():
        text = path.read_text("utf-8")
        fixed = format_text(text, path.name)
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
