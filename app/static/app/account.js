/**
 * /app/account: name, email, password change, data export, sign out everywhere, deleting the
 * account (with the password, or by typing DELETE for an account made with Google/LinkedIn).
 */
import { api, download } from "./api.js";
import { announce, busy, confirmAction, handleSubmit, showError } from "./dom.js";
import { currentUser, signOutEverywhere, updateUser } from "./session.js";

const nameForm = document.getElementById("name-form");
const passwordForm = document.getElementById("password-form");
const deleteForm = document.getElementById("delete-form");

/** Show what applies to this account: the password forms only when it has a password. */
function show(user) {
  nameForm.elements.full_name.value = user.full_name;
  document.getElementById("account-email").textContent = user.email;
  passwordForm.hidden = !user.has_password;
  document.getElementById("password-none").hidden = user.has_password;
  // The delete confirmation: the password, or DELETE typed. The other field is disabled, so
  // it is neither checked nor sent.
  document.getElementById("delete-password-field").hidden = !user.has_password;
  deleteForm.elements.password.disabled = !user.has_password;
  document.getElementById("delete-confirm-field").hidden = user.has_password;
  deleteForm.elements.confirm.disabled = user.has_password;
  document.getElementById("account-status").hidden = true;
  document.getElementById("account-sections").hidden = false;
}

handleSubmit(nameForm, async ({ full_name }) => {
  await updateUser({ full_name });
  announce("Your name is saved.");
}, { busyLabel: "Saving…" });

handleSubmit(passwordForm, async (values) => {
  await api.post("/auth/password", values);
  passwordForm.reset();
  announce("Password changed. Your other devices are signed out.");
}, { busyLabel: "Changing…" });

document.getElementById("export-data").addEventListener("click", (event) => {
  busy(event.currentTarget, () => download("/auth/me/export"), "Preparing your export…")
    .then(() => announce("Your export is downloading."), (error) => showError(error));
});

document.getElementById("sign-out-everywhere").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  const confirmed = await confirmAction({
    title: "Sign out everywhere?",
    message: "Every device and browser signed in to your account is signed out, this one too.",
    confirmLabel: "Sign out everywhere",
  });
  if (confirmed) busy(button, signOutEverywhere).catch((error) => showError(error));
});

handleSubmit(deleteForm, async (values) => {
  const confirmed = await confirmAction({
    title: "Delete your account?",
    message: "Your portfolios, their pages, documents, links and statistics are deleted for good.",
    confirmLabel: "Delete my account",
  });
  if (!confirmed) return;
  await api.delete("/auth/me", { json: values });
  location.assign("/");
}, { busyLabel: "Deleting…" });

currentUser().then(show, (error) => {
  document.getElementById("account-status").textContent = "Your account could not be loaded.";
  showError(error);
});
