// MathJax as Anki's reviewer sets it up (aqt's mathjax.js): \( \) inline, \[ \] display, no $ delimiters.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: false,
    processEnvironments: false,
    processRefs: false,
    packages: { "[+]": ["noerrors", "mathtools"], "[-]": ["textmacros"] }
  },
  options: { enableMenu: false },
  loader: { paths: { mathjax: new URL("mathjax", document.currentScript.src).href } },
  startup: { typeset: true }
};
