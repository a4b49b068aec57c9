/* Host console and projector: on each committed event, re-read the page and swap the live
   sections that changed, leaving any section the user is working in untouched. */
(function () {
  "use strict";
  var pending = null;
  function refresh() {
    fetch(location.pathname + location.search, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll("[data-live]").forEach(function (old) {
        var next = fresh.querySelector('[data-live="' + old.dataset.live + '"]');
        if (!next || next.innerHTML === old.innerHTML || old.contains(document.activeElement)) return;
        old.innerHTML = next.innerHTML;
      });
      if (live.setTimer) {
        var t = document.getElementById("timer");
        live.tickTimerFrom(t);
      }
    });
  }
  var live = new window.HostkitLive({
    onEvents: function () { clearTimeout(pending); pending = setTimeout(refresh, 250); },
    onSnapshot: function () { refresh(); },
    onAlert: function () { refresh(); },
    onStatus: function (text, ok) {
      var el = document.getElementById("connection");
      if (el) { el.textContent = text; el.className = "connection" + (ok ? "" : " offline"); }
    }
  });
  live.tickTimerFrom = function (el) {
    if (el && el.dataset.remaining) live.setTimer(parseFloat(el.dataset.remaining), el.dataset.running === "true", parseFloat(el.dataset.serverTime));
    else if (el) live.setTimer(null, false, 0);
  };
  live.tickTimer();
  live.start();
})();
