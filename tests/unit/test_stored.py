"""sitekit.stored.sync: the files `make graphs` / `make diagrams` keep in the repository."""

from __future__ import annotations

import os

from sitekit import stored


def test_writes_only_what_changed_and_removes_what_is_no_longer_made(tmp_path, capsys):
    folder = tmp_path / "made"
    stored.sync(folder, {"a": "A", "b": "B"}, ".mmd")
    (folder / "keep.txt").write_text("not ours", "utf-8")
    os.utime(folder / "a.mmd", (0, 0))
    capsys.readouterr()

    stored.sync(folder, {"a": "A", "c": "C"}, ".mmd", gone=" (gone)")
    said = capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == ["a.mmd", "c.mmd", "keep.txt"]
    assert (folder / "a.mmd").stat().st_mtime == 0, "an unchanged file is not rewritten"
    assert "drew" in said and "c.mmd" in said and "a.mmd" not in said
    assert "removed" in said and "b.mmd (gone)" in said
