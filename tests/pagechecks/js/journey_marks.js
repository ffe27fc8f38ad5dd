// 一行代码的旅程: the lines each pane marks now ({stage: [data-line, ...]}), and the panes
// whose marked lines are drawn like their unmarked ones (a mark nobody can see).
() => {
  const marked = {};
  const unseen = [];
  for (const pane of document.querySelectorAll("[data-journey] section[data-stage]")) {
    const hits = [...pane.querySelectorAll(".journey-hit")];
    marked[pane.dataset.stage] = hits.map((el) => Number(el.dataset.line));
    const plain = pane.querySelector(".journey-line:not(.journey-hit)");
    if (hits.length && plain) {
      const hit = getComputedStyle(hits[0]);
      const other = getComputedStyle(plain);
      if (hit.backgroundColor === other.backgroundColor && hit.boxShadow === other.boxShadow) {
        unseen.push(`pane ${pane.dataset.stage}: a marked line is drawn like an unmarked one`);
      }
    }
  }
  return { marked, unseen };
}
