/**
 * /app/portfolios/<id>: the editor (app/templates/app/editor.html). Loads the portfolio, then
 * mounts each part on one EditorSession (editor-session.js: state, autosave, conflicts, undo):
 *
 * | part | module | where |
 * |---|---|---|
 * | save status, conflict dialog, leave warning | editor-status.js | #save-status, #conflict-dialog |
 * | Undo/Redo, shortcuts, "deleted — Undo" notice | editor-undo.js | #undo, #redo, #undo-notice |
 * | profile and sections, proofs | editor-content.js, editor-proofs.js | #content |
 * | live preview | editor-preview.js | #preview-frame, #audience-switch |
 * | design, publish, history (the other panels) | editor-design/-publish/-history.js | #design-pane, #publish-panel, #history-panel |
 * | AI assistant: "Start from a description", Improve | editor-ai.js | #ai-start, under long text fields |
 *
 * The other panels get `editor`, the one context object below: the portfolio as the editor sees
 * it, `change(fields)` (a local, autosaved, undoable edit; profile/theme as merge patches),
 * `saveNow(fields)` (saved at once; rejects with the ApiError), `replace(portfolio)` (the server
 * changed it: a restore), `flush()` (send what is pending now, before the server replaces the
 * content, so no typing is lost), `reload()`, `refreshPreview()`, `hasUnsavedChanges` and
 * `onChange(listener)` (called with (portfolio, {source}) after every change or save; sources in
 * editor-session.js). The AI assistant is mounted only when the server has a provider
 * (#editor's data-ai-assistant, from app_pages.py).
 * Changes this tab could not save before leaving (the session ended) come back from its draft.
 */
import { api } from "./api.js";
import { announce, showError } from "./dom.js";
import { improveTools, mountDraftBox } from "./editor-ai.js";
import { mountContent } from "./editor-content.js";
import { mountDesign } from "./editor-design.js";
import { fieldsNotReady } from "./editor-fields.js";
import { mountHistory } from "./editor-history.js";
import { mountPreview } from "./editor-preview.js";
import { mountPublish } from "./editor-publish.js";
import { EditorSession } from "./editor-session.js";
import { conflictQuestion, mountSaveStatus } from "./editor-status.js";
import { createUndoNotice, mountUndoControls } from "./editor-undo.js";
import { t } from "./i18n.js";

// Changes after which the preview shows something else (an edit is seen once it is saved).
const PREVIEW_SOURCES = new Set(["saved", "replace", "proofs"]);

const root = document.getElementById("editor");
const portfolioId = root.dataset.portfolioId;
const statusElement = document.getElementById("save-status");

function showTitle(portfolio) {
  const title = document.getElementById("editor-title");
  if (title.textContent !== portfolio.title) title.textContent = portfolio.title;
  document.title = `${portfolio.title} · Vitrine`;
}

/** Another engineer's panel failing to mount must not take the editor down with it. */
function mountPanel(mount, element, editor) {
  try {
    mount(element, editor);
  } catch (error) {
    console.error(error);
  }
}

async function start() {
  let portfolio;
  try {
    portfolio = await api.get(`/portfolios/${portfolioId}`);
  } catch (error) {
    statusElement.textContent = t("The portfolio could not be loaded.");
    showError(error);
    return;
  }
  const session = new EditorSession({
    portfolio, askAboutConflict: conflictQuestion(document.getElementById("conflict-dialog")),
    notReady: fieldsNotReady,
  });
  // What this tab typed but could not save before (its session ended on the way): before the
  // panels are drawn, so that they show it.
  const restored = session.restoreDraft();
  mountSaveStatus(statusElement, session);
  mountUndoControls({ undoButton: document.getElementById("undo"),
                      redoButton: document.getElementById("redo"), session });
  const notice = createUndoNotice(document.getElementById("undo-notice"), session);
  const assistant = root.dataset.aiAssistant === "on";
  mountContent(document.getElementById("content"), session, notice,
               assistant ? improveTools(session) : null);
  const preview = mountPreview({ frame: document.getElementById("preview-frame"),
                                 switcher: document.getElementById("audience-switch"),
                                 portfolioId });
  showTitle(portfolio);
  session.onChange((current, { source }) => {
    showTitle(current);
    if (PREVIEW_SOURCES.has(source)) preview.refresh();
  });

  const editor = {
    portfolioId,
    get portfolio() { return session.portfolio; },
    change: (fields) => session.change(fields),
    saveNow: (fields) => session.saveNow(fields),
    replace: (newer) => session.replace(newer),
    flush: () => session.flush(),
    reload: () => session.reload(),
    get hasUnsavedChanges() { return session.hasUnsavedChanges; },
    refreshPreview: () => preview.refresh(),
    onChange: (listener) => session.onChange(listener),
  };
  mountPanel(mountDesign, document.getElementById("design-pane"), editor);
  mountPanel(mountPublish, document.getElementById("publish-panel"), editor);
  mountPanel(mountHistory, document.getElementById("history-panel"), editor);
  if (assistant) mountPanel(mountDraftBox, document.getElementById("ai-start"), editor);
  if (restored) announce(t("Your unsaved changes were restored."));
}

start();
