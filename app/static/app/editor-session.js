/**
 * The portfolio being edited, and keeping it saved.
 *
 * State: `saved` (the portfolio as the server last returned it, with its `version`), the
 * change in flight, and `pending` (local changes not sent yet). `portfolio` is saved + in flight
 * + pending: what the editor shows. Changes are objects of top-level fields (editor-changes.js).
 *
 * Saving (one request at a time, in order):
 * - about a second after the last change, PATCH /portfolios/<id> with `If-Match: "<version>"`
 *   and only the fields that changed (`profile`/`theme` as merge patches);
 * - `saveNow(fields)` sends those fields alone right after the pending ones (publish, slug…);
 * - 409 (a newer version exists): `askAboutConflict()` lets the person choose: "theirs" loads
 *   the newer version and drops the local changes; "mine" takes the newer version as the base
 *   and sends the local changes again on top of it. Nothing is dropped without asking;
 * - offline, 5xx or 429: the changes stay, retried with backoff and at once on `online`;
 * - refused (422 field errors, 413…): the fields at fault stay unsaved ("invalid" event with the
 *   API's errors) until they are edited again; the other fields are still saved.
 * Fields `notReady(changes)` names (a new item without its name) are kept back until complete.
 *
 * Draft: the changes not saved yet (in flight + pending) and the version they are based on are
 * kept in this tab's sessionStorage as they change, and removed once saved, because a session
 * that ends (signed out elsewhere, refresh token expired) sends the page to /signin and the
 * typing would be gone. Content only: the session's tokens are HttpOnly cookies. The editor
 * opened again in this tab calls `restoreDraft()`: the changes come back as local edits, saved
 * with `If-Match` their own version, so one made stale elsewhere meanwhile is a 409 like any.
 *
 * Events: "status" ({state, text}: saved, unsaved, saving, offline, conflict, error), "saved"
 * ({changes}: what the server just stored), "invalid" ({errors, changes}). `onChange(listener)`
 * calls listener(portfolio, {source}) after every change, source being "edit", "undo", "redo",
 * "saved" (a save answered), "replace" (a new base: restore, reload) or "proofs".
 */
import { api } from "./api.js";
import {
  applyChanges, changesUndoing, combineChanges, fieldsTouched, isEmpty, withoutFields,
} from "./editor-changes.js";
import { UndoHistory } from "./editor-undo.js";
import { t } from "./i18n.js";

const SAVE_DELAY_MS = 1000;
const RETRY_DELAYS_MS = [2000, 4000, 8000, 16000, 30000];
const FIELD_REFUSAL = "check the marked fields.";
const DRAFT_KEY_PREFIX = "vitrine-editor-draft:";

const isStale = (error) => error.status === 409 && error.body?.current_version !== undefined;
const isTransient = (error) => error.offline || error.status >= 500 || error.status === 429;

export class EditorSession extends EventTarget {
  history = new UndoHistory();
  #path;
  #saved;
  #pending = {};
  #sending = null;
  #explicit = [];
  #held = new Set();
  #refusal = null;
  #retrying = null;
  #retries = 0;
  #conflict = false;
  #timer = null;
  #generation = 0;
  #view = null;
  #listeners = new Set();
  #idleWaiters = [];
  #lastStatus = "";
  #askAboutConflict;
  #notReady;
  #draftKey;
  #draftKept = true;
  // The version a restored draft was based on while older than `saved`: sent as If-Match until
  // the conflict it makes is answered, so the newer version is never overwritten unasked.
  #basedOn = null;

