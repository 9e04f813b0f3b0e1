// The calendar page: a Copy button for the feed address (without
// JavaScript the address is selectable text).
(function () {
  'use strict';
  var btn = document.getElementById('copy-url');
  var input = document.getElementById('feed-url');
  var status = document.getElementById('copy-status');
  if (!btn || !input) return;
  btn.hidden = false;
  btn.addEventListener('click', function () {
    var done = function () { status.textContent = 'Copied: paste it into your calendar app.'; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        input.select();
        status.textContent = 'Press Ctrl+C (or ⌘C) to copy the selected address.';
      });
      return;
    }
    input.select();
    if (document.execCommand && document.execCommand('copy')) done();
  });
})();
