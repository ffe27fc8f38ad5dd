// 一行代码的旅程: choose each line with a data-src-line in every pane but the source, one
// after another; for each, what it says it came from and what every pane marked then.
() => {
  const panes = [...document.querySelectorAll("[data-journey] section[data-stage]")];
  const found = [];
  for (const pane of panes) {
    if (pane.dataset.stage === "source") continue;
    for (const line of pane.querySelectorAll("[data-src-line]")) {
      line.click();
      const marked = {};
      for (const p of panes) {
        marked[p.dataset.stage] = [...p.querySelectorAll(".journey-hit")].map((el) => Number(el.dataset.line));
      }
      found.push({
        stage: pane.dataset.stage,
        line: Number(line.dataset.line),
        src: line.dataset.srcLine.split(" ").map(Number),
        marked,
      });
    }
  }
  return found;
}
