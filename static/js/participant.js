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

  function markMine(root) {
    root.querySelectorAll("[data-author]").forEach((element) => {
      element.classList.toggle("mine", element.dataset.author === String(live.state.participant));
    });
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
    const id = idField.value;
    idField.value = live.newId(); // the next post-it is a new command
    text.value = "";
    showCount();
    showError("");
    live
      .command("postit.create", { text: value, color: color ? color.value : "yellow" }, id)
      .catch((error) => {
        if (!text.value) text.value = value; // nothing a person wrote is lost
        showCount();
        showError(error.message);
      });
  });

  text.addEventListener("input", showCount);
  document.addEventListener("live:event", () => markMine(document));
  markMine(document);
  showCount();
})();
