/* The article body in one editor: ProseMirror through Tiptap, as bundled by django-prose-editor.
 *
 * The textarea holds the editor's document, HTML whose top-level elements are the stored
 * blocks (see articles/body.py). This module adds our block types (question, answer, photo,
 * pull quote, and a group for older multi-paragraph blocks), a toolbar, moving blocks with
 * Alt+Up/Down, pasting through the server's sanitizer, and reports which stored blocks were
 * left untouched (their text is then kept exactly as stored).
 */
import {
  Blockquote, Bold, BulletList, Document, Dropcursor, Editor, Extension, Gapcursor, HardBreak, Heading,
  History, Italic, Link, ListItem, Node, OrderedList, Paragraph, Placeholder, Subscript, Superscript, Text,
} from "../django_prose_editor/editor.js";

const RICH = "(paragraph | bulletList | orderedList | blockquote)+";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

function dataAttr(name, fallback = "") {
  return {
    default: fallback,
    parseHTML: (element) => element.getAttribute(`data-${name}`) ?? fallback,
    renderHTML: (attrs) => ({ [`data-${name}`]: attrs[name.replace(/-(.)/g, (_m, c) => c.toUpperCase())] ?? "" }),
  };
}

/* The id of the stored block a top-level node came from; never copied when a paragraph splits. */
const BlockId = Extension.create({
  name: "nrBlockId",
  addGlobalAttributes() {
    return [{
      types: ["paragraph", "heading", "bulletList", "orderedList", "blockquote", "question", "answer", "photo",
        "pullQuote", "textGroup"],
      attributes: {
        block: {
          default: null,
          keepOnSplit: false,
          parseHTML: (element) => element.getAttribute("data-block"),
          renderHTML: (attrs) => (attrs.block ? { "data-block": attrs.block } : {}),
        },
      },
    }];
  },
});

const TopDocument = Document.extend({ content: "(block | nrBlock)+" });

const TextGroup = Node.create({
  name: "textGroup",
  group: "nrBlock",
  content: RICH,
  defining: true,
  parseHTML: () => [{ tag: 'div[data-nr="text"]' }],
  renderHTML: ({ HTMLAttributes }) => ["div", { ...HTMLAttributes, "data-nr": "text", class: "nr-group" }, 0],
});

function turnView(kind, config) {
  return ({ node, getPos, editor }) => {
    const label = el("div", { class: "nr-turn-label", contenteditable: "false" });
    const content = el("div", { class: "nr-turn-content" });
    const dom = el("div", { class: `nr-turn nr-${kind}`, "data-nr": kind }, label, content);
    let select = null;
    if (kind === "question") {
      label.append(el("span", { class: "nr-turn-kind", text: `Question · ${config.interviewer}` }));
    } else {
      select = el("select", { "aria-label": "Speaker of this answer", class: "nr-speaker" });
      label.append(el("span", { class: "nr-turn-kind", text: "Answer ·" }), select);
      select.addEventListener("change", () => {
        const pos = getPos();
        if (typeof pos !== "number") return;
        const current = editor.state.doc.nodeAt(pos);
        editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...current.attrs, speaker: select.value }));
      });
    }
    function fill(current) {
      if (!select) return;
      const labels = speakerLabels(config);
      if (current.attrs.speaker && !labels.includes(current.attrs.speaker)) labels.push(current.attrs.speaker);
      select.replaceChildren(el("option", { value: "", text: "(choose the speaker)" }),
        ...labels.map((value) => el("option", { value, text: value })));
      select.value = current.attrs.speaker || "";
    }
    fill(node);
    return {
      dom,
      contentDOM: content,
      update(updated) {
        if (updated.type.name !== kind) return false;
        fill(updated);
        return true;
      },
      stopEvent: (event) => event.target === select,
      ignoreMutation: (mutation) => !content.contains(mutation.target),
    };
  };
}

function speakerLabels(config) {
  const labels = config.speakers.map((person) => person.label);
  // Interviewees typed into the form but not saved yet can answer too.
  for (const input of document.querySelectorAll('input[name^="interviewees-"][name$="-label"]')) {
    const value = input.value.trim().replace(/:$/, "").toUpperCase();
    const row = input.closest("tr, .inline-related");
    const removed = row && row.querySelector('input[type="checkbox"][name$="-DELETE"]:checked');
    if (value && !removed && !labels.includes(value)) labels.push(value);
  }
  return labels;
}

