// Live delivery counts on a campaign's admin page: polls the status URL while the page is open.
(function () {
  "use strict";
  var box = document.querySelector("[data-campaign-status]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-campaign-status");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        Object.keys(data).forEach(function (key) {
          var field = box.querySelector('[data-field="' + key + '"]');
          if (field) { field.textContent = data[key]; }
        });
      })
      .catch(function () {});
  }
  window.setInterval(refresh, 3000);
}());
