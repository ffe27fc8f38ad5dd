"""sitekit.htmlscan reports what html.parser.HTMLParser reports, or leaves the page to it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from sitekit import htmlscan


class Recorder(HTMLParser):
    """HTMLParser's calls, as a list."""

    def __init__(self, convert_charrefs: bool):
        super().__init__(convert_charrefs=convert_charrefs)
        self.calls: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.calls.append(("start", tag, attrs, self.get_starttag_text(), False))

    def handle_startendtag(self, tag, attrs):
        self.calls.append(("start", tag, attrs, self.get_starttag_text(), True))

    def handle_endtag(self, tag):
        self.calls.append(("end", tag))

    def handle_data(self, data):
        self.calls.append(("data", data))

    def handle_entityref(self, name):
        self.calls.append(("entityref", name))

    def handle_charref(self, name):
        self.calls.append(("charref", name))

    def handle_comment(self, data):
        self.calls.append(("comment", data))


class Scanned(htmlscan.Handler):
    """htmlscan's calls, in the same form."""

    def __init__(self, html: str, convert_charrefs: bool):
        self.html, self.convert_charrefs, self.calls = html, convert_charrefs, []

    def on_start(self, tag, attrs, begin, end, empty):
        self.calls.append(("start", tag, attrs, self.html[begin:end], empty))

    def on_end(self, tag):
        self.calls.append(("end", tag))

    def on_data(self, text):
        self.calls.append(("data", text))

    def on_entityref(self, name):
        self.calls.append(("entityref", name))

    def on_charref(self, name):
        self.calls.append(("charref", name))

    def on_comment(self, text):
        self.calls.append(("comment", text))


def parsed(html: str, convert: bool) -> list[tuple]:
    p = Recorder(convert)
    p.feed(html)
    p.close()
    return p.calls


def scanned(html: str, convert: bool) -> list[tuple]:
    h = Scanned(html, convert)
    htmlscan.scan(html, h)
    return h.calls


WELL_FORMED = [
    '<article class="md-content__inner md-typeset"><h1 id="t">标题<a class="headerlink" href="#t">&para;</a></h1>'
    '<p>文字 <code>x &lt; y</code> &amp; <strong>粗</strong>&#39;s&#x27;<br>下一行<br/></p></article>',
    '<div class="highlight"><pre><span></span><code><span class="n">x</span> <span class="o">=</span> 1\n'
    '<span class="k">if</span> a &gt; b:</code></pre></div>',
    "<DIV Class='a b' data-x=\"1>2\" hidden>x</DIV><input type=checkbox checked><img src=a.png alt=''>",
    '<svg viewBox="0 0 10 10"><style>#m .a>.b{fill:red}</style><foreignObject><span>标签</span></foreignObject></svg>',
    "<script>if (a < b && c) { x = '</div>'; }</script><style>p>a{color:red}</style>",
    "<p>a<!-- comment -->b<!---->c</p><template data-lazy-highlight><span>x</span></template>",
    '<a href="?a=1&amp;b=2&c=3" title="&quot;引号&quot;">链接</a> R&amp;D &copy 2026',
    "<p>文字&nbsp;更多</p>\n<ul>\n<li>一</li>\n<li>二\n</ul><p>a & b &amp</p>",
    "<clipboard-copy for=x></clipboard-copy><details open><summary>输出</summary><pre>a</pre></details>",
]


@pytest.mark.parametrize("convert", [True, False])
@pytest.mark.parametrize("html", WELL_FORMED)
def test_the_same_calls_as_htmlparser(html, convert):
    assert scanned(html, convert) == parsed(html, convert)


UNUSUAL = [
    "<!DOCTYPE html><p>x</p>",
    "<p>a < b</p>",
    "<p>x</p><?php echo 1 ?>",
    "<p>unclosed <!-- comment",
    '<div class="a"',
    "</div foo=1>",
    "<script>never closed",
]


@pytest.mark.parametrize("html", UNUSUAL)
def test_markup_it_does_not_read_like_htmlparser_is_left_to_it(html):
    with pytest.raises(htmlscan.Unusual):
        scanned(html, True)


def test_a_tag_it_reads_tolerantly_is_read_as_htmlparser_reads_it():
    html = "<a  href = 'x'  data-y=z/b class=\"c\"/>t<p =x>y</p>"
    assert scanned(html, True) == parsed(html, True)
