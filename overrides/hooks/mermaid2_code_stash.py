"""Hand mermaid2 each page without its code blocks, then put them back.

mermaid2's on_post_page re-parses the whole page with BeautifulSoup's pure-Python
html.parser whenever the HTML contains the word "mermaid", only to count the diagrams and
append one <script> to <body>. Highlighted code (a <span> per token) is ~80% of the tags on
our chapter pages, so that parse took ~1.7 s of a ~6.5 s build. The code blocks are lifted
out just before mermaid2 runs (priority 40: after playground.py's 50, before mermaid2's 0)
and put back verbatim after it (priority -60): the page mermaid2 sees has the same diagrams
and <body>, and the code is no longer re-serialised by BeautifulSoup.
"""

from __future__ import annotations

import re

from mkdocs.plugins import CombinedEvent, event_priority

# <pre> never nests; diagrams (<pre class="mermaid">) stay for mermaid2 to find.
_CODE = re.compile(r'<pre\b(?![^>]*\bclass="mermaid")[^>]*>.*?</pre>', re.S)
_PLACEHOLDER = re.compile(r'<pre data-code-stash="(\d+)"></pre>')
_STASH_KEY = "_mermaid2_code_stash"


@event_priority(40)
def _lift_code(output, page, config):
    if "mermaid" not in output:  # mermaid2 skips this page anyway
        return output
    stash: list[str] = []

    def lift(m: re.Match) -> str:
        stash.append(m[0])
        return f'<pre data-code-stash="{len(stash) - 1}"></pre>'

    output = _CODE.sub(lift, output)
    setattr(page, _STASH_KEY, stash)
    return output


@event_priority(-60)
def _restore_code(output, page, config):
    stash = getattr(page, _STASH_KEY, None)
    if stash is None:
        return output
    delattr(page, _STASH_KEY)
    return _PLACEHOLDER.sub(lambda m: stash[int(m[1])], output)


on_post_page = CombinedEvent(_lift_code, _restore_code)
