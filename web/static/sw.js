/* hostkit service worker: lets a participant's page reload on a dropped village-hall Wi-Fi.
   Network first (so nothing is ever stale while online); when the network fails, the last
   copy of the participant page and the static files is served from the cache. Notes typed
   meanwhile wait in live.js's outbox and are sent once the connection is back. */
"use strict";
var CACHE = "hostkit-v1";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  var page = /^\/s\/[^\/]+$/.test(url.pathname);
  if (!page && url.pathname.indexOf("/static/") !== 0) return;
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok && !res.redirected) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { return c.put(url.origin + url.pathname, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(url.origin + url.pathname).then(function (hit) { return hit || Response.error(); });
  }));
});
