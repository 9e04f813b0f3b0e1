// Web Push on this device (docs/notifications.md). Every page gives the
// service worker the sign-in's CSRF token (so "Take the seat" in a
// notification can act) or takes it back after signing out. The notices
// page has a [data-push] block: a button turns notifications on or off for
// this browser. Without push (unsupported, declined) the block says so and
// the badge in the header and the notices page remain.
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  var field = document.querySelector('form[action="/signout"] input[name="csrf"]');
  var csrf = field ? field.value : '';
  navigator.serviceWorker.ready.then(function (reg) {
    if (reg.active) reg.active.postMessage({ type: 'venuehop-csrf', csrf: csrf });
    setup(reg);
  });

  function b64url(s) {
    var pad = '='.repeat((4 - s.length % 4) % 4);
    var raw = atob((s + pad).replace(/-/g, '+').replace(/_/g, '/'));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': csrf },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (!r.ok) throw new Error('the server answered ' + r.status);
      return r.status === 204 ? null : r.json();
    });
  }

  function setup(reg) {
    var box = document.querySelector('[data-push]');
    if (!box || !csrf) return;
    var status = box.querySelector('[data-push-status]');
    var button = box.querySelector('[data-push-toggle]');
    function say(text) { if (status) status.textContent = text; }
    if (!('PushManager' in window) || !reg.pushManager || !button) {
      say('This browser cannot receive notifications: the badge and this page keep you informed.');
      return;
    }
    var cats = box.querySelector('[data-push-categories]');
    var boxes = box.querySelectorAll('input[name="category"]');
    function wanted() {
      return Array.prototype.filter.call(boxes, function (c) { return c.checked; }).map(function (c) { return c.value; });
    }
    function save(sub) {
      var body = sub.toJSON();
      body.categories = wanted();
      return api('PUT', '/api/v1/me/push/subscription', body).then(function () { return sub; });
    }
    function show(sub) {
      button.hidden = false;
      if (cats) cats.hidden = false;
      button.textContent = sub ? 'Stop notifications on this device' : 'Notify me on this device';
      button.dataset.on = sub ? '1' : '';
      if (Notification.permission === 'denied') {
        say('Notifications are blocked for this site in the browser settings.');
        button.hidden = true;
      } else if (!sub) {
        say('This device gets no notifications.');
      } else {
        say(wanted().length ? 'This device gets notifications.' : 'This device is subscribed but wants none of them: tick what it should show.');
      }
    }
    // The ticks are the device's own choice, as the server keeps it.
    function load(sub) {
      if (!sub) return show(null);
      api('GET', '/api/v1/me/push/subscriptions').then(function (r) {
        var mine = (r.devices || []).filter(function (d) { return d.endpoint === sub.endpoint; })[0];
        if (!mine) return save(sub); // the server lost it: subscribe again
        Array.prototype.forEach.call(boxes, function (c) { c.checked = mine.categories.indexOf(c.value) >= 0; });
        return sub;
      }).then(show, function () { show(sub); });
    }
    Array.prototype.forEach.call(boxes, function (c) {
      c.addEventListener('change', function () {
        reg.pushManager.getSubscription().then(function (sub) {
          if (sub) save(sub).then(show, function (e) { say('Could not save: ' + e.message); });
        });
      });
    });
    reg.pushManager.getSubscription().then(load);
    button.addEventListener('click', function () {
      button.disabled = true;
      var done = function () { button.disabled = false; };
      if (button.dataset.on) {
        reg.pushManager.getSubscription().then(function (sub) {
          if (!sub) return null;
          return api('DELETE', '/api/v1/me/push/subscription', { endpoint: sub.endpoint }).then(function () { return sub.unsubscribe(); });
        }).then(function () { show(null); }, function (e) { say('Could not stop: ' + e.message); }).then(done);
        return;
      }
      api('GET', '/api/v1/push/key').then(function (k) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64url(k.publicKey) });
      }).then(save).then(show, function (e) {
        say(Notification.permission === 'denied' ? 'Notifications were declined: the badge and this page keep you informed.' :
          'Could not turn notifications on: ' + e.message);
      }).then(done);
    });
  }
})();
