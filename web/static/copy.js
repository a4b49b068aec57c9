/* Copy buttons beside links (the admin page): shown only where the browser can copy. */
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      navigator.clipboard.writeText(field.value).then(function () {
        var done = document.getElementById("announcer");
        if (done) done.textContent = button.textContent.split(":")[0] + " ✓";
        button.setAttribute("aria-pressed", "true");
      });
    });
  });
})();
