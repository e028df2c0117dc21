/* The conclusion editor (Yjs and ProseMirror: by far the heaviest script) is fetched only
 * when the page shows a group's conclusion to write: a phone in the plenary never
 * downloads it. The editor scans the page itself once loaded (static/src/conclusion.js). */
(function () {
  "use strict";

  const source = document.currentScript && document.currentScript.dataset.editor;
  let requested = false;

  function loadWhenNeeded() {
    if (requested || !source || !document.querySelector("section[data-conclusion]")) return;
    requested = true;
    const script = document.createElement("script");
    script.src = source;
    document.head.appendChild(script);
  }

  loadWhenNeeded();
  // Regions fetched again (breakouts opened, a move to a group) may bring the editor.
  document.addEventListener("live:updated", loadWhenNeeded);
  document.addEventListener("htmx:load", loadWhenNeeded);
})();
