async () => {
  // Material replaces <pre class="mermaid"> by <div class="mermaid"> whose (opened) shadow
  // root holds the SVG; wait until every diagram is drawn or 10 s have passed.
  const deadline = Date.now() + 10000;
  const blocks = () => [...document.querySelectorAll(".mermaid")];
  while (Date.now() < deadline) {
    if (blocks().every(el => el.shadowRoot && el.shadowRoot.querySelector("svg"))) break;
    if (window.__uncaughtErrors) { await new Promise(r => setTimeout(r, 300)); break; }
    await new Promise(r => setTimeout(r, 100));
  }
  const errorText = /Syntax error|Parse error|error in text|Lexical error/i;
  return blocks().map((el, i) => {
    const svg = el.shadowRoot && el.shadowRoot.querySelector("svg");
    const box = svg ? svg.getBoundingClientRect() : null;
    const labels = svg ? [...svg.querySelectorAll(".nodeLabel, .edgeLabel, text")].map(label => {
      // Where each visible character sits, to tell which characters share a line.
      const chars = [];
      const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let k = 0; k < node.data.length; k++) {
          if (/\s/.test(node.data[k])) continue;
          const range = document.createRange();
          range.setStart(node, k); range.setEnd(node, k + 1);
          const r = range.getBoundingClientRect();
          chars.push([node.data[k], Math.round(r.top), Math.round(r.height)]);
        }
      }
      return chars;
    }).filter(c => c.length) : [];
    return {
      tag: el.tagName,
      svg: !!svg,
      width: box ? box.width : 0,
      height: box ? box.height : 0,
      error: svg ? errorText.test(svg.textContent) || !!svg.querySelector(".error-icon, .error-text") : false,
      text: svg ? svg.textContent.slice(0, 200) : el.textContent.slice(0, 200),
      labels,
    };
  });
}
