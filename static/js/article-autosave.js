/* Autosave: what this person types is kept on the server (their autosave, not a revision) a few
 * seconds after they stop typing and when the tab is hidden; reopening the article offers it back. */
"use strict";

function start() {
  const box = document.querySelector("[data-nr-autosave]");
  const form = box && box.closest("form");
  if (!form) return;
  const url = box.dataset.nrAutosave;
  const status = box.querySelector(".nr-autosave-status");
  const IDLE = 3000;
  const SKIP = new Set(["csrfmiddlewaretoken", "_workflow_base", "body_unchanged"]);
  let dirty = false;
  let timer = null;

  function csrf() {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function body() {
    const root = form.querySelector("[data-nr-body]");
    return root && root.nrEditor;
  }

  function fields() {
    const editor = body();
    if (editor) editor.sync();
    const rows = [];
    for (const element of form.elements) {
      if (!element.name || SKIP.has(element.name) || element.type === "file" || element.disabled) continue;
      if (element.name.includes("__prefix__")) continue;
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) continue;
      if (element.type === "submit" || element.type === "button") continue;
      if (element.tagName === "SELECT") {
        for (const option of element.selectedOptions) rows.push([element.name, option.value, option.textContent]);
      } else {
        rows.push([element.name, element.value, ""]);
      }
    }
    return rows;
  }

  function showEditing(editing) {
    const list = document.querySelector("[data-nr-editing]");
    if (!list) return;
    list.replaceChildren(...editing.map((other) => {
      const item = document.createElement("li");
      item.textContent = `${other.name} (autosaved at ${other.at})`;
      return item;
    }));
    list.closest("section").hidden = editing.length === 0;
  }

  async function send(payload, keepalive = false) {
    const response = await fetch(url, {
      method: "POST",
      body: JSON.stringify(payload),
      keepalive,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    });
    return response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`));
  }

  async function save(keepalive = false) {
    window.clearTimeout(timer);
    if (!dirty) return;
    dirty = false;
    try {
      const answer = await send({ fields: fields(), base: box.dataset.base }, keepalive);
      const time = new Date(answer.saved_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      status.textContent = `Autosaved at ${time}. Save the article to keep your changes for good.`;
      showEditing(answer.editing || []);
      box.dispatchEvent(new CustomEvent("nr-autosave:saved", { bubbles: true, detail: answer }));
    } catch (problem) {
      dirty = true;
      status.textContent = "Not autosaved: the server could not be reached. Your text is still here.";
    }
  }

  function changed() {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, IDLE);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("nr-body:change", (event) => {
    if (event.detail && event.detail.initial) return;
    changed();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save(true);
  });
  form.addEventListener("submit", () => { window.clearTimeout(timer); dirty = false; });

  /* Restore: put every saved value back where the form has the field. */
  function restore(rows) {
    const byName = new Map();
    for (const [name, value, label] of rows) {
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push([value, label]);
    }
    for (const [name, values] of byName) {
      const elements = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
      for (const element of elements) {
        if (element.type === "checkbox" || element.type === "radio") {
          element.checked = values.some(([value]) => value === element.value);
        } else if (element.tagName === "SELECT") {
          for (const [value, label] of values) {
            if (![...element.options].some((option) => option.value === value)) element.add(new Option(label, value));
          }
          for (const option of element.options) option.selected = values.some(([value]) => value === option.value);
        } else {
          element.value = values[0][0];
        }
        element.dispatchEvent(new Event("change", { bubbles: true }));
      }
      if (name === "body") {
        const editor = body();
        if (editor) editor.setContent(values[0][0]);
      }
    }
    // Unchecked boxes were not saved: clear those the autosave does not name.
    for (const element of form.querySelectorAll("input[type=checkbox]")) {
      if (element.name && !element.name.includes("__prefix__") && !byName.has(element.name)) element.checked = false;
    }
  }

  const saved = document.getElementById("nr-autosave-data");
  const offer = box.querySelector(".nr-autosave-offer");
  if (saved && offer) {
    offer.querySelector("[data-nr-restore]").addEventListener("click", () => {
      const apply = () => {
        restore(JSON.parse(saved.textContent));
        offer.remove();
        status.textContent = "Your autosaved changes are back in the form. Save the article to keep them.";
        dirty = true;
      };
      const editor = body();
      if (editor || !form.querySelector("[data-nr-body]")) apply();
      else form.addEventListener("nr-body:ready", apply, { once: true });
    });
    offer.querySelector("[data-nr-discard]").addEventListener("click", async () => {
      await send({ discard: true });
      offer.remove();
      status.textContent = "The autosaved changes are discarded.";
    });
  }
}

// In the admin this file loads in <head>, before the form exists.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
