// venuehop star controls: with this file a star or a priority change is
// saved in place (fetch) instead of reloading the page. Without it the same
// forms post and redirect back.
(function () {
  'use strict';
  if (!window.fetch || !window.URLSearchParams || !window.FormData) return;
  document.documentElement.classList.add('js-star');

  function send(form, op) {
    var body = new URLSearchParams(new FormData(form));
    body.set('op', op);
    form.classList.add('busy');
    var hadFocus = form.contains(document.activeElement) ? document.activeElement.className : '';
    var failedOffline = false;
    fetch(form.action, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { 'Accept': 'text/html-fragment' }
    }).catch(function (err) {
      failedOffline = true; // no answer at all: the network is gone
      throw err;
    }).then(function (resp) {
      if (!resp.ok) throw new Error('HTTP ' + resp.status);
      return resp.text();
    }).then(function (html) {
      var tmp = document.createElement('div');
      tmp.innerHTML = html.trim();
      var fresh = tmp.firstElementChild;
      if (!fresh) return;
      form.replaceWith(fresh);
      if (hadFocus) {
        var again = fresh.getElementsByClassName(hadFocus.split(' ')[0])[0];
        if (again) again.focus();
      }
    }).catch(function () {
      // Offline (favsync.js keeps the change and sends it later), or fall
      // back to the plain form post, which shows any error page.
      if (!navigator.onLine || failedOffline) {
        if (window.VenuehopFavSync && window.VenuehopFavSync.queue(form, op)) return;
      }
      form.classList.remove('busy');
      var input = document.createElement('input');
      input.type = 'hidden'; input.name = 'op'; input.value = op;
      form.appendChild(input);
      form.submit();
    });
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains('star')) return;
    e.preventDefault();
    var op = e.submitter && e.submitter.value === 'remove' ? 'remove' : 'set';
    send(form, op);
  });

  document.addEventListener('change', function (e) {
    var sel = e.target;
    var form = sel.form;
    if (!form || !form.classList.contains('star') || !form.classList.contains('starred')) return;
    send(form, 'set');
  });
})();
