/* Console: drag a person onto a group (the "Move" menu next to each name does the same
 * with a keyboard or a screen reader). */
(function () {
  "use strict";

  const live = window.AtelierLive;
  if (!live) return;

  document.addEventListener("dragstart", (event) => {
    const person = event.target.closest("[data-participant]");
    if (!person) return;
    event.dataTransfer.setData("text/plain", person.dataset.participant);
    event.dataTransfer.effectAllowed = "move";
  });

  document.addEventListener("dragover", (event) => {
    const box = event.target.closest("[data-drop-group]");
    if (!box) return;
    event.preventDefault();
    box.classList.add("drop-target");
  });

  document.addEventListener("dragleave", (event) => {
    const box = event.target.closest("[data-drop-group]");
    if (box && !box.contains(event.relatedTarget)) box.classList.remove("drop-target");
  });

  document.addEventListener("drop", (event) => {
    const box = event.target.closest("[data-drop-group]");
    if (!box) return;
    event.preventDefault();
    box.classList.remove("drop-target");
    const participant = Number.parseInt(event.dataTransfer.getData("text/plain"), 10);
    if (!participant) return;
    const group = box.dataset.dropGroup === "" ? null : Number.parseInt(box.dataset.dropGroup, 10);
    live.command("participant.move", { participant: participant, group: group }).catch((error) => {
      const message = document.querySelector("#groups [data-command-error]");
      if (message) {
        message.textContent = error.message;
        message.hidden = false;
      }
    });
  });
})();
