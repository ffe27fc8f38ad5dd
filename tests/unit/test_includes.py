"""The one `--8<--` grammar (sitekit.includes): every form the pages use, and clear errors."""

from __future__ import annotations

import pytest

from sitekit import config, includes, snippets

SOURCE = """import torch

# --8<-- [start:outer]
def f():
    # --8<-- [start:body]
    return torch.ones(2)
    # --8<-- [end:body]
# --8<-- [end:outer]
print(f())
"""


@pytest.fixture
def bases(tmp_path):
    (tmp_path / "ch").mkdir()
    (tmp_path / "ch" / "a.py").write_text(SOURCE, "utf-8")
    (tmp_path / "ch" / "a.out").write_text("tensor([1., 1.])\n", "utf-8")
    return [tmp_path]


PAGE = '''# page

Inline mention of `--8<--` markers in a sentence is no include.

```python title="snippets/ch/a.py"
--8<-- "ch/a.py"
```

``` { .text .output title="输出" }
--8<-- "ch/a.out"
```

=== "tab"

    !!! note "nested"

        ```python
        --8<-- 'ch/a.py:body'
        ```
'''


def test_every_form_the_pages_use(bases):
    found = includes.check(PAGE, "page.md", bases)
    assert [(i.path, i.section, i.line) for i in found] == [
        ("ch/a.py", None, 6), ("ch/a.out", None, 10), ("ch/a.py", "body", 18),
    ]
    whole, out, body = (includes.text_of(i, bases) for i in found)
    assert "--8<--" not in whole and whole.startswith("import torch\n") and "print(f())" in whole
    assert out == "tensor([1., 1.])\n"
    assert body == "return torch.ones(2)\n", "a section is dedented, as dedent_subsections does"
    outer = includes.text_of(includes.Include("ch/a.py", "outer", "p.md", 1), bases)
    assert outer.startswith("def f():\n") and "[start:body]" not in outer, "nested markers are removed"


@pytest.mark.parametrize("line", ['--8<-- "ch/a.py:3:9"', '--8<-- "ch/a.py', "--8<-- ch/a.py", '--8<-- "ch/a.py" extra'])
def test_a_malformed_include_names_page_and_line(bases, line):
    with pytest.raises(includes.IncludeError, match=r"docs/chapter\.md:3: malformed include"):
        includes.check(f"# t\n\n    {line}\n", "chapter.md", bases)


def test_missing_file_or_section_names_page_line_and_path(bases):
    with pytest.raises(includes.IncludeError, match=r"docs/chapter\.md:2 embeds 'ch/nope\.py', which does not exist"):
        includes.check('text\n--8<-- "ch/nope.py"\n', "chapter.md", bases)
    with pytest.raises(includes.IncludeError, match=r"docs/chapter\.md:1 embeds section 'two' of 'ch/a\.py'"):
        includes.check('--8<-- "ch/a.py:two"\n', "chapter.md", bases)


def test_the_real_pages_parse_with_the_real_base_paths():
    bases = config.snippet_base_paths(config.load())
    pages = snippets.includes_by_page()
    assert sum(map(len, pages.values())) > 50, "the pages' includes were not found"
    for md in sorted(config.DOCS.rglob("*.md")):
        page = md.relative_to(config.DOCS).as_posix()
        includes.check(md.read_text("utf-8"), page, bases)


def test_snippet_table_is_validated(tmp_path):
    (tmp_path / "snippets.toml").write_text("['a.py']\nvolatile = '[0-9'\n", "utf-8")
    with pytest.raises(ValueError, match="volatile must be a list"):
        snippets.table(tmp_path)
    (tmp_path / "snippets.toml").write_text("['a.py']\nvolatile = ['[0-9']\n", "utf-8")
    with pytest.raises(ValueError, match="is not a regex"):
        snippets.table(tmp_path)
    (tmp_path / "snippets.toml").write_text("['a.py']\nrequire = ['cuda']\n", "utf-8")
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['require'\]"):
        snippets.table(tmp_path)