function turnNode(kind, config) {
  return Node.create({
    name: kind,
    group: "nrBlock",
    content: RICH,
    defining: true,
    draggable: true,
    addAttributes: () => (kind === "answer" ? { speaker: dataAttr("speaker") } : {}),
    parseHTML: () => [{ tag: `div[data-nr="${kind}"]` }],
    renderHTML: ({ HTMLAttributes }) => ["div", { ...HTMLAttributes, "data-nr": kind }, 0],
    addNodeView: () => turnView(kind, config),
  });
}

const PullQuote = Node.create({
  name: "pullQuote",
  group: "nrBlock",
  content: "text*",
  marks: "",
  defining: true,
  draggable: true,
  addAttributes: () => ({ attribution: dataAttr("attribution") }),
  parseHTML: () => [{ tag: 'aside[data-nr="pull-quote"]' }],
  renderHTML: ({ HTMLAttributes }) => ["aside", { ...HTMLAttributes, "data-nr": "pull-quote" }, 0],
  addNodeView: () => ({ node, getPos, editor }) => {
    const content = el("p", { class: "nr-pull-text" });
    const input = el("input", { type: "text", class: "nr-attribution", "aria-label": "Pull quote: who said it", placeholder: "Who said it" });
    const label = el("div", { class: "nr-turn-label", contenteditable: "false" },
      el("span", { class: "nr-turn-kind", text: "Pull quote" }));
    const foot = el("div", { class: "nr-pull-foot", contenteditable: "false" }, "— ", input);
    const dom = el("aside", { class: "nr-pull", "data-nr": "pull-quote" }, label, content, foot);
    input.value = node.attrs.attribution;
    input.addEventListener("change", () => setAttrs(editor, getPos, { attribution: input.value }));
    return {
      dom,
      contentDOM: content,
      update(updated) {
        if (updated.type.name !== "pullQuote") return false;
        if (document.activeElement !== input) input.value = updated.attrs.attribution;
        return true;
      },
      stopEvent: (event) => event.target === input,
      ignoreMutation: (mutation) => !content.contains(mutation.target),
    };
  },
});

function setAttrs(editor, getPos, attrs) {
  const pos = getPos();
  if (typeof pos !== "number") return;
  const current = editor.state.doc.nodeAt(pos);
  editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...current.attrs, ...attrs }));
}

const SIZES = [["inline", "Inline"], ["wide", "Wide"], ["full", "Full width"]];

const Photo = Node.create({
  name: "photo",
  group: "nrBlock",
  atom: true,
  selectable: true,
  draggable: true,
  addAttributes: () => ({
    photo: dataAttr("photo"),
    caption: dataAttr("caption"),
    credit: dataAttr("credit"),
    size: dataAttr("size", "inline"),
    src: dataAttr("src"),
    alt: dataAttr("alt"),
  }),
  parseHTML: () => [{ tag: 'figure[data-nr="photo"]' }],
  renderHTML: ({ HTMLAttributes }) => ["figure", { ...HTMLAttributes, "data-nr": "photo" }],
  addNodeView: () => ({ node, getPos, editor }) => {
    const image = el("img", { src: node.attrs.src || false, alt: node.attrs.alt, class: "nr-photo-img" });
    const fields = {};
    const row = (name, text, control) => {
      fields[name] = control;
      control.addEventListener("change", () => setAttrs(editor, getPos, { [name]: control.value }));
      return el("label", { class: "nr-photo-field" }, el("span", { text }), control);
    };
    const size = el("select");
    size.append(...SIZES.map(([value, text]) => el("option", { value, text })));
    const form = el("div", { class: "nr-photo-fields" },
      el("p", { class: "nr-photo-alt", text: `Alt text: ${node.attrs.alt || "—"}` }),
      row("caption", "Caption (empty: the photo's own)", el("textarea", { rows: "2" })),
      row("credit", "Credit (empty: the photo's own)", el("input", { type: "text", maxlength: "200" })),
      row("size", "Size", size));
    const dom = el("figure", { class: "nr-photo", "data-nr": "photo", contenteditable: "false" },
      el("div", { class: "nr-turn-label" }, el("span", { class: "nr-turn-kind", text: "Photo" })), image, form);
    const fill = (current) => {
      for (const [name, control] of Object.entries(fields)) {
        if (document.activeElement !== control) control.value = current.attrs[name] || (name === "size" ? "inline" : "");
      }
    };
    fill(node);
    return {
      dom,
      update(updated) {
        if (updated.type.name !== "photo") return false;
        fill(updated);
        return true;
      },
      stopEvent: (event) => Object.values(fields).includes(event.target),
      ignoreMutation: () => true,
    };
  },
});

