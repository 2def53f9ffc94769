// Small behaviours without inline scripts (the pages are served under a strict CSP).

// htmx swaps only 2xx answers by default; our 400s carry the form with its error messages,
// so swap those too (a 404/500 page would replace a table with a whole page: leave those).
if (window.htmx) {
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "400", swap: true, error: false },
    { code: "...", swap: false, error: true },
  ];
}
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches("select[data-autosubmit]")) {
    target.form.submit();
  }
});
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
