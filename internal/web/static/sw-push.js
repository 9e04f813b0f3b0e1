// Web Push (docs/notifications.md): show what the server sent, and act on
// a click. The payload is the notice as JSON: id, category, title, body,
// url, topic, offerId, sessionId, expires. Its message listener answers
// only its own message type, beside sw.js's.

var ICON = self.VENUEHOP_ICON || ''; // this version's hashed app icon

// pushOptions turns a notice into showNotification's options. A notice
// with a topic replaces the one shown with the same topic (tag), as the
// push service replaces an undelivered one (RFC 8030 Topic).
function pushOptions(n) {
  var opts = {
    body: n.body || '',
    tag: n.topic || n.id || '',
    renotify: !!n.topic,
    icon: ICON,
    badge: ICON,
    timestamp: n.created ? Date.parse(n.created) : Date.now(),
    data: { id: n.id || '', url: n.url || '/me/notices', offerId: n.offerId || '', expires: n.expires || '' },
    actions: []
  };
  if (n.category === 'offer' && n.offerId) {
    opts.requireInteraction = true;
    opts.actions = [{ action: 'accept', title: 'Take the seat' }, { action: 'open', title: 'Show me' }];
  }
  return opts;
}

self.addEventListener('push', function (event) {
  var n = {};
  try {
    n = event.data ? event.data.json() : {};
  } catch (e) {
    n = { title: 'venuehop', body: event.data ? event.data.text() : '' };
  }
  var expires = Date.parse(n.expires || ''); // NaN, or before 1970 for "none"
  if (expires > 0 && expires < Date.now()) return; // too late to be of use
  event.waitUntil(self.registration.showNotification(n.title || 'venuehop', pushOptions(n)));
});

// openOrFocus brings a venuehop window to url, or opens one.
function openOrFocus(url) {
  return self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if ('navigate' in list[i]) {
        return list[i].focus().then(function (c) { return c.navigate(url); });
      }
    }
    return self.clients.openWindow(url);
  });
}

// acceptOffer takes the seat from the notification through the API, with
// the sign-in's cookie and the CSRF token a page gave the worker; without a
// token, or when the server says no, it opens My seats, where the offer is.
function acceptOffer(data) {
  var page = '/me/reservations?offer=' + encodeURIComponent(data.offerId);
  return caches.open(DATA).then(function (c) { return c.match('/__venuehop/csrf'); }).then(function (r) {
    return r ? r.text() : '';
  }).then(function (csrf) {
    if (!csrf) return openOrFocus(page);
    return fetch('/api/v1/me/offers/' + encodeURIComponent(data.offerId) + '/accept', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf, 'Accept': 'application/json' }
    }).then(function (resp) {
      if (!resp.ok) return openOrFocus(page);
      return self.registration.showNotification('Seat taken', {
        body: 'It is yours: see My seats.', tag: 'offer-' + data.offerId,
        icon: ICON, data: { url: '/me/reservations' }
      });
    }, function () { return openOrFocus(page); });
  });
}

// notificationClicked does what a click on a notice asks: "Take the seat"
// accepts the offer; anything else opens the notice's page.
function notificationClicked(action, data) {
  if (action === 'accept' && data.offerId) return acceptOffer(data);
  return openOrFocus(data.url || '/me/notices');
}

self.addEventListener('notificationclick', function (event) {
  var data = event.notification.data || {};
  event.notification.close();
  event.waitUntil(notificationClicked(event.action, data));
});

// A page tells the worker its CSRF token (it is the same for the whole
// sign-in), so that "Take the seat" can act without opening a page.
self.addEventListener('message', function (event) {
  var m = event.data || {};
  if (m.type !== 'venuehop-csrf' || typeof m.csrf !== 'string' || m.csrf.length > 200) return;
  if (!event.source || new URL(event.source.url).origin !== self.location.origin) return;
  event.waitUntil(caches.open(DATA).then(function (c) {
    return m.csrf ? c.put('/__venuehop/csrf', new Response(m.csrf)) : c.delete('/__venuehop/csrf');
  }));
});
