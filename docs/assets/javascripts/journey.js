// The journey page (docs/journey.md): choosing a line of a pane marks, in every pane, the lines
// that came from the same source lines. The panes and each line's `data-src-line` are built
// by sitekit/journey.py from the snippet's captured output; this file only reads them.
// Loaded by that page alone. Without it the page still shows every pane and the table.
(() => {
  const root = document.querySelector("[data-journey]");
  if (!root) return;
  const HIT = "journey-hit";
  const CHOSEN = "journey-chosen";
  const panes = [...root.querySelectorAll(".journey-pane")];
  const mapped = [...root.querySelectorAll(".journey-pane [data-src-line]")];
  const status = root.querySelector(".journey-status");
  const hint = status ? status.textContent : "";
  const numbers = (el) => el.dataset.srcLine.split(" ");
  let chosen = null;

  // Every mapped line is a button. All source lines are in the tab order; in the other panes
  // one line is (roving tabindex), the arrow keys move within the pane.
  for (const pane of panes) {
    const own = [...pane.querySelectorAll("[data-src-line]")];
    if (own.length) pane.querySelector(".journey-code").removeAttribute("tabindex");
    own.forEach((el, i) => {
      el.setAttribute("role", "button");
      el.setAttribute("aria-pressed", "false");
      el.tabIndex = i === 0 || pane.dataset.stage === "source" ? 0 : -1;
    });
  }

  function choose(el) {
    const wanted = el && el !== chosen ? numbers(el) : [];
    chosen = wanted.length ? el : null;
    for (const line of mapped) {
      line.classList.toggle(HIT, wanted.length > 0 && numbers(line).some((n) => wanted.includes(n)));
      line.classList.toggle(CHOSEN, line === chosen);
      line.setAttribute("aria-pressed", String(line === chosen));
    }
    const counts = [];
    for (const pane of panes) {
      const box = pane.querySelector(".journey-code");
      const hits = pane.querySelectorAll("." + HIT);
      if (pane.dataset.stage !== "source") counts.push(`${pane.dataset.label} ${hits.length} 行`);
      // The pane scrolls, by itself only, to its first marked line (not the one chosen in).
      if (hits.length && box && !pane.contains(el) && box.scrollHeight > box.clientHeight) {
        box.scrollTop = hits[0].offsetTop - box.clientHeight / 4;
      }
    }
    if (status) {
      status.textContent = wanted.length ? `第 ${wanted.join("、")} 行 → ${counts.join("，")}` : hint;
    }
  }

  root.addEventListener("click", (event) => {
    const line = event.target.closest(".journey-pane [data-src-line]");
    if (line) choose(line);
  });
  root.addEventListener("keydown", (event) => {
    const line = event.target.closest && event.target.closest(".journey-pane [data-src-line]");
    if (!line) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      choose(line);
    } else if (event.key === "Escape") {
      choose(null);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const own = [...line.closest(".journey-pane").querySelectorAll("[data-src-line]")];
      const next = own[own.indexOf(line) + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) {
        event.preventDefault();
        if (line.tabIndex === 0 && line.closest("[data-stage]").dataset.stage !== "source") {
          line.tabIndex = -1;
          next.tabIndex = 0;
        }
        next.focus();
      }
    }
  });
})();
