/**
 * The signed-in pages' header (app/templates/app/signed_in.html): the person's name and the
 * sign-out button. Loading the user is also each page's first API call, which refreshes an
 * expired session or goes to sign-in. `#notification-bell` is left to the notifications module.
 */
import { busy, showError } from "./dom.js";
import { currentUser, signOut, userChanges } from "./session.js";

const name = document.getElementById("current-user");
const showName = (user) => { name.textContent = user.full_name; };

userChanges.addEventListener("change", (event) => showName(event.detail));
currentUser().then(showName, (error) => showError(error));

document.getElementById("sign-out").addEventListener("click", (event) => {
  busy(event.currentTarget, signOut).catch((error) => showError(error));
});
