/* The post-it board: one's own post-its, moving them (touch, mouse or keyboard), dot votes,
 * vote counts, and the facilitators' merge and "group similar ideas" tools.
 *
 * The board's HTML is the same for everyone who sees it; this script reveals what is this
 * viewer's (data-author) and sends commands over the live socket (live.js). */
(function () {
  "use strict";

  const live = window.AtelierLive;
  if (!live) return;
  const body = document.body;
  const help = document.getElementById("move-help");
  const announcer = document.getElementById("board-announcer");
  let myDots = (live.state.dots && live.state.dots.mine) || {};
  let dotsPhase = live.state.dots ? live.state.dots.phase : null;
  let dotsLeft = live.state.dots ? live.state.dots.left : null;
  // The grip moved with the keyboard: once the server redraws its lane (a new element),
  // the focus goes back to it.
  let refocus = null; // {id, grip}

  function say(message) {
    if (!announcer || !message) return;
    announcer.textContent = "";
    window.setTimeout(() => (announcer.textContent = message), 50);
  }

  function template(element, name, values) {
    let text = element.dataset[name] || "";
    for (const [key, value] of Object.entries(values)) text = text.replace("{" + key + "}", value);
    return text;
  }

  /* --- What is mine, what the rules allow ----------------------------------------- */

  function boardIsOpen() {
    const rules = document.getElementById("board-rules");
    return Boolean(rules && rules.dataset.open === "true");
  }

  function refresh() {
    const mine = new Set((live.state.mine || []).map(String));
    document.querySelectorAll(".postit[data-postit]").forEach((postit) => {
      const own = postit.dataset.author
        ? postit.dataset.author === live.state.author
        : mine.has(postit.dataset.postit);
      postit.classList.toggle("mine", own);
    });
    // Post-its come and go one by one: each lane counts its own.
    document.querySelectorAll(".lane").forEach((lane) => {
      const count = lane.querySelector(".lane-count");
      if (count) count.textContent = "(" + lanePostits(lane, null).length + ")";
    });
    body.classList.toggle("board-open", boardIsOpen());
    const toggle = document.getElementById("board-open");
    if (toggle && document.activeElement !== toggle) toggle.checked = boardIsOpen();
    const now = document.getElementById("now");
    const vote = now && now.dataset.vote ? Number(now.dataset.vote) : null;
    // Dots go on while the vote runs; a pause keeps what was placed.
    body.classList.toggle("voting", vote !== null && "voteRunning" in now.dataset);
    if (vote === null) {
      dotsLeft = null;
    } else if (vote !== dotsPhase) {
      // Another vote: nobody has placed a dot in it yet.
      dotsPhase = vote;
      myDots = {};
      dotsLeft = Number(now.dataset.dots);
    }
    showMyDots();
    showCounts();
    if (refocus !== null) {
      const grip = document.getElementById("grip-" + refocus.id);
      if (grip && grip !== refocus.grip) {
        grip.focus();
        refocus = null;
      }
    }
  }

  /* --- Dot votes ------------------------------------------------------------------ */

  function showMyDots() {
    document.querySelectorAll("[data-my-dots-for]").forEach((element) => {
      const count = myDots[element.dataset.myDotsFor] || 0;
      // A live region: written only when it changes, or screen readers hear it again at
      // every redraw of the board.
      const dots = "●".repeat(count);
      if (element.textContent !== dots) element.textContent = dots;
      const card = element.closest(".postit, .shared-conclusion");
      if (card) card.classList.toggle("voted", count > 0);
    });
    const left = document.querySelector("[data-dots-left]");
    if (!left) return;
    if (dotsLeft === null) {
      left.textContent = "";
    } else if (dotsLeft === 0) {
      left.textContent = left.dataset.templateNone;
    } else {
      const name = dotsLeft === 1 ? "templateOne" : "templateMany";
      left.textContent = template(left, name, { count: dotsLeft });
    }
  }

  function showCounts() {
    document.querySelectorAll("[data-dots-for]").forEach((element) => {
      element.hidden = true;
    });
    for (const tally of Object.values(live.tallies)) {
      if (tally.topic !== "board" || !tally.visible) continue;
      for (const [postit, count] of Object.entries(tally.counts)) {
        const element = document.querySelector(`[data-dots-for="${postit}"]`);
        if (!element) continue;
        element.textContent = "● " + count;
        element.hidden = false;
      }
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-vote]");
    if (!button) return;
    const name = button.dataset.vote === "add" ? "dot.add" : "dot.remove";
    // A dot goes on a post-it, or on a group's conclusion shared with the plenary.
    const target = button.dataset.conclusion
      ? { conclusion: Number(button.dataset.conclusion) }
      : { postit: Number(button.dataset.postit) };
    button.setAttribute("aria-busy", "true");
    live
      .command(name, target)
      .then((result) => {
        myDots = result.mine;
        dotsLeft = result.left;
        dotsPhase = result.phase;
        showMyDots();
      })
      .catch((error) => {
        say(error.message);
        // Shown too, where the dots left are counted, not only told to screen readers.
        const left = document.querySelector("[data-dots-left]");
        if (left) left.textContent = error.message;
      })
      .finally(() => button.removeAttribute("aria-busy"));
  });

  /* --- Moving post-its ------------------------------------------------------------ */

  function laneOf(element) {
    return element.closest(".lane");
  }

  function laneCluster(lane) {
    return lane.dataset.cluster ? Number(lane.dataset.cluster) : null;
  }

  function lanePostits(lane, except) {
    return Array.from(lane.querySelectorAll(".lane-postits > .postit")).filter(
      (postit) => postit !== except
    );
  }

  function sendMove(postit, lane, index) {
    const args = { postit: Number(postit.dataset.postit), cluster: laneCluster(lane), index: index };
    return live.command("postit.move", args).catch((error) => {
      refocus = null; // refused: nothing will be redrawn
      say(error.message);
      return Promise.reject(error);
    });
  }

  function describePlace(postit) {
    const lane = laneOf(postit);
    if (!lane || !help) return "";
    const siblings = lanePostits(lane, null);
    const title = lane.querySelector(".lane-header h3");
    return template(help, "placeTemplate", {
      position: siblings.indexOf(postit) + 1,
      count: siblings.length,
      lane: title ? title.firstChild.textContent.trim() : "",
    });
  }

  /* Keyboard: arrows up and down within the lane, left and right to the next lane. */
  document.addEventListener("keydown", (event) => {
    const grip = event.target.closest("[data-grip]");
    if (!grip || !["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].includes(event.key)) return;
    event.preventDefault();
    const postit = grip.closest(".postit");
    const lane = laneOf(postit);
    const lanes = Array.from(lane.closest(".lanes").querySelectorAll(":scope > .lane"));
    const index = lanePostits(lane, null).indexOf(postit);
    let target = lane;
    let targetIndex = index;
    if (event.key === "ArrowUp") targetIndex = Math.max(0, index - 1);
    if (event.key === "ArrowDown") targetIndex = index + 1;
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      target = lanes[lanes.indexOf(lane) + (event.key === "ArrowLeft" ? -1 : 1)];
      if (!target) return;
      targetIndex = lanePostits(target, postit).length;
    }
    if (target === lane && targetIndex === index) return;
    if (target === lane && targetIndex >= lanePostits(lane, null).length) return;
    refocus = { id: postit.dataset.postit, grip: grip };
    sendMove(postit, target, targetIndex).then(() => announcePlace(postit));
  });

  /* Say where a moved post-it is once the server's redraw shows it: the ack usually comes
   * before the event that redraws the lanes (after 3 s, say what the page shows). */
  function announcePlace(postit) {
    const id = "postit-" + postit.dataset.postit;
    let fallback = null;
    function announce(force) {
      const moved = document.getElementById(id);
      if (moved === postit && !force) return false; // not redrawn yet
      document.removeEventListener("live:updated", onUpdate);
      window.clearTimeout(fallback);
      if (moved) say(describePlace(moved));
      return true;
    }
    function onUpdate() {
      announce(false);
    }
    if (announce(false)) return;
    document.addEventListener("live:updated", onUpdate);
    fallback = window.setTimeout(() => announce(true), 3000);
  }

  /* Touch and mouse: drag a post-it by its grip to a place in any lane. */
  let drag = null;

  document.addEventListener("pointerdown", (event) => {
    const grip = event.target.closest("[data-grip]");
    if (!grip || event.button > 0) return;
    if (drag) return; // one finger drags; a second one does nothing
    const postit = grip.closest(".postit");
    drag = {
      grip,
      postit,
      pointer: event.pointerId,
      startX: event.clientX,
      startY: event.clientY,
      moving: false,
    };
    grip.setPointerCapture(event.pointerId);
  });

  /* A lane redrawn by someone else's move replaces the dragged element: follow the new one. */
  function currentDragged() {
    if (!drag.postit.isConnected) {
      const again = document.getElementById(drag.postit.id);
      if (again) {
        again.classList.toggle("dragging", drag.moving);
        drag.postit = again;
      }
    }
    return drag.postit;
  }

  document.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointer) return;
    currentDragged();
    const dx = event.clientX - drag.startX;
    const dy = event.clientY - drag.startY;
    if (!drag.moving && Math.hypot(dx, dy) < 6) return;
    if (!drag.moving) {
      drag.moving = true;
      drag.postit.classList.add("dragging");
      drag.marker = document.createElement("div");
      drag.marker.className = "drop-marker";
    }
    drag.postit.style.transform = `translate(${dx}px, ${dy}px)`;
    const place = dropPlace(event.clientX, event.clientY);
    if (place) {
      const list = place.lane.querySelector(".lane-postits");
      const before = lanePostits(place.lane, drag.postit)[place.index] || null;
      list.insertBefore(drag.marker, before);
    } else if (drag.marker.parentNode) {
      drag.marker.remove();
    }
    autoScroll(event.clientY);
  });

  function dropPlace(x, y) {
    drag.postit.style.visibility = "hidden"; // see what is under the finger
    const under = document.elementFromPoint(x, y);
    drag.postit.style.visibility = "";
    const lane = under && under.closest(".lane");
    if (!lane || lane.closest(".board") !== drag.postit.closest(".board")) return null;
    const others = lanePostits(lane, drag.postit);
    let index = others.length;
    for (let i = 0; i < others.length; i += 1) {
      // In reading order: the finger is before a post-it above its row, or over its upper
      // half and not to its right (a lane alone may show two columns on a wide phone).
      const box = others[i].getBoundingClientRect();
      if (y < box.top || (y < box.top + box.height / 2 && x < box.right)) {
        index = i;
        break;
      }
    }
    return { lane, index };
  }

  function autoScroll(y) {
    const edge = 60;
    if (y < edge) window.scrollBy(0, -12);
    else if (y > window.innerHeight - edge) window.scrollBy(0, 12);
  }

  function endDrag(event, cancelled) {
    if (!drag || (event.pointerId !== undefined && event.pointerId !== drag.pointer)) return;
    const postit = currentDragged();
    const { moving, marker } = drag;
    const place = moving && !cancelled ? dropPlace(event.clientX, event.clientY) : null;
    postit.classList.remove("dragging");
    postit.style.transform = "";
    if (marker) marker.remove();
    drag = null;
    if (!place) return;
    const lane = laneOf(postit);
    const index = lanePostits(lane, null).indexOf(postit);
    if (place.lane === lane && place.index === index) return;
    // Shown at once where it was dropped; the server's redraw confirms it.
    const origin = { parent: postit.parentNode, next: postit.nextSibling };
    const list = place.lane.querySelector(".lane-postits");
    list.insertBefore(postit, lanePostits(place.lane, postit)[place.index] || null);
    sendMove(postit, place.lane, place.index).catch(() => {
      if (!origin.parent.isConnected) return; // redrawn meanwhile: the page is right
      const next = origin.next && origin.next.parentNode === origin.parent ? origin.next : null;
      origin.parent.insertBefore(postit, next);
    });
  }

  document.addEventListener("pointerup", (event) => endDrag(event, false));
  document.addEventListener("pointercancel", (event) => endDrag(event, true));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && drag) endDrag(event, true);
  });

  /* --- Facilitators: merge duplicates, group similar ideas ------------------------ */

  const mergeDialog = document.getElementById("merge-dialog");
  if (mergeDialog) {
    const select = mergeDialog.querySelector("select");
    const error = mergeDialog.querySelector("[data-command-error]");
    let merging = null;
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-merge]");
      if (!button) return;
      merging = button.closest(".postit");
      select.replaceChildren();
      merging
        .closest(".board")
        .querySelectorAll(".postit")
        .forEach((postit) => {
          if (postit === merging) return;
          const text = postit.querySelector(".postit-text").textContent.trim();
          select.add(new Option(text.length > 80 ? text.slice(0, 79) + "…" : text, postit.dataset.postit));
        });
      error.hidden = true;
      mergeDialog.showModal();
    });
    mergeDialog.querySelector("form").addEventListener("submit", (event) => {
      if (event.submitter && event.submitter.value === "cancel") return;
      event.preventDefault();
      if (!merging || !select.value) return;
      live
        .command("postit.merge", { postit: Number(merging.dataset.postit), into: Number(select.value) })
        .then(() => mergeDialog.close())
        .catch((failure) => {
          error.textContent = failure.message;
          error.hidden = false;
        });
    });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-suggest]");
    if (!button) return;
    const box = button.closest(".board-details").querySelector(".suggestions");
    const url = button.dataset.suggestUrl + "?group=" + encodeURIComponent(button.dataset.suggest);
    button.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response)))
      .then((html) => {
        box.innerHTML = html;
        const first = box.querySelector("input, button");
        if (first) first.focus();
      })
      .catch(() => say(box.dataset.errorMessage || ""))
      .finally(() => button.removeAttribute("aria-busy"));
  });

  /* The conclusion editors stay folded until the phase of writing the conclusion starts:
   * then they open by themselves (a page loaded later renders them open). */
  function unfoldConclusionsWhenWriting() {
    const now = document.getElementById("now");
    if (!now || !["write", "share"].includes(now.dataset.activity)) return;
    document.querySelectorAll("details[data-unfold-when-writing]:not([open])").forEach((fold) => {
      fold.open = true;
    });
  }

  document.addEventListener("live:updated", refresh);
  document.addEventListener("live:updated", unfoldConclusionsWhenWriting);
  document.addEventListener("live:tally", showCounts);
  refresh();
})();
