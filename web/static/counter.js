/* How much room is left in a long text box, shown beside it as people type.
   The count is tied to the box (aria-describedby), so a screen reader reads it on focus;
   typing is announced only when it crosses 1,000 left, 100 left and the limit: polite,
   never a number per keystroke. Without this script the box still stops at its maxlength. */
(function () {
  "use strict";
  var strings = {};
  try { var block = document.getElementById("hk-strings"); if (block) strings = JSON.parse(block.textContent); } catch (e) { /* English */ }
  function t(message, values) {
    return (strings[message] || message).replace(/%\((\w+)\)s/g, function (_, name) { return String(values[name]); });
  }
  function number(n) { return n.toLocaleString("en-GB"); }
  var MARKS = [1000, 100, 0];
  var spoken = document.createElement("p");
  spoken.className = "visually-hidden";
  spoken.setAttribute("aria-live", "polite");
  document.body.appendChild(spoken);

  function watch(box) {
    if (box.getAttribute("data-counted")) return;
    box.setAttribute("data-counted", "true");
    var limit = box.maxLength;
    var shown = document.createElement("p");
    shown.className = "counter";
    shown.id = box.id + "-count";
    box.insertAdjacentElement("afterend", shown);
    var described = box.getAttribute("aria-describedby");
    box.setAttribute("aria-describedby", (described ? described + " " : "") + shown.id);
    var zone = -1;  /* the last mark passed, so each is announced once on the way up */
    function update() {
      var left = limit - box.value.length;
      shown.textContent = t("%(used)s of %(limit)s characters", { used: number(box.value.length), limit: number(limit) });
      shown.classList.toggle("near", left <= 100);
      var now = -1;
      for (var i = 0; i < MARKS.length; i++) if (left <= MARKS[i]) now = i;
      if (now > zone) {
        spoken.textContent = left <= 0 ? t("You have reached the limit of %(limit)s characters.", { limit: number(limit) })
          : t("%(left)s characters left", { left: number(left) });
      }
      zone = now;
    }
    box.addEventListener("input", update);
    box.form && box.form.addEventListener("reset", function () { setTimeout(update, 0); });
    update();
  }
  /* Every long box in ``root``; the console calls it again on a section it swapped in. */
  function watchAll(root) {
    var boxes = root.querySelectorAll("textarea[maxlength]");
    for (var i = 0; i < boxes.length; i++) if (boxes[i].id && boxes[i].maxLength >= 1000) watch(boxes[i]);
  }
  watchAll(document);
  window.HostkitCounter = { watchAll: watchAll };
})();
