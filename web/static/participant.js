/* Participant page: applies live events to the page; notes typed offline wait in the outbox. */
(function () {
  "use strict";
  var L = window.HostkitLive;
  var me = L.meta("hk-me"), group = null;
  var labels = {};
  try { var init = JSON.parse(document.getElementById("hk-data").textContent); labels = init.labels; group = init.group_id; } catch (e) { /* page without data */ }
  var notes = document.getElementById("notes");
  var conn = document.getElementById("connection");
  var live = new L({
    onStatus: function (text, ok) { conn.textContent = text; conn.className = "connection" + (ok ? "" : " offline"); },
    onRejected: function (msg) { L.announce(msg.message); showNotice(msg.message); },
    onEvents: function (events) { events.forEach(apply); }
  });
  function showNotice(text) {
    var n = document.getElementById("live-notice");
    if (!n) { n = document.createElement("p"); n.id = "live-notice"; n.className = "notice"; n.setAttribute("role", "status"); document.getElementById("main").prepend(n); }
    n.textContent = text;
  }
  function label(pid) { return labels[pid] || "Anonymous"; }
  function addNote(id, d) {
    if (document.getElementById("c-" + id)) return;
    var li = document.createElement("li"); li.id = "c-" + id; li.className = "note kind-" + d.kind;
    var meta = document.createElement("span"); meta.className = "meta";
    meta.textContent = label(d.author_id) + " · " + d.kind;
    var text = document.createElement("span"); text.className = "text"; text.textContent = d.text;
    li.appendChild(meta); li.appendChild(document.createTextNode(" ")); li.appendChild(text);
    notes.appendChild(li);
  }
  function apply(e) {
    var d = e.data;
    switch (e.type) {
      case "participant_joined":
        var count = Object.keys(labels).length + 1;
        var mode = document.body.dataset.attribution;
        labels[d.participant_id] = mode === "pseudonymous" ? "Participant " + count : (mode === "attributed" && d.name ? d.name : "Anonymous");
        break;
      case "contribution_posted":
        if ((d.group_id || null) === (group || null)) addNote(d.contribution_id, d);
        break;
      case "contribution_withdrawn": case "contribution_hidden":
        var gone = document.getElementById("c-" + d.contribution_id); if (gone) gone.remove();
        break;
      case "phase_opened": case "phase_closed": case "group_created": case "group_renamed": case "session_created":
        location.reload(); break;
      case "participant_moved":
        if (d.participant_id === me) location.reload();
        break;
      case "timer_started": live.setTimer(d.remaining_s, true, e.at); break;
      case "timer_paused": live.setTimer(d.remaining_s, false, e.at); break;
      case "timer_extended":
        var t = live.timerState; if (t.remaining !== null) live.setTimer(t.remaining + d.seconds, t.running, t.at); break;
      case "timer_stopped": live.setTimer(null, false, 0); break;
      case "announced":
        var list = document.getElementById("announcements"), li = document.createElement("li");
        li.textContent = d.text; list.appendChild(li); document.getElementById("announcements-section").hidden = false;
        L.announce("Announcement: " + d.text); break;
      case "hand_raised": case "hand_lowered":
        if (d.participant_id === me) setHand(e.type === "hand_raised");
        break;
    }
  }
  function setHand(up) {
    var b = document.getElementById("hand-button"), f = document.getElementById("hand-form");
    if (!b) return;
    b.setAttribute("aria-pressed", up ? "true" : "false");
    b.textContent = up ? "Lower my hand" : "Raise my hand";
    f.querySelector('input[name="type"]').value = up ? "lower_hand" : "raise_hand";
  }
  var form = document.getElementById("note-form");
  if (form) form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var box = document.getElementById("note-text"), text = box.value;
    if (!text.trim()) return;
    live.send({ type: "post_contribution", kind: "note", text: text });
    box.value = "";
    L.announce("Note saved");
  });
  var hand = document.getElementById("hand-form");
  if (hand) hand.addEventListener("submit", function (ev) {
    ev.preventDefault();
    live.send({ type: hand.querySelector('input[name="type"]').value });
  });
  live.tickTimer();
  live.start();
})();
