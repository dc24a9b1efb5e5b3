/** /signin: the form, and the error a Google/LinkedIn sign-in may come back with (#error=). */
import { handleSubmit, showFormError } from "./dom.js";
import { signIn } from "./session.js";

const form = document.getElementById("signin-form");

handleSubmit(form, async (values) => {
  await signIn(values);
  // The server checked `next` is a path of this site (app_pages.safe_next).
  location.assign(form.dataset.next);
}, { busyLabel: "Signing in…" });

const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.has("error")) {
  showFormError(form, fragment.get("error_description") || "That sign-in did not work.");
  history.replaceState(null, "", location.pathname + location.search);
}
