/**
 * /reset-password: without a token, ask for a reset link by mail (the answer is the same
 * whether or not an account has the address); with the mailed link's token, choose the new
 * password (POST /auth/password/reset), which signs the account out everywhere.
 */
import { api } from "./api.js";
import { handleSubmit } from "./dom.js";
import { t } from "./i18n.js";

// The API's 410 in the person's language (its own message stays English).
const SPENT_LINK = t("This link has expired or was already used; ask for a new one.");
const forgotForm = document.getElementById("forgot-form");
const resetForm = document.getElementById("reset-form");

if (forgotForm) {
  handleSubmit(forgotForm, async ({ email }) => {
    await api.post("/auth/password/forgot", { email }, { anonymous: true });
    const sent = document.getElementById("forgot-sent");
    // The API's answer in the person's language (its own message stays English).
    sent.textContent = t("If an account uses this address, we sent it a link to choose a new "
      + "password. It works for one hour.");
    sent.hidden = false;
    forgotForm.hidden = true;
  }, { busyLabel: t("Sending…") });
}

if (resetForm) {
  const token = new URLSearchParams(location.search).get("token");
  handleSubmit(resetForm, async ({ new_password }) => {
    try {
      await api.post("/auth/password/reset", { token, new_password }, { anonymous: true });
    } catch (error) {
      // A link used or expired: the way out is a new one.
      const spent = error.status === 410;
      document.getElementById("reset-again").hidden = !spent;
      if (spent) error.message = SPENT_LINK;
      throw error;
    }
    history.replaceState(null, "", location.pathname);
    resetForm.hidden = true;
    document.getElementById("reset-done").hidden = false;
  }, { busyLabel: t("Saving…") });
}
