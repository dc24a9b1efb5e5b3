/**
 * Undo and redo of the session's edits: the history itself (`UndoHistory`, kept by the
 * EditorSession), the top bar's Undo/Redo buttons with Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y, and the
 * notice offering to undo a deletion ("Project deleted. [Undo]").
 *
 * Each step holds two changes (editor-changes.js): `undo` puts the fields back as they were,
 * `redo` makes them as they became. Undoing applies `undo` as a new, ordinary change — it is
 * autosaved like typing — so the server's history never goes backwards.
 */

// Keystrokes in one field within this long of each other make a single step.
const GROUP_MS = 1500;
const NOTICE_MS = 20_000;

export class UndoHistory extends EventTarget {
  #done = [];
  #undone = [];

  /**
   * Remember a change. `group` names what was edited ("projects/<id>/name"): a change of the
   * same group soon after the last one extends that step instead of starting a new one.
   */
  record(undo, redo, group, combine) {
    const last = this.#done.at(-1);
    const now = Date.now();
    if (last && last.group === group && now - last.at < GROUP_MS && !this.#undone.length) {
      // The step still undoes to where it started: its `undo` wins over the newer one's.
      last.undo = combine(undo, last.undo);
      last.redo = combine(last.redo, redo);
      last.at = now;
    } else {
      this.#done.push({ undo, redo, group, at: now });
    }
    this.#undone = [];
    this.#changed();
  }

  /** The last step is complete (the person left the field): the next change starts another. */
  seal() {
    const last = this.#done.at(-1);
    if (last) last.at = 0;
  }

  /** The change undoing the last step (null when there is none). */
  undo() {
    const step = this.#done.pop();
    if (!step) return null;
    this.#undone.push(step);
    this.#changed();
    return step.undo;
  }

  /** The change redoing the last undone step (null when there is none). */
  redo() {
    const step = this.#undone.pop();
    if (!step) return null;
    this.#done.push(step);
    this.seal(); // a redone step is never extended by the next keystroke
    this.#changed();
    return step.redo;
  }

  clear() {
    this.#done = [];
    this.#undone = [];
    this.#changed();
  }

  get canUndo() { return this.#done.length > 0; }
  get canRedo() { return this.#undone.length > 0; }

  #changed() {
    this.dispatchEvent(new Event("change"));
  }
}

function isShortcut(event, key) {
  return (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === key;
}

/** The Undo and Redo buttons and their keyboard shortcuts, anywhere on the page. */
export function mountUndoControls({ undoButton, redoButton, session }) {
  const history = session.history;
  const showState = () => {
    undoButton.disabled = !history.canUndo;
    redoButton.disabled = !history.canRedo;
  };
  history.addEventListener("change", showState);
  showState();
  undoButton.addEventListener("click", () => session.undo());
  redoButton.addEventListener("click", () => session.redo());
  document.addEventListener("keydown", (event) => {
    const redo = (isShortcut(event, "z") && event.shiftKey) || isShortcut(event, "y");
    const undo = isShortcut(event, "z") && !event.shiftKey;
    if (!undo && !redo) return;
    // The editor's history replaces the text fields' own, which would undo behind its back.
    event.preventDefault();
    if (undo) session.undo();
    else session.redo();
  });
}

// Changes after which the notice's Undo would no longer take back what it names.
const LATER_EDITS = new Set(["edit", "undo", "redo", "replace"]);

/**
 * The notice under the top bar offering to take back what was just done: `undoNotice.show(
 * "Project deleted.", () => session.undo())`. One at a time; it goes after a while, when its
 * button is used, or at the next edit (the top bar's Undo stays for going further back).
 */
export function createUndoNotice(element, session) {
  const message = element.querySelector("[data-field=message]");
  const button = element.querySelector("button");
  let action = null;
  let timer = null;
  const hide = () => {
    element.hidden = true;
    action = null;
  };
  button.addEventListener("click", () => {
    const undo = action;
    hide();
    undo?.();
  });
  session.onChange((portfolio, { source }) => LATER_EDITS.has(source) && hide());
  return {
    show(text, undo) {
      message.textContent = text;
      action = undo;
      element.hidden = false;
      clearTimeout(timer);
      timer = setTimeout(hide, NOTICE_MS);
    },
    hide,
  };
}
