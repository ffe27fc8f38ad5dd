// Material for MkDocs draws each diagram with the global `mermaid` (mermaid.initialize once,
// then mermaid.render(id, source) per <pre class="mermaid">, in page order, at load);
// mermaid's ESM build defines no global. mermaid2 imports this module on pages with a
// diagram (mkdocs.yml: mermaid2.javascript).
//
// The global set here is a stand-in that draws lazily: a diagram's render waits until its
// block comes within half a screen of the viewport (or the page is printed), and mermaid itself
// is imported only when the first diagram is due. A page whose diagrams lie below the fold
// neither downloads nor runs mermaid at load; a reader who scrolls sees them drawn.
const MODULE = "../vendor/mermaid/mermaid.esm.min.mjs";
const AHEAD = "50% 0px"; // start half a screen before the diagram scrolls into view

let settings = null;
let loaded = null;
const load = () => (loaded ??= import(MODULE).then(({ default: mermaid }) => {
  if (settings) mermaid.initialize(settings);
  return mermaid;
}));

// Blocks whose render is waiting, and a way to release them all (print).
const waiting = new Map();
const release = (block) => {
  const go = waiting.get(block);
  if (go) { waiting.delete(block); go(); }
};
const observer = "IntersectionObserver" in window
  ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); release(entry.target); }
      }
    }, { rootMargin: AHEAD })
  : null;
window.addEventListener("beforeprint", () => { for (const block of [...waiting.keys()]) release(block); });

const claimed = new WeakSet();
function near(source) {
  // The block being drawn: the first not yet claimed <pre class="mermaid"> with this source
  // (Material calls render while the block is still in the page, in page order).
  const block = [...document.querySelectorAll("pre.mermaid")]
    .find((el) => !claimed.has(el) && el.textContent === source);
  if (!block || !observer) return Promise.resolve();
  claimed.add(block);
  return new Promise((resolve) => {
    waiting.set(block, resolve);
    observer.observe(block);
  });
}

const lazyMermaid = {
  initialize(config) {
    // Mermaid outlines subgraphs and some shapes with rough.js, which jitters each path with
    // a random seed unless given one: with a fixed seed the same source draws the same SVG, so
    // `make diagrams` leaves the stored drawings of unchanged diagrams alone.
    settings = { ...config, handDrawnSeed: 1 };
    if (loaded) loaded.then((mermaid) => mermaid.initialize(settings));
  },
  async render(id, source, ...rest) {
    await near(source);
    const mermaid = await load();
    return mermaid.render(id, source, ...rest);
  },
  // For `make diagrams` (sitekit/diagrams.py): draw now with Material's settings.
  get initialized() { return settings !== null; },
  async renderNow(id, source) { return (await load()).render(id, source); },
  // Anything else Material or a reader's console asks for: from the real module.
  async run(...args) { return (await load()).run(...args); },
};

window.mermaid = lazyMermaid;
export default lazyMermaid;
