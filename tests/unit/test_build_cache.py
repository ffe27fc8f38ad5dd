"""sitekit.build.keep_compiled_templates: each template is compiled once, and again when it changes."""

from __future__ import annotations

import jinja2

from sitekit import build


def _env(templates, **options) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), **options)


def _compiles(env: jinja2.Environment, name: str, monkeypatch) -> int:
    count = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: count.append(1) or original(self, *a, **k))
    env.get_template(name).render(x=1)
    monkeypatch.undo()
    return len(count)


def test_a_template_is_compiled_once_and_again_when_it_changes(tmp_path, monkeypatch):
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ x }}</p>", "utf-8")
    first = _env(templates)
    build.keep_compiled_templates(first, cache)
    assert _compiles(first, "page.html", monkeypatch) == 1
    second = _env(templates)  # the next build (or `make serve` rebuild): a new environment
    build.keep_compiled_templates(second, cache)
    assert _compiles(second, "page.html", monkeypatch) == 0
    assert second.get_template("page.html").render(x=2) == "<p>2</p>"
    (templates / "page.html").write_text("<div>{{ x }}</div>", "utf-8")
    third = _env(templates)
    build.keep_compiled_templates(third, cache)
    assert _compiles(third, "page.html", monkeypatch) == 1
    assert third.get_template("page.html").render(x=3) == "<div>3</div>"


def test_an_environment_set_up_differently_does_not_read_them(tmp_path, monkeypatch):
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ x }}</p>", "utf-8")
    plain = _env(templates)
    build.keep_compiled_templates(plain, cache)
    _compiles(plain, "page.html", monkeypatch)
    escaping = _env(templates, autoescape=True)
    build.keep_compiled_templates(escaping, cache)
    assert _compiles(escaping, "page.html", monkeypatch) == 1
    assert escaping.get_template("page.html").render(x="<b>") == "<p>&lt;b&gt;</p>"
    assert len(list(cache.iterdir())) == 2
