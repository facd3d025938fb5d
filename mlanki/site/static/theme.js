// Before the page paints: night mode as the reader chose it last time, else as the system prefers.
(function () {
  var saved = null;
  try { saved = localStorage.getItem("mlanki-night"); } catch (e) {}
  var night = saved === null ? window.matchMedia("(prefers-color-scheme: dark)").matches : saved === "1";
  document.documentElement.classList.toggle("night-mode", night);
})();
