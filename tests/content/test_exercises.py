"""Every chapter ends with exercises (练习), each with a folded, tested answer.

A chapter page's last `##` section is `## 练习 {#exercises}`. It holds 3 to 6 exercises, one
`### N. 标题 {#ex-...}` sub-heading each, numbered from 1. Below its question each has one
folded answer, `??? success "参考答案"`, and everything after that line up to the next
exercise is indented into it: no part of an answer shows unfolded. The question itself
embeds no snippet. An answer that has code embeds a whole script from snippets/ together
with its captured output; tests/content/test_snippets.py runs those scripts like any other.
"""

from __future__ import annotations

import re

import pytest

from sitekit import includes, snippets
from sitekit.config import DOCS, SNIPPETS

CHAPTERS = ("paradigms.md", "evolution.md", "torchscript.md", "compile.md", "inductor.md", "deploy.md")
FEWEST, MOST = 3, 6

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_SECTION = re.compile(r"^## (?P<title>.+?)\s*$")
_EXERCISES = re.compile(r"^## 练习 \{#exercises\}\s*$")
_EXERCISE = re.compile(r"^### (?P<number>\d+)\. \S.*\{#ex-[\w-]+\}\s*$")
_ANSWER = '??? success "参考答案"'


def _lines_outside_fences(markdown: str) -> list[tuple[int, str]]:
    """(line number, line) of each line that is not inside a fenced block or the front matter."""
    lines = markdown.split("\n")
    start = lines.index("---", 1) + 1 if lines and lines[0].strip() == "---" else 0
    found, fence = [], None
    for number, line in enumerate(lines[start:], start + 1):
        if fence:
            if line.strip().startswith(fence) and not line.strip().strip("`~"):
                fence = None
            continue
        if m := _FENCE.match(line):
            fence = m[1]
            continue
        found.append((number, line))
    return found


def problems(markdown: str, page: str) -> list[str]:
    """What is wrong with a chapter page's exercises; empty when nothing is."""
    where = f"docs/{page}"
    outside = _lines_outside_fences(markdown)
    sections = [(n, line) for n, line in outside if _SECTION.match(line)]
    if not sections or not _EXERCISES.match(sections[-1][1]):
        last = sections[-1][1] if sections else "no ## section at all"
        return [f"{where}: the last ## section must be `## 练习 {{#exercises}}`, not {last!r}"]
    start = sections[-1][0]
    lines = markdown.split("\n")
    heads = [(n, line) for n, line in outside if n > start and line.startswith("### ")]
    found = []
    if not FEWEST <= len(heads) <= MOST:
        found.append(f"{where}:{start}: {len(heads)} exercises; a chapter has {FEWEST} to {MOST}")
    for index, (number, head) in enumerate(heads):
        m = _EXERCISE.match(head)
        if not m:
            found.append(f"{where}:{number}: write an exercise as `### N. 标题 {{#ex-名字}}`, not {head!r}")
        elif int(m["number"]) != index + 1:
            found.append(f"{where}:{number}: exercise numbered {m['number']}, expected {index + 1}")
        end = heads[index + 1][0] - 1 if index + 1 < len(heads) else len(lines)
        found += _check_exercise(lines, number, end, where)
    return found


