/**
 * /verify-email?token=…: where the mailed link proving an address lands. The token goes to
 * POST /auth/verify-email: it confirms the account's address, or moves the account to the new
 * address it asked for. The link is spent either way, so it then leaves the address bar.
 */
import { api, ApiError } from "./api.js";

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
  fail("This link is incomplete: open the link of the mail again, or copy it whole.");
} else {
  try {
    const { email } = await api.post("/auth/verify-email", { token }, { anonymous: true });
    history.replaceState(null, "", location.pathname);
    status.textContent = `Thank you: ${email} is confirmed as your address.`;
    document.getElementById("verify-done").hidden = false;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    fail(error.message, { askAgain: !error.offline });
  }
}
