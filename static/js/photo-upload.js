/* The photo library's "Upload several": drop or choose photos, describe each, upload them one by one. */
"use strict";

(function () {
  const root = document.querySelector(".nr-multi-upload");
  if (!root) return;
  const input = root.querySelector("#nr-files");
  const drop = root.querySelector("[data-nr-drop]");
  const list = root.querySelector("[data-nr-upload-list]");
  const button = root.querySelector("[data-nr-upload-all]");
  const status = root.querySelector("[data-nr-upload-status]");
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const pending = [];
  let counter = 0;

  function field(item, name, text, required) {
    counter += 1;
    const id = `nr-upload-${name}-${counter}`;
    const wrapper = document.createElement("div");
    wrapper.className = "nr-dialog-field";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = text;
    const control = document.createElement("input");
    control.type = "text";
    control.id = id;
    control.name = name;
    control.required = required;
    wrapper.append(label, control);
    item.append(wrapper);
    return control;
  }

  function add(files) {
    for (const file of files) {
      if (!file.type.startsWith("image/")) continue;
      const item = document.createElement("li");
      item.className = "nr-upload-item";
      const preview = document.createElement("img");
      preview.alt = "";
      const reader = new FileReader();
      reader.addEventListener("load", () => { preview.src = reader.result; });
      reader.readAsDataURL(file);
      const name = document.createElement("p");
      name.textContent = file.name;
      item.append(preview, name);
      const entry = {
        file,
        item,
        alt: field(item, "alt_text", `Alt text for ${file.name} (required)`, true),
        caption: field(item, "caption", "Caption", false),
        credit: field(item, "credit", "Credit", false),
        done: false,
      };
      const message = document.createElement("p");
      message.className = "nr-upload-message";
      item.append(message);
      entry.message = message;
      pending.push(entry);
      list.append(item);
    }
    button.hidden = !pending.some((entry) => !entry.done);
  }

  input.addEventListener("change", () => add(input.files));
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("nr-drop-over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("nr-drop-over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("nr-drop-over");
    add(event.dataTransfer.files);
  });

  button.addEventListener("click", async () => {
    button.disabled = true;
    let uploaded = 0;
    let refused = 0;
    for (const entry of pending.filter((candidate) => !candidate.done)) {
      if (!entry.alt.value.trim()) {
        entry.message.textContent = "Describe the photo in its alt text first.";
        refused += 1;
        continue;
      }
      const body = new FormData();
      body.append("image", entry.file);
      body.append("alt_text", entry.alt.value);
      body.append("caption", entry.caption.value);
      body.append("credit", entry.credit.value);
      const response = await fetch(root.dataset.uploadUrl, {
        method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
      });
      const answer = await response.json();
      if (response.ok) {
        entry.done = true;
        uploaded += 1;
        entry.message.textContent = "Uploaded.";
        entry.item.classList.add("nr-upload-done");
        for (const control of [entry.alt, entry.caption, entry.credit]) control.disabled = true;
      } else {
        refused += 1;
        entry.message.textContent = (answer.errors || ["The upload failed."]).join(" ");
      }
    }
    status.textContent = `${uploaded} uploaded, ${refused} still to do.`;
    button.disabled = false;
    button.hidden = !pending.some((entry) => !entry.done);
  });
})();
