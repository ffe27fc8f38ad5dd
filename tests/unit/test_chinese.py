"""sitekit.chinese: Chinese prose gets full-width punctuation; code, syntax and English do not."""

from __future__ import annotations

import pytest

from sitekit import chinese


@pytest.mark.parametrize("before, after", [
    ('时,PyTorch 是立刻算出结果,还是先记下一张"计算图"再统一执行?', "时，PyTorch 是立刻算出结果，还是先记下一张“计算图”再统一执行？"),
    ("- **符号式**(symbolic,也叫声明式):先用代码", "- **符号式**（symbolic，也叫声明式）：先用代码"),
    ("`c = a + b`,**什么时候**", "`c = a + b`，**什么时候**"),
    ("TorchScript 的运行时叫 lite interpreter,PyTorch 2.13 会提示", "TorchScript 的运行时叫 lite interpreter，PyTorch 2.13 会提示"),
    ("（`tensorflow-cpu`,`make test` 会安装）", "（`tensorflow-cpu`，`make test` 会安装）"),
    ('| "Functions, not Sessions":符号式从默认变成按需 |', "| “Functions, not Sessions”：符号式从默认变成按需 |"),
])
def test_chinese_prose_gets_full_width_punctuation(before, after):
    assert chinese.fix_markdown(before) == after
    assert chinese.fix_markdown(after) == after  # idempotent


@pytest.mark.parametrize("text", [
    "silu 的导数 σ(x)·(1 + x·(1 − σ(x))) 乘上传回的梯度",  # maths stays ASCII
    "调用 `torch.compile(f, dynamic=True)` 的结果",  # inline code
    "见[第 2 章](evolution.md#a,b)",  # a link's destination
    "在 1,000 个元素上，10:30 开始",  # numbers
    "### 在 C++ 里加载：torch::jit::load {#cpp}",  # :: and an attribute list
    "The English sentence, with commas: stays as it is.",
])
def test_code_numbers_and_english_are_left_alone(text):
    assert chinese.fix_markdown(text) == text


def test_markdown_syntax_quotes_and_indentation_survive():
    page = '\n'.join([
        '!!! info "运行环境"',
        '    本章的例子在 CPU 上即可运行,输出来自 PyTorch 2.15.0(CPU 版)。',
        '',
        '=== "TensorFlow 1.x(符号式)"',
        '',
        '    ```python title="x.py"',
        '    --8<-- "paradigms/tf1_graph.py"',
        '    ```',
        '',
        '```mermaid',
        'flowchart TD',
        '  A[框架] --> B{"`符号式',
        '  define-and-run(先建图)`"}',
        '  B -.->|趋势:融合| C',
        '```',
    ])
    fixed = chinese.fix_markdown(page)
    assert '!!! info "运行环境"' in fixed  # the title's quotes are syntax
    assert "    本章的例子在 CPU 上即可运行，输出来自 PyTorch 2.15.0（CPU 版）。" in fixed
    assert '=== "TensorFlow 1.x（符号式）"' in fixed
    assert '    --8<-- "paradigms/tf1_graph.py"' in fixed and '```python title="x.py"' in fixed
    assert '  A[框架] --> B{"`符号式' in fixed and "  define-and-run（先建图）`\"}" in fixed
    assert "|趋势：融合|" in fixed


def test_python_comments_and_strings_but_not_code():
    source = (
        'x = {"a": 1}  # 一个字典,键是 "a"\n'
        'print("结果一致:", x)\n'
        'print(f"加速比: {speed:.2f}x,好")\n'
        'pattern = r"(?<=机器 )\\d+"\n'
        '# The repository the "在 Colab 中打开" link points at\n'
        'text = f"（这里在 [网页版]({url(page)}) 上有一张图。）"\n'
        '"""Every nav page (not the home page, not the 实验场 itself) that embeds a script."""\n'
    )
    fixed = chinese.fix_python(source)
    assert fixed.splitlines() == [
        'x = {"a": 1}  # 一个字典，键是“a”',
        'print("结果一致：", x)',
        'print(f"加速比：{speed:.2f}x，好")',
        'pattern = r"(?<=机器 )\\d+"',  # a raw string is a regex
        '# The repository the "在 Colab 中打开" link points at',  # an English comment
        'text = f"（这里在 [网页版]({url(page)}) 上有一张图。）"',  # a Markdown link stays a link
        '"""Every nav page (not the home page, not the 实验场 itself) that embeds a script."""',
    ]


def test_the_lint_reports_file_line_and_fix(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# 标题\n\n第一句,第二句。\n", encoding="utf-8")
    findings = chinese.lint([page])
    assert [(f.line, f.new.strip()) for f in findings if f.checker == "full-width"] == [(3, "第一句，第二句。")]
    assert str(page) in str(findings[0]) and "第一句，第二句。" in str(findings[0])
