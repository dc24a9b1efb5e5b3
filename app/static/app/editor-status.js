/**
 * What the person sees of the saving: the status in the top bar ("Saving…", "Saved",
 * "Unsaved changes", "Offline — retrying", "Conflict", "Not saved: …"), the conflict dialog,
 * and the browser's warning before leaving with changes not saved yet — but for the trip to
 * sign in when the session has ended: the changes wait in the tab's draft (editor-session.js)
 * and come back after, while "Stay" would leave the person on a page that can save nothing.
 */
import { sessionEvents } from "./api.js";

export function mountSaveStatus(element, session) {
  const show = ({ state, text }) => {
    element.dataset.state = state;
    element.textContent = text;
  };
  show(session.status);
  session.addEventListener("status", (event) => show(event.detail));
  let signingIn = false;
  sessionEvents.addEventListener("ended", () => { signingIn = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!session.hasUnsavedChanges || (signingIn && session.draftKept)) return;
    event.preventDefault();
    event.returnValue = ""; // still needed by some browsers to show the warning
  });
}

/**
 * `askAboutConflict()` for the session: opens editor.html's #conflict-dialog and resolves
 * "theirs" (Load the newer version) or "mine" (Keep mine). Closing it another way (Escape)
 * keeps the person's changes: typing is never dropped without a clear choice.
 */
export function conflictQuestion(dialog) {
  return () => new Promise((resolve) => {
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "theirs" ? "theirs" : "mine"),
                            { once: true });
  });
}
