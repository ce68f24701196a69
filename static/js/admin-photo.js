/* The photo form: set the focal point by clicking the picture (the two number fields stay for the keyboard). */
"use strict";

function start() {
  const across = document.getElementById("id_focal_x");
  const down = document.getElementById("id_focal_y");
  if (!across || !down) return;

  const picker = document.createElement("div");
  picker.className = "focal-picker";
  picker.hidden = true;
  const image = document.createElement("img");
  image.alt = "";
  const marker = document.createElement("span");
  marker.className = "focal-marker";
  marker.setAttribute("aria-hidden", "true");
  const help = document.createElement("p");
  help.className = "help";
  help.textContent = "Click the part of the picture to keep in view.";
  picker.append(image, marker);
  const row = across.closest(".form-row") || across.parentElement;
  row.append(help, picker);
  help.hidden = true;

  function show(src) {
    image.src = src;
    picker.hidden = false;
    help.hidden = false;
    place();
  }

  function place() {
    marker.style.left = `${Number(across.value || 0.5) * 100}%`;
    marker.style.top = `${Number(down.value || 0.5) * 100}%`;
  }

  const existing = document.querySelector(".field-preview img");
  if (existing) show(existing.src);

  const file = document.getElementById("id_image");
  if (file) {
    file.addEventListener("change", () => {
      const chosen = file.files && file.files[0];
      if (!chosen || !chosen.type.startsWith("image/")) return;
      const reader = new FileReader();
      reader.addEventListener("load", () => show(reader.result));
      reader.readAsDataURL(chosen);
    });
  }

  image.addEventListener("click", (event) => {
    const box = image.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    across.value = x.toFixed(2);
    down.value = y.toFixed(2);
    place();
  });
  across.addEventListener("input", place);
  down.addEventListener("input", place);
}

// In the admin this file loads in <head>, before the form exists.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
