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

from sitekit import hardware, includes, snippets, versions
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


def _admonition(kind: str, summary: str, body: list[str], indent: str) -> list[str]:
    inner = indent + "    "
    return ["", f'{indent}??? {kind} "{summary}"', ""] + [f"{inner}{line}" if line else "" for line in body]


def notes_for(snippet: snippets.Snippet, indent: str, page: str) -> list[str]:
    """The collapsed notes under `snippet`'s output block: one naming the CPU its output
    came from where it depends on the vector ISA, one for the versions that print something
    else; [] where neither applies."""
    primary_path = snippet.output_path()
    if not primary_path.exists():
        return []
    primary = primary_path.read_text("utf-8")
    others = {b: p for b, p in snippet.other_outputs().items() if not b.isa}
    link = posixpath.relpath(PAGE, posixpath.dirname(page) or ".")
    notes = isa_note(snippet, primary, indent, link) if snippet.isa_dependent else []
    if others:
        shown = versions.primary().title
        body = [
            f"同一个脚本在下面的版本上打印的内容与上面（{shown}）不同。"
            f"`-` 开头的行是上面的输出，`+` 开头的行是该版本的输出；所有差异按原因归类在 [版本差异]({link})。",
            "",
        ]
        for build, path in others.items():
            lines = _diff(snippet, primary, path.read_text("utf-8"))
            body += _fenced(lines, f'{{ .diff .version-diff title="{shown} → {build.title}" }}', "") + [""]
        notes += _admonition("note", f"这段输出在 {'、'.join(b.title for b in others)} 上不同", body, indent)
    return notes


def isa_note(snippet: snippets.Snippet, primary: str, indent: str, link: str) -> list[str]:
    """The note under an output that depends on the CPU's vector ISA: which ISA the shown
    output came from (in its title, so it is read without opening it), and the diff to each
    other stored ISA's output."""
    policy = hardware.policy()
    variants = {b: p for b, p in snippet.other_outputs().items() if b.isa}
    others = "、".join(hardware.get(b.isa).name for b in variants if b.base == versions.primary()) or "其他 CPU"
    body = [
        "Inductor 为运行它的那颗 CPU 生成代码：AVX-512 一个向量装 16 个 float，AVX2 装 8 个，"
        "ARM 的 NEON 装 4 个；没有可用的向量指令时，它写逐个元素计算的标量循环。"
        f"所以这段输出取决于你的 CPU。上面的输出来自 {policy.shown.name}（{policy.shown.lanes}）的 CPU。",
        "",
    ]
    if variants:
        body += [f"同一个脚本在下面的 CPU 上打印的内容与上面不同：`-` 开头的行是上面的输出，`+` 开头的行是那颗 CPU 的输出；"
                 f"测试在每种 CPU 上与它自己的输出比对（[版本差异]({link})）。", ""]
        for build, path in variants.items():
            lines = _diff(snippet, primary, path.read_text("utf-8"))
            if lines:
                body += _fenced(lines, f'{{ .diff .version-diff title="{versions.primary().title} · {policy.shown.name} → {build.title}" }}', "") + [""]
    stored = "、".join(i.name for i in policy.stored)
    body.append(f"本站只捕获了 {stored} 上的输出。在别的 CPU（例如 ARM）上，生成的代码又会不同；"
                "测试在那里只检查脚本能顺利跑完，不比对这段输出。")
    return _admonition("info isa", f"上面的输出来自 {policy.shown.name} 的 CPU（{policy.shown.lanes}），在 {others} 上不同", body, indent)


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
ISA = "CPU 的向量指令集"


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
            if not lines:
                continue  # an ISA variant is stored even where it prints the same
            found.append(Difference(snippet, build, lines, [ISA] if build.isa else causes(lines)))
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
    for build in versions.supported()[1:] + versions.isa_variants():
        n = len({d.snippet.rel for d in diffs if d.build == build})
        rows.append(f"| {build.title} | {n} / {total} |" if n or versions.captured().get(build.label)
                    else f"| {build.title} | 尚未捕获 |")
    policy = hardware.policy()
    out = ["\n".join(rows), "",
           f"主版本的输出来自 {policy.shown.name} 的 CPU（{policy.shown.lanes}）。少数片段的输出取决于 CPU 的向量指令集"
           f"（Inductor 生成的代码、它记下的目标机器）：它们在 {'、'.join(i.name for i in policy.also)} 上"
           "的输出另外保存、另外比对，列在“CPU 的向量指令集”一节。", ""]
    order = [ISA] + [name for name, _ in CAUSES] + [OTHER, WHITESPACE]
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
    for build in versions.supported() + versions.isa_variants():
        record = captured.get(build.label)
        count = f"{len(record['snippets'])} 个片段" if record else ""
        if build == versions.primary():
            role = f"主版本：页面上显示的输出都来自它（{count}）"
        elif build.isa:
            n = sum(1 for s in snippets.discover() if s.isa_dependent and build in s.other_outputs())
            isa = hardware.get(build.isa)
            role = (f"输出取决于 CPU 向量指令集的 {n} 个片段在 {isa.name} 上（{isa.lanes}）的输出，"
                    "显示在各自的输出下方")
            if not record:
                role = f"取决于 CPU 向量指令集的片段在 {isa.name} 上（{isa.lanes}）的输出"
        else:
            n = sum(1 for s in snippets.discover() if build in s.other_outputs())
            role = f"{why.get(build, '')}；{count}，其中 {n} 个的输出不同，显示在各自的输出下方" if record else why.get(build, "")
        when = record["date"] if record else "尚未捕获"
        isa = hardware.KNOWN.get(record.get("isa", "")) if record else None
        machine = (f"{record['cpu']}，{record['cores']} 核，Python {record['python']}，"
                   f"向量指令集 {isa.name if isa else record.get('isa', '?')}") if record else "—"
        device = versions.DEVICES[build.device] + (f" · {hardware.get(build.isa).name}" if build.isa else "")
        rows.append(f"| {build.torch} | {device} | {role} | {when} | {machine} |")
    return "\n".join(rows)