/* --- moving blocks ---------------------------------------------------------------- */

function topIndex(state) {
  const { selection } = state;
  if (selection.node && selection.$from.depth === 0) return selection.$from.index(0);
  return selection.$from.index(0);
}

function moveBlock(editor, direction) {
  // A key pressed right after a click can arrive before the browser's selectionchange event:
  // read the caret from the page first, so the block moved is the one the caret is in.
  editor.view.domObserver?.flush();
  const { state } = editor;
  const { doc, selection } = state;
  const index = topIndex(state);
  const target = index + direction;
  if (target < 0 || target >= doc.childCount) return false;
  let start = 0;
  for (let i = 0; i < Math.min(index, target); i += 1) start += doc.child(i).nodeSize;
  const first = doc.child(Math.min(index, target));
  const second = doc.child(Math.max(index, target));
  const end = start + first.nodeSize + second.nodeSize;
  const moving = doc.child(index);
  const movingStart = index < target ? start : start + first.nodeSize;
  const offset = selection.from - movingStart;
  const tr = state.tr.replaceWith(start, end, [second, first]);
  const newStart = index < target ? start + second.nodeSize : start;
  editor.view.dispatch(tr);
  if (moving.isAtom) editor.commands.setNodeSelection(newStart);
  else editor.commands.setTextSelection(newStart + offset);
  editor.commands.scrollIntoView();
  announce(direction < 0 ? "Block moved up." : "Block moved down.");
  return true;
}

const MoveBlocks = Extension.create({
  name: "nrMoveBlocks",
  addKeyboardShortcuts() {
    return {
      "Alt-ArrowUp": () => moveBlock(this.editor, -1),
      "Alt-ArrowDown": () => moveBlock(this.editor, 1),
    };
  },
});

let live = null;
function announce(text) {
  if (live) {
    live.textContent = "";
    window.setTimeout(() => { live.textContent = text; }, 30);
  }
}

/* --- turning the current block into a question, an answer, a pull quote ------------- */

function topPos(state, index) {
  let pos = 0;
  for (let i = 0; i < index; i += 1) pos += state.doc.child(i).nodeSize;
  return pos;
}

function setTurn(editor, kind) {
  const { state } = editor;
  const index = topIndex(state);
  const node = state.doc.child(index);
  const pos = topPos(state, index);
  if (node.type.name === kind) {
    return editor.chain().focus().lift(kind).run();
  }
  if (node.type.name === "question" || node.type.name === "answer") {
    editor.view.dispatch(state.tr.setNodeMarkup(pos, state.schema.nodes[kind], { ...node.attrs, speaker: "" }));
    return editor.commands.focus();
  }
  return editor.chain().focus().wrapIn(kind).run();
}

function insertAfterCurrent(editor, content) {
  const { state } = editor;
  const index = topIndex(state);
  const pos = topPos(state, index) + state.doc.child(index).nodeSize;
  return editor.chain().insertContentAt(pos, content).run();
}

/* --- the photo dialog: the library with search, or an upload with alt text ----------- */

