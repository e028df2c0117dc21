/* Poll cards on the participant page: send an answer, change it, see it kept.
 *
 * Cards are the same HTML for everyone; this page fills in its own answers (from its
 * live state, then from each acknowledgement) after every redraw. */
(function () {
  "use strict";

  const live = window.AtelierLive;
  if (!live) return;
  const answers = Object.assign({}, live.state.answers || {});

  function answerOf(form, kind) {
    if (kind === "multiple") {
      return Array.from(form.querySelectorAll("input[name=answer]:checked"), (box) =>
        Number.parseInt(box.value, 10)
      );
    }
    if (kind === "single" || kind === "scale") {
      const chosen = form.querySelector("input[name=answer]:checked");
      return chosen ? Number.parseInt(chosen.value, 10) : null;
    }
    return form.querySelector("[name=answer]").value;
  }

  function fill(form, kind, answer) {
    if (answer === undefined || answer === null) return;
    if (kind === "single" || kind === "scale" || kind === "multiple") {
      // A choice on screen is the person's, not sent yet (or kept through a redraw): a
      // live update must not put the saved answer back over it, like a typed text below.
      if (!form.querySelector("input[name=answer]:checked")) {
        const chosen = [].concat(answer).map(String);
        form.querySelectorAll("input[name=answer]").forEach((input) => {
          input.checked = chosen.includes(input.value);
        });
      }
    } else {
      const field = form.querySelector("[name=answer]");
      if (field && !field.value) field.value = answer;
    }
    const status = form.querySelector("[data-poll-status]");
    if (status && !status.textContent) status.textContent = status.dataset.textSaved;
  }

  function showError(form, message) {
    const box = form.querySelector("[data-command-error]");
    box.textContent = message || "";
    box.hidden = !message;
  }

  function refresh() {
    document.querySelectorAll("form[data-poll-form]").forEach((form) => {
      const card = form.closest("[data-poll]");
      if (card.dataset.perPerson === "true" && document.body.classList.contains("tablet")) return;
      fill(form, card.dataset.kind, answers[form.dataset.pollForm]);
    });
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-poll-form]");
    if (!form) return;
    event.preventDefault();
    const card = form.closest("[data-poll]");
    const poll = Number.parseInt(form.dataset.pollForm, 10);
    const answer = answerOf(form, card.dataset.kind);
    const status = form.querySelector("[data-poll-status]");
    showError(form, "");
    status.textContent = "";
    form.setAttribute("aria-busy", "true");
    live
      .command("poll.answer", { poll: poll, answer: answer })
      .then((result) => {
        const nextPerson = result.respondent > 0;
        if (nextPerson) {
          form.reset(); // each person at the table answers in turn
        } else {
          answers[poll] = answer;
        }
        status.textContent = nextPerson ? status.dataset.textNext : status.dataset.textSaved;
      })
      .catch((error) => showError(form, error.message))
      .finally(() => form.removeAttribute("aria-busy"));
  });

  document.addEventListener("live:updated", refresh);
  refresh();
})();
