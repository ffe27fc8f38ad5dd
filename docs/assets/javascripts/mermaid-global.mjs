// Material for MkDocs draws with the global `mermaid`; mermaid's ESM build defines none.
// mermaid2 imports this module on pages with a diagram (mkdocs.yml: mermaid2.javascript).
import mermaid from "../vendor/mermaid/mermaid.esm.min.mjs";
window.mermaid = mermaid;
export default mermaid;
