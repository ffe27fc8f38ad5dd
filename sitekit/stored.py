"""Files a command makes and keeps in the repository (`make graphs`, `make diagrams`): each
written only when its text changed (so git sees only real changes), and the ones the command
no longer makes removed."""

from __future__ import annotations

import os
from pathlib import Path

from sitekit.config import ROOT


def sync(folder: Path, made: dict[str, str], suffix: str, *, gone: str = "") -> None:
    """Make `folder` hold exactly `made` ({stem: text}) among its `*<suffix>` files; print each
    file written or removed (`gone` says why a removed one went)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, text in made.items():
        target = folder / f"{stem}{suffix}"
        if not target.exists() or target.read_text("utf-8") != text:
            target.write_text(text, "utf-8")
            print(f"drew {os.path.relpath(target, ROOT)}")
    for old in folder.glob(f"*{suffix}"):
        if old.stem not in made:
            old.unlink()
            print(f"removed {os.path.relpath(old, ROOT)}{gone}")
