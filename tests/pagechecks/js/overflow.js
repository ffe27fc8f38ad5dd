() => {
  const vw = document.documentElement.clientWidth;
  const scrollables = "pre, code, table, .md-typeset__scrollwrap, .highlight, .mermaid, .md-sidebar, .md-search, .md-nav, .md-tooltip, .md-dialog, mjx-container, .katex-display";
  const offenders = [];
  for (const el of document.querySelectorAll(".md-container *")) {
    if (el.closest(scrollables)) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || style.position === "fixed") continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > vw + 1 || r.left < -1) {
      // Report the outermost offender only.
      if (offenders.some(o => o.el.contains(el))) continue;
      const id = el.id ? "#" + el.id : "";
      const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
      offenders.push({el, desc: `<${el.tagName.toLowerCase()}${id}${cls}> ${Math.round(r.left)}..${Math.round(r.right)} px: ${(el.textContent || "").trim().slice(0, 50)}`});
    }
  }
  const tables = [...document.querySelectorAll(".md-typeset table:not(.highlighttable)")].map((t, i) => {
    const wrap = t.closest(".md-typeset__scrollwrap");
    if (!wrap) return `table ${i + 1} is not inside a scroll wrapper`;
    const ox = getComputedStyle(wrap).overflowX;
    if (!["auto", "scroll"].includes(ox)) return `table ${i + 1}: wrapper overflow-x is ${ox}`;
    if (wrap.getBoundingClientRect().right > vw + 1) return `table ${i + 1}: wrapper is wider than the screen`;
    if (wrap.scrollWidth > wrap.clientWidth) {
      wrap.scrollLeft = 40;
      const moved = wrap.scrollLeft > 0;
      wrap.scrollLeft = 0;
      if (!moved) return `table ${i + 1} is wider than the screen and does not scroll`;
    }
    return null;
  }).filter(Boolean);
  return {
    pageWidth: document.documentElement.scrollWidth, vw,
    offenders: offenders.map(o => o.desc), tables,
  };
}