  /**
   * @param {object} options
   * @param {object} options.portfolio  as GET /portfolios/<id> returned it
   * @param {() => Promise<"theirs"|"mine">} options.askAboutConflict
   * @param {(changes: object) => Set<string>} options.notReady  fields not complete enough to send
   */
  constructor({ portfolio, askAboutConflict, notReady }) {
    super();
    this.#path = `/portfolios/${portfolio.id}`;
    this.#draftKey = DRAFT_KEY_PREFIX + portfolio.id;
    this.#saved = portfolio;
    this.#askAboutConflict = askAboutConflict;
    this.#notReady = notReady;
    window.addEventListener("online", () => this.#retrying && this.#send());
    // Leaving the tab sends what is typed now rather than in a second.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && this.#timer) this.#send();
    });
  }

  get portfolio() {
    this.#view ??= applyChanges(applyChanges(this.#saved, this.#sending || {}), this.#pending);
    return this.#view;
  }

  get hasUnsavedChanges() {
    return Boolean(!isEmpty(this.#pending) || this.#sending || this.#explicit.length);
  }

  /** Are the unsaved changes all in this tab's draft (they survive leaving the page)? */
  get draftKept() {
    return this.#draftKept;
  }

  /** Is this item stored on the server (so that files can be attached to it)? */
  isSaved(field, itemId) {
    return (this.#saved[field] || []).some((item) => item.id === itemId);
  }

  onChange(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A local edit; `group` names what is edited, so that keystrokes make one undo step. */
  change(fields, { group } = {}) {
    this.#edit(fields, "edit", group);
  }

  undo() {
    const changes = this.history.undo();
    if (changes) this.#edit(changes, "undo");
  }

  redo() {
    const changes = this.history.redo();
    if (changes) this.#edit(changes, "redo");
  }

  /** Save `fields` now, after what is pending; resolves with the saved portfolio. */
  saveNow(fields) {
    return new Promise((resolve, reject) => {
      this.#explicit.push({ fields, resolve, reject });
      this.#emitStatus();
      this.#send();
    });
  }

  /** Send what is pending now; resolves once nothing more can be sent for the moment. */
  flush() {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#send();
    });
  }

  /**
   * Take back the draft an earlier page of this tab left (see Draft above) as local edits, one
   * undo step, saved like typing. Call before the panels are drawn. True when there was one.
   */
  restoreDraft() {
    let draft = null;
    try {
      draft = JSON.parse(sessionStorage.getItem(this.#draftKey));
    } catch {
      // Storage off or an unreadable draft: nothing to restore.
    }
    if (!draft?.changes || isEmpty(draft.changes)) return false;
    if (draft.version !== this.#saved.version) this.#basedOn = draft.version;
    this.#edit(draft.changes, "edit");
    return true;
  }

  /** The server changed the portfolio (a restore, a reload): adopt it, drop local state. */
  replace(portfolio) {
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#saved = portfolio;
    this.#basedOn = null;
    this.#pending = {};
    this.#sending = null;
    this.#held.clear();
    this.#refusal = null;
    this.#retrying = null;
    this.history.clear();
    this.#changed("replace");
    this.#send();
  }

  async reload() {
    const portfolio = await api.get(this.#path);
    this.replace(portfolio);
    return portfolio;
  }

  /** Proofs changed through their own routes (they are not versioned content). */
  updateProofs(update) {
    this.#saved = { ...this.#saved, proofs: update(this.#saved.proofs || []) };
    this.#changed("proofs");
  }

  get status() {
    if (this.#conflict) return { state: "conflict", text: t("Conflict") };
    if (this.#retrying?.offline) return { state: "offline", text: t("Offline — retrying") };
    if (this.#retrying) {
      return { state: "error",
               text: t("Not saved: {reason} Retrying…", { reason: this.#retrying.message }) };
    }
    if (this.#sending) return { state: "saving", text: t("Saving…") };
    if (this.#held.size) {
      return { state: "error", text: t("Not saved: {reason}", { reason: this.#refusal }) };
    }
    if (this.hasUnsavedChanges) return { state: "unsaved", text: t("Unsaved changes") };
    return { state: "saved", text: t("Saved") };
  }

  #edit(fields, source, group) {
    if (isEmpty(fields)) return;
    if (source === "edit") {
      this.history.record(changesUndoing(this.portfolio, fields), fields,
                          group ?? fieldsTouched(fields), combineChanges);
    }
    this.#pending = combineChanges(this.#pending, fields);
    for (const field of Object.keys(fields)) this.#held.delete(field);
    this.#changed(source);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#send(), SAVE_DELAY_MS);
  }

  #changed(source) {
    this.#view = null;
    this.#keepDraft();
    const portfolio = this.portfolio;
    for (const listener of this.#listeners) {
      try {
        listener(portfolio, { source });
      } catch (error) {
        console.error(error); // one panel's bug must not stop the saving
      }
    }
    this.#emitStatus();
  }

  /** The draft as the changes are now; #changed() calls it, as every edit and save passes by. */
  #keepDraft() {
    const changes = combineChanges(this.#sending || {}, this.#pending);
    try {
      if (isEmpty(changes)) {
        sessionStorage.removeItem(this.#draftKey);
      } else {
        sessionStorage.setItem(this.#draftKey,
                               JSON.stringify({ version: this.#baseVersion, changes }));
      }
      this.#draftKept = true;
    } catch {
      this.#draftKept = false; // storage full or off: the leave warning stays the safeguard
    }
  }

  get #baseVersion() {
    return this.#basedOn ?? this.#saved.version;
  }

  #emitStatus() {
    const status = this.status;
    if (status.text === this.#lastStatus) return;
    this.#lastStatus = status.text;
    this.dispatchEvent(new CustomEvent("status", { detail: status }));
  }

  #settle() {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #send() {
    clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#sending || this.#conflict) return;
    const waiting = new Set([...this.#held, ...this.#notReady(this.#pending)]);
    const changes = withoutFields(this.#pending, waiting);
    if (!isEmpty(changes)) this.#sendChanges(changes);
    else if (this.#explicit.length) this.#sendExplicit();
    else {
      this.#emitStatus();
      this.#settle();
    }
  }

  async #sendChanges(changes) {
    const generation = this.#generation;
    this.#pending = withoutFields(this.#pending, new Set(Object.keys(changes)));
    this.#sending = changes;
    this.#emitStatus();
    let saved;
    try {
      saved = await api.patch(this.#path, changes, { ifMatch: this.#baseVersion });
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#sending = null;
      this.#pending = combineChanges(changes, this.#pending);
      this.#failed(error, changes);
      return;
    }
    if (generation !== this.#generation) return;
    this.#sending = null;
    this.#adopt(saved, changes);
    this.#send();
  }

  async #sendExplicit() {
    const job = this.#explicit[0];
    this.#sending = {};
    this.#emitStatus();
    let saved;
    try {
      saved = await api.patch(this.#path, job.fields, { ifMatch: this.#baseVersion });
    } catch (error) {
      this.#sending = null;
      if (isStale(error)) {
        this.#resolveConflict(); // the job stays first in line, for the newer version
        return;
      }
      this.#explicit.shift();
      job.reject(error);
      this.#send();
      return;
    }
    this.#sending = null;
    this.#explicit.shift();
    this.#adopt(saved, job.fields);
    job.resolve(saved);
    this.#send();
  }

  #adopt(saved, changes) {
    // A restore adopted meanwhile is newer than this answer: it stays the base.
    if (saved.version >= this.#saved.version) this.#saved = saved;
    this.#retrying = null;
    this.#retries = 0;
    this.dispatchEvent(new CustomEvent("saved", { detail: { changes } }));
    this.#changed("saved");
  }

  #failed(error, changes) {
    if (error.kind === "signed-out") return; // the page is on its way to sign in
    if (isStale(error)) {
      this.#resolveConflict();
      return;
    }
    if (isTransient(error)) {
      this.#retrying = { offline: error.offline, message: error.message };
      const delay = RETRY_DELAYS_MS[Math.min(this.#retries, RETRY_DELAYS_MS.length - 1)];
      this.#retries += 1;
      this.#timer = setTimeout(() => this.#send(), delay);
      this.#emitStatus();
      this.#settle();
      return;
    }
    const atFault = Object.keys(error.fieldErrors).filter((field) => field in changes);
    for (const field of atFault.length ? atFault : Object.keys(changes)) this.#held.add(field);
    this.#refusal = atFault.length ? FIELD_REFUSAL : error.message;
    this.dispatchEvent(new CustomEvent("invalid", {
      detail: { errors: error.fieldErrors, changes } }));
    this.#send();
  }

  async #resolveConflict() {
    this.#conflict = true;
    this.#emitStatus();
    this.#settle();
    const choice = await this.#askAboutConflict();
    let newer;
    try {
      newer = await api.get(this.#path);
    } catch (error) {
      this.#conflict = false;
      this.#failed(error, {});
      return;
    }
    this.#conflict = false;
    this.#basedOn = null;
    if (choice === "theirs") {
      this.replace(newer);
      return;
    }
    this.#saved = newer;
    this.#changed("saved");
    this.#send();
  }
}
