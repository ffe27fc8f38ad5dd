// The site draws a diagram when it comes near the viewport
// (docs/assets/javascripts/mermaid-global.mjs): bring each into view, as a reader scrolling
// down the page would, then go back to the top. Drawing goes on after this returns.
async () => {
  for (const el of document.querySelectorAll("pre.mermaid, div.mermaid")) {
    el.scrollIntoView({ block: "center" });
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
  }
  window.scrollTo(0, 0);
}
