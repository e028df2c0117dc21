/* Participant page: write post-its over the live socket, without reloading. */
(function () {
  "use strict";

  const live = window.AtelierLive;
  const form = document.querySelector("form[data-command='postit.create']");
  if (!live || !form) return;

  const text = form.querySelector("textarea");
  const idField = form.querySelector("input[name='client_id']");
  const errorBox = form.querySelector("[data-command-error]");
  const counter = form.querySelector("[data-counter-for]");
  const max = Number(text.getAttribute("maxlength"));
  const counterTemplate = counter.dataset.template || "{count} / {max}";

  function showCount() {
    counter.textContent = counterTemplate
      .replace("{count}", text.value.length)
      .replace("{max}", max);
  }

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = text.value;
    if (!value.trim()) {
      showError(text.dataset.emptyMessage || "");
      text.focus();
      return;
    }
    const color = form.querySelector("input[name='color']:checked");
    const signature = form.querySelector("input[name='signature']");
    const table = form.querySelector("select[name='table']");
    const id = idField.value;
    idField.value = live.newId(); // the next post-it is a new command
    text.value = "";
    showCount();
    showError("");
    const args = { text: value, color: color ? color.value : "yellow" };
    if (signature && signature.value.trim()) args.signature = signature.value; // kept for the next one
    if (table) args.table = Number.parseInt(table.value, 10); // a scribe types for a table
    live
      .command("postit.create", args, id, (slow) => showError(slow.message))
      .then((result) => {
        showError("");
        // Anonymous boards have no author mark: remember which post-its are this page's.
        live.state.mine = (live.state.mine || []).concat([result.postit]);
        document.dispatchEvent(new CustomEvent("live:updated"));
      })
      .catch((error) => {
        if (!text.value) text.value = value; // nothing a person wrote is lost
        showCount();
        showError(error.message);
      });
  });

  /* The queue is the same HTML for everyone; this page finds its own place in it. */
  function showHand() {
    const queue = document.querySelector("#hands");
    const control = document.querySelector(".hand-control");
    if (!queue || !control) return;
    const ids = queue.dataset.queue.trim().split(/\s+/).filter(Boolean);
    const position = ids.indexOf(String(live.state.participant)) + 1;
    control.querySelector("[data-hand=raise]").hidden = position > 0;
    control.querySelector("[data-hand=lower]").hidden = position === 0;
    // A live region: written only when the place changes (not at every live update).
    const place = control.querySelector("[data-hand-position]");
    const text = position > 0 ? control.dataset.positionTemplate.replace("{position}", position) : "";
    if (place.textContent !== text) place.textContent = text;
  }

  /* Post-its written while the connection is down wait in the queue: they show on this
   * screen, marked as not sent yet, until the server has them. */
  const pendingLabel = form.dataset.pendingLabel || "";
  function showPending() {
    document.querySelectorAll(".postit.pending").forEach((element) => element.remove());
    const lane = document.querySelector("#wall .lane-loose .lane-postits");
    const status = document.querySelector("[data-live-status]");
    if (!lane || (status && status.dataset.state === "online")) return;
    for (const item of live.pending()) {
      if (item.name !== "postit.create") continue;
      const card = document.createElement("article");
      card.className = "postit pending postit-" + (item.args.color || "yellow");
      const body = document.createElement("p");
      body.className = "postit-text";
      body.textContent = item.args.text;
      const note = document.createElement("footer");
      note.className = "postit-author";
      note.textContent = pendingLabel;
      card.append(body, note);
      lane.append(card);
    }
  }

  text.addEventListener("input", showCount);
  document.addEventListener("live:queue", showPending);
  document.addEventListener("live:updated", showPending);
  showPending();
  document.addEventListener("live:updated", showHand);
  showHand();
  showCount();
})();
