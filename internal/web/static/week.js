// My week: when the organizers move or cancel a session of your plan, the
// server proposes a new plan and says so on the event stream; this shows a
// notice linking to it. Without JavaScript the notice is on the next visit.
(function () {
  'use strict';
  var box = document.getElementById('live-notice');
  var page = document.querySelector('.week');
  if (!box || !page) return;
  var es = window.venuehopEvents && window.venuehopEvents(); // events.js
  if (!es) return;
  es.addEventListener('change', function (ev) {
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (!data.planId) return; // a change to someone else's plan
    var verb = data.kind === 'cancelled' ? 'was cancelled' : 'moved';
    box.textContent = '';
    var p = document.createElement('p');
    p.textContent = 'A session in your plan ' + verb + '. ';
    var a = document.createElement('a');
    a.href = '/me/week?day=' + encodeURIComponent(page.getAttribute('data-day')) +
      '&proposal=' + encodeURIComponent(data.planId) + '#proposal';
    a.textContent = 'See the new plan';
    p.appendChild(a);
    box.appendChild(p);
    box.hidden = false;
  });
})();
