"""What readers see of other torch versions: a diff note only under outputs that differ,
the 版本差异 page grouped by cause, and the home page's 测试环境 table from data."""

from __future__ import annotations

import re

from sitekit import snippets, versionpages, versions
from sitekit.config import SNIPPETS

PAGE = '''# 页

=== "标签"

    ``` { .text .output title="输出" }
    --8<-- "torchscript/status.out"
    ```

``` { .text .output title="输出" }
--8<-- "paradigms/eager_prints.out"
```
'''


def _differs(rel: str) -> bool:
    return bool(snippets.Snippet(SNIPPETS / rel).other_outputs())


def test_a_note_follows_only_the_outputs_that_differ():
    assert _differs("torchscript/status.py") and not _differs("paradigms/eager_prints.py")
    out = versionpages.annotate(PAGE, "page.md")
    notes = re.findall(r'^( *)\?\?\? note "这段输出在 (.+) 上不同"$', out, re.M)
    assert notes == [("    ", "2.13.0 · CPU")]  # inside the tab, with the tab's indentation
    block = out.split('??? note')[1].split('``` { .text .output')[0]
    assert 'title="2.15.0 · CPU → 2.13.0 · CPU"' in block
    assert "\n        -torch 2.15.0，默认规则下显示的警告：" in block  # the primary line, removed
    assert "\n        +torch 2.13.0，默认规则下显示的警告：" in block  # that version's line, added
    assert "(versions.md)" in block
    assert out.endswith('--8<-- "paradigms/eager_prints.out"\n```\n')  # nothing after it


def test_a_diff_ignores_volatile_parts():
    snippet = snippets.Snippet(SNIPPETS / "paradigms" / "op_overhead.py")  # timings are volatile
    primary = "  1 个元素：    3.39 µs\n不变的一行\n"
    other = "  1 个元素：    9.99 µs\n不变的一行\n"
    assert versionpages._diff(snippet, primary, other) == []
    assert versionpages._diff(snippet, primary, other.replace("不变", "变了")) == [
        "@@ -1,2 +1,2 @@", "   1 个元素：    9.99 µs", "-不变的一行", "+变了的一行"]


def test_causes_are_read_from_the_changed_lines():
    assert versionpages.causes(["@@", "-PyTorch : 2.15.0+cu132", "+PyTorch : 2.13.0+cpu"]) == ["版本号"]
    assert versionpages.causes(["+<site-packages>/torch/jit/_script.py:1: FutureWarning: x", "+  warnings.warn("]) == ["弃用警告"]
    assert versionpages.causes(["-RuntimeError: addmm: mat1", "+RuntimeError: mat1"]) == ["报错措辞"]
    assert versionpages.causes(["-Graph signature:", "+Graph signature: "]) == ["行尾空白"]


def test_the_differences_page_and_the_home_table_come_from_the_stored_data():
    page = versionpages.differences()
    for d in versionpages.all_differences():
        assert f"`{d.snippet.rel}`" in page
    table = versionpages.tested_on()
    rows = [line for line in table.splitlines()[2:]]
    builds = versions.supported() + versions.isa_variants()
    assert [r.split("|")[1].strip() for r in rows] == [b.torch for b in builds]
    captured = versions.captured()
    for build, row in zip(builds, rows):
        assert (captured[build.label]["date"] if build.label in captured else "尚未捕获") in row
    primary = captured[versions.primary().label]
    assert f"（{len(primary['snippets'])} 个片段）" in rows[0]  # counted from the record


ISA_PAGE = '''``` { .text .output title="输出" }
--8<-- "inductor/fusion.out"
```
'''


def test_an_isa_dependent_output_names_its_cpu_and_shows_the_other():
    out = versionpages.annotate(ISA_PAGE, "inductor.md")
    titles = re.findall(r'^\?\?\? info isa "(.+)"$', out, re.M)
    assert titles == ["上面的输出来自 AVX-512 VNNI 的 CPU（一个向量 16 个 float），在 AVX2 上不同"]
    assert 'title="2.15.0 · CPU · AVX-512 VNNI → 2.15.0 · CPU · AVX2"' in out
    assert "\n    -    for(int64_t x0=static_cast<int64_t>(0L); x0<static_cast<int64_t>(1024L); x0+=static_cast<int64_t>(16L))" in out
    assert "\n    +    for(int64_t x0=static_cast<int64_t>(0L); x0<static_cast<int64_t>(1024L); x0+=static_cast<int64_t>(8L))" in out
    # An output that does not depend on the CPU gets no such note.
    assert "info isa" not in versionpages.annotate(PAGE, "page.md")
