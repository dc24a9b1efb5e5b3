/**
 * The signed-in pages' header (app/templates/app/signed_in.html): the person's name and the
 * sign-out button. Loading the user is also each page's first API call, which refreshes an
 * expired session or goes to sign-in. `#notification-bell` is left to the notifications module.
 */
import { busy, showError } from "./dom.js";
import { adoptAccountLanguage, languageSwitch } from "./i18n.js";
import { currentUser, signOut, updateUser, userChanges } from "./session.js";

const name = document.getElementById("current-user");
const showName = (user) => { name.textContent = user.full_name; };

userChanges.addEventListener("change", (event) => showName(event.detail));
currentUser().then((user) => {
  showName(user);
  adoptAccountLanguage(user.language);
}, (error) => showError(error));
languageSwitch(document.getElementById("language-switch"),
  (language) => updateUser({ language }));

document.getElementById("sign-out").addEventListener("click", (event) => {
  busy(event.currentTarget, signOut).catch((error) => showError(error));
});
