// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
