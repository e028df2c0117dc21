/* Light or high-contrast theme: <html data-theme="light|contrast">. A person's choice (the
 * header's toggle) is kept in localStorage; without one, the system's "more contrast"
 * setting decides. Loaded in <head>, before the page is drawn: no flash of the other theme.
 * The stylesheet holds the values (static/css/atelier.css). */
(function () {
  "use strict";

  const KEY = "atelier.theme";
  const root = document.documentElement;
  const systemAsks = window.matchMedia("(prefers-contrast: more)");

  function stored() {
    try {
      return window.localStorage.getItem(KEY);
    } catch (error) {
      return null; // storage refused (private mode): the system decides
    }
  }

  function current() {
    const choice = stored();
    if (choice === "contrast" || choice === "light") return choice;
    return systemAsks.matches ? "contrast" : "light";
  }

  function apply() {
    const theme = current();
    root.dataset.theme = theme;
    document.querySelectorAll("[data-theme-toggle]").forEach((button) => {
      button.setAttribute("aria-pressed", String(theme === "contrast"));
    });
  }

  /* The header's menu: folded on a phone, always open (its summary hidden) on a wide
   * screen. Without this script it is an ordinary disclosure everywhere. */
  const wide = window.matchMedia("(min-width: 48rem)");

  function layoutMenu() {
    document.querySelectorAll("[data-site-menu]").forEach((menu) => {
      menu.classList.toggle("site-menu-wide", wide.matches);
      menu.open = wide.matches;
    });
  }

  apply();
  systemAsks.addEventListener("change", apply);
  wide.addEventListener("change", layoutMenu);
  document.addEventListener("DOMContentLoaded", layoutMenu);
  document.addEventListener("DOMContentLoaded", apply);
  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-theme-toggle]")) return;
    try {
      window.localStorage.setItem(KEY, current() === "contrast" ? "light" : "contrast");
    } catch (error) {
      root.dataset.theme = current() === "contrast" ? "light" : "contrast";
      return;
    }
    apply();
  });
})();
