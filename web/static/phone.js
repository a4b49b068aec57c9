/* Participant page, around the note form (participant.js calls it): says at once what
   happened to a note (added, sending, confirmed, refused) in #post-status, a polite live
   region beside the form; lists what I added in this phase; shows the host's announcements
   in the phone's own time with a Dismiss the phone remembers; keeps the call hint true. */
(function () {
  "use strict";
  var L = window.HostkitLive, t = L.t;
  function byId(id) { return document.getElementById(id); }
  var status = byId("post-status");
  var dismissKey = "hk-dismissed-" + L.meta("hk-session");

  /* Who will see it, in the page's language (the server put the words on #post-status). */
  function audience(pending) {
    if (!status) return "";
    return pending ? status.getAttribute("data-waits") : status.getAttribute("data-audience");
  }
  function held() { return !!status && status.getAttribute("data-held") === "true"; }
  function say(text, bad) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", !!bad);
  }
  function added() { return t("Added — %(audience)s", { audience: audience(held()) }); }

  /* A note just sent: said at once, beside the form. */
  function posting(connected) {
    say(added() + ". " + (connected ? t("Sending…") : t("Saved on this phone: it will be sent when the connection is back.")));
    var shown = byId("outbox") || status;  /* just under the form: kept in view, the focus stays */
    if (shown && shown.scrollIntoView) shown.scrollIntoView({ block: "nearest" });
  }
  function refused(message) { say(message, true); }
  /* On a hall laptop whose internet is down: the hall has it, the server not yet. */
  function kept() { say(t("Kept in the hall: it will be shared when the internet is back.")); }

  function ownList() { return byId("own"); }
  function showOwnSection() {
    var section = byId("own-section"), list = ownList(), box = byId("outbox");
    if (section) section.hidden = !(list && list.children.length) && !(box && box.children.length);
  }
  function stateText(pending) { return pending ? t("Confirmed") + " · " + audience(true) : "✓ " + t("Confirmed") + " · " + audience(false); }
  /* Stored by the server (its ack, or the event itself, whichever comes first): confirmed. */
  function confirmed(seq, text, pending, id, mine, html) {
    var list = ownList(); if (!list) return;
    var li = list.querySelector('li[data-seq="' + seq + '"]');
    if (!li) {
      li = document.createElement("li"); li.className = "note own-item"; li.setAttribute("data-seq", seq);
      var state = document.createElement("span"); state.className = "meta own-state";
      var words = document.createElement("div"); words.className = "text"; words.dir = "auto";
      li.appendChild(state); li.appendChild(words);
      list.insertBefore(li, list.firstChild);  /* newest next to the form */
      li.querySelector(".own-state").textContent = stateText(pending === undefined ? held() : pending);
      showOwnSection();
    }
    var shown = li.querySelector(".text");
    if (html !== undefined || !shown.childNodes.length) L.words(shown, html, text);  /* the ack has no HTML; its event does */
    if (id) li.id = "own-" + id;
    if (mine) {
      say("✓ " + added() + ". " + t("Confirmed") + ".");
      if (li.scrollIntoView) li.scrollIntoView({ block: "nearest" });  /* in view; the focus stays */
    }
  }
  function approved(id) {
    var li = byId("own-" + id);
    if (li) li.querySelector(".own-state").textContent = stateText(false);
  }
  function removed(id) {
    var li = byId("own-" + id);
    if (li) { li.remove(); showOwnSection(); }
  }
  /* What waits in the outbox (offline, or not stored yet), listed with what I added. */
  function outbox(items, connected) {
    var section = byId("own-section"); if (!section) return;
    var list = byId("outbox");
    if (!items.length) { if (list) list.remove(); showOwnSection(); return; }
    if (!list) {
      list = document.createElement("ul"); list.id = "outbox"; list.className = "notes outbox";
      list.setAttribute("aria-label", t("Not sent yet"));
      section.insertBefore(list, ownList());
    }
    list.textContent = "";
    items.forEach(function (i) {
      var li = document.createElement("li"); li.className = "note pending";
      var meta = document.createElement("span"); meta.className = "meta"; meta.textContent = connected ? t("Sending…") : t("Not sent yet");
      var text = document.createElement("div"); text.className = "text as-typed"; text.dir = "auto"; text.textContent = i.command.text;
      li.appendChild(meta); li.appendChild(text); list.appendChild(li);
    });
    showOwnSection();
  }

  /* Announcements: the time in the phone's own zone and language; Dismiss is remembered. */
  /* The page's language, in the phone's own variant of it (en-GB says 13:05, en-US 1:05 PM). */
  function locale() {
    var lang = document.documentElement.lang || "en";
    return (navigator.languages || [navigator.language]).filter(function (l) { return l && l.split("-")[0] === lang; })[0] || lang;
  }
  function clock(date) {
    try { return date.toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" }); }
    catch (e) { return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2); }
  }
  function dismissed() { try { return JSON.parse(localStorage.getItem(dismissKey) || "[]"); } catch (e) { return []; } }
  function showAnnouncements() {
    var section = byId("announcements-section"), list = byId("announcements");
    if (section) section.hidden = !list.children.length;
  }
  function readyAnnouncement(li) {
    var time = li.querySelector("time"), button = li.querySelector("button.dismiss");
    if (time) time.textContent = clock(new Date(time.getAttribute("datetime")));
    if (button) button.hidden = false;
  }
  function announced(seq, text, at) {
    var list = byId("announcements"); if (!list || byId("announcement-" + seq)) return;
    var li = document.createElement("li"); li.id = "announcement-" + seq; li.setAttribute("data-seq", seq);
    var p = document.createElement("p"); p.className = "announcement-text";
    var time = document.createElement("time"); time.setAttribute("datetime", new Date(at * 1000).toISOString());
    var words = document.createElement("span"); words.id = li.id + "-text"; words.dir = "auto"; words.textContent = text;
    p.appendChild(time); p.appendChild(document.createTextNode(" ")); p.appendChild(words);
    var button = document.createElement("button"); button.type = "button"; button.className = "secondary dismiss";
    button.textContent = t("Dismiss"); button.setAttribute("aria-describedby", words.id);
    li.appendChild(p); li.appendChild(button); readyAnnouncement(li);
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 3) list.lastChild.remove();
    showAnnouncements();
    L.announce(t("Announcement at %(time)s: %(text)s", { time: time.textContent, text: text }));
  }
  /* A host took one down: it leaves this phone too, and that is said. */
  function ended(seq) {
    var li = byId("announcement-" + seq); if (!li) return;
    var focused = li.contains(document.activeElement);
    li.remove(); showAnnouncements();
    if (focused) { var h = byId("add-heading") || byId("main"); if (h) { h.setAttribute("tabindex", "-1"); h.focus(); } }
    L.announce(t("The host took an announcement down"));
  }
  function dismiss(li) {
    var gone = dismissed(), seq = parseInt(li.getAttribute("data-seq"), 10);
    if (gone.indexOf(seq) < 0) gone.push(seq);
    try { localStorage.setItem(dismissKey, JSON.stringify(gone.slice(-50))); } catch (e) { /* this page only */ }
    var next = li.nextElementSibling || li.previousElementSibling;
    li.remove(); showAnnouncements();
    var focus = next ? next.querySelector("button.dismiss") : byId("add-heading") || byId("main");
    if (focus) { if (!focus.matches("button")) focus.setAttribute("tabindex", "-1"); focus.focus(); }
    L.announce(t("Announcement dismissed"));
  }
  var announcements = byId("announcements");
  if (announcements) {
    var gone = dismissed();
    Array.prototype.slice.call(announcements.children).forEach(function (li) {
      if (gone.indexOf(parseInt(li.getAttribute("data-seq"), 10)) >= 0) li.remove(); else readyAnnouncement(li);
    });
    showAnnouncements();
    announcements.addEventListener("click", function (ev) {
      var b = ev.target.closest ? ev.target.closest("button.dismiss") : null;
      if (b) dismiss(b.closest("li"));
    });
  }

  /* The host changed the open phase's question: the new one shows, and is said. */
  function phaseEdited(phase) {
    var q = byId("question");
    if (!q || q.getAttribute("data-phase") !== phase.id || q.textContent === phase.question) return;
    q.textContent = phase.question;
    L.announce(t("The host changed the question: %(question)s", { question: phase.question }));
  }
  /* My table's call link came or went: the link, and how to hear the table, follow it. */
  function callUrl(url) {
    var line = byId("call-link-line"), how = byId("call-how"), missing = byId("call-missing");
    if (!line) return;
    if (url && line.hidden) L.announce(t("Your table now has a call link: open it to hear the table."));
    if (url) byId("call-link").href = url;
    line.hidden = !url;
    if (how) how.hidden = !url;
    if (missing) missing.hidden = !!url;
  }

  window.HostkitPhone = {
    posting: posting, refused: refused, kept: kept, confirmed: confirmed, approved: approved, removed: removed,
    outbox: outbox, announced: announced, ended: ended, phaseEdited: phaseEdited, callUrl: callUrl
  };
})();
