// Comments, progressively enhanced: post, vote and load more without reloading.
// Everything works without this file; it only hooks on data- attributes.
(function () {
  "use strict";

  function send(url, options) {
    options.headers = Object.assign({ "X-Requested-With": "fetch" }, options.headers || {});
    options.credentials = "same-origin";
    return fetch(url, options);
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function announce(section, text) {
    var status = section.querySelector("[data-comment-status]");
    if (status) status.textContent = text;
  }

  function bindForm(section, form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      send(form.action, { method: "POST", body: new FormData(form) })
        .then(function (response) {
          return response.text().then(function (html) { return { status: response.status, html: html }; });
        })
        .then(function (result) {
          if (result.status === 201) {
            var parentId = form.querySelector("[name=parent]").value;
            var list = parentId ? replyList(section, parentId) : section.querySelector("[data-comment-list]");
            var node = fragment(result.html).firstElementChild;
            if (parentId) { list.appendChild(node); } else { insertThread(section, list, node); }
            form.querySelector("[name=text]").value = "";
            resetReply(section, form);
            announce(section, node.querySelector(".comment__pending") ? node.querySelector(".comment__pending").textContent : "");
            node.setAttribute("tabindex", "-1");
            node.focus();
          } else {
            var replacement = fragment(result.html).querySelector("[data-comment-form]");
            if (!replacement) { form.submit(); return; }
            form.replaceWith(replacement);
            bindForm(section, replacement);
            var alert = replacement.querySelector("[role=alert], .errorlist");
            if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
          }
        })
        .catch(function () { form.submit(); })
        .finally(function () { if (button) button.disabled = false; });
    });
  }

  // A new thread goes where the reader's sort puts it, as the server will show it: first when
  // newest first, last when oldest first, and by votes before the first thread scoring 0 or less.
  function insertThread(section, list, node) {
    var current = section.querySelector("[data-sort][aria-current]");
    var sort = current ? current.getAttribute("data-sort") : "newest";
    var before = sort === "newest" ? list.firstElementChild : null;
    if (sort === "votes") {
      for (var item = list.firstElementChild; item; item = item.nextElementSibling) {
        var up = item.querySelector("[data-count=up]");
        var down = item.querySelector("[data-count=down]");
        if ((up ? Number(up.textContent) : 0) - (down ? Number(down.textContent) : 0) <= 0) { before = item; break; }
      }
    }
    list.insertBefore(node, before);
  }

  function replyList(section, parentId) {
    var item = section.querySelector("#comment-" + parentId) || document.getElementById("comment-" + parentId);
    var list = item.querySelector(":scope > .comments__replies");
    if (!list) {
      list = document.createElement("ol");
      list.className = "comments__replies";
      item.appendChild(list);
    }
    return list;
  }

  function resetReply(section, form) {
    form.querySelector("[name=parent]").value = "";
    var cancel = form.querySelector("[data-cancel-reply]");
    if (cancel) cancel.hidden = true;
    var title = form.querySelector("[data-form-title]");
    if (title && title.dataset.original) title.textContent = title.dataset.original;
    var home = section.querySelector("[data-form-home]");
    if (home) home.after(form);
  }

  function startReply(section, link) {
    var form = section.querySelector("[data-comment-form]");
    if (!form) return;
    if (!section.querySelector("[data-form-home]")) {
      var marker = document.createElement("span");
      marker.setAttribute("data-form-home", "");
      marker.hidden = true;
      form.before(marker);
    }
    form.querySelector("[name=parent]").value = link.dataset.replyTo;
    var title = form.querySelector("[data-form-title]");
    if (title) {
      title.dataset.original = title.dataset.original || title.textContent;
      title.textContent = link.textContent + ": " + link.dataset.replyName;
    }
    link.closest("article").after(form);
    var cancel = form.querySelector("[data-cancel-reply]");
    if (cancel) {
      cancel.hidden = false;
      cancel.onclick = function () { resetReply(section, form); link.focus(); };
    }
    form.querySelector("[name=name]").value ? form.querySelector("[name=text]").focus() : form.querySelector("[name=name]").focus();
  }

  function bindVotes(root) {
    root.querySelectorAll("[data-vote-form]").forEach(function (form) {
      if (form.dataset.bound) return;
      form.dataset.bound = "1";
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var data = new FormData(form);
        data.set("value", event.submitter ? event.submitter.value : "up");
        send(form.action, { method: "POST", body: data })
          .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
          .then(function (totals) {
            form.querySelector("[data-count=up]").textContent = totals.up;
            form.querySelector("[data-count=down]").textContent = totals.down;
            form.querySelectorAll("button[name=value]").forEach(function (button) {
              var pressed = (button.value === "up" ? 1 : -1) === totals.mine;
              button.setAttribute("aria-pressed", pressed ? "true" : "false");
            });
          })
          .catch(function () { form.submit(); });
      });
    });
  }

  function bindMore(section) {
    section.addEventListener("click", function (event) {
      var more = event.target.closest("[data-load-more]");
      var reply = event.target.closest("[data-reply-to]");
      if (reply) {
        event.preventDefault();
        startReply(section, reply);
        return;
      }
      if (!more) return;
      event.preventDefault();
      send(more.href, { method: "GET" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var page = fragment(html);
          var list = section.querySelector("[data-comment-list]");
          page.querySelectorAll("[data-comment-list] > li").forEach(function (item) { list.appendChild(item); });
          var next = page.querySelector("[data-load-more]");
          var holder = more.closest("p");
          if (next) { more.href = next.href; } else { holder.remove(); }
          bindVotes(section);
        });
    });
  }

  document.querySelectorAll("[data-comments]").forEach(function (section) {
    var form = section.querySelector("[data-comment-form]");
    if (form) bindForm(section, form);
    bindVotes(section);
    bindMore(section);
  });
})();
