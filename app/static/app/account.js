/**
 * /app/account: name, email address (confirmation, change), password change, two-factor
 * sign-in (set-up with a QR code, recovery codes, turning it off), notification mails, data
 * export, sign out everywhere, deleting the account (with the password, or by typing DELETE
 * for an account made with Google/LinkedIn). Sections of features the server has turned off
 * are not in the page.
 */
import { api, download } from "./api.js";
import { announce, busy, confirmAction, handleSubmit, showError } from "./dom.js";
import { formatPlural } from "./format.js";
import { t } from "./i18n.js";
import { currentUser, signOutEverywhere, updateUser } from "./session.js";

const nameForm = document.getElementById("name-form");
const passwordForm = document.getElementById("password-form");
const deleteForm = document.getElementById("delete-form");
const addressForm = document.getElementById("address-form");
const mailsForm = document.getElementById("mails-form");
const twoFactor = {
  status: document.getElementById("two-factor-status"),
  start: document.getElementById("two-factor-start"),
  setup: document.getElementById("two-factor-setup"),
  enableForm: document.getElementById("two-factor-enable-form"),
  recovery: document.getElementById("two-factor-recovery"),
  disableForm: document.getElementById("two-factor-disable-form"),
};
let recoveryCodes = [];

function reveal(id, shown) {
  const element = document.getElementById(id);
  if (element) element.hidden = !shown;
}

/** Show what applies to this account: the password forms only when it has a password. */
function show(user) {
  nameForm.elements.full_name.value = user.full_name;
  document.getElementById("account-email").textContent = user.email;
  reveal("email-verified", user.email_verified);
  reveal("email-unverified", !user.email_verified);
  reveal("verify-reminder", !user.email_verified);
  reveal("address-needs-password", !user.has_password);
  if (addressForm) addressForm.hidden = !user.has_password;
  passwordForm.hidden = !user.has_password;
  document.getElementById("password-none").hidden = user.has_password;
  showTwoFactor(user);
  if (mailsForm) {
    for (const box of mailsForm.elements.mail_notifications) {
      box.checked = user.mail_notifications.includes(box.value);
    }
    reveal("mails-need-address", !user.email_verified);
  }
  // The delete confirmation: the password, or DELETE typed. The other field is disabled, so
  // it is neither checked nor sent.
  document.getElementById("delete-password-field").hidden = !user.has_password;
  deleteForm.elements.password.disabled = !user.has_password;
  document.getElementById("delete-confirm-field").hidden = user.has_password;
  deleteForm.elements.confirm.disabled = user.has_password;
  document.getElementById("account-status").hidden = true;
  document.getElementById("account-sections").hidden = false;
}

/** The two-factor section at rest: on (with the form to turn it off) or off (set-up button).
 * A set-up in progress or recovery codes on show stay until the person is done with them. */
function showTwoFactor(user) {
  if (!twoFactor.setup.hidden || !twoFactor.recovery.hidden) return;
  const left = user.recovery_codes_left;
  twoFactor.status.textContent = user.two_factor_enabled
    ? `${t("On: signing in with your password also asks for a code from your authenticator "
      + "app.")} ${formatPlural(left, t("recovery code left."), t("recovery codes left."))}`
    : t("Off: your password alone signs you in. Add a code from an app on your phone, so that a "
      + "stolen password is not enough.");
  document.getElementById("two-factor-start-area").hidden =
    user.two_factor_enabled || !user.has_password;
  reveal("two-factor-needs-password", !user.has_password && !user.two_factor_enabled);
  twoFactor.disableForm.hidden = !user.two_factor_enabled;
}

handleSubmit(nameForm, async ({ full_name }) => {
  await updateUser({ full_name });
  announce(t("Your name is saved."));
}, { busyLabel: t("Saving…") });

const resend = document.getElementById("resend-verification");
resend?.addEventListener("click", () => {
  // The API's answer names the address in English: the page says it in its own words.
  busy(resend, () => api.post("/auth/verify-email/resend"), t("Sending…"))
    .then(() => currentUser())
    .then(({ email }) => announce(t("We sent a new link to {email}.", { email })),
          (error) => showError(error));
});

