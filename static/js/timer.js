/* Countdown timers: every screen counts down to the same deadline against the server's clock
 * (the live socket measures the offset), so they agree to the second. */
(function () {
  "use strict";

  function format(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const minutes = Math.floor(total / 60);
    const seconds = total % 60;
    return String(minutes).padStart(2, "0") + ":" + String(seconds).padStart(2, "0");
  }

  function now() {
    return window.AtelierLive ? window.AtelierLive.serverNow() : Date.now();
  }

  function tick() {
    document.querySelectorAll("[data-ends-at]").forEach((timer) => {
      const left = Number(timer.dataset.endsAt) - now();
      timer.textContent = left > 0 ? format(left) : timer.dataset.textUp;
      timer.classList.toggle("timer-ending", left > 0 && left <= 60000);
      timer.classList.toggle("timer-up", left <= 0);
    });
  }

  tick();
  setInterval(tick, 1000);
})();
