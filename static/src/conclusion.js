/* Atelier: a breakout group's conclusion, co-written live.
 *
 * Each <section class="conclusion" data-conclusion="<docId>"> gets a ProseMirror editor bound
 * to a Yjs document (y-prosemirror). The Yjs updates travel over the page's one socket
 * (window.AtelierLive, static/js/live.js) as doc.* frames; the server merges them with pycrdt.
 * docs/editor.md describes the choices, the frames and the limits; every string shown comes
 * from the section's data attributes (the Django template).
 *
 * Built by `npm run build` (esbuild) into static/build/conclusion.js.
 */
import * as Y from "yjs";
import {
  ySyncPlugin,
  ySyncPluginKey,
  yUndoPlugin,
  undoCommand,
  redoCommand,
  getRelativeSelection,
  relativePositionToAbsolutePosition,
} from "y-prosemirror";
import { EditorState, TextSelection, Plugin } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { Schema } from "prosemirror-model";
import { nodes as basicNodes, marks as basicMarks } from "prosemirror-schema-basic";
import {
  orderedList,
  bulletList,
  listItem,
  wrapInList,
  splitListItem,
  liftListItem,
  sinkListItem,
} from "prosemirror-schema-list";
import { keymap } from "prosemirror-keymap";
import { baseKeymap, toggleMark, setBlockType } from "prosemirror-commands";

const FRAGMENT = "prosemirror"; // the server reads this exact name
const COALESCE_MS = 100; // local updates within this window leave as one doc.update
const SAVE_MS = 500; // localStorage copy of unsaved work, debounced
const EDITING_MS = 10000; // at most one doc.editing per this interval
const SAVING_SHOWN_AFTER_MS = 1500; // "saving…" only when saving takes this long (offline)
const SAVED_SHOWN_AFTER_MS = 800; // "saved" once nothing moved for this long
const RESYNC_MS = 3000; // after a refusal, changes go by doc.sync, at most this often
const SYNC_TIMEOUT_MS = 10000; // a doc.sync left unanswered is sent again
const EDITORS_FORGET_MS = 15000; // a writer's name stays this long after their last doc.editors
const STORAGE_PREFIX = "atelier.doc.";

/* The schema every client (and the server's Markdown export) agrees on: y-prosemirror deletes
 * from the shared document any element this schema cannot represent. */
const schema = new Schema({
  nodes: {
    doc: { content: "block+" },
    paragraph: basicNodes.paragraph,
    heading: {
      attrs: { level: { default: 2 } },
      content: "inline*",
      group: "block",
      defining: true,
      parseDOM: [
        { tag: "h1", attrs: { level: 2 } },
        { tag: "h2", attrs: { level: 2 } },
        { tag: "h3", attrs: { level: 3 } },
        { tag: "h4", attrs: { level: 3 } },
        { tag: "h5", attrs: { level: 3 } },
        { tag: "h6", attrs: { level: 3 } },
      ],
      toDOM: (node) => ["h" + headingLevel(node.attrs.level), 0],
    },
    bullet_list: Object.assign({}, bulletList, { content: "list_item+", group: "block" }),
    ordered_list: Object.assign({}, orderedList, { content: "list_item+", group: "block" }),
    list_item: Object.assign({}, listItem, { content: "paragraph block*" }),
    text: basicNodes.text,
  },
  marks: { strong: basicMarks.strong, em: basicMarks.em },
});

function headingLevel(level) {
  return Number(level) >= 3 ? 3 : 2; // a stray level from elsewhere still renders
}

/* ---------- small helpers ---------- */