def _check_exercise(lines: list[str], head: int, end: int, where: str) -> list[str]:
    """Lines head..end (1-based, inclusive) hold one exercise: its question, then its answer."""
    block = lines[head:end]  # the lines after the heading
    answers = [i for i, line in enumerate(block) if line.strip() == _ANSWER]
    top_level = [i for i in answers if block[i] == _ANSWER]
    if len(answers) != 1 or len(top_level) != 1:
        return [f"{where}:{head}: an exercise needs exactly one folded answer `{_ANSWER}` "
                f"at the start of a line; found {len(top_level)} (of {len(answers)} answer lines)"]
    at = top_level[0]
    found = []
    question, answer = block[:at], block[at + 1:]
    if not any(line.strip() for line in question):
        found.append(f"{where}:{head}: the exercise has no question before its answer")
    if includes.find("\n".join(question)):
        found.append(f"{where}:{head}: the question embeds a snippet; code belongs in the folded answer")
    unfolded = [head + at + 2 + i for i, line in enumerate(answer) if line.strip() and not line.startswith("    ")]
    if unfolded:
        found.append(f"{where}:{unfolded[0]}: this line of the answer is not indented into `{_ANSWER}`, "
                     "so it shows unfolded")
    if not any(line.strip() for line in answer):
        found.append(f"{where}:{head + at + 1}: the answer is empty")
    embedded = {inc.path for inc in includes.find("\n".join(answer))}
    for rel in sorted(p for p in embedded if p.endswith(".py")):
        script = SNIPPETS / rel
        if not script.is_file():
            found.append(f"{where}:{head}: the answer embeds snippets/{rel}, which does not exist")
            continue
        out = snippets.Snippet(script).output_path()
        if not (out.is_file() and out.read_text("utf-8").strip()):
            found.append(f"{where}:{head}: snippets/{rel} has no captured output {out.name}: "
                         f"run `python -m sitekit outputs snippets/{rel}`")
        elif out.relative_to(SNIPPETS).as_posix() not in embedded:
            found.append(f"{where}:{head}: the answer embeds snippets/{rel} but not its output {out.name}")
    return found


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_ends_with_exercises_and_folded_tested_answers(page):
    found = problems((DOCS / page).read_text("utf-8"), page)
    assert not found, "\n".join(found)


def test_every_chapter_page_is_checked():
    """A new chapter (`# 第 N 章` page) is added to CHAPTERS, so its exercises are checked too."""
    chapters = {md.name for md in DOCS.glob("*.md") if re.search(r"^# 第 \d+ 章", md.read_text("utf-8"), re.M)}
    assert chapters == set(CHAPTERS)


GOOD = """---
description: page
---

# 第 9 章 例子

## 小结

- 一句话。

## 练习 {#exercises}

先自己做。

### 1. 第一题 {#ex-one}

问题一。

??? success "参考答案"

    说明。

    ```python title="snippets/paradigms/exercise_grad_fn.py"
    --8<-- "paradigms/exercise_grad_fn.py"
    ```

    ``` { .text .output title="输出" }
    --8<-- "paradigms/exercise_grad_fn.out"
    ```

### 2. 第二题 {#ex-two}

问题二。

??? success "参考答案"

    不用写代码。

### 3. 第三题 {#ex-three}

问题三。

??? success "参考答案"

    说明。
"""


def test_a_good_page_passes():
    assert problems(GOOD, "good.md") == []


@pytest.mark.parametrize("plant, expected", [
    # An answer taken out: the exercise has no folded answer.
    (lambda p: p.replace(f"问题二。\n\n{_ANSWER}\n\n    不用写代码。\n", "问题二。\n"),
     "needs exactly one folded answer"),
    # An answer left open (`???+`) is no folded answer either.
    (lambda p: p.replace(f"问题三。\n\n{_ANSWER}", "问题三。\n\n" + _ANSWER.replace("???", "???+")),
     "needs exactly one folded answer"),
    # A line of the answer outside the fold.
    (lambda p: p.replace("    不用写代码。", "不用写代码。"), "is not indented"),
    # The output of an embedded script missing from the answer.
    (lambda p: p.replace('    --8<-- "paradigms/exercise_grad_fn.out"\n', ""), "but not its output"),
    # A script that does not exist.
    (lambda p: p.replace("exercise_grad_fn.py\"\n", "exercise_missing.py\"\n"), "does not exist"),
    # Too few exercises.
    (lambda p: p[:p.index("### 3.")], "2 exercises"),
    # Exercises after which another section follows.
    (lambda p: p + "\n## 延伸阅读\n\n一段。\n", "the last ## section must be"),
    # Numbering out of order.
    (lambda p: p.replace("### 3. 第三题", "### 4. 第三题"), "expected 3"),
])
def test_a_planted_fault_is_caught(plant, expected):
    found = problems(plant(GOOD), "planted.md")
    assert any(expected in problem for problem in found), found
