// axe checks the contrast of every highlighted token: thousands on a chapter page, all in a
// handful of colours. Keep one span per token kind (per code/output block type) and turn
// the rest into plain text, so axe takes seconds, not half a minute. Run it last on a page.
() => {
  const seen = new Set();
  // chapter pages: pre > code > span; notebook pages (nbconvert): pre > span
  for (const span of document.querySelectorAll(".md-typeset pre span[class]")) {
    const key = span.className + "|" + (span.closest(".output, .jp-OutputArea") ? "output" : "code");
    if (seen.has(key)) span.replaceWith(document.createTextNode(span.textContent));
    else seen.add(key);
  }
  for (const a of document.querySelectorAll(".md-typeset pre a[id^='__codelineno']")) a.remove();
}
