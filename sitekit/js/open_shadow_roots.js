// Material draws mermaid diagrams inside a *closed* shadow root; open it so that the
// tests and the page-weight benchmark can see whether a diagram was drawn.
(() => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    return attach.call(this, Object.assign({}, init, { mode: "open" }));
  };
})();
