/* Atelier live socket: one per page.
 *
 * Tracks the last sequence applied on each stream, detects gaps and resyncs, queues
 * commands while offline (kept in localStorage, resent with the same ids, so the server
 * applies each once), and applies the server's HTML fragments with htmx's swap API.
 * The protocol is described in docs/protocol.md.
 */
(function () {
  "use strict";

  const stateElement = document.getElementById("live-state");
  if (!stateElement) return;
  const state = JSON.parse(stateElement.textContent);
  const last = Object.assign({}, state.streams); // stream -> last applied sequence
  const tallies = {}; // "topic stream" -> the newest tally frame (vote counts), by version
  const queueKey = "atelier.queue." + state.url;
  const waiting = new Map(); // command id -> {resolve, reject}
  // command id -> the socket it last went out on. That socket answers it (frames arrive in
  // order and each gets a reply), so a welcome on the same socket (after a gap) does not
  // send it again: under load, every gap resending the whole queue fed a retry storm.
  const carriedBy = new Map();
  const HEARTBEAT_MS = 25000;
  const PONG_TIMEOUT_MS = 10000;

  let socket = null;
  let welcomed = false;
  let helloInFlight = false;
  let attempts = 0;
  let reconnectTimer = null;
  let heartbeatTimer = null;
  let pongTimer = null;
  let stopped = false;
  let clockOffset = 0; // server time minus this device's time, in ms

  function newId() {
    // crypto.randomUUID needs a secure context; a room's LAN address is plain http.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function loadQueue() {
    try {
      return JSON.parse(localStorage.getItem(queueKey) || "[]");
    } catch (error) {
      return [];
    }
  }

  function saveQueue(queue) {
    try {
      localStorage.setItem(queueKey, JSON.stringify(queue));
    } catch (error) {
      /* private mode or full storage: the in-memory queue still works */
    }
  }

  let queue = loadQueue();

  let degradedTimer = null;
  const DEGRADED_POLL_MS = 8000;

  /* While the server's live fan-out is down, a hello now and then brings what was missed
   * (the server saves commands all along); `live` stops it. */
  function setDegraded(on) {
    clearInterval(degradedTimer);
    degradedTimer = null;
    if (on) {
      degradedTimer = setInterval(() => {
        if (welcomed) hello();
      }, DEGRADED_POLL_MS * (0.75 + Math.random() / 2));
    }
    setStatus(on ? "degraded" : "online");
  }

  function setStatus(name) {
    if (name === "online" && degradedTimer !== null) name = "degraded"; // still polling
    // Other modules (the conclusion editor) show their own state from this one.
    document.dispatchEvent(new CustomEvent("live:status", { detail: { state: name } }));
    const element = document.querySelector("[data-live-status]");
    if (!element) return;
    element.dataset.state = name;
    element.textContent = element.dataset["text" + name[0].toUpperCase() + name.slice(1)] || name;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    if (stopped) return;
    clearTimeout(reconnectTimer);
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + state.url);
    socket.addEventListener("open", () => {
      attempts = 0;
      hello();
      startHeartbeat();
    });
    socket.addEventListener("message", (message) => handle(JSON.parse(message.data)));
    socket.addEventListener("close", onClose);
  }

  function onClose(event) {
    welcomed = false;
    helloInFlight = false;
    stopHeartbeat();
    clearInterval(degradedTimer); // the next server says whether it is still degraded
    degradedTimer = null;
    if (event.code === 4401) {
      // The session no longer identifies us: the page sends us back to the join form.
      stopped = true;
      location.reload();
      return;
    }
    if (event.code === 4404) {
      stopped = true;
      setStatus("offline");
      return;
    }
    setStatus("offline");
    const delay = Math.min(10000, 500 * 2 ** attempts) * (0.5 + Math.random());
    attempts += 1;
    reconnectTimer = setTimeout(connect, delay);
  }

  function startHeartbeat() {
    stopHeartbeat();
    heartbeatTimer = setInterval(() => {
      send({ type: "ping" });
      clearTimeout(pongTimer);
      // A phone that left the Wi-Fi may never see a close: treat silence as one.
      pongTimer = setTimeout(() => socket && socket.close(), PONG_TIMEOUT_MS);
    }, HEARTBEAT_MS);
  }

  function stopHeartbeat() {
    clearInterval(heartbeatTimer);
    clearTimeout(pongTimer);
  }

  function hello() {
    if (helloInFlight) return;
    helloInFlight = send({ type: "hello", last: last });
  }

  function handle(frame) {
    switch (frame.type) {
      case "welcome":
        applyWelcome(frame);
        break;
      case "event":
        if (welcomed) applyEvent(frame);
        break;
      case "batch":
        // Frames of one stream that the server wrote together, in order.
        frame.frames.forEach(handle);
        break;
      case "degraded":
        // Live updates are down on the server (Redis): catch up from the log now and then.
        setDegraded(true);
        break;
      case "live":
        setDegraded(false);
        hello(); // what was published meanwhile, then live frames again
        break;
      case "resync":
        // The server dropped frames while this device could not keep up: catch up.
        welcomed = false;
        setStatus("degraded");
        hello();
        break;
      case "ack":
        settle(frame.id, true, frame.result);
        break;
      case "tally":
        applyTally(frame);
        break;
      case "error":
        onError(frame);
        break;
      case "pong":
        clearTimeout(pongTimer);
        clockOffset = frame.server_time - Date.now();
        break;
      default:
        // Collaborative documents speak their own frames (docs/protocol.md).
        if (typeof frame.type === "string" && frame.type.startsWith("doc.")) {
          document.dispatchEvent(new CustomEvent("live:doc", { detail: frame }));
        }
    }
  }

  function applyWelcome(frame) {
    helloInFlight = false;
    clockOffset = frame.server_time - Date.now();
    const before = Object.keys(last).sort().join(" ");
    let reset = false;
    for (const stream of Object.keys(last)) {
      if (!(stream in frame.streams)) delete last[stream]; // no longer ours (moved group)
    }
    for (const [stream, info] of Object.entries(frame.streams)) {
      if (info.reset) {
        applySwaps(info.reset.swaps);
        last[stream] = info.seq;
        reset = true;
        continue;
      }
      if (!(stream in last)) last[stream] = 0;
      info.missed.forEach(applyEvent);
      last[stream] = Math.max(last[stream], info.seq);
    }
    (frame.snapshots || []).forEach(applyTally);
    welcomed = true;
    setStatus("online");
    flushQueue();
    updated();
    // Too far behind, or following other streams than the page shows: the regions that
    // depend on where this person is may be stale. Fetch them again.
    if (reset || Object.keys(last).sort().join(" ") !== before) refreshRegions(null);
  }

  function updated() {
    document.dispatchEvent(new CustomEvent("live:updated"));
  }

  function applyEvent(event) {
    const seen = last[event.stream];
    if (seen === undefined || event.seq <= seen) return; // not ours, or already applied
    if (event.seq > seen + 1) {
      // A frame was lost on the way: ask for what we missed.
      welcomed = false;
      setStatus("degraded");
      hello();
      return;
    }
    last[event.stream] = event.seq;
    if (event.swaps) applySwaps(event.swaps);
    refreshRegions(event);
    document.dispatchEvent(new CustomEvent("live:event", { detail: event }));
    updated();
  }

  /* Vote counts are unsequenced snapshots: each carries the whole tally, so only an older
   * version is ignored; a lost one is healed by the next. */
  function applyTally(frame) {
    const key = frame.topic + " " + frame.stream;
    const known = tallies[key];
    if (known && known.version > frame.version) return;
    tallies[key] = frame;
    if (frame.swaps) applySwaps(frame.swaps);
    document.dispatchEvent(new CustomEvent("live:tally", { detail: frame }));
  }

  /* Regions whose content depends on where this person is (their group, the plenary) say
   * which events change it: data-refresh-on="breakouts.changed participant.moved:me".
   * They are fetched again, then a hello follows the streams of the new place. */
  function refreshRegions(event) {
    const fetches = [];
    document.querySelectorAll("[data-refresh-on]").forEach((region) => {
      if (event && !isTrigger(region, event)) return;
      fetches.push(
        fetch(region.dataset.refreshUrl, { credentials: "same-origin" })
          .then((response) => (response.ok ? response.text() : Promise.reject(response)))
          .then((html) => {
            replace(region, html, "outerHTML");
            rewindTo(document.getElementById(region.id));
          })
      );
    });
    if (fetches.length === 0) return;
    Promise.allSettled(fetches).then(() => {
      updated();
      welcomed = false;
      hello();
    });
  }

  function isTrigger(region, event) {
    const triggers = region.dataset.refreshOn.split(" ");
    const mine = event.data && event.data.participant === state.participant;
    return triggers.includes(event.name) || (mine && triggers.includes(event.name + ":me"));
  }

  /* A fetched region shows the streams as they were when it was rendered: events applied
   * since then are asked for again (the next hello), so none is lost under the new HTML. */
  function rewindTo(region) {
    if (!region || !region.dataset.livePositions) return;
    const positions = JSON.parse(region.dataset.livePositions);
    for (const [stream, seq] of Object.entries(positions)) {
      if (stream in last) last[stream] = Math.min(last[stream], seq);
    }
  }

  function applySwaps(swaps) {
    for (const swap of swaps) {
      if (swap.swap === "upsert") {
        const template = document.createElement("template");
        template.innerHTML = swap.html.trim();
        const id = template.content.firstElementChild && template.content.firstElementChild.id;
        const existing = id && document.getElementById(id);
        if (existing) {
          replace(existing, swap.html, "outerHTML");
        } else {
          const container = document.querySelector(swap.target);
          if (container) replace(container, swap.html, swap.position || "beforeend");
        }
      } else {
        const target = document.querySelector(swap.target);
        if (target) replace(target, swap.html, swap.swap);
      }
    }
  }

  /* A region redrawn while someone types in it keeps what they typed and their focus:
   * fields whose value differs from the page's default are put back after the swap. */
  function editedFields(root) {
    const edited = [];
    root.querySelectorAll("input[id], textarea[id], select[id]").forEach((field) => {
      const changed =
        field.type === "checkbox" || field.type === "radio"
          ? field.checked !== field.defaultChecked
          : field.tagName === "SELECT"
            ? Array.from(field.options).some((option) => option.selected !== option.defaultSelected)
            : field.value !== field.defaultValue;
      if (changed || field === document.activeElement) {
        edited.push({ id: field.id, value: field.value, checked: field.checked, focused: field === document.activeElement });
      }
    });
    return edited;
  }

  function restoreFields(edited) {
    for (const saved of edited) {
      const field = document.getElementById(saved.id);
      if (!field) continue;
      if (field.type === "checkbox" || field.type === "radio") field.checked = saved.checked;
      else field.value = saved.value;
      if (saved.focused) field.focus();
    }
  }

  function replace(target, html, style) {
    const edited = style === "outerHTML" || style === "innerHTML" ? editedFields(target) : [];
    swapHtml(target, html, style);
    restoreFields(edited);
  }

  function swapHtml(target, html, style) {
    if (window.htmx && htmx.swap) {
      htmx.swap(target, html, { swapStyle: style, swapDelay: 0, settleDelay: 0 });
    } else if (style === "outerHTML") {
      target.outerHTML = html;
    } else if (style === "innerHTML") {
      target.innerHTML = html;
    } else {
      target.insertAdjacentHTML(style, html);
    }
  }

  function sendCommand(item) {
    if (send({ type: "cmd", id: item.id, name: item.name, args: item.args })) {
      carriedBy.set(item.id, socket);
    }
  }

  function flushQueue() {
    for (const item of queue) {
      if (carriedBy.get(item.id) !== socket) sendCommand(item);
    }
  }

  function forget(id) {
    carriedBy.delete(id);
    queue = queue.filter((item) => item.id !== id);
    saveQueue(queue);
    document.dispatchEvent(new CustomEvent("live:queue"));
  }

  function settle(id, ok, value) {
    forget(id);
    const waiter = waiting.get(id);
    waiting.delete(id);
    if (waiter) (ok ? waiter.resolve : waiter.reject)(value);
  }

  function onError(frame) {
    if (frame.id && frame.code === "unavailable") {
      // Nothing was saved; the queue keeps it and the next welcome resends it.
      setStatus("degraded");
      setTimeout(() => socket && socket.close(), 2000);
      return;
    }
    if (frame.id && frame.code === "slow_down") {
      // Too fast: nothing was saved; the queue keeps it and sends it again a bit later.
      const item = queue.find((queued) => queued.id === frame.id);
      if (item) {
        const waiter = waiting.get(frame.id);
        if (waiter && waiter.slow) waiter.slow(frame);
        setTimeout(() => {
          if (welcomed && queue.includes(item)) sendCommand(item); // it was not kept
        }, Math.max(500, frame.retry_after || 2000));
        return;
      }
    }
    if (frame.id && !waiting.has(frame.id) && !queue.some((item) => item.id === frame.id)) {
      // Not a queued command: a document update's refusal, for the editor that sent it.
      document.dispatchEvent(new CustomEvent("live:doc", { detail: frame }));
      return;
    }
    if (frame.id) {
      settle(frame.id, false, frame);
      return;
    }
    helloInFlight = false; // a refused hello may be sent again
    if (frame.code === "slow_down") {
      // Too many hellos lately (a flapping connection): say it again when the server says.
      setTimeout(hello, Math.max(500, frame.retry_after || 2000));
      return;
    }
    document.dispatchEvent(new CustomEvent("live:error", { detail: frame }));
  }

  /* Send a command; resolves with its result once the server has saved it. `slow` is
   * told when the server asks to slow down (the command stays queued and goes again). */
  function command(name, args, id, slow) {
    const item = { id: id || newId(), name: name, args: args };
    queue.push(item);
    saveQueue(queue);
    document.dispatchEvent(new CustomEvent("live:queue"));
    const promise = new Promise((resolve, reject) =>
      waiting.set(item.id, { resolve, reject, slow }),
    );
    if (welcomed) sendCommand(item);
    return promise;
  }

  // Screen readers hear a short summary every few seconds, not every post-it.
  let unannounced = 0;
  document.addEventListener("live:event", (event) => {
    const announcer = document.querySelector("[data-live-announcer]");
    const title = document.querySelector("#now h2");
    if (event.detail.name === "phase.started" && announcer && title) {
      announcer.textContent = title.textContent; // a new phase is worth saying at once
    }
    if (event.detail.name !== "postit.created") return;
    const postit = document.getElementById("postit-" + event.detail.data.postit);
    const id = event.detail.data.postit;
    const own = (postit && postit.dataset.author === state.author) || (state.mine || []).includes(id);
    if (own) return;
    unannounced += 1;
  });
  setInterval(() => {
    const announcer = document.querySelector("[data-live-announcer]");
    if (!announcer || unannounced === 0) return;
    announcer.textContent = announcer.dataset.textNew.replace("{count}", unannounced);
    unannounced = 0;
  }, 4000);

  window.addEventListener("online", () => {
    if (!socket || socket.readyState === WebSocket.CLOSED) connect();
  });

  window.AtelierLive = {
    command: command,
    send: (frame) => welcomed && send(frame), // false while offline: the caller keeps it
    newId: newId,
    state: state,
    last: last,
    tallies: tallies,
    pending: () => queue.slice(), // commands not acknowledged yet
    serverNow: () => Date.now() + clockOffset,
  };
  connect();
})();
