/* The publishing panel beside the article form: length, what is missing before publishing, the
 * side-by-side preview; and, on the form, character counts and a search and social preview. */
"use strict";

function start() {
  const form = document.getElementById("article_form");
  if (!form) return;
  const $ = (selector) => form.querySelector(selector);

  /* Headline and standfirst: character counts, and how search engines and social cards show them. */
  function counter(input, advice, limit) {
    if (!input) return;
    const note = document.createElement("p");
    note.className = "help nr-count";
    note.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", note);
    const update = () => {
      const length = [...input.value].length;
      note.textContent = `${length} characters. ${advice}`;
      note.classList.toggle("nr-count-over", length > limit);
    };
    input.addEventListener("input", update);
    update();
  }
  const title = $("#id_title");
  const standfirst = $("#id_standfirst");
  const slug = $("#id_slug");
  counter(title, "Search results show about 60, social cards about 70.", 70);
  counter(standfirst, "Search results show about 160.", 200);

  const part = (tag, className, ...children) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.append(...children);
    return element;
  };
  const searchUrl = part("p", "nr-snippet-url");
  const searchTitle = part("p", "nr-snippet-title");
  const searchText = part("p", "nr-snippet-text");
  const cardSite = part("p", "nr-snippet-url");
  const cardTitle = part("p", "nr-card-title");
  const cardText = part("p", "nr-snippet-text");
  const snippet = part(
    "div",
    "nr-snippets",
    part("h3", "", "In search results and when shared"),
    part("div", "nr-search-snippet", searchUrl, searchTitle, searchText),
    part("div", "nr-social-card", cardSite, cardTitle, cardText),
  );
  const standfirstRow = standfirst && standfirst.closest(".form-row");
  if (standfirstRow) standfirstRow.insertAdjacentElement("afterend", snippet);

  const cut = (text, length) => ([...text].length > length ? `${[...text].slice(0, length - 1).join("").trimEnd()}…` : text);
  function snippets() {
    const meta = $("#id_meta_description");
    const description = (meta && meta.value.trim()) || (standfirst ? standfirst.value.trim() : "");
    searchUrl.textContent = `${window.location.host} › … › ${slug && slug.value ? slug.value : "slug"}`;
    searchTitle.textContent = cut(title.value || "Headline", 60);
    searchText.textContent = cut(description || "The standfirst or meta description shows here.", 160);
    cardSite.textContent = window.location.host.toUpperCase();
    cardTitle.textContent = cut(title.value || "Headline", 70);
    cardText.textContent = cut(description, 110);
  }
  const outsideBody = (handler) => (event) => {
    // Typing in the body is counted by the editor itself (debounced): not on every keystroke here.
    if (!(event.target.closest && event.target.closest(".nr-editor"))) handler();
  };
  form.addEventListener("input", outsideBody(snippets));
  snippets();

  /* Length and what is missing, as the form stands. */
  const lengths = document.querySelectorAll("[data-nr-length]");
  const missingBox = document.querySelector("[data-nr-missing]");
  let body = null;
  function missing() {
    const items = [];
    if (standfirst && !standfirst.value.trim()) items.push("A standfirst");
    const lead = $("#id_lead_photo");
    if (lead && !lead.value) items.push("A lead photo (with its alt text)");
    const rows = (prefix, field) => [...form.querySelectorAll(`[name^="${prefix}-"][name$="-${field}"]`)]
      .filter((input) => !input.name.includes("__prefix__") && input.value)
      .filter((input) => {
        const remove = form.querySelector(`[name="${input.name.replace(new RegExp(`-${field}$`), "-DELETE")}"]`);
        return !(remove && remove.checked);
      });
    if (!rows("articleauthor_set", "author").length) items.push("A byline");
    if (!rows("tagged_items", "tag").length) items.push("Tags");
    if (body) {
      const kinds = [];
      body.state.doc.forEach((node) => kinds.push(node.type.name));
      if (!body.state.doc.textContent.trim() && !kinds.includes("photo")) items.push("A body");
      const unanswered = kinds.filter((kind, index) => kind === "question" && kinds[index + 1] !== "answer").length;
      if (unanswered) items.push(`An answer after each question (${unanswered} without one)`);
    }
    if (!missingBox) return;
    if (!items.length) {
      const ok = document.createElement("p");
      ok.textContent = "Nothing is missing before publishing.";
      missingBox.replaceChildren(ok);
      return;
    }
    const title4 = document.createElement("h4");
    title4.textContent = "Missing before publishing";
    const list = document.createElement("ul");
    list.append(...items.map((text) => { const item = document.createElement("li"); item.textContent = text; return item; }));
    missingBox.replaceChildren(title4, list);
  }
  function measured({ editor, words, minutes }) {
    body = editor;
    for (const element of lengths) element.textContent = `${words.toLocaleString()} words, about ${minutes} min to read`;
    missing();
  }
  form.addEventListener("nr-body:change", (event) => measured(event.detail));
  // The editor (a module) may have started before this script: take its first count from it.
  const root = form.querySelector("[data-nr-body]");
  if (root && root.nrEditor) measured(root.nrEditor.stats());
  else missing();
  form.addEventListener("change", outsideBody(missing));
  form.addEventListener("input", outsideBody(missing));

  /* Django's autocomplete boxes (select2) name their combobox after its current value, which is
     empty until one is chosen: name it after the field's label instead. */
  function nameComboboxes() {
    for (const select of form.querySelectorAll("select.admin-autocomplete")) {
      const box = select.parentElement.querySelector(".select2-selection[role=combobox]");
      if (!box) continue;
      const label = form.querySelector(`label[for="${select.id}"]`);
      const heading = select.closest("td") && select.closest("table").querySelector(`th.column-${select.name.split("-").pop()}`);
      const name = (label || heading || {}).textContent || select.getAttribute("aria-label") || select.name;
      const text = name.replace(/[:*]/g, "").trim();
      box.setAttribute("aria-label", text);
      box.removeAttribute("aria-labelledby");
      const shown = box.querySelector(".select2-selection__rendered[role=textbox]");
      if (shown) shown.setAttribute("aria-label", `${text}: chosen`);
    }
  }
  // Django starts select2 once the page has loaded, maybe after this script: name them after it.
  window.setTimeout(nameComboboxes, 0);
  window.addEventListener("load", nameComboboxes);
  document.addEventListener("formset:added", () => window.setTimeout(nameComboboxes, 0));

  /* The preview beside the form, on wide screens. */
  const toggle = document.querySelector("[data-nr-side-preview]");
  const pane = document.querySelector(".nr-preview-pane");
  const layout = document.querySelector(".nr-layout");
  if (toggle && pane) {
    const frame = pane.querySelector("iframe");
    toggle.addEventListener("click", () => {
      const on = pane.hidden;
      pane.hidden = !on;
      layout.classList.toggle("nr-previewing", on);
      toggle.setAttribute("aria-pressed", String(on));
      if (on) frame.src = toggle.dataset.nrSidePreview;
    });
  }
}

// In the admin this file loads in <head>, before the form exists.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
