// Pantau — small behaviours shared by every page. No inline scripts anywhere (the CSP forbids
// them): pages declare behaviour with data-* attributes and this file wires it up.
(function () {
  "use strict";

  // <button data-copy="#id"> copies the text (or value) of the element #id.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = "value" in source && source.tagName !== "BUTTON" ? source.value : source.textContent;
    var done = function () {
      var label = button.textContent;
      button.textContent = "Tersalin ✓";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {  // plain http on the office network: fall back to a hidden textarea
      var area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand("copy"); area.remove(); done();
    }
  });

  // <form data-confirm="..."> asks before submitting.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