function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function newId() {
  const live = window.AtelierLive;
  if (live && typeof live.newId === "function") return live.newId();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/* False while offline (or before the socket's welcome): the caller keeps the work. */
function send(frame) {
  const live = window.AtelierLive;
  if (!live || typeof live.send !== "function") return false;
  try {
    return live.send(frame) === true;
  } catch (error) {
    return false;
  }
}

function storageGet(key) {
  try {
    return localStorage.getItem(key);
  } catch (error) {
    return null;
  }
}

function storageSet(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch (error) {
    /* private mode or full storage: the in-memory document still has everything */
  }
}

function storageRemove(key) {
  try {
    localStorage.removeItem(key);
  } catch (error) {
    /* nothing to do */
  }
}

/* ---------- one shared document per docId ---------- */

const sessions = new Map(); // docId -> DocSession (kept when its section is re-rendered)

class DocSession {
  constructor(docId) {
    this.docId = docId;
    this.storageKey = STORAGE_PREFIX + docId;
    this.ydoc = new Y.Doc();
    this.fragment = this.ydoc.getXmlFragment(FRAGMENT);
    this.editors = new Set(); // mounted Editor objects showing this document
    this.pending = new Map(); // update id -> Uint8Array, sent (or not) and not acked yet
    this.buffer = []; // local updates waiting for the coalescing window
    this.flushTimer = null;
    this.saveTimer = null;
    this.syncTimer = null;
    this.synced = false; // a doc.state arrived since the last (re)connection
    this.diverged = false; // the server refused a local update: resend everything on sync
    this.lastResync = 0;
    this.locked = false;
    this.forbidden = false;
    this.error = "";
    this.writers = new Map(); // name -> when a doc.editors last named them
    this.writersTimer = null;
    this.offline = false; // the last frame could not be sent
    this.lastEditingSent = 0;

    this.ydoc.on("update", (update, origin) => this.onYUpdate(update, origin));
    const stored = storageGet(this.storageKey);
    if (stored) {
      try {
        // Work not saved before the last reload: it is unsaved again until the server acks it.
        Y.applyUpdate(this.ydoc, fromBase64(stored), "storage");
      } catch (error) {
        storageRemove(this.storageKey);
      }
    }
  }

  get unsaved() {
    return this.pending.size > 0 || this.buffer.length > 0 || this.diverged;
  }

  onYUpdate(update, origin) {
    if (origin !== "server") {
      this.buffer.push(update);
      if (this.flushTimer === null) {
        this.flushTimer = setTimeout(() => this.flush(), COALESCE_MS);
      }
    }
    this.scheduleSave();
    this.render();
  }

  /* Send what was typed in the last ~100 ms as one update. */
  flush() {
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.buffer.length === 0) return;
    const update = this.buffer.length === 1 ? this.buffer[0] : Y.mergeUpdates(this.buffer);
    this.buffer = [];
    if (this.diverged) {
      // The server lacks something this update builds on: a sync sends the whole difference.
      this.resyncSoon();
      return;
    }
    const id = newId();
    this.pending.set(id, update);
    this.sendUpdate(id, update);
  }

  sendUpdate(id, update) {
    // Before the doc.state of this connection, the diff sent in reply to it covers this update.
    if (!this.synced || this.locked || this.forbidden) return;
    const sent = send({ type: "doc.update", id: id, doc: this.docId, update: toBase64(update) });
    this.setOffline(!sent);
    if (!sent) this.synced = false; // the next welcome syncs again
  }

  sync() {
    if (this.forbidden) return;
    this.synced = false;
    const sent = send({
      type: "doc.sync",
      doc: this.docId,
      sv: toBase64(Y.encodeStateVector(this.ydoc)),
    });
    this.setOffline(!sent);
    clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (sent) {
      this.syncTimer = setTimeout(() => {
        if (!this.synced && this.editors.size > 0) this.sync();
      }, SYNC_TIMEOUT_MS);
    }
  }

  resyncSoon() {
    if (this.syncTimer !== null && !this.synced) return; // one is on its way
    const wait = Math.max(0, this.lastResync + RESYNC_MS - Date.now());
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.lastResync = Date.now();
      this.sync();
    }, wait);
  }

  /* ---------- frames from the server ---------- */

  onFrame(frame) {
    switch (frame.type) {
      case "doc.state":
        this.onState(frame);
        break;
      case "doc.update":
        this.applyRemote(frame.update);
        break;
      case "doc.ack":
        this.onAck(frame.id);
        break;
      case "doc.locked":
        this.setLocked(!!frame.locked);
        if (!frame.locked && this.unsaved) this.sync(); // push what the lock refused
        break;
      case "doc.editors":
        this.onEditors(frame);
        break;
      case "error":
      case "doc.error":
        this.onError(frame);
        break;
    }
  }

  /* Each doc.editors names who typed lately (the server sends one per doc.editing); a name is
   * forgotten EDITORS_FORGET_MS after it was last named, and an empty list forgets everyone. */
  onEditors(frame) {
    const live = window.AtelierLive;
    const me = live && live.state ? live.state.participant : undefined;
    if (frame.participant !== undefined && me !== undefined && frame.participant === me) return;
    const names = Array.isArray(frame.names) ? frame.names.map(String) : [];
    if (names.length === 0) this.writers.clear();
    const now = Date.now();
    names.forEach((name) => {
      this.writers.delete(name); // most recent last
      this.writers.set(name, now);
    });
    this.forgetWriters();
  }

  forgetWriters() {
    clearTimeout(this.writersTimer);
    this.writersTimer = null;
    const now = Date.now();
    let next = Infinity;
    this.writers.forEach((seen, name) => {
      if (now - seen >= EDITORS_FORGET_MS) this.writers.delete(name);
      else next = Math.min(next, seen + EDITORS_FORGET_MS - now);
    });
    if (next !== Infinity) this.writersTimer = setTimeout(() => this.forgetWriters(), next + 50);
    this.render();
  }

  get names() {
    return Array.from(this.writers.keys());
  }

  goneOffline() {
    this.synced = false; // what was sent may not have arrived: the next welcome syncs again
    this.setOffline(true);
  }

  setOffline(offline) {
    if (this.offline === offline) return;
    this.offline = offline;
    this.render();
  }

  applyRemote(base64) {
    if (typeof base64 !== "string" || base64 === "") return true;
    try {
      Y.applyUpdate(this.ydoc, fromBase64(base64), "server");
      return true;
    } catch (error) {
      return false;
    }
  }

  onState(frame) {
    clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (!this.applyRemote(frame.update)) {
      this.resyncSoon();
      return;
    }
    this.setLocked(!!frame.locked);
    this.synced = true;
    // Everything the server lacks (offline edits, unacked updates) leaves as one update.
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.buffer = [];
    this.pending.clear();
    let diff;
    try {
      if (typeof frame.sv !== "string") throw new TypeError("no state vector");
      diff = Y.encodeStateAsUpdate(this.ydoc, fromBase64(frame.sv));
    } catch (error) {
      diff = Y.encodeStateAsUpdate(this.ydoc); // no usable state vector: send everything
    }
    if (diff.length > 2) {
      if (this.locked) {
        this.diverged = true; // kept (and in localStorage) until an unlock lets it through
      } else {
        this.diverged = false;
        const id = newId();
        this.pending.set(id, diff);
        this.sendUpdate(id, diff);
      }
    } else {
      this.diverged = false;
    }
    this.settled();
  }

  onAck(id) {
    if (!this.pending.delete(id)) return;
    if (!this.locked && !this.forbidden) this.error = "";
    this.settled();
  }

  onError(frame) {
    if (frame.id != null && !this.pending.delete(frame.id)) return;
    this.error = frame.message || frame.code || "";
    switch (frame.code) {
      case "doc_locked":
        this.diverged = true;
        this.setLocked(true);
        break;
      case "forbidden":
        this.forbidden = true;
        this.pending.clear();
        this.refreshEditable();
        break;
      default:
        // doc_too_large, bad_update…: the local document keeps the text; the server lacks
        // this update, so later changes go through a full sync instead of deltas.
        if (frame.id != null) {
          this.diverged = true;
          this.synced = false;
        }
        break;
    }
    this.settled();
  }

  /* ---------- unsaved work, status ---------- */

  settled() {
    if (!this.unsaved) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
      storageRemove(this.storageKey);
    } else {
      this.scheduleSave();
    }
    this.render();
  }

  scheduleSave() {
    if (this.saveTimer !== null) return;
    this.saveTimer = setTimeout(() => this.saveNow(), SAVE_MS);
  }

  saveNow() {
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (this.unsaved) {
      storageSet(this.storageKey, toBase64(Y.encodeStateAsUpdate(this.ydoc)));
    } else {
      storageRemove(this.storageKey);
    }
  }

  setLocked(locked) {
    if (this.locked === locked) return;
    this.locked = locked;
    if (!locked && !this.forbidden) this.error = "";
    this.refreshEditable();
    this.render();
  }

  get editable() {
    return !this.locked && !this.forbidden;
  }

  refreshEditable() {
    this.editors.forEach((editor) => editor.refreshEditable());
  }

  render() {
    this.editors.forEach((editor) => editor.render());
  }

  /* The person typed: tell the group (at most every 10 s). */
  typed() {
    const now = Date.now();
    if (now - this.lastEditingSent < EDITING_MS) return;
    if (send({ type: "doc.editing", doc: this.docId })) this.lastEditingSent = now;
  }
}

