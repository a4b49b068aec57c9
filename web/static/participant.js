/* Participant page: applies live events to the page; notes typed offline wait in the outbox
   (kept in localStorage, so they survive a reload) and are shown as "not sent yet". */
(function () {
  "use strict";
  var L = window.HostkitLive, t = L.t, tn = L.tn;
  var me = L.meta("hk-me"), group = null;
  var labels = {}, data = {};
  try { data = JSON.parse(document.getElementById("hk-data").textContent); labels = data.labels; group = data.group_id; } catch (e) { /* page without data */ }
  /* The format state this page shows, folded forward from the page's own data by the events. */
  var seats = data.seats || {}, quiet = data.quiet || [], groups = data.groups || {};
  var piece = data.piece || null, myCall = data.call || null, topicGroups = data.topic_groups || [];
  /* Pre-moderation: others' posts that wait are kept here, unseen, until a host approves them;
     "waiting" lists those that waited before this page loaded (fetched on approval). */
  var held = {}, waitingIds = data.waiting || [], fishbowl = data.fishbowl || [], joined = data.joined || [];
  var sayKey = "hk-say-" + L.meta("hk-session");
  var notes = document.getElementById("notes");
  var conn = document.getElementById("connection");
  var P = window.HostkitPhone;  /* phone.js: confirmations, my notes, announcements */
  var live = new L({
    onStatus: function (text, ok) {
      if (conn.textContent !== text) conn.textContent = text;
      conn.className = "connection" + (ok ? "" : " offline");
      showOutbox();
    },
    onRejected: function (msg) { showNotice(msg.message); if (posts[msg.id]) P.refused(msg.message); },
    onAck: function (msg, command) {
      if (command && command.type === "post_contribution") P.confirmed(msg.seq, command.text, undefined, null, true);
    },
    onEvents: function (events) { events.forEach(apply); markKept(); },
    onHall: function () { markKept(); },
    onKept: function (msg) { if (posts[msg.id]) P.kept(); showOutbox(); }
  });
  /* On a hall laptop whose internet is down: the hall's own contributions (after the last
     event the server has) are marked "kept in the hall, not yet shared". */
  function markKept() {
    var shared = live.hall ? live.hall.shared_seq : null;
    Array.prototype.forEach.call(document.querySelectorAll("#notes li[id^='c-c'], li.own-item[data-seq]"), function (li) {
      var found = /^c-c(\d+)$/.exec(li.id), seq = found ? parseInt(found[1], 10) : parseInt(li.getAttribute("data-seq"), 10);
      var mark = li.querySelector(".kept-mark"), kept = shared !== null && seq > shared;
      var own = li.querySelector(".own-state");  /* what I added: its state says it */
      if (own) { if (kept) own.textContent = t("kept in the hall, not yet shared"); return; }
      if (kept && !mark) {
        mark = document.createElement("strong"); mark.className = "kept-mark"; mark.textContent = t("kept in the hall, not yet shared");
        li.appendChild(document.createTextNode(" ")); li.appendChild(mark);
      } else if (!kept && mark) { mark.remove(); }
    });
  }
  function reportEdited() {
    var fields = document.querySelectorAll(".report-form textarea, .report-form input[type=text]");
    return Array.prototype.some.call(fields, function (f) { return f.value !== f.defaultValue; });
  }
  function showNotice(text) {
    var n = document.getElementById("live-notice");
    if (!n) { n = document.createElement("p"); n.id = "live-notice"; n.className = "notice"; n.setAttribute("role", "status"); document.getElementById("main").prepend(n); }
    n.textContent = text;
  }
  var posts = {};  /* ids of the notes this page sent, to say beside the form if one is refused */
  function showOutbox() {
    P.outbox(live.outbox.filter(function (i) { return i.command.type === "post_contribution" && !i.kept; }), live.connected);
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
    var count = document.createElement("span"); count.className = "votes"; count.textContent = tn("%(num)d vote", "%(num)d votes", 0, { num: 0 });
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
    var text = document.createElement("div"); text.className = "text"; text.id = "c-" + id + "-text"; L.words(text, d.html, d.text);
    li.appendChild(meta); li.appendChild(document.createTextNode(" ")); li.appendChild(text);
    if (d.photo_id) {
      var img = document.createElement("img"); img.alt = d.text;
      img.src = "/s/" + L.meta("hk-session") + "/photos/" + encodeURIComponent(d.photo_id);
      li.appendChild(img);
    }
    if (data.plenary && data.places && data.places[d.group_id]) {
      var place = document.createElement("span"); place.className = "place"; place.textContent = data.places[d.group_id];
      meta.appendChild(document.createTextNode(" · ")); meta.appendChild(place);
    }
    if (data.dots && !d.pending && canVote()) li.appendChild(dotControl(id));
    if (d.pending) li.appendChild(waitingMark("c-", id));
    else if (d.kind === "topic" && document.getElementById("note-form") && !data.dots) li.appendChild(voteForm(id));
    if (d.author_id === me) li.appendChild(withdrawForm(id, "c-", "notes-heading"));
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
        if (d.screen || d.role === "observer") quiet.push(d.participant_id);
        if (!d.screen) { seats[d.participant_id] = d.group_id || null; joined.push(d.participant_id); }
        joinCircle(d.participant_id, d.group_id); showPeople();
        break;
      case "contribution_posted":
        d.html = e.html;  /* the words as safe HTML, made by the server */
        if (d.pending && d.author_id !== me && !data.sees_waiting) held[d.contribution_id] = { d: d, seq: e.seq };
        else show(d.contribution_id, d, e.seq);
        if (d.author_id === me && d.kind !== "action") P.confirmed(e.seq, d.text, d.pending, d.contribution_id, false, d.html);
        break;
      case "contribution_approved": approved(d.contribution_id); P.approved(d.contribution_id); break;
      case "contribution_withdrawn": case "contribution_hidden":
        delete held[d.contribution_id]; P.removed(d.contribution_id);
        ["c-", "q-"].forEach(function (p) { var gone = document.getElementById(p + d.contribution_id); if (gone) gone.remove(); });
        var asked = document.getElementById("questions");
        if (asked) document.getElementById("no-questions").hidden = asked.children.length > 0;
        break;
      case "vote_cast":
        if (showDots(d)) break;
        var item = document.getElementById("c-" + d.contribution_id) || document.getElementById("q-" + d.contribution_id);
        var votes = item && item.querySelector(".votes");
        if (!votes) break;
        var tally = JSON.parse(votes.dataset.votes || "{}"); tally[d.participant_id] = d.dots;
        votes.dataset.votes = JSON.stringify(tally);
        var total = Object.keys(tally).reduce(function (n, k) { return n + tally[k]; }, 0);
        votes.textContent = tn("%(num)d vote", "%(num)d votes", total, { num: total });
        var button = item.querySelector("form.vote button, form.upvote button");
        if (d.participant_id === me && button) {
          button.setAttribute("aria-pressed", d.dots ? "true" : "false");
          button.form.querySelector('input[name="dots"]').value = d.dots ? "0" : "1";
        }
        if (item.id.charAt(0) === "q") sortQuestions();
        break;
      case "question_marked": markQuestion(d.contribution_id, d.answer); break;
      case "talking_piece_moved":
        if (!piece || (d.group_id || null) !== (piece.group_id || null)) break;
        if (d.passed_by) piece.passed.push(d.passed_by);
        var was = piece.holder; piece.holder = d.holder; showPiece();
        if (d.holder === me && was !== me) L.announce(t("It is your turn: you hold the talking piece."));
        break;
      case "speaking_order_set":
        if ((d.group_id || null) === (group || null)) reloadWhenIdle(d.order[0] === me ? t("It is your turn: you hold the talking piece.") : "");
        break;
      case "seating_proposed": showSeat(d.seats[me]); break;
      case "seating_adjusted": if (d.participant_id === me) showSeat(d.group_id); break;
      case "seating_applied": case "groups_formed":
        (d.groups || []).forEach(function (g) { groups[g.id] = g.name; });
        Object.keys(d.seats).forEach(function (p) { seats[p] = d.seats[p]; });
        if (d.seats[me]) {
          var v = { group: groups[d.seats[me]] || "" };
          reloadWhenIdle(e.type === "groups_formed" ? t("You are now in %(group)s.", v) : t("You are now at %(group)s.", v));
        } else { showSeat(null); showPeople(); }
        break;
      case "hat_set": if (d.participant_id === me) reloadWhenIdle(""); break;
      case "topic_placed":
        if (document.getElementById("topics-section") || document.querySelector('#note-form input[value="topic"]')) reloadWhenIdle("");
        break;
      case "call_url_set":
        if (d.group_id === group) P.callUrl(d.call_url);
        break;
      case "host_called":
        if (d.participant_id === me) { myCall = d.call_id; showCall(t("You have called the host. They know, and will come to you."), true); }
        break;
      case "call_resolved":
        if (d.call_id === myCall) { myCall = null; showCall(t("The host has answered your call."), false); }
        break;
      case "participant_removed": delete seats[d.participant_id]; showPeople(); break;
      case "role_changed": if (d.role === "observer") quiet.push(d.participant_id); break;
      case "phase_opened": case "phase_closed": case "group_created": case "group_renamed": case "session_created":
      case "groups_merged":
        reloadWhenIdle(); break;
      case "report_submitted":
        /* Another member saved the group's report: show it, unless that would lose what I typed. */
        if (d.group_id !== group || e.actor === me) break;
        if (reportEdited()) showNotice(t("Someone in your group saved a new version of the report. Copy what you wrote, then reload the page to see theirs."));
        else reloadWhenIdle();
        break;
      case "participant_moved":
        seats[d.participant_id] = d.group_id || null;
        if (d.participant_id === me) reloadWhenIdle(placeText(d.group_id));
        else { joinCircle(d.participant_id, d.group_id); showPeople(); }
        break;
      /* while this venue runs its own timer, the phone shows that one in place of the session's */
      case "timer_started": if (!hallTimer()) live.setTimer(d.remaining_s, true, e.at); break;
      case "timer_paused": if (!hallTimer()) live.setTimer(d.remaining_s, false, e.at); break;
      case "timer_extended":
        /* as fold.py: from what is left at the event's time (a timer that ran out gets it all) */
        var timer = live.timerState;
        if (timer.remaining === null || hallTimer()) break;
        var left = timer.running ? timer.remaining - (e.at - timer.at) : timer.remaining;
        live.setTimer(Math.max(0, left) + d.seconds, timer.running, e.at); break;
      case "timer_stopped": if (!hallTimer()) live.setTimer(null, false, 0); break;
      case "venue_timer_set":
        if (d.cell_id !== data.cell_id) break;
        if (!hallTimer()) live.setTimer(null, false, 0);  /* so its start is announced */
        byId("timer").setAttribute("data-venue", d.cell_id);
        /* the label is written in only now: hidden text would still be the line's text */
        if (byId("timer-hall")) byId("timer-hall").textContent = byId("timer-hall").dataset.label;
        live.setTimer(d.remaining_s, d.running, e.at); break;
      case "venue_timer_stopped":
        if (d.cell_id === data.cell_id) reloadWhenIdle(""); /* back to the session's timer */
        break;
      case "hall_round_started":
        if (!d.seats[me]) break;
        var next = { group: groups[d.seats[me]] || "" };
        reloadWhenIdle(d.seats[me] === group ? t("Next round: stay at %(group)s.", next) : t("Next round: go to %(group)s.", next));
        break;
      case "announced":
        if (d.cell_id && d.cell_id !== data.cell_id) break;  /* told to another venue */
        P.announced(e.seq, d.text, e.at); break;
      case "announcement_ended": P.ended(d.seq); break;
      case "phase_edited": P.phaseEdited(d.phase); break;
      case "hand_raised": case "hand_lowered":
        if (d.participant_id === me) setHand(e.type === "hand_raised");
        break;
    }
  }
  /* A new phase or table changes the whole page; wait until the person is not typing.
     What to say about the change is kept for the reloaded page to announce. */
  function reloadWhenIdle(say) {
    if (say) try { sessionStorage.setItem(sayKey, say); } catch (e) { /* not announced */ }
    var box = document.getElementById("note-text");
    if (box && box.value && document.activeElement === box) {
      showNotice(t("The host has moved the conversation on. Your text is kept: add it, then the page updates."));
      box.addEventListener("blur", function () { if (!box.value) location.reload(); }, { once: true });
      return;
    }
    location.reload();
  }
  function byId(id) { return document.getElementById(id); }
  function hallTimer() { var el = byId("timer"); return !!(el && el.getAttribute("data-venue")); }
  function csrf() { var c = document.querySelector('input[name="csrf"]'); return c ? c.value : ""; }
  /* A one-button form like the page's own, posting to /act without scripts. */
  function miniForm(cls, fields, text, describedBy) {
    var f = document.createElement("form"); f.method = "post"; f.action = "/s/" + L.meta("hk-session") + "/act"; f.className = cls;
    [["csrf", csrf()]].concat(fields).forEach(function (kv) {
      var i = document.createElement("input"); i.type = "hidden"; i.name = kv[0]; i.value = kv[1];
      if (kv[2]) i.setAttribute(kv[2], ""); f.appendChild(i);
    });
    var b = document.createElement("button"); b.type = "submit"; b.className = "secondary"; b.textContent = text;
    b.setAttribute("aria-describedby", describedBy); f.appendChild(b);
    return f;
  }
  function withdrawForm(id, prefix, section) {
    return miniForm("live-form withdraw", [["section", section], ["type", "withdraw_contribution"], ["contribution_id", id]], t("Withdraw"), prefix + id + "-text");
  }
  /* A form's fields as the command it posts (as pages.py reads it), for sending live. */
  function formCommand(f) {
    var command = {};
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || ["csrf", "back", "section", "confirm"].indexOf(el.name) >= 0) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      var v = el.value;
      if (v === "") { if (el.hasAttribute("data-null")) command[el.name] = null; return; }
      command[el.name] = v === "true" ? true : v === "false" ? false : el.hasAttribute("data-int") ? parseInt(v, 10) : v;
    });
    return command;
  }
  function peopleIn(gid) { return Object.keys(seats).filter(function (p) { return seats[p] === gid; }); }
  function names(ids) { return ids.map(label).join(", "); }
  function placeText(gid) {
    if (fishbowl.length) {
      if (fishbowl.some(function (f) { return f.id === gid; })) return t("You are in the inner circle: you may speak.");
      if (!gid) return t("You are in the outer circle: listen, and post questions.");
    }
    if (!gid) return t("You are with everyone, not in a group.");
    var v = { group: groups[gid] || "" };
    if (topicGroups.indexOf(gid) >= 0) return t("You are now in the topic “%(group)s”.", v);
    return data.within ? t("You are now in %(group)s.", v) : t("You are now at %(group)s.", v);
  }
  /* Who is with me, and how many are at each topic (names only where the session names people). */
  function showPeople() {
    showFishbowl();
    Array.prototype.forEach.call(document.querySelectorAll("#topics .topic"), function (li) {
      var here = peopleIn(li.getAttribute("data-group"));
      var text = tn("%(num)d person here", "%(num)d people here", here.length, { num: here.length });
      li.querySelector(".topic-people").textContent = text + (data.named && here.length ? ": " + names(here) : "");
    });
    var w = byId("place-with"); if (!w || !group) return;
    var all = peopleIn(group), others = all.filter(function (p) { return p !== me; });
    if (!data.named) w.textContent = tn("%(num)d person in this group", "%(num)d people in this group", all.length, { num: all.length });
    else w.textContent = others.length ? t("With you: %(people)s", { people: names(others) }) : t("Nobody else is here yet.");
  }
  function showSeat(gid) {
    var p = byId("next-seat"); if (!p) return;
    p.textContent = "";
    p.hidden = !gid || !groups[gid];
    if (p.hidden) return;
    var v = { group: groups[gid] }, s = document.createElement("strong");
    s.textContent = gid === group ? t("Next round: stay at %(group)s.", v) : t("Next round: go to %(group)s.", v);
    p.appendChild(s); L.announce(s.textContent);
  }
  /* As format_fold.join_circle: someone arriving while the piece goes round speaks last. */
  function joinCircle(pid, gid) {
    if (!piece || piece.holder === null || (gid || null) !== (piece.group_id || null)) return;
    if (quiet.indexOf(pid) >= 0 || piece.order.indexOf(pid) >= 0) return;
    piece.order.push(pid); showPiece();
  }
  function showPiece() {
    var list = byId("speaking-order"); if (!list || !piece) return;
    list.textContent = "";
    piece.order.forEach(function (pid) {
      var li = document.createElement("li"), text = label(pid);
      if (pid === me) text += " " + t("(you)");
      if (pid === piece.holder) { li.className = "holder"; li.setAttribute("aria-current", "true"); text += " — " + t("holds the piece"); }
      if (piece.passed.indexOf(pid) >= 0) text += " — " + t("passed");
      li.textContent = text; list.appendChild(li);
    });
    var holder = byId("piece-holder"), mine = byId("piece-mine");
    holder.textContent = "";
    if (piece.holder === me) { var strong = document.createElement("strong"); strong.textContent = t("You hold the talking piece."); holder.appendChild(strong); }
    else holder.textContent = piece.holder ? t("%(name)s holds the talking piece.", { name: label(piece.holder) }) : t("Everyone has had their turn.");
    if (!mine) return;
    var hadFocus = mine.contains(document.activeElement);
    mine.hidden = piece.holder !== me;
    if (hadFocus && mine.hidden) holder.focus();
  }
  function showCall(text, called) {
    var state = byId("call-state"), form = byId("call-form");
    if (!state) return;
    var hadFocus = form.contains(document.activeElement);
    state.textContent = text; form.hidden = called;
    if (called) { form.reset(); if (hadFocus) state.focus(); }
  }
  /* Questions: most votes first, then the oldest; a reorder keeps the focus where it was. */
  function votesOf(li) {
    var tally = JSON.parse(li.querySelector(".votes").dataset.votes || "{}");
    return Object.keys(tally).reduce(function (n, k) { return n + tally[k]; }, 0);
  }
  function sortQuestions() {
    var list = byId("questions"); if (!list) return;
    var items = Array.prototype.slice.call(list.children), focused = document.activeElement;
    var sorted = items.slice().sort(function (a, b) { return votesOf(b) - votesOf(a) || a.dataset.seq - b.dataset.seq; });
    if (sorted.every(function (li, i) { return li === items[i]; })) return;
    sorted.forEach(function (li) { list.appendChild(li); });
    if (focused && list.contains(focused) && document.activeElement !== focused) focused.focus();
  }
  function markQuestion(id, answer) {
    var li = byId("q-" + id); if (!li) return;
    li.className = "question-item answer-" + answer;
    li.querySelector(".answer-state").textContent = answer === "answering" ? t("Being answered now") : answer === "answered" ? t("Answered") : t("Waiting");
  }
  function addQuestion(id, d, seq) {
    var list = byId("questions"); if (byId("q-" + id)) return;
    var li = document.createElement("li"); li.id = "q-" + id; li.className = "question-item answer-open"; li.dataset.seq = seq;
    var meta = document.createElement("span"); meta.className = "meta";
    var who = document.createElement("span"); who.className = "who"; who.textContent = label(d.author_id);
    var state = document.createElement("span"); state.className = "answer-state"; state.textContent = t("Waiting");
    meta.appendChild(who); meta.appendChild(document.createTextNode(" · ")); meta.appendChild(state);
    var text = document.createElement("div"); text.className = "text"; text.id = "q-" + id + "-text"; L.words(text, d.html, d.text);
    var row = document.createElement("span"); row.className = "row";
    if (!d.pending && canVote()) row.appendChild(upvoteForm(id));
    var votes = document.createElement("span"); votes.className = "votes"; votes.dataset.votes = "{}"; votes.textContent = tn("%(num)d vote", "%(num)d votes", 0, { num: 0 });
    row.appendChild(votes);
    if (d.author_id === me) row.appendChild(withdrawForm(id, "q-", "questions-heading"));
    li.appendChild(meta); if (d.pending) li.appendChild(waitingMark("q-", id));
    li.appendChild(text); li.appendChild(row); list.appendChild(li);
    byId("no-questions").hidden = true;
  }
  function canVote() { return !!(byId("note-form") || byId("call-form")); }
  function upvoteForm(id) {
    var up = miniForm("live-form upvote", [["section", "questions-heading"], ["type", "cast_vote"], ["contribution_id", id], ["dots", "1", "data-int"]], t("Upvote"), "q-" + id + "-text");
    up.querySelector("button").setAttribute("aria-pressed", "false");
    return up;
  }
  /* A contribution in its list: questions in theirs (where the phase takes them), notes of my group in mine. */
  function show(id, d, seq) {
    if (d.kind === "question" && byId("questions")) addQuestion(id, d, seq);
    else if (data.plenary || (d.group_id || null) === (group || null)) addNote(id, d);
  }
  /* Dot voting: two one-command forms beside an item, as the page renders them without scripts. */
  function dotControl(id) {
    var box = document.createElement("span"); box.className = "dots"; box.setAttribute("role", "group");
    box.setAttribute("aria-label", t("Dots")); box.dataset.mine = "0"; box.dataset.votes = "{}";
    var less = miniForm("live-form dot-form", [["section", "notes-heading"], ["type", "cast_vote"], ["contribution_id", id], ["dots", "0", "data-int"]], t("Take a dot back"), "c-" + id + "-text");
    var more = miniForm("live-form dot-form", [["section", "notes-heading"], ["type", "cast_vote"], ["contribution_id", id], ["dots", "1", "data-int"]], t("Add a dot"), "c-" + id + "-text");
    less.querySelector("button").classList.add("dot-less");
    more.querySelector("button").className = "dot-more";
    var count = document.createElement("span"); count.className = "dot-count"; count.id = "c-" + id + "-dots";
    box.appendChild(less); box.appendChild(count); box.appendChild(more);
    dotText(box, id);
    return box;
  }
  function dotText(box, id) {
    var tally = JSON.parse(box.dataset.votes || "{}"), mine = parseInt(box.dataset.mine, 10) || 0;
    var total = Object.keys(tally).reduce(function (n, k) { return n + tally[k]; }, 0);
    // the box may not be in the page yet (a note arriving live): look inside it, not up by id
    box.querySelector(".dot-count").textContent = t("Your dots: %(num)d", { num: mine }) + " · " + t("Dots in all: %(num)d", { num: total });
    var inputs = box.querySelectorAll('input[name="dots"]');
    inputs[0].value = String(Math.max(0, mine - 1)); inputs[1].value = String(mine + 1);
  }
  /* A dot placed or taken back: counts change in place (the focus stays on the button used);
     my own is announced with the dots I have left. Whether this was a dot vote at all. */
  function showDots(d) {
    var item = byId("c-" + d.contribution_id), box = item && item.querySelector(".dots");
    if (!box || !data.dots) return false;
    var tally = JSON.parse(box.dataset.votes || "{}");
    if (d.dots) tally[d.participant_id] = d.dots; else delete tally[d.participant_id];
    box.dataset.votes = JSON.stringify(tally);
    if (d.participant_id === me) {
      data.dots.mine[d.contribution_id] = d.dots;
      box.dataset.mine = String(d.dots);
      var used = Object.keys(data.dots.mine).reduce(function (n, k) { return n + data.dots.mine[k]; }, 0);
      data.dots.left = data.dots.total - used;
      var left = t("Dots left to place: %(num)d.", { num: data.dots.left });
      var line = byId("dots-left-count"); if (line) line.textContent = left;
      L.announce(t("Your dots here: %(num)d.", { num: d.dots }) + " " + left);
    }
    dotText(box, d.contribution_id);
    return true;
  }
  function waitingMark(prefix, id) {
    var mark = document.createElement("strong"); mark.className = "waiting-approval"; mark.id = prefix + id + "-waiting";
    mark.textContent = t("Waiting for the host to approve");
    return mark;
  }
  /* Approved: what I held appears; on my own (or, for a host, anyone's) the mark goes and the
     votes come; one that waited before this page loaded is fetched from the snapshot. */
  function approved(id) {
    var was = held[id];
    /* Others' waiting words never reach this phone (the server blanks them): fetch them now. */
    if (was) { delete held[id]; if (!was.d.text) { fetchApproved(id); return; } was.d.pending = false; show(id, was.d, was.seq); return; }
    var mark = byId("c-" + id + "-waiting") || byId("q-" + id + "-waiting");
    if (mark) {
      var li = mark.parentNode, mine = !!li.querySelector("form.withdraw");
      mark.remove();
      if (li.id.charAt(0) === "q" && canVote()) li.querySelector(".row").prepend(upvoteForm(id));
      else if (li.classList.contains("kind-topic") && byId("note-form")) li.insertBefore(voteForm(id), li.querySelector("form.withdraw"));
      if (mine) L.announce(t("The host has approved your note: everyone can see it now."));
      return;
    }
    if (waitingIds.indexOf(id) >= 0) fetchApproved(id);
  }
  function fetchApproved(id) {
    fetch("/api/sessions/" + L.meta("hk-session") + "/snapshot", { headers: { "Authorization": "Bearer " + L.meta("hk-token") } })
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (body) {
        var c = (body.state.contributions || []).filter(function (x) { return x.id === id; })[0];
        if (c && !c.pending) show(id, { kind: c.kind, text: c.text, html: c.html, author_id: c.author_id, group_id: c.group_id, photo_id: c.photo_id }, c.seq);
      })
      .catch(function () { reloadWhenIdle(""); });
  }
  /* The fishbowl's inner circle: who sits in it, the chairs free, and whether I may take one. */
  function showFishbowl() {
    fishbowl.forEach(function (f) {
      var box = byId("fishbowl-" + f.id); if (!box) return;
      var inside = peopleIn(f.id).sort(function (a, b) { return joined.indexOf(a) - joined.indexOf(b); }), free = Math.max(0, f.seats - inside.length), here = inside.indexOf(me) >= 0;
      var people = box.querySelector(".fishbowl-people");
      if (!data.named) people.textContent = t("Chairs taken: %(num)d of %(seats)d.", { num: inside.length, seats: f.seats });
      else people.textContent = inside.length ? t("In the inner circle: %(people)s", { people: inside.map(function (p) { return label(p) + (p === me ? " " + t("(you)") : ""); }).join(", ") }) : t("Nobody is in the inner circle yet.");
      var line = byId("fishbowl-" + f.id + "-free");
      line.textContent = free ? tn("%(num)d chair is free.", "%(num)d chairs are free.", free, { num: free }) : t("No chair is free: wait for someone to leave.");
      var seat = box.querySelector("form.fishbowl-seat"); if (!seat) return;
      var hadFocus = seat.contains(document.activeElement);
      seat.hidden = !here && !free;
      if (hadFocus && seat.hidden) line.focus();
    });
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
    posts[live.send({ type: "post_contribution", kind: kind.value, text: text })] = true;
    box.value = "";
    box.dispatchEvent(new Event("input"));  /* the counter beside it starts again */
    P.posting(live.connected);
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
  /* Any other one-command form on the page is sent live (the outbox keeps it while offline). */
  document.addEventListener("submit", function (ev) {
    var f = ev.target; if (!f.classList || !f.classList.contains("live-form")) return;
    ev.preventDefault();
    var command = formCommand(f);
    live.send(command);
    if (command.type === "withdraw_all") { f.reset(); L.announce(t("Withdrawing everything you said…")); }
  });
  try {
    var said = sessionStorage.getItem(sayKey);
    if (said) { sessionStorage.removeItem(sayKey); setTimeout(function () { L.announce(said); }, 700); }
  } catch (e) { /* nothing to say */ }
  /* Keep this page and its files for a reload while the Wi-Fi is down (see sw.js). */
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; }).then(function () {
      return caches.open("hostkit-v1").then(function (c) {
        return c.addAll([location.pathname, "/static/style.css", "/static/live.js", "/static/participant.js", "/static/phone.js", "/static/textsize.js"]);
      });
    }).catch(function () { /* no offline reload, everything else still works */ });
  }
  live.tickTimer();
  live.start();
})();
