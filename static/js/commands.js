/* Buttons and forms that send a live command: data-command="name", arguments from
 * data-arg-* attributes (buttons) or named fields (forms; data-type="int" for numbers).
 * Delegated on the document, so fragments swapped in by live events work too. */
(function () {
  "use strict";

  const live = window.AtelierLive;
  if (!live) return;

  function parse(value, type) {
    if (value === "true" || value === "false") return value === "true"; // data-arg-locked="true"
    return type === "int" || /^-?\d+$/.test(value) ? Number.parseInt(value, 10) : value;
  }

  function buttonArgs(button) {
    const args = {};
    for (const [key, value] of Object.entries(button.dataset)) {
      if (key.startsWith("arg") && key.length > 3) {
        args[key[3].toLowerCase() + key.slice(4)] = parse(value);
      }
    }
    return args;
  }

  function fieldValue(field) {
    switch (field.dataset.type) {
      case "int":
        return Number.parseInt(field.value, 10);
      case "id": // an id, or null for "none" (e.g. the plenary)
        return field.value === "" ? null : Number.parseInt(field.value, 10);
      case "bool":
        return field.checked;
      case "lines": // one item per non-empty line
        return field.value.split("\n").map((line) => line.trim()).filter(Boolean);
      default:
        return field.value;
    }
  }

  function formArgs(form) {
    const args = {};
    for (const field of form.elements) {
      if (!field.name || field.disabled) continue;
      if (field.dataset.type === "int-list") {
        // Checkboxes sharing a name: the list of those ticked (possibly empty).
        args[field.name] = args[field.name] || [];
        if (field.checked) args[field.name].push(Number.parseInt(field.value, 10));
        continue;
      }
      const choice = field.type === "radio" || field.type === "checkbox";
      if (choice && !field.checked && field.dataset.type !== "bool") continue;
      args[field.name] = fieldValue(field);
    }
    return args;
  }

  function showError(origin, message) {
    const scope = origin.closest("form, article, section, .card") || document;
    const box = scope.querySelector("[data-command-error]");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  function send(origin, name, args, onDone) {
    showError(origin, "");
    origin.setAttribute("aria-busy", "true");
    live
      .command(name, args, undefined, (slow) => showError(origin, slow.message))
      .then(() => {
        showError(origin, "");
        if (onDone) onDone();
        // A suggestion taken leaves the list it came from.
        const done = origin.closest("[data-done='remove']");
        if (done) (done.closest("li") || done).remove();
      })
      .catch((error) => showError(origin, error.message))
      .finally(() => origin.removeAttribute("aria-busy"));
  }

  /* A dismissed broadcast stays hidden on this device, even when the region is redrawn. */
  function hideDismissedBroadcast() {
    const banner = document.querySelector("[data-broadcast]");
    if (banner && sessionStorage.getItem("atelier.dismissed") === banner.dataset.broadcast) {
      banner.hidden = true;
    }
  }
  document.addEventListener("click", (event) => {
    const dismiss = event.target.closest("[data-dismiss-broadcast]");
    if (!dismiss) return;
    const banner = dismiss.closest("[data-broadcast]");
    sessionStorage.setItem("atelier.dismissed", banner.dataset.broadcast);
    banner.hidden = true;
  });
  document.addEventListener("live:updated", hideDismissedBroadcast);
  hideDismissedBroadcast();

  document.addEventListener("click", (event) => {
    const ignore = event.target.closest("[data-dismiss-suggestion]");
    if (ignore) ignore.closest("form").remove();
  });

  /* A checkbox that applies at once (e.g. opening the boards to everyone). */
  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-submit-on-change]");
    if (field && field.form) field.form.requestSubmit();
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-command]");
    // A submit button belongs to its form's command; a plain button sends its own.
    if (!button || (button.form && button.type === "submit")) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    send(button, button.dataset.command, buttonArgs(button));
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-command]");
    if (!form || form.dataset.command === "postit.create") return; // participant.js owns it
    event.preventDefault();
    send(form, form.dataset.command, formArgs(form), () => {
      if (form.dataset.reset === "true") form.reset();
    });
  });
})();
