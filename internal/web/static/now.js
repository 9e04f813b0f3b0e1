// Now: "leave in N min" counts down. The page says the instant it was made
// for (data-now, the conference clock); the countdown moves on from there
// with the browser's clock, so a pinned time counts down too.
(function () {
  'use strict';
  var page = document.querySelector('.now[data-now]');
  if (!page) return;
  var base = Date.parse(page.getAttribute('data-now'));
  var loaded = Date.now();
  if (isNaN(base)) return;
  var spans = document.querySelectorAll('[data-leave-by]');
  function tick() {
    var now = base + (Date.now() - loaded);
    for (var i = 0; i < spans.length; i++) {
      var el = spans[i];
      var by = Date.parse(el.getAttribute('data-leave-by'));
      if (isNaN(by)) continue;
      var mins = Math.floor((by - now) / 60000);
      var out = el.querySelector('.leave-in');
      if (!out) continue;
      var text = mins <= 0 ? 'leave now' : 'leave in ' + mins + ' min';
      if (out.textContent !== text) out.textContent = text;
      var card = el.closest('.now-card');
      if (card) card.classList.toggle('urgent', mins < 10);
    }
  }
  tick();
  setInterval(tick, 1000); // cheap: the text changes once a minute
})();