function photoDialog(config, csrf, onChoose) {
  const dialog = el("dialog", { class: "nr-dialog", "aria-labelledby": "nr-photo-title" });
  const search = el("input", { type: "search", id: "nr-photo-search", placeholder: "Alt text, caption or credit" });
  const results = el("ul", { class: "nr-photo-results", "aria-live": "polite" });
  const file = el("input", { type: "file", id: "nr-photo-file", accept: "image/jpeg,image/png,image/webp,image/gif" });
  const alt = el("input", { type: "text", id: "nr-photo-alt", maxlength: "300" });
  const caption = el("input", { type: "text", id: "nr-photo-caption" });
  const credit = el("input", { type: "text", id: "nr-photo-credit", maxlength: "200" });
  const error = el("p", { class: "errornote", role: "alert", hidden: true });
  const upload = el("button", { type: "button", class: "button default", text: "Upload and insert" });
  const close = el("button", { type: "button", class: "button", text: "Cancel" });
  const field = (id, text, control, help) => el("div", { class: "nr-dialog-field" },
    el("label", { for: id, text }), control, help ? el("p", { class: "help", text: help }) : "");
  dialog.append(
    el("h2", { id: "nr-photo-title", text: "Insert a photo" }),
    el("section", { class: "nr-dialog-part" },
      el("h3", { text: "From the library" }),
      field("nr-photo-search", "Search the library", search),
      results),
    el("section", { class: "nr-dialog-part" },
      el("h3", { text: "Upload a new one" }),
      field("nr-photo-file", "Image file (or drop it here)", file),
      field("nr-photo-alt", "Alt text (required)", alt, "What the image shows, for readers who cannot see it."),
      field("nr-photo-caption", "Caption", caption),
      field("nr-photo-credit", "Credit", credit, "E.g. UN PHOTO/ESKINDER DEBEBE"),
      error, upload),
    el("div", { class: "nr-dialog-actions" }, close));
  document.body.append(dialog);

  const choose = (photo) => { dialog.close(); onChoose(photo); };
  let timer = null;
  async function find() {
    const response = await fetch(`${config.photos}?q=${encodeURIComponent(search.value)}`, { credentials: "same-origin" });
    const { photos } = await response.json();
    results.replaceChildren(...photos.map((photo) => {
      const button = el("button", { type: "button", class: "nr-photo-choice" },
        el("img", { src: photo.src, alt: "" }), el("span", { text: photo.alt }));
      button.addEventListener("click", () => choose(photo));
      return el("li", {}, button);
    }));
    if (!photos.length) results.append(el("li", { text: "No photo matches." }));
  }
  search.addEventListener("input", () => { window.clearTimeout(timer); timer = window.setTimeout(find, 250); });
  dialog.addEventListener("dragover", (event) => event.preventDefault());
  dialog.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer.files.length) { file.files = event.dataTransfer.files; alt.focus(); }
  });
  upload.addEventListener("click", async () => {
    error.hidden = true;
    if (!file.files.length || !alt.value.trim()) {
      error.textContent = "Choose an image file and describe it in the alt text.";
      error.hidden = false;
      return;
    }
    const body = new FormData();
    body.append("image", file.files[0]);
    body.append("alt_text", alt.value);
    body.append("caption", caption.value);
    body.append("credit", credit.value);
    upload.disabled = true;
    try {
      const response = await fetch(config.upload, { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
      const answer = await response.json();
      if (!response.ok) throw new Error((answer.errors || ["The upload failed."]).join(" "));
      for (const input of [file, alt, caption, credit]) input.value = "";
      choose(answer.photo);
    } catch (problem) {
      error.textContent = problem.message;
      error.hidden = false;
    } finally {
      upload.disabled = false;
    }
  });
  close.addEventListener("click", () => dialog.close());
  return { open() { dialog.showModal(); search.focus(); find(); } };
}

/* --- paste: the clipboard goes through the server's sanitizer ----------------------- */

async function cleanPaste(config, csrf, clipboard) {
  const body = new FormData();
  const html = clipboard.getData("text/html");
  if (html) body.append("html", html);
  else body.append("text", clipboard.getData("text/plain"));
  body.append("interviewer", config.interviewer);
  for (const label of speakerLabels(config)) body.append("speaker", label);
  const response = await fetch(config.clean, { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || "The paste failed.");
  return answer.html;
}

/* --- the toolbar ------------------------------------------------------------------- */

function toolbar(editor, openPhoto) {
  const buttons = [
    ["Bold", "B", "Ctrl+B", () => editor.chain().focus().toggleBold().run(), () => editor.isActive("bold")],
    ["Italic", "I", "Ctrl+I", () => editor.chain().focus().toggleItalic().run(), () => editor.isActive("italic")],
    ["Link", "Link", "", () => {
      const current = editor.getAttributes("link").href || "https://";
      const href = window.prompt("Link address (empty to remove the link)", current);
      if (href === null) return;
      if (!href.trim()) editor.chain().focus().unsetLink().run();
      else editor.chain().focus().extendMarkRange("link").setLink({ href: href.trim() }).run();
    }, () => editor.isActive("link")],
    ["Heading", "H", "## ", () => editor.chain().focus().toggleHeading({ level: 2 }).run(), () => editor.isActive("heading")],
    ["Bulleted list", "• List", "- ", () => editor.chain().focus().toggleBulletList().run(), () => editor.isActive("bulletList")],
    ["Numbered list", "Numbered", "1. ", () => editor.chain().focus().toggleOrderedList().run(), () => editor.isActive("orderedList")],
    ["Quote", "Quote", "> ", () => editor.chain().focus().toggleBlockquote().run(), () => editor.isActive("blockquote")],
    ["Question", "Q", "LABEL:", () => setTurn(editor, "question"), () => editor.isActive("question")],
    ["Answer", "A", "LABEL:", () => setTurn(editor, "answer"), () => editor.isActive("answer")],
    ["Insert a photo", "Photo", "", openPhoto, null],
    ["Insert a pull quote", "Pull quote", "", () => {
      const { from, to } = editor.state.selection;
      const text = editor.state.doc.textBetween(from, to, " ");
      insertAfterCurrent(editor, { type: "pullQuote", content: text ? [{ type: "text", text }] : [] });
    }, null],
    ["Move the block up", "↑", "Alt+↑", () => moveBlock(editor, -1), null],
    ["Move the block down", "↓", "Alt+↓", () => moveBlock(editor, 1), null],
    ["Undo", "↶", "Ctrl+Z", () => editor.chain().focus().undo().run(), null],
    ["Redo", "↷", "Ctrl+Shift+Z", () => editor.chain().focus().redo().run(), null],
  ];
  const bar = el("div", { class: "nr-toolbar", role: "toolbar", "aria-label": "Body formatting and blocks" });
  const refresh = [];
  for (const [label, text, keys, run, active] of buttons) {
    const button = el("button", { type: "button", class: "nr-tool", "aria-label": label, title: keys ? `${label} (${keys})` : label, text });
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", run);
    if (active) {
      button.setAttribute("aria-pressed", "false");
      refresh.push(() => button.setAttribute("aria-pressed", String(Boolean(active()))));
    }
    bar.append(button);
  }
  editor.on("transaction", () => refresh.forEach((update) => update()));
  return bar;
}

/* --- putting it together ----------------------------------------------------------- */

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function start(root) {
  const textarea = root.querySelector("[data-nr-body-source]");
  const config = JSON.parse(document.getElementById("nr-body-config").textContent);
  const unchangedInput = document.querySelector("input[name=body_unchanged]");
  const csrf = csrfToken();
  const mount = el("div", { class: "nr-editor-mount" });
  live = el("p", { class: "visually-hidden", "aria-live": "polite" });
  const statsLine = el("p", { class: "nr-editor-stats", "aria-live": "off" });
  root.append(mount, statsLine, live);
  textarea.hidden = true;

  const editor = new Editor({
    element: mount,
    injectCSS: false,
    content: textarea.value.trim() || "<p></p>",
    extensions: [
      TopDocument, Paragraph, Text, Bold, Italic, Subscript, Superscript, HardBreak,
      Link.configure({ openOnClick: false, autolink: true, protocols: ["mailto"] }),
      BulletList, OrderedList, ListItem, Blockquote, Heading.configure({ levels: [2] }),
      History, Dropcursor, Gapcursor, Placeholder.configure({ placeholder: "Write the story…" }),
      BlockId, TextGroup, turnNode("question", config), turnNode("answer", config), PullQuote, Photo, MoveBlocks,
    ],
    editorProps: {
      attributes: { class: "nr-editor", role: "textbox", "aria-multiline": "true", "aria-label": "Body",
        "aria-describedby": textarea.getAttribute("aria-describedby") || "" },
      handleDrop(view, event, _slice, moved) {
        const files = event.dataTransfer && event.dataTransfer.files;
        if (moved || !files || !files.length) return false;
        event.preventDefault();
        picker.open();
        return true;
      },
    },
  });

  // Paste goes to the server's sanitizer. Caught before ProseMirror reads the clipboard: its
  // reading would make the browser refuse (and report) every inline style of a Google Docs
  // or Word clipboard under our strict CSP, for nothing. Copying within the editor stays native.
  mount.addEventListener("paste", (event) => {
    const clipboard = event.clipboardData;
    if (!clipboard) return;
    const html = clipboard.getData("text/html");
    if (clipboard.types.includes("application/x-prosemirror-slice") || html.includes("data-pm-slice")) return;
    if (!html && !clipboard.getData("text/plain")) return;
    event.preventDefault();
    event.stopPropagation();
    const { from, to } = editor.state.selection;
    cleanPaste(config, csrf, clipboard)
      .then((clean) => {
        if (clean) editor.chain().focus().insertContentAt({ from, to }, clean).run();
        announce("Pasted and cleaned.");
      })
      .catch((problem) => announce(problem.message));
  }, true);

  // What the editor loaded, block by block, to tell which blocks nobody touched.
  const initial = new Map();
  editor.state.doc.forEach((node) => {
    if (node.attrs.block) initial.set(String(node.attrs.block), JSON.stringify(node.toJSON()));
  });

  const picker = photoDialog(config, csrf, (photo) => {
    insertAfterCurrent(editor, {
      type: "photo",
      attrs: { photo: String(photo.id), src: photo.src, alt: photo.alt, caption: "", credit: "", size: "inline" },
    });
    editor.commands.focus();
    announce("Photo inserted.");
  });

  function sync() {
    textarea.value = editor.getHTML();
    const seen = new Set();
    const same = [];
    editor.state.doc.forEach((node) => {
      const id = node.attrs.block ? String(node.attrs.block) : null;
      if (!id || seen.has(id)) return;
      seen.add(id);
      if (initial.get(id) === JSON.stringify(node.toJSON())) same.push(id);
    });
    if (unchangedInput) unchangedInput.value = same.join(",");
  }

  // As the article page counts (articles/templatetags/article_page.py): each Chinese, Japanese or
  // Korean character is a word, and minutes are rounded up.
  const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/g;
  function stats() {
    let words = 0;
    editor.state.doc.descendants((node) => {
      if (!node.isText) return;
      words += (node.text.match(CJK) || []).length + (node.text.replace(CJK, " ").match(/\S+/g) || []).length;
    });
    return { editor, words, minutes: Math.max(1, Math.ceil(words / 230)) };
  }

  function count(initialCount = false) {
    const { words, minutes } = stats();
    statsLine.textContent = `${words.toLocaleString()} words · about ${minutes} min to read`;
    root.dispatchEvent(new CustomEvent("nr-body:change", {
      bubbles: true, detail: { words, minutes, editor, initial: initialCount },
    }));
  }

  // "LABEL: " typed at the start of a paragraph, with a participant's label, makes it a question
  // or an answer at once (the server does the same on save, as transcript paste does).
  const LABEL = /^\s*\**([^:\n]{1,80}?)\**\s*:\**\s+/;
  function recogniseLabel() {
    const { state } = editor;
    const { $from } = state.selection;
    if ($from.parent.type.name !== "paragraph") return;
    const match = LABEL.exec($from.parent.textContent);
    if (!match) return;
    const label = match[1].trim().toUpperCase();
    const kind = label === config.interviewer.toUpperCase() ? "question"
      : speakerLabels(config).includes(label) ? "answer" : null;
    if (!kind) return;
    if ($from.depth === 2 && ["question", "answer"].includes($from.node(1).type.name)) {
      // A new speaker inside a turn starts a turn of its own: out of this one first.
      editor.commands.lift($from.node(1).type.name);
      return;
    }
    if ($from.depth !== 1) return;
    const pos = $from.before(1);
    const tr = state.tr.delete(pos + 1, pos + 1 + match[0].length);
    const range = tr.doc.resolve(pos + 1).blockRange();
    tr.wrap(range, [{ type: state.schema.nodes[kind], attrs: kind === "answer" ? { speaker: label } : {} }]);
    editor.view.dispatch(tr);
    announce(kind === "question" ? "Question." : `Answer from ${label}.`);
  }

  let pending = null;
  editor.on("update", ({ transaction }) => {
    if (transaction.docChanged) {
      recogniseLabel();
      recogniseLabel(); // once lifted out of a turn, the paragraph becomes a turn of its own
    }
    window.clearTimeout(pending);
    pending = window.setTimeout(() => { sync(); count(); }, 300);
  });
  sync();
  count(true);
  const form = textarea.form;
  form.addEventListener("submit", sync);
  root.prepend(toolbar(editor, () => picker.open()));
  root.nrEditor = { editor, sync, stats, setContent(html) { editor.commands.setContent(html, { emitUpdate: false }); sync(); count(true); } };
  root.dispatchEvent(new CustomEvent("nr-body:ready", { bubbles: true, detail: root.nrEditor }));
}

for (const root of document.querySelectorAll("[data-nr-body]")) start(root);
