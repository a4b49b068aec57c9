/* hostkit live connection: hello + resume by sequence number, a persistent outbox,
   WebSocket first and HTTP long-polling when WebSockets are blocked. */
(function () {
  "use strict";
  var strings = {};
  try { var block = document.getElementById("hk-strings"); if (block) strings = JSON.parse(block.textContent); } catch (e) { /* English */ }
  /* The page's language: the server puts the translations of these words in #hk-strings. */
  function t(message, values) {
    var text = strings[message] || message;
    return text.replace(/%\((\w+)\)[sd]/g, function (_, name) { return values && name in values ? String(values[name]) : _; });
  }
  /* Words with a count: the server sends each one's forms and which form each count takes,
     from its catalogue (ngettext), for counts 0-199; a larger n takes the form of 100 + n % 100.
     Only the catalogue's rule chooses (Welsh has six forms): the page never guesses. */
  var plurals = { which: [], forms: {} };
  try { var counted = document.getElementById("hk-plurals"); if (counted) plurals = JSON.parse(counted.textContent); } catch (e) { /* as sent */ }
  function tn(singular, plural, n, values) {
    var which = plurals.which, forms = plurals.forms[singular] || [];
    var form = forms[which.length ? which[n < which.length ? n : 100 + n % 100] : -1];
    return t(form || plural, values);
  }
  function meta(name) { var m = document.querySelector('meta[name="' + name + '"]'); return m ? m.content : null; }

  function Live(opts) {
    this.session = meta("hk-session");
    this.token = meta("hk-token");
    this.me = meta("hk-me");
    this.lastSeq = parseInt(meta("hk-seq") || "0", 10);
    this.epoch = null; /* the store's epoch from the welcome: a new one means a restored log */
    this.onEvents = opts.onEvents || function () {};
    this.onSnapshot = opts.onSnapshot || function () { location.reload(); };
    this.onRejected = opts.onRejected || function () {};
    this.onStatus = opts.onStatus || function () {};
    this.onAlert = opts.onAlert || function () {};  /* hosts: the server could not store something */
    this.onAck = opts.onAck || function () {};  /* the server stored a command I sent: (ack, command) */
    this.onHall = opts.onHall || function () {};  /* a hall laptop: what the hall keeps, not yet shared */
    this.onKept = opts.onKept || function () {};  /* a hall laptop kept a command of mine: (kept) */
    this.hall = null; /* the latest "hall" message of a hall laptop (docs/relay.md), else null */
    this.offset = 0; /* server time minus local time, seconds */
    this.key = "hk-outbox-" + this.session + "-" + this.me;
    this.outbox = this.load();
    this.wsFailures = 0;
    this.backoff = 1000;
    this.retryDelay = 0;
    this.retryTimer = null;
    this.mode = "ws";
    this.connected = false;
  }
  Live.prototype.load = function () {
    try { return JSON.parse(localStorage.getItem(this.key) || "[]"); } catch (e) { return []; }
  };
  Live.prototype.save = function () {
    try { localStorage.setItem(this.key, JSON.stringify(this.outbox)); } catch (e) { /* private mode */ }
  };
  Live.prototype.newId = function () {
    var a = new Uint8Array(12); (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  };
  Live.prototype.send = function (command) {
    var item = { id: this.newId(), command: command };
    this.outbox.push(item); this.save();
    this.status();
    if (this.connected && navigator.onLine !== false) this.transmit(item);
    return item.id;
  };
  Live.prototype.serverNow = function () { return Date.now() / 1000 + this.offset; };
  Live.prototype.status = function () {
    var pending = this.outbox.length;
    if (this.connected && this.hall && !this.hall.connected) this.onStatus(t("The hall's internet is down: what you write is kept in the hall, not yet shared."), false);
    else if (this.connected && pending && this.retryTimer) this.onStatus(t("Connected · the server could not store %(count)s yet; trying again shortly.", { count: pending }), true);
    else if (this.connected) this.onStatus(pending ? t("Connected · sending %(count)s…", { count: pending }) : t("Connected"), true);
    else if (pending) this.onStatus(t("Reconnecting… your note is saved and will be sent."), false);
    else this.onStatus(t(this.everConnected ? "Reconnecting…" : "Connecting…"), !this.everConnected);
  };
  Live.prototype.settle = function (msg) {
    /* storage_failed or rate_limited: nothing was stored; keep it and send it again, same id, later */
    if (msg.type === "rejected" && (msg.code === "storage_failed" || msg.code === "rate_limited")) { this.retrySoon(); this.status(); return; }
    var before = this.outbox.length, sent = null;
    this.outbox = this.outbox.filter(function (i) { if (i.id === msg.id) sent = i.command; return i.id !== msg.id; });
    if (this.outbox.length !== before) this.save();
    if (msg.type === "rejected") this.onRejected(msg);
    else { this.retryDelay = 0; this.onAck(msg, sent); }
    this.status();
  };
  /* Resend what is waiting after a pause that doubles each time (2 s up to a minute). */
  Live.prototype.retrySoon = function () {
    var self = this;
    if (this.retryTimer) return;
    this.retryDelay = Math.min(Math.max(this.retryDelay * 2, 2000), 60000);
    this.retryTimer = setTimeout(function () {
      self.retryTimer = null;
      if (self.connected && self.outbox.length) self.flush();
    }, this.retryDelay);
  };
  Live.prototype.receive = function (msg) {
    if (msg.type === "welcome" || msg.type === "pong") { this.offset = msg.server_time - Date.now() / 1000; }
    if (msg.type === "welcome") { this.epoch = msg.epoch; this.connected = true; this.everConnected = true; this.backoff = 1000; this.wsFailures = 0; this.flush(); this.status(); }
    else if (msg.type === "events") {
      var fresh = msg.events.filter(function (e) { return e.seq > this.lastSeq; }, this);
      if (fresh.length) { this.lastSeq = fresh[fresh.length - 1].seq; this.onEvents(fresh, this); }
    } else if (msg.type === "snapshot") { this.lastSeq = msg.state.seq; this.onSnapshot(msg.state, this); }
    else if (msg.type === "ack" || msg.type === "rejected") { this.settle(msg); }
    else if (msg.type === "alert") { this.onAlert(msg, this); }
    else if (msg.type === "hall") { this.hall = msg; this.onHall(msg, this); this.status(); }
    else if (msg.type === "kept") { this.keep(msg.id); }
  };
  /* The hall laptop has it (its internet is down): it stays in the outbox, sent again after
     the next welcome, until the server's ack; the page shows it in the hall's list meanwhile. */
  Live.prototype.keep = function (id) {
    this.outbox.forEach(function (i) { if (i.id === id) i.kept = true; });
    this.save(); this.status(); this.onKept({ id: id }, this);
  };
  Live.prototype.flush = function () { this.outbox.forEach(this.transmit, this); };
  Live.prototype.transmit = function (item) {
    var self = this;
    if (this.mode === "ws" && this.ws && this.ws.readyState === 1) {
      this.ws.send(JSON.stringify({ type: "command", id: item.id, command: item.command }));
    } else if (this.mode === "http") {
      fetch("/api/sessions/" + this.session + "/commands", {
        method: "POST", headers: { "Content-Type": "application/json", "Authorization": "Bearer " + this.token },
        body: JSON.stringify(item)
      }).then(function (r) { return r.json().then(function (b) { if (r.status < 500) self.receive(b); else self.retrySoon(); }); })
        .catch(function () { self.retrySoon(); /* stays in the outbox */ });
    }
  };
  Live.prototype.start = function () {
    var self = this;
    window.addEventListener("online", function () { self.reconnectSoon(0); });
    window.addEventListener("offline", function () {
      self.connected = false; self.status();
      if (self.ws && self.ws.readyState < 2) self.ws.close();
    });
    this.status();
    if (!("WebSocket" in window)) { this.mode = "http"; this.poll(); } else { this.open(); }
  };
  Live.prototype.reconnectSoon = function (delay) {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.mode === "ws" ? self.open() : self.poll(); }, delay);
  };
  Live.prototype.open = function () {
    var self = this, proto = location.protocol === "https:" ? "wss://" : "ws://";
    if (this.ws && this.ws.readyState < 2) return;
    var ws = new WebSocket(proto + location.host + "/api/sessions/" + this.session + "/live");
    this.ws = ws;
    ws.onopen = function () { var hello = { type: "hello", token: self.token, last_seq: self.lastSeq };
      if (self.epoch) hello.epoch = self.epoch;
      ws.send(JSON.stringify(hello));  };
    ws.onmessage = function (m) { try { self.receive(JSON.parse(m.data)); } catch (e) { if (window.console) console.error(e); } };
    ws.onclose = function (e) {
      var wasConnected = self.connected;
      self.connected = false; self.status();
      if (e.code === 4401 || e.code === 4404) { self.onStatus(t("This link is no longer valid."), false); return; }
      if (navigator.onLine === false) return; /* the "online" event reconnects */
      if (!wasConnected) self.wsFailures += 1;
      if (self.wsFailures >= 3) { self.mode = "http"; }
      self.backoff = Math.min(self.backoff * 2, 15000);
      /* jitter: when a server restarts (close 4503), a whole hall does not come back at once */
      self.reconnectSoon(wasConnected ? 250 + Math.random() * 1000 : self.backoff * (0.5 + Math.random() / 2));
    };
    clearInterval(this.pinger);
    this.pinger = setInterval(function () { if (ws.readyState === 1) ws.send('{"type":"ping"}'); }, 20000);
  };
  Live.prototype.poll = function () {
    var self = this;
    fetch("/api/sessions/" + this.session + "/events?wait=25&after=" + this.lastSeq, {
      headers: { "Authorization": "Bearer " + this.token }
    }).then(function (r) {
      if (r.status === 401 || r.status === 404) { self.onStatus(t("This link is no longer valid."), false); throw "stop"; }
      return r.json();
    }).then(function (body) {
      if (!self.connected) { self.connected = true; self.everConnected = true; self.flush(); }
      self.backoff = 1000; self.receive(body); self.status(); self.reconnectSoon(0);
    }).catch(function (e) {
      if (e === "stop") return;
      self.connected = false; self.status();
      self.backoff = Math.min(self.backoff * 2, 15000); self.reconnectSoon(self.backoff);
    });
  };

  /* The shared timer display: counts down locally from server time, never from the phone's clock.
     Announced to screen readers at the start, at 5 minutes, 1 minute and the end only. */
  function timeLeft(left) {
    if (left <= 0) return t("Time is up");
    if (left >= 60) { var m = Math.ceil(left / 60); return tn("%(num)d minute left", "%(num)d minutes left", m, { num: m }); }
    var s = Math.ceil(left); return tn("%(num)d second left", "%(num)d seconds left", s, { num: s });
  }
  Live.timeLeft = timeLeft;
  /* A contribution's words into el: the HTML the server made of its Markdown (cleaned there
     by an allow-list, as in every export: docs/protocol.md), else, before the server has
     stored it, the text as typed. Pages never read Markdown themselves. */
  Live.words = function (el, html, text) {
    if (typeof html === "string") { el.innerHTML = html; el.classList.remove("as-typed"); }
    else { el.textContent = text; el.classList.add("as-typed"); }
  };
  Live.prototype.tickTimer = function () {
    var self = this, first = document.getElementById("timer"), previous = null;
    this.timerState = { remaining: null, running: false, at: 0 };
    if (first && first.dataset.remaining) {
      this.timerState = { remaining: parseFloat(first.dataset.remaining), running: first.dataset.running === "true",
                          at: parseFloat(first.dataset.serverTime) };
      this.offset = this.timerState.at - Date.now() / 1000;
    }
    function render() {
      var el = document.getElementById("timer"), part = document.getElementById("timer-part"), state = self.timerState;
      if (!el) return;
      if (part) part.hidden = state.remaining === null;
      if (state.remaining === null) { el.textContent = t("No timer running"); previous = null; return; }
      var left = state.running ? Math.max(0, state.remaining - (self.serverNow() - state.at)) : state.remaining;
      var text = timeLeft(left) + (state.running ? "" : " " + t("(paused)"));
      if (el.textContent !== text) el.textContent = text;
      if (state.running && previous !== null) {
        [[300, "5 minutes left"], [60, "1 minute left"], [0, "Time is up"]].forEach(function (mark) {
          if (previous > mark[0] && left <= mark[0]) Live.announce(t(mark[1]));
        });
      }
      previous = left;
    }
    render(); setInterval(render, 1000);
    this.setTimer = function (remaining, running, at) {
      var starting = remaining !== null && running && !self.timerState.running;
      self.timerState = { remaining: remaining, running: running, at: at };
      if (starting) Live.announce(t("Timer started: %(left)s", { left: timeLeft(remaining) }));
      previous = null; render();
      /* a timer set to a mark (5 minutes) has not crossed it: the server's clock may put
         its start a moment ahead of ours, which read as just above the mark */
      if (previous !== null && remaining !== null) previous = Math.min(previous, remaining);
    };
  };
  Live.announce = function (text) {
    var el = document.getElementById("announcer");
    if (el) { el.textContent = ""; setTimeout(function () { el.textContent = text; }, 50); }
  };
  Live.meta = meta;
  Live.t = t;
  Live.tn = tn;
  window.HostkitLive = Live;
})();
