/* Participant page: applies live events to the page; notes typed offline wait in the outbox
   (kept in localStorage, so they survive a reload) and are shown as "not sent yet". */
(function () {
  "use strict";
  var L = window.HostkitLive, t = L.t;
  var me = L.meta("hk-me"), group = null;
  var labels = {};
  try { var init = JSON.parse(document.getElementById("hk-data").textContent); labels = init.labels; group = init.group_id; } catch (e) { /* page without data */ }
  var notes = document.getElementById("notes");
  var conn = document.getElementById("connection");
  var live = new L({
    onStatus: function (text, ok) {
      if (conn.textContent !== text) conn.textContent = text;
      conn.className = "connection" + (ok ? "" : " offline");
      showOutbox();
    },
    onRejected: function (msg) { showNotice(msg.message); },
    onEvents: function (events) { events.forEach(apply); }
  });
  function showNotice(text) {
    var n = document.getElementById("live-notice");
    if (!n) { n = document.createElement("p"); n.id = "live-notice"; n.className = "notice"; n.setAttribute("role", "status"); document.getElementById("main").prepend(n); }
    n.textContent = text;
  }
  function showOutbox() {
    var form = document.getElementById("note-form"); if (!form) return;
    var list = document.getElementById("outbox");
    var waiting = live.outbox.filter(function (i) { return i.command.type === "post_contribution"; });
    if (!waiting.length) { if (list) list.remove(); return; }
    if (!list) {
      list = document.createElement("ul"); list.id = "outbox"; list.className = "notes outbox";
      list.setAttribute("aria-label", t("Not sent yet"));
      form.after(list);
    }
    list.textContent = "";
    waiting.forEach(function (i) {
      var li = document.createElement("li"); li.className = "note pending";
      var meta = document.createElement("span"); meta.className = "meta"; meta.textContent = t("Not sent yet");
      var text = document.createElement("span"); text.className = "text"; text.textContent = i.command.text;
      li.appendChild(meta); li.appendChild(text); list.appendChild(li);
    });
  }
  function label(pid) {
    var shown = labels[pid] || "Anonymous", numbered = /^Participant (\d+)$/.exec(shown);
    if (shown === "Anonymous") return t("Anonymous");
    return numbered && document.body.dataset.attribution === "pseudonymous" ? t("Participant %(number)s", { number: numbered[1] }) : shown;
  }
  function voteForm(id) {
    var note = document.getElementById("note-form");
    var f = document.createElement("form"); f.className = "vote"; f.method = "post"; f.action = note ? note.action : "";
    [["csrf", note ? note.querySelector('input[name="csrf"]').value : ""], ["type", "cast_vote"],
     ["contribution_id", id], ["dots", "1"]].forEach(function (kv) {
      var i = document.createElement("input"); i.type = "hidden"; i.name = kv[0]; i.value = kv[1]; f.appendChild(i);
    });
    var b = document.createElement("button"); b.type = "submit"; b.className = "secondary";
    b.setAttribute("aria-pressed", "false"); b.textContent = t("Vote for this topic");
    var count = document.createElement("span"); count.className = "votes"; count.textContent = t("%(num)d votes", { num: 0 });
    f.appendChild(b); f.appendChild(document.createTextNode(" ")); f.appendChild(count);
    return f;
  }
  function addNote(id, d) {
    if (document.getElementById("c-" + id)) return;
    var li = document.createElement("li"); li.id = "c-" + id; li.className = "note kind-" + d.kind;
    var meta = document.createElement("span"); meta.className = "meta";
    var who = document.createElement("span"); who.className = "who"; who.textContent = label(d.author_id);
    var kind = document.createElement("span"); kind.className = "kind"; kind.textContent = t(d.kind);
    meta.appendChild(who); meta.appendChild(document.createTextNode(" · ")); meta.appendChild(kind);
    var text = document.createElement("span"); text.className = "text"; text.textContent = d.text;
    li.appendChild(meta); li.appendChild(document.createTextNode(" ")); li.appendChild(text);
    if (d.photo_id) {
      var img = document.createElement("img"); img.alt = d.text;
      img.src = "/s/" + L.meta("hk-session") + "/photos/" + encodeURIComponent(d.photo_id);
      li.appendChild(img);
    }
    if (d.kind === "topic" && document.getElementById("note-form")) li.appendChild(voteForm(id));
    notes.appendChild(li);
    var empty = document.getElementById("no-notes"); if (empty) empty.hidden = true;
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
      case "vote_cast":
        var item = document.getElementById("c-" + d.contribution_id);
        var votes = item && item.querySelector(".votes");
        if (!votes) break;
        var tally = JSON.parse(votes.dataset.votes || "{}"); tally[d.participant_id] = d.dots;
        votes.dataset.votes = JSON.stringify(tally);
        var total = Object.keys(tally).reduce(function (n, k) { return n + tally[k]; }, 0);
        votes.textContent = t(total === 1 ? "%(num)d vote" : "%(num)d votes", { num: total });
        if (d.participant_id === me) {
          item.querySelector(".vote button").setAttribute("aria-pressed", d.dots ? "true" : "false");
          item.querySelector('.vote input[name="dots"]').value = d.dots ? "0" : "1";
        }
        break;
      case "phase_opened": case "phase_closed": case "group_created": case "group_renamed": case "session_created":
        reloadWhenIdle(); break;
      case "participant_moved":
        if (d.participant_id === me) reloadWhenIdle();
        break;
      case "timer_started": live.setTimer(d.remaining_s, true, e.at); break;
      case "timer_paused": live.setTimer(d.remaining_s, false, e.at); break;
      case "timer_extended":
        var timer = live.timerState; if (timer.remaining !== null) live.setTimer(timer.remaining + d.seconds, timer.running, timer.at); break;
      case "timer_stopped": live.setTimer(null, false, 0); break;
      case "announced":
        var list = document.getElementById("announcements"), li = document.createElement("li");
        li.textContent = d.text; list.appendChild(li); document.getElementById("announcements-section").hidden = false;
        L.announce(t("Announcement: %(text)s", { text: d.text })); break;
      case "hand_raised": case "hand_lowered":
        if (d.participant_id === me) setHand(e.type === "hand_raised");
        break;
    }
  }
  /* A new phase or table changes the whole page; wait until the person is not typing. */
  function reloadWhenIdle() {
    var box = document.getElementById("note-text");
    if (box && box.value && document.activeElement === box) {
      showNotice(t("The host has moved the conversation on. Your text is kept: add it, then the page updates."));
      box.addEventListener("blur", function () { if (!box.value) location.reload(); }, { once: true });
      return;
    }
    location.reload();
  }
  function setHand(up) {
    var b = document.getElementById("hand-button"), f = document.getElementById("hand-form");
    if (!b) return;
    b.setAttribute("aria-pressed", up ? "true" : "false");
    b.textContent = t(up ? "Lower my hand" : "Raise my hand");
    f.querySelector('input[name="type"]').value = up ? "lower_hand" : "raise_hand";
    document.getElementById("hand-state").textContent = up ? t("Your hand is up.") : "";
    L.announce(t(up ? "Your hand is up" : "Your hand is down"));
  }
  var form = document.getElementById("note-form");
  if (form) form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var box = document.getElementById("note-text"), text = box.value;
    if (!text.trim()) return;
    var kind = form.querySelector('input[name="kind"]:checked') || form.querySelector('input[name="kind"]');
    live.send({ type: "post_contribution", kind: kind.value, text: text });
    box.value = "";
    L.announce(t(live.connected ? "Note sent" : "Note saved: it will be sent when the connection is back"));
  });
  var hand = document.getElementById("hand-form");
  if (hand) hand.addEventListener("submit", function (ev) {
    ev.preventDefault();
    live.send({ type: hand.querySelector('input[name="type"]').value });
  });
  /* Photos need the upload first (it returns a photo id), so this form only works with scripts. */
  var photo = document.getElementById("photo-form");
  if (photo && window.FormData && window.fetch) {
    photo.hidden = false;
    photo.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = document.getElementById("photo-text").value, button = photo.querySelector("button");
      if (!text.trim()) return;
      button.disabled = true;
      fetch(photo.action, { method: "POST", body: new FormData(photo), credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (body) { if (!r.ok) throw body; return body; }); })
        .then(function (body) {
          live.send({ type: "post_contribution", kind: "photo", text: text, photo_id: body.photo_id });
          photo.reset(); L.announce(t("Photo sent"));
        })
        .catch(function (body) { showNotice(body && body.message ? body.message : t("The photo could not be uploaded. Try again.")); })
        .then(function () { button.disabled = false; });
    });
  }
  notes.addEventListener("submit", function (ev) {
    var f = ev.target; if (!f.classList || !f.classList.contains("vote")) return;
    ev.preventDefault();
    live.send({ type: "cast_vote", contribution_id: f.querySelector('input[name="contribution_id"]').value,
                dots: parseInt(f.querySelector('input[name="dots"]').value, 10) });
  });
  /* Keep this page and its files for a reload while the Wi-Fi is down (see sw.js). */
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; }).then(function () {
      return caches.open("hostkit-v1").then(function (c) {
        return c.addAll([location.pathname, "/static/style.css", "/static/live.js", "/static/participant.js"]);
      });
    }).catch(function () { /* no offline reload, everything else still works */ });
  }
  live.tickTimer();
  live.start();
})();