/* ---------- toolbar commands ---------- */

function markActive(state, type) {
  const { from, to, empty, $from } = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

function blockActive(state, type, attrs) {
  const parent = state.selection.$from.parent;
  if (parent.type !== type) return false;
  return !attrs || headingLevel(parent.attrs.level) === attrs.level;
}

function listDepth(state) {
  const $from = state.selection.$from;
  for (let depth = $from.depth; depth > 0; depth--) {
    const type = $from.node(depth).type;
    if (type === schema.nodes.bullet_list || type === schema.nodes.ordered_list) return depth;
  }
  return 0;
}

function listActive(state, type) {
  const depth = listDepth(state);
  return depth > 0 && state.selection.$from.node(depth).type === type;
}

/* In a list of this kind: take the items out of it; in the other kind: switch the kind. */
function toggleList(type) {
  return (state, dispatch) => {
    const depth = listDepth(state);
    if (depth === 0) return wrapInList(type)(state, dispatch);
    const $from = state.selection.$from;
    if ($from.node(depth).type === type) {
      return liftListItem(schema.nodes.list_item)(state, dispatch);
    }
    if (dispatch) dispatch(state.tr.setNodeMarkup($from.before(depth), type).scrollIntoView());
    return true;
  };
}

/* Plain text: a title becomes a paragraph again; a list item leaves its list (one level). */
function toParagraph(state, dispatch) {
  if (state.selection.$from.parent.type !== schema.nodes.heading && listDepth(state) > 0) {
    return liftListItem(schema.nodes.list_item)(state, dispatch);
  }
  return setBlockType(schema.nodes.paragraph)(state, dispatch);
}

/* Title on a title makes it a paragraph again. */
function toggleHeading(level) {
  return (state, dispatch) => {
    if (blockActive(state, schema.nodes.heading, { level })) {
      return setBlockType(schema.nodes.paragraph)(state, dispatch);
    }
    return setBlockType(schema.nodes.heading, { level })(state, dispatch);
  };
}

const ICONS = {
  bold: '<path d="M7 5h5.5a3.5 3.5 0 0 1 0 7H7zM7 12h6.5a3.5 3.5 0 0 1 0 7H7z" stroke-width="2.6"/>',
  italic: '<path d="M10 5h8M6 19h8M15 5 9 19"/>',
  paragraph: '<path d="M12 5v14M16 5v14M18 5h-7.5a4 4 0 0 0 0 8H12"/>',
  h2: '<path d="M4 5h16M12 5v14" stroke-width="2.8"/>',
  h3: '<path d="M7 9h10M12 9v10"/>',
  bullets:
    '<path d="M10 6h10M10 12h10M10 18h10"/><circle cx="5" cy="6" r="1.4" fill="currentColor"/>' +
    '<circle cx="5" cy="12" r="1.4" fill="currentColor"/><circle cx="5" cy="18" r="1.4" fill="currentColor"/>',
  numbers:
    '<path d="M11 6h9M11 12h9M11 18h9M4 4.5l1.5-1v5M3.5 11a1.5 1.5 0 1 1 2.6 1L3.5 15H7"/>' +
    '<path d="M3.6 17.2a1.4 1.4 0 1 1 1.4 1.6 1.4 1.4 0 1 1-1.4 1.6"/>',
};

const BUTTONS = [
  {
    key: "bold",
    label: "labelBold",
    shortcut: "Mod-b",
    run: toggleMark(schema.marks.strong),
    active: (state) => markActive(state, schema.marks.strong),
  },
  {
    key: "italic",
    label: "labelItalic",
    shortcut: "Mod-i",
    run: toggleMark(schema.marks.em),
    active: (state) => markActive(state, schema.marks.em),
  },
  {
    key: "paragraph",
    label: "labelParagraph",
    shortcut: "Mod-Alt-0",
    run: toParagraph,
    active: (state) => blockActive(state, schema.nodes.paragraph) && listDepth(state) === 0,
  },
  {
    key: "h2",
    label: "labelH2",
    shortcut: "Mod-Alt-2",
    run: toggleHeading(2),
    active: (state) => blockActive(state, schema.nodes.heading, { level: 2 }),
  },
  {
    key: "h3",
    label: "labelH3",
    shortcut: "Mod-Alt-3",
    run: toggleHeading(3),
    active: (state) => blockActive(state, schema.nodes.heading, { level: 3 }),
  },
  {
    key: "bullets",
    label: "labelBullets",
    shortcut: "Shift-Mod-8",
    run: toggleList(schema.nodes.bullet_list),
    active: (state) => listActive(state, schema.nodes.bullet_list),
  },
  {
    key: "numbers",
    label: "labelNumbers",
    shortcut: "Shift-Mod-9",
    run: toggleList(schema.nodes.ordered_list),
    active: (state) => listActive(state, schema.nodes.ordered_list),
  },
];

const IS_MAC = /Mac|iPhone|iPad|iPod/.test(navigator.platform || navigator.userAgent);

/* aria-keyshortcuts spells modifiers its own way: Control/Meta, Alt, Shift. */
function ariaShortcut(shortcut) {
  return shortcut
    .split("-")
    .map((part) => (part === "Mod" ? (IS_MAC ? "Meta" : "Control") : part))
    .map((part) => (part.length === 1 ? part.toUpperCase() : part))
    .join("+");
}

function editorKeymap() {
  const keys = {
    "Mod-z": undoCommand,
    "Mod-y": redoCommand,
    "Shift-Mod-z": redoCommand,
    Enter: splitListItem(schema.nodes.list_item),
    "Mod-[": liftListItem(schema.nodes.list_item),
    "Mod-]": sinkListItem(schema.nodes.list_item),
  };
  // Tab is left alone: it moves out of the editor, never a keyboard trap.
  BUTTONS.forEach((button) => {
    keys[button.shortcut] = button.run;
  });
  return keymap(keys);
}

/* Someone else's change redraws the document, which drops the marks chosen for the next
 * characters (Bold pressed with nothing selected): carry them over to the next keystroke. */
function keepStoredMarks(state, transaction, fromYjs) {
  if (!fromYjs || !fromYjs.isChangeOrigin || !state.storedMarks) return;
  if (transaction.storedMarksSet || !transaction.selection.empty) return;
  transaction.setStoredMarks(state.storedMarks);
}

/* ---------- one mounted editor ---------- */

let editorCount = 0;

class Editor {
  constructor(section, session, previous) {
    this.section = section;
    this.session = session;
    this.focused = false;
    const data = section.dataset;
    editorCount += 1;
    const uid = "conclusion-" + session.docId + "-" + editorCount;

    this.mount = section.querySelector(".conclusion-editor") || section;
    this.status = section.querySelector(".conclusion-status");
    this.alert = section.querySelector('[role="alert"]');
    this.editorsLine = section.querySelector(".conclusion-editors");
    this.toolbar = section.querySelector(".conclusion-toolbar");
    if (this.status && !this.status.id) this.status.id = uid + "-status";

    const attributes = {
      id: uid + "-text",
      class: "conclusion-text",
      role: "textbox",
      "aria-multiline": "true",
      "aria-label": data.labelEditor || "",
    };
    if (this.status) attributes["aria-describedby"] = this.status.id;

    const editor = this;
    this.view = new EditorView(this.mount, {
      state: EditorState.create({
        schema,
        plugins: [
          ySyncPlugin(session.fragment),
          yUndoPlugin(),
          editorKeymap(),
          keymap(baseKeymap),
          new Plugin({ view: () => ({ update: () => editor.updateToolbar() }) }),
        ],
      }),
      attributes: () =>
        Object.assign({}, attributes, { "aria-readonly": session.editable ? "false" : "true" }),
      editable: () => session.editable,
      // PM calls this with the view as `this`, already while the view is being built.
      dispatchTransaction(transaction) {
        const view = this;
        const fromYjs = transaction.getMeta(ySyncPluginKey);
        keepStoredMarks(view.state, transaction, fromYjs);
        view.updateState(view.state.apply(transaction));
        if (transaction.docChanged && !(fromYjs && fromYjs.isChangeOrigin) && view.hasFocus()) {
          session.typed();
        }
      },
      handleDOMEvents: {
        focus: () => {
          editor.focused = true;
          return false;
        },
        blur: () => {
          // A blur caused by the section being swapped out keeps the focus for the remount.
          setTimeout(() => {
            if (!editor.view || editor.view.dom.isConnected) editor.focused = false;
          }, 0);
          return false;
        },
      },
    });

    this.buildToolbar(uid);
    if (previous) this.takeOver(previous);
    this.updateToolbar();
    this.render();
  }

  /* A section re-rendered by the server: same document, same selection, focus kept. */
  takeOver(previous) {
    let selection = null;
    try {
      const binding = ySyncPluginKey.getState(previous.view.state).binding;
      selection = binding ? getRelativeSelection(binding, previous.view.state) : null;
    } catch (error) {
      selection = null;
    }
    const refocus = previous.focused;
    previous.destroy();
    if (selection) {
      try {
        const binding = ySyncPluginKey.getState(this.view.state).binding;
        const { ydoc, fragment } = this.session;
        const absolute = (relative) =>
          relativePositionToAbsolutePosition(ydoc, fragment, relative, binding.mapping);
        const anchor = absolute(selection.anchor);
        const head = absolute(selection.head);
        if (anchor !== null && head !== null) {
          const { doc, tr } = this.view.state;
          const restored = TextSelection.between(doc.resolve(anchor), doc.resolve(head));
          this.view.dispatch(tr.setSelection(restored));
        }
      } catch (error) {
        /* the old selection is gone: the start of the document will do */
      }
    }
    const active = document.activeElement;
    if (refocus && (!active || active === document.body)) this.view.focus();
  }

  buildToolbar(uid) {
    if (!this.toolbar) return;
    const data = this.section.dataset;
    this.toolbar.textContent = "";
    this.toolbar.setAttribute("role", "toolbar");
    this.toolbar.setAttribute("aria-controls", uid + "-text");
    if (!this.toolbar.hasAttribute("aria-label") && !this.toolbar.hasAttribute("aria-labelledby")) {
      this.toolbar.setAttribute("aria-label", data.labelToolbar || data.labelEditor || "");
    }
    this.buttons = BUTTONS.map((spec, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "conclusion-button conclusion-button-" + spec.key;
      button.tabIndex = index === 0 ? 0 : -1; // roving tabindex: one Tab stop for the toolbar
      button.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-keyshortcuts", ariaShortcut(spec.shortcut));
      button.innerHTML =
        '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false" fill="none" ' +
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">' +
        ICONS[spec.key] +
        "</svg>";
      const label = document.createElement("span");
      label.className = "conclusion-button-label";
      label.textContent = data[spec.label] || "";
      button.appendChild(label);
      button.title = data[spec.label] || "";
      // Keep the editor's focus (and a phone's keyboard) when the button is pressed.
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => {
        if (!this.session.editable) return;
        spec.run(this.view.state, this.view.dispatch);
        this.view.focus();
      });
      this.toolbar.appendChild(button);
      return { spec, button };
    });
    this.toolbar.addEventListener("keydown", (event) => this.toolbarKey(event));
  }

  toolbarKey(event) {
    const buttons = this.buttons.map((entry) => entry.button);
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    const count = buttons.length;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = (index + 1) % count;
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = (index - 1 + count) % count;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = buttons.length - 1;
    if (next === null) return;
    event.preventDefault();
    buttons.forEach((button, i) => (button.tabIndex = i === next ? 0 : -1));
    buttons[next].focus();
  }

  updateToolbar() {
    if (!this.buttons || !this.view) return;
    const state = this.view.state;
    const editable = this.session.editable;
    this.buttons.forEach(({ spec, button }) => {
      button.setAttribute("aria-pressed", spec.active(state) ? "true" : "false");
      button.disabled = !editable;
    });
  }

  refreshEditable() {
    this.view.setProps({});
    this.updateToolbar();
  }

  render() {
    const session = this.session;
    const data = this.section.dataset;
    this.section.classList.toggle("is-locked", session.locked);
    this.section.dataset.locked = session.locked ? "true" : "false";

    if (this.alert) {
      this.alert.textContent = session.error;
      this.alert.hidden = !session.error;
    }

    const names = JSON.stringify(session.names);
    if (this.editorsLine && names !== this.shownNames) {
      this.shownNames = names;
      this.renderNames(data.textEditors || "{names}", session.names);
    }
    this.renderStatus();
  }

  /* "En train d'écrire : {names}": the names go in as text, never as HTML. */
  renderNames(template, names) {
    const line = this.editorsLine;
    line.textContent = "";
    if (names.length === 0) return;
    let joined;
    try {
      const lang = document.documentElement.lang || undefined;
      joined = new Intl.ListFormat(lang, { type: "conjunction" }).format(names);
    } catch (error) {
      joined = names.join(", ");
    }
    const parts = template.split("{names}");
    parts.forEach((part, index) => {
      if (index > 0) line.appendChild(document.createTextNode(joined));
      if (part) line.appendChild(document.createTextNode(part));
    });
  }

  /* The status is polite and live: it changes when a state lasts, not at every keystroke.
   * "Saving…" shows when saving takes long (offline), "saved" once the person's work is in. */
  renderStatus() {
    if (!this.status) return;
    const session = this.session;
    if (session.unsaved) this.hadWork = true;
    let target = this.hadWork ? "saved" : "";
    if (session.locked) target = "locked";
    else if (session.unsaved && session.offline && this.section.dataset.textOffline) target = "offline";
    else if (session.unsaved) target = "saving";
    if (target === this.statusTarget) return; // already shown, or on its way
    this.statusTarget = target;
    clearTimeout(this.statusTimer);
    let delay = 0;
    if (target === "saving" || target === "offline") delay = SAVING_SHOWN_AFTER_MS;
    else if (target === "saved") delay = SAVED_SHOWN_AFTER_MS;
    this.statusTimer = setTimeout(() => this.setStatus(target), delay);
  }

  setStatus(name) {
    const key = name ? "text" + name[0].toUpperCase() + name.slice(1) : "";
    const text = (key && this.section.dataset[key]) || "";
    if (name) this.status.dataset.state = name;
    else delete this.status.dataset.state;
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  destroy() {
    clearTimeout(this.statusTimer);
    this.session.editors.delete(this);
    if (this.view) this.view.destroy();
    this.view = null;
  }
}

/* ---------- mounting ---------- */

const mounted = new WeakMap(); // section -> Editor

function scan() {
  // Editors whose section left the page (re-rendered, or the person moved group).
  const orphans = new Map(); // docId -> Editor
  sessions.forEach((session) => {
    session.editors.forEach((editor) => {
      if (!editor.section.isConnected) {
        session.editors.delete(editor);
        if (orphans.has(session.docId)) orphans.get(session.docId).destroy();
        orphans.set(session.docId, editor);
      }
    });
  });
  document.querySelectorAll("section[data-conclusion]").forEach((section) => {
    if (mounted.has(section)) return;
    const docId = parseInt(section.dataset.conclusion, 10);
    if (!Number.isFinite(docId)) return;
    let session = sessions.get(docId);
    const fresh = !session;
    if (fresh) {
      session = new DocSession(docId);
      sessions.set(docId, session);
    }
    if (section.dataset.locked !== undefined) session.locked = section.dataset.locked === "true";
    const previous = orphans.get(docId) || null; // its selection and focus carry over
    orphans.delete(docId);
    const editor = new Editor(section, session, previous);
    mounted.set(section, editor);
    session.editors.add(editor);
    session.refreshEditable();
    if (fresh || !session.synced) session.sync();
  });
  orphans.forEach((editor) => editor.destroy());
}

function start() {
  scan();
  // live:updated follows every applied event and every welcome. An event only may bring a new
  // section; a welcome (a reconnection, or regions fetched again) also asks for a sync.
  let fromEvent = false;
  document.addEventListener("live:event", () => {
    fromEvent = true;
  });
  document.addEventListener("live:updated", () => {
    const reconnected = !fromEvent;
    fromEvent = false;
    scan();
    if (!reconnected) return;
    sessions.forEach((session) => {
      if (session.editors.size > 0) session.sync();
    });
  });
  let scanQueued = false;
  document.addEventListener("htmx:load", () => {
    if (scanQueued) return;
    scanQueued = true;
    queueMicrotask(() => {
      scanQueued = false;
      scan();
    });
  });
  document.addEventListener("live:doc", (event) => {
    const frame = event.detail || {};
    const byId = frame.type === "doc.ack" || frame.type === "doc.error" || frame.type === "error";
    if (byId && frame.id != null) {
      // Acks and refusals name the update, not always the document.
      sessions.forEach((session) => session.pending.has(frame.id) && session.onFrame(frame));
      return;
    }
    const session = sessions.get(Number(frame.doc));
    if (session) session.onFrame(frame);
  });
  // Errors without an id (a refused doc.sync naming its doc) come as live:error.
  document.addEventListener("live:error", (event) => {
    const frame = event.detail || {};
    if (frame.id != null) {
      const refusal = Object.assign({}, frame, { type: "error" });
      sessions.forEach((session) => session.pending.has(frame.id) && session.onFrame(refusal));
    } else if (frame.doc != null) {
      const session = sessions.get(Number(frame.doc));
      if (session) session.onFrame(Object.assign({}, frame, { type: "error" }));
    }
  });
  // The socket dropped: say "offline" at once rather than "saving" until a send fails; the
  // welcome that follows the reconnection syncs every document again.
  document.addEventListener("live:status", (event) => {
    const offline = event.detail && event.detail.state === "offline";
    if (offline) sessions.forEach((session) => session.goneOffline());
  });
  // Phones kill background tabs without unload: write unsaved work at once when hidden.
  const saveAll = () => sessions.forEach((session) => session.unsaved && session.saveNow());
  window.addEventListener("pagehide", saveAll);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveAll();
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();

// For tests and the console: the shared documents by id.
window.AtelierConclusions = {
  scan,
  sessions,
  text: (docId) => {
    const session = sessions.get(Number(docId));
    return session ? session.fragment.toString() : null;
  },
};
