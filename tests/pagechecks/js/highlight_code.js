// Code blocks below the first ones of a page are highlighted when they come near the viewport
// (docs/assets/javascripts/lazy-highlight.js). byScrolling: bring each shown block into view,
// as a reader scrolling down would, then go back to the top; otherwise fire `beforeprint` (the
// print path). Returns how many shown blocks are still plain text afterwards; blocks in a
// closed <details> or an inactive tab are highlighted when opened, so are not counted (they
// are then highlighted through `beforeprint`, for the colour checks that follow).
async (byScrolling) => {
  const waiting = () => [...document.querySelectorAll("template[data-lazy-highlight]")];
  const block = (template) => template.closest("pre") || template.parentElement;
  // not in a closed <details> (its content is content-visibility: hidden) nor a hidden tab
  const shown = (el) => (el.checkVisibility ? el.checkVisibility() : el.getClientRects().length > 0);
  if (byScrolling) {
    for (const template of waiting()) {
      if (!template.isConnected || !shown(block(template))) continue;
      block(template).scrollIntoView({ block: "center" });
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 30)));
    }
    window.scrollTo(0, 0);
    // blocks that came due are highlighted one per frame: let the queue drain (3 s at most)
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && waiting().some((t) => t.isConnected && shown(block(t)))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const plain = waiting().filter((t) => shown(block(t))).length;
  window.dispatchEvent(new Event("beforeprint"));
  return byScrolling ? plain : waiting().length;
}
