/**
 * /reset-password: without a token, ask for a reset link by mail (the answer is the same
 * whether or not an account has the address); with the mailed link's token, choose the new
 * password (POST /auth/password/reset), which signs the account out everywhere.
 */
import { api } from "./api.js";
import { handleSubmit } from "./dom.js";

const forgotForm = document.getElementById("forgot-form");
const resetForm = document.getElementById("reset-form");

if (forgotForm) {
  handleSubmit(forgotForm, async ({ email }) => {
    const { message } = await api.post("/auth/password/forgot", { email }, { anonymous: true });
    const sent = document.getElementById("forgot-sent");
    sent.textContent = message;
    sent.hidden = false;
    forgotForm.hidden = true;
  }, { busyLabel: "Sending…" });
}

if (resetForm) {
  const token = new URLSearchParams(location.search).get("token");
  handleSubmit(resetForm, async ({ new_password }) => {
    try {
      await api.post("/auth/password/reset", { token, new_password }, { anonymous: true });
    } catch (error) {
      // A link used or expired: the way out is a new one.
      document.getElementById("reset-again").hidden = error.status !== 410;
      throw error;
    }
    history.replaceState(null, "", location.pathname);
    resetForm.hidden = true;
    document.getElementById("reset-done").hidden = false;
  }, { busyLabel: "Saving…" });
}
