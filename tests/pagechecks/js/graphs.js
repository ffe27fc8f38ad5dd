// The graph drawings made from real graphs (div.mermaid[data-graph], sitekit/graphs.py) on a
// phone: no text drawn smaller than 12 px, and a drawing wider than the screen scrolls inside
// its own box instead of being shrunk or cut off.
() => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const hosts = [...document.querySelectorAll("div.mermaid[data-graph]")];
  hosts.forEach((host, i) => {
    const name = `graph drawing ${i + 1} (${host.dataset.graph})`;
    const block = host.closest(".tabbed-block");  // in a content tab: show that tab first
    if (block) {
      const k = [...block.parentNode.children].indexOf(block);
      const label = block.closest(".tabbed-set").querySelectorAll(":scope > .tabbed-labels > label")[k];
      if (label) label.click();
    }
    host.scrollIntoView({block: "center"});  // rendered, if it was deferred (render_later)
    const svg = host.shadowRoot && host.shadowRoot.querySelector("svg");
    if (!svg) { problems.push(`${name}: no drawing`); return; }
    const box = svg.getBoundingClientRect();
    const natural = svg.viewBox.baseVal && svg.viewBox.baseVal.width;
    const scale = natural ? box.width / natural : 1;
    const sizes = [...svg.querySelectorAll("text, foreignObject span, foreignObject div, foreignObject p")]
      .filter(t => (t.textContent || "").trim())
      .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    if (!sizes.length) problems.push(`${name}: no text found`);
    else if (Math.min(...sizes) < 12) problems.push(`${name}: text drawn at ${Math.min(...sizes).toFixed(1)} px (< 12)`);
    if (host.getBoundingClientRect().right > vw + 1) problems.push(`${name}: its box is wider than the screen`);
    if (host.scrollWidth > host.clientWidth + 1) {
      const ox = getComputedStyle(host).overflowX;
      host.scrollLeft = 40;
      const moved = host.scrollLeft > 0;
      host.scrollLeft = 0;
      if (!moved) problems.push(`${name}: wider than its box (${host.scrollWidth} px) and does not scroll (overflow-x ${ox})`);
    }
  });
  return {count: hosts.length, problems};
}
