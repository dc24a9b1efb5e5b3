/**
 * /signin: the form, and the error a Google/LinkedIn sign-in may come back with (#error=).
 * An account with two-factor sign-in on is refused with `otp` named: the code field appears,
 * and the next try sends it.
 */
import { handleSubmit, showFormError } from "./dom.js";
import { t } from "./i18n.js";
import { signIn } from "./session.js";

const form = document.getElementById("signin-form");
const codeField = document.getElementById("signin-otp-field");

function askForCode() {
  codeField.hidden = false;
  form.elements.otp.disabled = false;
  form.elements.otp.focus();
}

handleSubmit(form, async (values) => {
  try {
    await signIn(values);
  } catch (error) {
    // The password was right; the first time, the field's hint says why it is asked.
    if (error.fieldErrors?.otp && codeField.hidden) {
      askForCode();
      return;
    }
    throw error;
  }
  // The server checked `next` is a path of this site (app_pages.safe_next).
  location.assign(form.dataset.next);
}, { busyLabel: t("Signing in…") });

const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.has("error")) {
  showFormError(form, fragment.get("error_description") || t("That sign-in did not work."));
  history.replaceState(null, "", location.pathname + location.search);
}
