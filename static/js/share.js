// "Copy link" under an article's headline: without this file it is a plain link to the story.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-link]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!navigator.clipboard) return;
      event.preventDefault();
      navigator.clipboard.writeText(link.href).then(function () {
        link.textContent = link.getAttribute("data-copied") || "Link copied";
      });
    });
  });
})();
