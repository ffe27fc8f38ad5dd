"""sitekit.chinese: Chinese prose gets full-width punctuation; code, syntax and English do not.

autocorrect does most of the work; sitekit.chinese keeps only the rules it lacks. Each case
of the first test is one of those rules, and the test runs autocorrect on it to show that
the library alone gets it wrong (if a newer autocorrect learns one, drop that rule).
"""

from __future__ import annotations

import pytest

from sitekit import chinese

ADMONITION = '!!! note "标题"\n    第一句,第二句用PyTorch运行。\n'
MERMAID = "```mermaid\nflowchart LR\n  A -->|趋势,融合| B\n```\n"


@pytest.mark.parametrize("before, after, name", [
    # 1. parentheses and quotes: autocorrect pads a half-width pair, never converts quotes
    ("- **符号式**(symbolic,也叫声明式):先用代码", "- **符号式**（symbolic，也叫声明式）：先用代码", "page.md"),
    ("输出来自 PyTorch 2.15.0 (CPU 版)。", "输出来自 PyTorch 2.15.0（CPU 版）。", "page.md"),
    ('先记下一张"计算图"再统一执行', "先记下一张“计算图”再统一执行", "page.md"),
    ('| "Functions, not Sessions":符号式从默认变成按需 |', "| “Functions, not Sessions”：符号式从默认变成按需 |", "page.md"),
    ('x = 1  # 一个字典,键是 "a"\n', "x = 1  # 一个字典，键是“a”\n", "script.py"),
    ("`torch.compile` (第 4 章) 讲过", "`torch.compile`（第 4 章）讲过", "page.md"),
    # 2. `;` (autocorrect never converts it), and a Chinese neighbour past code or emphasis
    ("先建图;再运行", "先建图；再运行", "page.md"),
    ("② 创建会话 Session;③ 运行图", "② 创建会话 Session；③ 运行图", "page.md"),
    ("`c = a + b`,**什么时候**", "`c = a + b`，**什么时候**", "page.md"),
    ("**追踪**:用符号张量执行一遍", "**追踪**：用符号张量执行一遍", "page.md"),
    ("注意:PyTorch 会提示", "注意：PyTorch 会提示", "page.md"),
    ("运行时叫 lite interpreter,PyTorch 2.13 会提示", "运行时叫 lite interpreter，PyTorch 2.13 会提示", "page.md"),
    # ... and a table row of a Chinese page, even without a Chinese character in it
    ("| | TensorFlow 2:`@tf.function` | PyTorch 2:`torch.compile` |",
     "| | TensorFlow 2：`@tf.function` | PyTorch 2：`torch.compile` |", "page.md"),
    # 3. text autocorrect does not read: admonition bodies (it takes them for code), mermaid
    # labels, TOML strings
    (ADMONITION, '!!! note "标题"\n    第一句，第二句用 PyTorch 运行。\n', "page.md"),
    (MERMAID, MERMAID.replace("趋势,融合", "趋势，融合"), "page.md"),
    ('why = "本站的主版本,输出来自它"\n', 'why = "本站的主版本，输出来自它"\n', "versions.toml"),
])
def test_each_rule_fixes_what_autocorrect_alone_gets_wrong(before, after, name):
    assert chinese._autocorrect().format_for(before, name) != after, "autocorrect does this now: drop the rule"
    assert chinese.format_text(before, name) == after
    assert chinese.format_text(after, name) == after  # idempotent


def test_autocorrect_does_the_rest():
    """What autocorrect does is left to it: this module's rules alone do not add spaces."""
    text = "时,PyTorch是立刻算出结果"
    assert chinese.fix_markdown(text) == "时，PyTorch是立刻算出结果"
    assert chinese.format_text(text, "page.md") == "时，PyTorch 是立刻算出结果"


@pytest.mark.parametrize("source, name", [
    ("# Inductor 生成的包装函数 call() 负责分配缓冲区\n", "memory_reuse.py"),
    ("# 在 tf.function 里调用 .numpy() 会直接报错\n", "tf_function.py"),
    ("# 调用x.numpy()之后,值就取出来了\n", "script.py"),
    ('print("traced(neg) 正确吗？", ok)\n', "trace_vs_script.py"),
    ('print(f"调用 f(x)：{x.dtype}")\n', "script.py"),
    ("// 与 save_load.py 的 show() 同样的格式\n", "run_model.cpp"),
    ('const s = "调用 run(cell) 之后";\n', "playground.js"),
    ("调用 traced(neg) 得到错误的结果,而 x[0](y) 是另一回事。\n", "page.md"),
])
def test_a_call_in_a_comment_string_or_prose_keeps_ascii_brackets(source, name):
    fixed = chinese.format_text(source, name)
    assert "（" not in fixed and "）" not in fixed, fixed
    for call in ("call()", ".numpy()", "traced(neg)", "f(x)", "show()", "run(cell)", "x[0](y)"):
        if call in source:
            assert call in fixed


@pytest.mark.parametrize("text", [
    "silu 的导数 σ(x)·(1 + x·(1 − σ(x))) 乘上传回的梯度",  # maths stays ASCII
    "调用 `torch.compile(f, dynamic=True)` 的结果",  # inline code
    "见[第 2 章](evolution.md#a,b)",  # a link's destination
    "在 1,000 个元素上，10:30 开始，调用 aten::mul",  # numbers, C++ names
    "### 在 C++ 里加载：torch::jit::load {#cpp}",  # :: and an attribute list
    "The English sentence, with commas: stays as it is.",
    "| `make build` | 严格模式（`--strict`）构建 |",
])
def test_code_numbers_and_english_are_left_alone(text):
    assert chinese.format_text(text, "page.md") == text


def test_markdown_syntax_quotes_and_indentation_survive():
    page = '\n'.join([
        '!!! info "运行环境"',
        '    本章的例子在 CPU 上即可运行,输出来自 PyTorch 2.15.0 (CPU 版)。',
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
        '  C -->|"torch.onnx.export(dynamo=True)"| D[(临时张量)]',
        '```',
    ])
    fixed = chinese.format_text(page, "page.md")
    assert '!!! info "运行环境"' in fixed  # the title's quotes are syntax
    assert "    本章的例子在 CPU 上即可运行，输出来自 PyTorch 2.15.0（CPU 版）。" in fixed
    assert '=== "TensorFlow 1.x（符号式）"' in fixed
    assert '    --8<-- "paradigms/tf1_graph.py"' in fixed and '    ```python title="x.py"' in fixed
    assert '  A[框架] --> B{"`符号式' in fixed and "  define-and-run（先建图）`\"}" in fixed
    assert "|趋势：融合|" in fixed
    assert '|"torch.onnx.export(dynamo=True)"| D[(临时张量)]' in fixed  # mermaid syntax


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
    fixed = chinese.format_text(source, "script.py")
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
    page.write_text("# 标题\n\n第一句,第二句(注)。\n\n第三句用PyTorch。\n", encoding="utf-8")
    findings = chinese.lint([page])
    assert [(f.line, f.new.strip(), f.checker) for f in findings] == [
        (3, "第一句，第二句（注）。", "sitekit"), (5, "第三句用 PyTorch。", "autocorrect")]
    assert str(page) in str(findings[0]) and "第一句，第二句（注）。" in str(findings[0])
