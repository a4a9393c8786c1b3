// Pantau — keyboard shortcuts for the review queue (/antrian). Buttons and links in #queue
// carry data-key="<key>"; a key press clicks the matching one, so HTMX (or the plain form
// and link, without JavaScript) does the work. Keys are ignored while typing in a field.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, select, textarea, [contenteditable=''], [contenteditable='true']");
  }

  function help() { return document.getElementById("queue-help"); }

  function toggleHelp() {
    var panel = help();
    if (!panel) return;
    panel.hidden = !panel.hidden;
    document.querySelectorAll("[data-queue-help-toggle]").forEach(function (b) {
      b.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
    });
  }

  function press(key) {
    var queue = document.getElementById("queue");
    if (!queue) return false;
    var target = null;
    queue.querySelectorAll("[data-key]").forEach(function (el) {
      if (!target && el.getAttribute("data-key") === key && !el.disabled) target = el;
    });
    if (!target) return false;
    target.click();
    return true;
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-queue-help-toggle]")) toggleHelp();
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) {  // leave a field: shortcuts work again
      event.target.blur();
      return;
    }
    if (typing(event.target) || event.isComposing) return;
    if (document.querySelector("#queue .htmx-request, #queue.htmx-request")) return;  // a decision is on its way
    var key = event.key;
    if (key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (key === "e") {
      var field = document.querySelector("#queue [data-queue-first-field]");
      if (field) { field.focus(); event.preventDefault(); }
      return;
    }
    if (key === "Backspace") key = "u";
    if (key === "Spacebar") key = " ";
    if (["a", "x", " ", "u", "j", "k"].indexOf(key) === -1) return;
    // Space or Backspace on a focused button or link would act on that element: take over.
    if (press(key)) event.preventDefault();
  });
})();
