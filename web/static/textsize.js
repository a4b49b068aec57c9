/* Text size (normal, large, larger), remembered on this device. Loaded in the head, before
   the page is drawn, so a reload never flashes small text; then it shows the control. */
(function () {
  "use strict";
  var KEY = "hk-text-size", SIZES = ["normal", "large", "larger"], root = document.documentElement;
  function stored() { try { return localStorage.getItem(KEY); } catch (e) { return null; } }
  function set(size) {
    if (SIZES.indexOf(size) < 0) size = "normal";
    if (size === "normal") root.removeAttribute("data-text-size"); else root.setAttribute("data-text-size", size);
    Array.prototype.forEach.call(document.querySelectorAll("#text-size button"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-size") === size ? "true" : "false");
    });
    return size;
  }
  set(stored());
  document.addEventListener("DOMContentLoaded", function () {
    var group = document.getElementById("text-size");
    if (!group) return;
    set(stored());
    group.hidden = false;
    group.addEventListener("click", function (ev) {
      var b = ev.target.closest ? ev.target.closest("button[data-size]") : null;
      if (!b) return;
      var size = set(b.getAttribute("data-size"));
      try { localStorage.setItem(KEY, size); } catch (e) { /* private mode: this page only */ }
    });
  });
})();
