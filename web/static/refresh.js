/* Host console and projector: on each committed event, re-read the page and swap the live
   sections that changed, leaving any section the user is typing or choosing in untouched;
   a focused button keeps the focus (the same button, or the one now in its place). */
(function () {
  "use strict";
  var pending = null;
  function editing(section) {
    var el = document.activeElement;
    return section.contains(el) && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }
  /* Within a named group (one hall's controls) if the focus was in one: several groups
     hold buttons of the same name, and the focus must not jump to another hall's. */
  function groupOf(el, within) {
    var group = el && el.closest("[role=group][aria-label]");
    return group && within.contains(group) ? group : within;
  }
  function named(within, name) {
    return Array.prototype.filter.call(within.querySelectorAll("[role=group][aria-label]"), function (g) { return g.getAttribute("aria-label") === name; })[0] || within;
  }
  function swap(old, html, keep) {
    var had = old.contains(document.activeElement) ? document.activeElement : null;
    var scope = groupOf(had, old), name = scope !== old ? scope.getAttribute("aria-label") : null;
    var buttons = Array.prototype.slice.call(scope.querySelectorAll("button, a"));
    var label = had ? had.textContent : "", index = buttons.indexOf(had);
    old.innerHTML = html;
    if (window.HostkitCounter) window.HostkitCounter.watchAll(old);  /* the count beside a text box */
    if (!had || keep === false) return;
    var now = (name ? named(old, name) : old).querySelectorAll("button, a");
    var again = Array.prototype.filter.call(now, function (b) { return b.textContent === label; })[0] || now[index];
    if (again) again.focus({ preventScroll: true });
  }
  /* What arrived in the lists marked data-news (the console's harvest, hands up, calls):
     new items, and harvest items whose dots changed, in words for the polite live region. */
  function news(old, next) {
    var T = window.HostkitLive.t, before = {}, added = {}, dotted = [];
    function words(li) { var el = li.querySelector(".text") || li, s = el.textContent.trim(); return s.length > 120 ? s.slice(0, 119) + "…" : s; }
    function dots(li) { var d = li.querySelector(".dots"); return d ? d.textContent : ""; }
    old.querySelectorAll("[data-news] > li[id]").forEach(function (li) { before[li.id] = dots(li); });
    next.querySelectorAll("[data-news] > li[id]").forEach(function (li) {
      var kind = li.parentNode.getAttribute("data-news");
      if (!(li.id in before)) (added[kind] = added[kind] || []).push(words(li));
      else if (dots(li) && dots(li) !== before[li.id]) dotted.push(T("%(text)s has %(dots)s", { text: words(li), dots: dots(li) }));
    });
    var said = [], harvest = added.harvest || [];
    if (added.calls) said.push(added.calls.join("; "));  /* "Dewi calls the host (Table 1)" */
    if (added.halls) said.push(added.halls.join("; "));  /* "Hall A: This hall's own timer: 10 minutes left" */
    if (added.hands) said.push(T("Hand raised: %(list)s", { list: added.hands.join("; ") }));
    if (harvest.length === 1) said.push(T("New in the harvest: %(text)s", { text: harvest[0] }));
    else if (harvest.length) said.push(T("New in the harvest: %(num)s contributions", { num: harvest.length }));
    if (dotted.length) said.push(T("Dots placed: %(list)s", { list: dotted.join("; ") }));
    return said.join(" ");
  }
  function refresh() {
    fetch(location.pathname + location.search, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html"), said = [];
      document.querySelectorAll("[data-live]").forEach(function (old) {
        var next = fresh.querySelector('[data-live="' + old.dataset.live + '"]');
        if (!next || next.innerHTML === old.innerHTML || editing(old)) return;
        var told = news(old, next);
        if (told) said.push(told);
        swap(old, next.innerHTML);
      });
      if (said.length) window.HostkitLive.announce(said.join(" "));  /* the focus stays put */
      if (live.setTimer) {
        var t = document.getElementById("timer");
        live.tickTimerFrom(t);
      }
      pageWall();
    });
  }
  /* The projector's lists (the live wall, the ranking) show as many items as fit above the
     join strip, whole, and turn the pages themselves, so every note is seen in turn. */
  var turned = {};
  function pages(list, limit) {
    var items = Array.prototype.slice.call(list.children), found = [], start = 0;
    while (start < items.length) {
      items.forEach(function (li, i) { li.hidden = i < start; });
      var end = start + 1;  /* at least one item a page, however tall */
      while (end < items.length && items[end].getBoundingClientRect().bottom <= limit) end += 1;
      found.push(start); start = end;
    }
    return found;
  }
  function pageList(id, labelId, turn) {
    var list = document.getElementById(id), stage = list && list.closest(".stage");
    if (!list || !stage || list.tagName === "P") return;
    var items = list.children, starts = pages(list, stage.getBoundingClientRect().bottom);
    var page = ((turned[id] || 0) + (turn ? 1 : 0)) % starts.length;
    turned[id] = page;
    var from = starts[page], to = page + 1 < starts.length ? starts[page + 1] : items.length;
    for (var i = 0; i < items.length; i++) items[i].hidden = i < from || i >= to;
    var label = document.getElementById(labelId);
    if (label) label.textContent = starts.length > 1 ? " " + window.HostkitLive.t("page %(page)s of %(pages)s", { page: page + 1, pages: starts.length }) : "";
  }
  function pageWall(turn) {
    pageList("wall", "wall-page", turn);
    pageList("results", "results-page", turn);
  }
  pageWall();
  window.addEventListener("resize", function () { pageWall(); });
  setInterval(function () { pageWall(true); }, 12000);
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
  /* The projector lets an announcement go when its time on the big screen is over, by the
     server's clock, without waiting for the next event (data-until: server time). */
  setInterval(function () {
    document.querySelectorAll("[data-until]").forEach(function (el) {
      if (!el.hidden && live.serverNow() >= parseFloat(el.getAttribute("data-until"))) el.hidden = true;
    });
  }, 1000);

  /* A hall's own timer on the lead host's console counts down between events too, by the
     server's clock (data-ticks; the session's timer is #timer, above). */
  setInterval(function () {
    document.querySelectorAll("[data-ticks]").forEach(function (el) {
      if (el.dataset.running !== "true") return;
      var left = Math.max(0, parseFloat(el.dataset.remaining) - (live.serverNow() - parseFloat(el.dataset.serverTime)));
      var text = window.HostkitLive.timeLeft(left);
      if (el.textContent !== text) el.textContent = text;
    });
  }, 1000);

  /* The console's forms, sent without leaving the page: the section the host used is
     replaced by the server's answer (with its notice) and the focus stays there, so the
     host keeps their place. Without JavaScript the same form comes back to #section. */
  function sameSection(fresh, old) {
    if (old.dataset.live) return fresh.querySelector('[data-live="' + old.dataset.live + '"]');
    return fresh.querySelector('section[aria-labelledby="' + old.getAttribute("aria-labelledby") + '"]');
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!document.body.classList.contains("console") || !/\/act$/.test(form.getAttribute("action") || "")) return;
    var used = event.submitter;
    if (used && used.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
    var place = form.closest("[data-live]") || form.closest("section[aria-labelledby]");
    if (!place || !window.fetch || !window.DOMParser) return;
    event.preventDefault();
    var advancing = used && used.id === "next-step";
    var body = new URLSearchParams(new FormData(form));
    if (used && used.name) body.append(used.name, used.value);
    if (used) used.setAttribute("aria-disabled", "true");
    var landed = "";
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (r) { landed = r.url; return r.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var next = sameSection(fresh, place);
      /* a new language, or a page without this section: show the whole answer */
      if (!next || fresh.documentElement.lang !== document.documentElement.lang) { location.href = landed; return; }
      if (used) used.focus({ preventScroll: true });
      /* the same button, else the one in its place (Start becomes Pause), else the heading;
         after the next step the heading, so a second press cannot skip a phase */
      swap(place, next.innerHTML, !advancing);
      document.querySelectorAll("[data-live]").forEach(function (old) {
        var other = fresh.querySelector('[data-live="' + old.dataset.live + '"]');
        if (other && old !== place && !old.contains(place) && !place.contains(old) && other.innerHTML !== old.innerHTML && !editing(old)) swap(old, other.innerHTML);
      });
      if (live.setTimer) live.tickTimerFrom(document.getElementById("timer"));
      var heading = place.querySelector("h2, h3");
      if (!place.contains(document.activeElement) && heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
    }).catch(function () { if (used) used.removeAttribute("aria-disabled"); form.submit(); });
  });
})();