if (addressForm) {
  handleSubmit(addressForm, async (values) => {
    await api.post("/auth/email", values);
    addressForm.reset();
    announce(t("We sent a link to {email}: open it to confirm the change.",
               { email: values.email }));
  }, { busyLabel: t("Sending…") });
}

handleSubmit(passwordForm, async (values) => {
  await api.post("/auth/password", values);
  passwordForm.reset();
  announce(t("Password changed. Your other devices are signed out."));
}, { busyLabel: t("Changing…") });

twoFactor.start.addEventListener("click", async () => {
  try {
    const { secret, qr_code: qrCode } = await busy(twoFactor.start,
                                                   () => api.post("/auth/2fa/setup"));
    document.getElementById("two-factor-qr").src = qrCode;
    document.getElementById("two-factor-secret").textContent = secret;
    document.getElementById("two-factor-start-area").hidden = true;
    twoFactor.setup.hidden = false;
    twoFactor.enableForm.elements.code.focus();
  } catch (error) {
    showError(error);
  }
});

document.getElementById("two-factor-cancel").addEventListener("click", async () => {
  twoFactor.setup.hidden = true;
  twoFactor.enableForm.reset();
  showTwoFactor(await currentUser());
  twoFactor.start.focus();
});

handleSubmit(twoFactor.enableForm, async ({ code }) => {
  ({ recovery_codes: recoveryCodes } = await api.post("/auth/2fa/enable", { code }));
  twoFactor.enableForm.reset();
  twoFactor.setup.hidden = true;
  const list = document.getElementById("recovery-codes");
  list.replaceChildren(...recoveryCodes.map((recoveryCode) => {
    const item = document.createElement("li");
    const text = document.createElement("code");
    text.textContent = recoveryCode;
    item.append(text);
    return item;
  }));
  twoFactor.status.textContent = t("On: from now on, signing in with your password also asks "
                                   + "for a code from your authenticator app.");
  twoFactor.recovery.hidden = false;
  document.getElementById("recovery-title").focus();
}, { busyLabel: t("Checking…") });

document.getElementById("recovery-download").addEventListener("click", () => {
  const file = new Blob([`Vitrine recovery codes\n\n${recoveryCodes.join("\n")}\n`],
                        { type: "text/plain" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(file);
  link.download = "vitrine-recovery-codes.txt";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
});

document.getElementById("recovery-done").addEventListener("click", async () => {
  recoveryCodes = [];
  document.getElementById("recovery-codes").replaceChildren();
  twoFactor.recovery.hidden = true;
  await currentUser({ reload: true }).then(show, (error) => showError(error));
  twoFactor.status.focus();
});

handleSubmit(twoFactor.disableForm, async (values) => {
  await api.post("/auth/2fa/disable", values);
  twoFactor.disableForm.reset();
  await currentUser({ reload: true }).then(show);
  announce(t("Two-factor sign-in is off."));
}, { busyLabel: t("Turning off…") });

if (mailsForm) {
  handleSubmit(mailsForm, async (_values, form) => {
    await updateUser({ mail_notifications: new FormData(form).getAll("mail_notifications") });
    announce(t("Your mail settings are saved."));
  }, { busyLabel: t("Saving…") });
}

document.getElementById("export-data").addEventListener("click", (event) => {
  busy(event.currentTarget, () => download("/auth/me/export"), t("Preparing your export…"))
    .then(() => announce(t("Your export is downloading.")), (error) => showError(error));
});

document.getElementById("sign-out-everywhere").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  const confirmed = await confirmAction({
    title: t("Sign out everywhere?"),
    message: t("Every device and browser signed in to your account is signed out, this one too."),
    confirmLabel: t("Sign out everywhere"),
  });
  if (confirmed) busy(button, signOutEverywhere).catch((error) => showError(error));
});

handleSubmit(deleteForm, async (values) => {
  const confirmed = await confirmAction({
    title: t("Delete your account?"),
    message: t("Your portfolios, their pages, documents, links and statistics are deleted for "
      + "good."),
    confirmLabel: t("Delete my account"),
  });
  if (!confirmed) return;
  await api.delete("/auth/me", { json: values });
  location.assign("/");
}, { busyLabel: t("Deleting…") });

currentUser().then(show, (error) => {
  document.getElementById("account-status").textContent = t("Your account could not be loaded.");
  showError(error);
});
