/* The workbenches' small enhancements (CSP: script-src 'self'): a print button prints the page. */
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });
});
