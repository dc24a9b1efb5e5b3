/** /signup: create the account, signed in straight away, and land on the dashboard. */
import { handleSubmit } from "./dom.js";
import { t } from "./i18n.js";
import { signUp } from "./session.js";

handleSubmit(document.getElementById("signup-form"), async (values) => {
  await signUp(values);
  location.assign("/app");
}, { busyLabel: t("Creating your account…") });
