"""The search index in UTF-8 (sitekit.postprocess.utf8_search_index)."""

from __future__ import annotations

import gzip
import json

from sitekit import postprocess

ESCAPED = json.dumps({"docs": [{"location": "a/#b", "text": "<p>\u200b守卫\u200b是\u200b guard，“引号” \\ \"q\"</p>"}]})


def test_same_json_value_in_fewer_bytes():
    out = postprocess.utf8_search_index(ESCAPED)
    assert json.loads(out) == json.loads(ESCAPED)
    assert "\\u" not in out and "守卫" in out and "\u200b" in out
    assert len(out.encode("utf-8")) < len(ESCAPED)
    assert len(gzip.compress(out.encode("utf-8"))) < len(gzip.compress(ESCAPED.encode()))
