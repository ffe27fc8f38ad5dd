// axe checks the contrast of every highlighted token: thousands on a chapter page, all in a
// handful of colours. A token's colours depend on its class, on the language of its block
// (a theme may colour `span.p` differently in bash than in Python) and on where the block
// sits (a captured output, a highlighted line). Keep one span per (language, token class,
// context), preferring one with a letter or digit, and unwrap the rest into plain text, so
// that axe checks every token class of every language present in seconds, not half a
// minute. axe skips text that is only punctuation (a `(` or `}`), so a kept span without a
// letter or digit gets "Ag" in front of its text: its colours are then checked too. Each
// kept span is labelled (data-token) for the report. Returns the kinds kept, sorted.
// Run it last on a page: it changes the page's text.
() => {
  const language = (span) => {
    // chapter pages: <div class="language-bash highlight">; notebook pages (nbconvert):
    // <div class="highlight-ipynb hl-python3">, their outputs in .jp-OutputArea
    const block = span.closest("[class*='language-'], [class*='hl-']");
    const m = block && block.className.match(/\b(?:language|hl)-([\w+#.-]+)/);
    return m ? m[1] : "plain";
  };
  const context = (span) => [
    span.closest(".output, .jp-OutputArea") ? "output" : "code",
    ...(span.parentElement.closest(".hll") ? ["highlighted line"] : []),
    ...(span.parentElement.closest(".gd, .gi") ? ["in a diff line"] : []),
  ].join(", ");
  const hasText = (span) => /[\p{L}\p{N}]/u.test(span.textContent);

  const spans = [...document.querySelectorAll(".md-typeset pre span[class], .jp-Cell pre span[class]")];
  const kept = new Map();
  for (const span of spans) {
    const key = `${language(span)} .${span.className.trim().split(/\s+/).join(".")} (${context(span)})`;
    const k = kept.get(key);
    if (!k || (!hasText(k) && hasText(span))) kept.set(key, span);
  }
  // a kept span keeps the spans around it too (a highlighted line's background)
  const keep = new Set();
  for (const span of kept.values()) {
    for (let el = span; el && el.matches("pre span[class]"); el = el.parentElement) keep.add(el);
  }
  // children before their parents, so that unwrapping a parent moves finished children
  for (const span of spans.reverse()) if (!keep.has(span)) span.replaceWith(...span.childNodes);
  for (const [key, span] of kept) {
    span.dataset.token = key;
    if (!hasText(span)) span.prepend("Ag");
  }
  return [...kept.keys()].sort();
}
