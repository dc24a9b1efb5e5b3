/**
 * /verify-email?token=…: where the mailed link proving an address lands. The token goes to
 * POST /auth/verify-email: it confirms the account's address, or moves the account to the new
 * address it asked for. The link is spent either way, so it then leaves the address bar.
 */
import { api, ApiError } from "./api.js";
import { t } from "./i18n.js";

// The API's 410 in the person's language (its own message stays English).
const SPENT_LINK = t("This link has expired or was already used; ask for a new one.");
const status = document.getElementById("verify-status");
const problem = document.getElementById("verify-error");

function fail(message, { askAgain = true } = {}) {
  status.hidden = true;
  problem.textContent = message;
  problem.hidden = false;
  document.getElementById("verify-again").hidden = !askAgain;
}

const token = new URLSearchParams(location.search).get("token");
if (!token) {
  fail(t("This link is incomplete: open the link of the mail again, or copy it whole."));
} else {
  try {
    const { email } = await api.post("/auth/verify-email", { token }, { anonymous: true });
    history.replaceState(null, "", location.pathname);
    status.textContent = t("Thank you: {email} is confirmed as your address.", { email });
    document.getElementById("verify-done").hidden = false;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    fail(error.status === 410 ? SPENT_LINK : error.message, { askAgain: !error.offline });
  }
}
