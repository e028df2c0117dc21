/* Deliberation pages: small improvements over forms that already work without JavaScript.
 * htmx swaps the parts that change; this module lets refusals (4xx) show in place, resets
 * a comment form once it is posted, copies share links, and keeps the keyboard focus
 * where the reader is when more comments or replies arrive. */
(function () {
  "use strict";

  // A refusal is an answer too: the server sends the message to show, in place.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-reset")) return;
    if (!event.detail.successful) return;
    form.reset();
    const error = form.querySelector("[role=alert]");
    if (error) error.textContent = "";
    const reply = form.closest("details.reply");
    if (reply) {
      reply.open = false;
      reply.querySelector("summary").focus();
    }
  });

  // "More comments" and "Show replies" replace the link the reader used: focus what came.
  let awaited = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const link = event.detail.elt;
    if (link.matches(".more a, a.show-replies")) {
      awaited = { before: link.closest("li.more")?.previousElementSibling, thread: link.closest(".thread") };
    }
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!awaited) return;
    const { before, thread } = awaited;
    awaited = null;
    let target = null;
    if (before) target = before.nextElementSibling?.querySelector("article");
    else if (thread && thread.id) target = document.querySelector(`#${thread.id} ol.replies`);
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });

  // Share links: the address is in a read-only field anyone can select; the button copies it.
  function copy(button) {
    const input = document.getElementById(button.dataset.copy);
    const status = button.closest(".share")?.querySelector("[data-copy-status]");
    const done = () => {
      if (status) status.textContent = button.dataset.copied;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, () => {
        input.select();
      });
    } else {
      input.select();
      if (document.execCommand("copy")) done();
    }
  }

  function ready() {
    for (const button of document.querySelectorAll("button[data-copy]")) button.hidden = false;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-copy]");
    if (button) copy(button);
  });
  document.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-share-input]")) event.target.select();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
