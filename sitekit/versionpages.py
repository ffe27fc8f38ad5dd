"""What readers see of the builds other than the primary one (sitekit/versions.py).

- `annotate(markdown, page)`: under every output block whose snippet printed something else
  on another supported build, a collapsed note holding one unified diff per build against
  the output shown (the plugin calls it on each page; the copy-button test reads pages
  through it too). Blocks whose output is the same everywhere get nothing extra.
- `differences()`: the body of the generated page 版本差异（docs/versions.md），per cause，
  then per snippet, with a link back to the section that shows it.
- `tested_on()`: the home page's 测试环境 table, from snippets/captured.toml.
"""

from __future__ import annotations

import dataclasses
import difflib
import posixpath
import re
from pathlib import Path

from sitekit import includes, snippets, versions
from sitekit.config import DOCS, SNIPPETS

MARKER = "<!-- version-differences -->"
PAGE = "versions.md"
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
_HEADING_ID = re.compile(r"^#{2,6} .*\{#(?P<id>[\w-]+)\}\s*$")


def _diff(snippet: snippets.Snippet, primary: str, other: str) -> list[str]:
    """A unified diff of the real lines, in which a line whose only change is a volatile part
    (a timing, a size: snippets.toml) counts as unchanged."""
    a, b = primary.splitlines(), other.splitlines()
    matcher = difflib.SequenceMatcher(None, [snippet.normalise(l) for l in a], [snippet.normalise(l) for l in b], autojunk=False)
    lines = []
    for group in matcher.get_grouped_opcodes(1):
        (_, i1, _, j1, _), (_, _, i2, _, j2) = group[0], group[-1]
        lines.append(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                lines += [" " + l for l in b[b1:b2]]
                continue
            lines += ["-" + l for l in a[a1:a2]] + ["+" + l for l in b[b1:b2]]
    return lines


def _fenced(lines: list[str], info: str, indent: str) -> list[str]:
    longest = max((len(m) for line in lines for m in re.findall(r"`{3,}", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{indent}{fence} {info}", *(f"{indent}{line}" if line else "" for line in lines), f"{indent}{fence}"]


def notes_for(snippet: snippets.Snippet, indent: str, page: str) -> list[str]:
    """The collapsed note under `snippet`'s output block; [] where no other build differs."""
    others = snippet.other_outputs()
    primary_path = snippet.output_path()
    if not others or not primary_path.exists():
        return []
    primary = primary_path.read_text("utf-8")
    shown = versions.primary().title
    titles = "、".join(build.title for build in others)
    link = posixpath.relpath(PAGE, posixpath.dirname(page) or ".")
    body = [
        f"同一个脚本在下面的版本上打印的内容与上面（{shown}）不同。"
        f"`-` 开头的行是上面的输出，`+` 开头的行是该版本的输出；所有差异按原因归类在 [版本差异]({link})。",
        "",
    ]
    for build, path in others.items():
        lines = _diff(snippet, primary, path.read_text("utf-8"))
        body += _fenced(lines, f'{{ .diff .version-diff title="{shown} → {build.title}" }}', "") + [""]
    inner = indent + "    "
    summary = f"这段输出在 {titles} 上不同"
    return ["", f'{indent}??? note "{summary}"', ""] + [
        f"{inner}{line}" if line else "" for line in body
    ]


def annotate(markdown: str, page: str) -> str:
    """The page with a version note after each output block that needs one."""
    lines = markdown.splitlines()
    inserts: dict[int, list[str]] = {}
    for number, line in enumerate(lines, 1):
        inc = includes.parse_line(line, page, number)
        if inc is None or not inc.path.endswith(".out") or inc.section:
            continue
        snippet = snippets.Snippet(SNIPPETS / Path(inc.path).with_suffix(".py"))
        opening = next((i for i in range(number - 2, -1, -1) if _FENCE.match(lines[i])), None)
        if opening is None:
            continue
        m = _FENCE.match(lines[opening])
        closing = next((i for i in range(number, len(lines)) if lines[i].strip() == m["fence"]), None)
        if closing is None:
            continue
        note = notes_for(snippet, m["indent"], page)
        if note:
            inserts[closing] = note
    if not inserts:
        return markdown
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(i, []))
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


# ------------------------------------------------------------------ 版本差异 ------------

# Why a changed line changed, tried in order on each line a diff removes or adds.
CAUSES = (
    ("版本号", re.compile(r"\b\d+\.\d+\.\d+\+(cpu|cu\d+)\b")),
    ("弃用警告", re.compile(r"(Future|Deprecation)Warning|^\s*warnings\.warn\(|默认过滤规则下看到的警告")),
    ("其他警告", re.compile(r"Warning\b|^\s*return cls\.__new__")),
    ("报错措辞", re.compile(r"\w*Error\b|\bException\b")),
    ("日志里的源码位置与插入符", re.compile(r"^[VIWE]\d{4} |^\[[VIWE]\d{4} |^\s*[~^]+\s*$")),
    ("生成的代码", re.compile(r"cpp_fused|\bbuf\d+|Vectorized|#pragma|kernel")),
    ("图与分解", re.compile(r"torch\.ops\.aten|aten::|prim::|graph\(|%\w+")),
    ("耗时与大小", re.compile(r"\d+(\.\d+)? ?(s|ms|µs|KiB|MiB)\b")),
)
OTHER = "其他"
WHITESPACE = "行尾空白"


def causes(lines: list[str]) -> list[str]:
    """The causes of a diff's changed lines, in CAUSES order."""
    changed = [l[1:] for l in lines if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    removed = sorted(l.rstrip() for l in (x[1:] for x in lines if x.startswith("-")))
    added = sorted(l.rstrip() for l in (x[1:] for x in lines if x.startswith("+")))
    if changed and removed == added:
        return [WHITESPACE]
    found = set()
    for line in changed:
        if not line.strip():
            continue
        found.add(next((name for name, rx in CAUSES if rx.search(line)), OTHER))
    order = [name for name, _ in CAUSES] + [OTHER]
    return sorted(found, key=order.index)


@dataclasses.dataclass
class Difference:
    snippet: snippets.Snippet
    build: versions.Build
    lines: list[str]
    causes: list[str]


def all_differences() -> list[Difference]:
    found = []
    for snippet in snippets.discover():
        primary = snippet.output_path()
        if not primary.exists():
            continue
        for build, path in snippet.other_outputs().items():
            lines = _diff(snippet, primary.read_text("utf-8"), path.read_text("utf-8"))
            found.append(Difference(snippet, build, lines, causes(lines)))
    return found


def _where(rel_out: str) -> tuple[str, str] | None:
    """(page, anchor) of the section that shows an output file."""
    for md in sorted(DOCS.glob("*.md")):
        anchor = ""
        for number, line in enumerate(md.read_text("utf-8").splitlines(), 1):
            heading = _HEADING_ID.match(line)
            if heading:
                anchor = heading["id"]
            inc = includes.parse_line(line, md.name, number)
            if inc is not None and inc.path == rel_out:
                return md.name, anchor
    return None


def differences() -> str:
    """Markdown for docs/versions.md: a summary table, then the differences grouped by cause."""
    diffs = all_differences()
    total = len(snippets.discover())
    rows = ["| 版本 | 输出与主版本不同的片段 |", "| --- | --- |"]
    for build in versions.supported()[1:]:
        n = len({d.snippet.rel for d in diffs if d.build == build})
        rows.append(f"| {build.title} | {n} / {total} |" if n or versions.captured().get(build.label)
                    else f"| {build.title} | 尚未捕获 |")
    out = ["\n".join(rows), ""]
    order = [name for name, _ in CAUSES] + [OTHER, WHITESPACE]
    for cause in order:
        group = [d for d in diffs if cause in d.causes]
        if not group:
            continue
        out += [f"## {cause}", ""]
        for d in group:
            out_rel = Path(d.snippet.rel).with_suffix(".out").as_posix()
            where = _where(out_rel)
            link = f"[`{d.snippet.rel}`]({where[0]}#{where[1]})" if where and where[1] else (
                f"[`{d.snippet.rel}`]({where[0]})" if where else f"`{d.snippet.rel}`")
            others = "、".join(c for c in d.causes if c != cause)
            also = f"（还有：{others}）" if others else ""
            out.append(f"- {link},{d.build.title}{also}")
        out.append("")
    if not diffs:
        out.append("所有支持的版本打印的内容都与主版本相同。")
    return "\n".join(out)


def details() -> str:
    """Every stored difference as a collapsed diff, for the end of 版本差异."""
    out = []
    for d in all_differences():
        out += [f'??? note "`{d.snippet.rel}` 在 {d.build.title} 上"', ""]
        out += [f"    {l}" if l else "" for l in _fenced(d.lines, "diff", "")]
        out.append("")
    return "\n".join(out)


def fill(markdown: str) -> str:
    if MARKER not in markdown:
        raise ValueError(f"docs/{PAGE} lost its {MARKER} marker")
    return markdown.replace(MARKER, differences() + "\n\n## 全部差异\n\n" + details())


def page_markdown(markdown: str, page: str) -> str:
    """What the site makes of a page's Markdown: 版本差异 filled in, notes under differing outputs."""
    if page == PAGE:
        markdown = fill(markdown)
    return annotate(markdown, page)


# ------------------------------------------------------------------ 测试环境 ------------

def tested_on() -> str:
    """The home page's table: every supported build, when and where its outputs were captured."""
    captured = versions.captured()
    why = {s.build: s.why for s in versions.others()}
    rows = ["| PyTorch | 设备 | 输出 | 捕获于 | 机器 |", "| --- | --- | --- | --- | --- |"]
    for build in versions.supported():
        record = captured.get(build.label)
        if build == versions.primary():
            role = "主版本：页面上显示的输出都来自它"
        else:
            n = sum(1 for s in snippets.discover() if build in s.other_outputs())
            role = f"{why.get(build, '')}；{n} 个片段的输出不同，显示在各自的输出下方" if record else why.get(build, "")
        when = record["date"] if record else "尚未捕获"
        machine = f"{record['cpu']}，{record['cores']} 核，Python {record['python']}" if record else "—"
        rows.append(f"| {build.torch} | {versions.DEVICES[build.device]} | {role} | {when} | {machine} |")
    return "\n".join(rows)
