/*
 * Highlighting on demand. Below the first code blocks of a page, a block arrives as plain
 * text with its highlighted markup (a <span> per token) in a <template data-lazy-highlight>
 * inside it (sitekit/postprocess.py defer_highlighting): at load the browser neither styles
 * nor lays out those thousands of spans. A block gets its colours when it comes within a
 * screen of the viewport (one block per frame), and every block does before the page is
 * printed. Its text never changes, so copy buttons, find-in-page and the 运行 buttons see the
 * same code.
 */
(function () {
  "use strict";
  var templates = document.querySelectorAll("template[data-lazy-highlight]");
  if (!templates.length) return;

  function highlight(template) {
    var holder = template.parentNode;
    if (!holder) return;
    // Only a block still as it was built (its text and the template); a block something else
    // has changed since (a 运行 cell, search marks) keeps its plain text.
    for (var node = holder.firstChild; node; node = node.nextSibling) {
      if (node !== template && node.nodeType !== Node.TEXT_NODE) return;
    }
    holder.replaceChildren(template.content);
  }

  // Blocks come due in batches (all those within reach at load, say); they are highlighted one
  // per frame, so no single task styles the spans of many blocks at once.
  var queue = [];
  var pumping = false;
  function pump() {
    var template = queue.shift();
    if (template) highlight(template);
    if (queue.length) requestAnimationFrame(function () { setTimeout(pump, 0); });
    else pumping = false;
  }

  var waiting = new Map();
  function release(block) {
    var template = waiting.get(block);
    if (!template) return;
    waiting.delete(block);
    if (observer) observer.unobserve(block);
    queue.push(template);
    if (!pumping) { pumping = true; setTimeout(pump, 0); }
  }
  var observer = "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) { if (entry.isIntersecting) release(entry.target); });
      }, { rootMargin: "100% 0px" })
    : null;
  templates.forEach(function (template) {
    var block = template.closest("pre") || template.parentNode;
    waiting.set(block, template);
    if (observer) observer.observe(block);
  });
  if (!observer) Array.from(waiting.keys()).forEach(release);
  window.addEventListener("beforeprint", function () {
    // printing cannot wait for frames: everything now
    Array.from(waiting.keys()).forEach(release);
    queue.splice(0).forEach(highlight);
  });
})();
