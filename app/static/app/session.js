/**
 * The signed-in person, in one place: who it is, signing in, up and out.
 *
 * The session itself is a pair of HttpOnly cookies set by the server (app/session_cookies.py);
 * this module never sees a token. Sign-in and sign-up ask for them with `session: "cookie"`.
 *
 *   import { currentUser, userChanges } from "./session.js";
 *   const user = await currentUser();      // {id, email, full_name, has_password, ...}
 *   userChanges.addEventListener("change", (event) => show(event.detail));
 */
import { api } from "./api.js";

const SIGNED_OUT_PAGE = "/signin";
let current = null;

/** Fires "change" (event.detail: the user) when the signed-in user's details change. */
export const userChanges = new EventTarget();

/** The signed-in user (GET /auth/me once per page; `reload` asks again). */
export function currentUser({ reload = false } = {}) {
  if (!current || reload) {
    current = api.get("/auth/me").catch((error) => {
      current = null;
      throw error;
    });
  }
  return current;
}

function remember(user) {
  current = Promise.resolve(user);
  userChanges.dispatchEvent(new CustomEvent("change", { detail: user }));
  return user;
}

/** Sign in (`otp`: the two-factor code, when the account has it on); the ApiError of a
 * refusal (401 wrong password, or `fieldErrors.otp` for a code; 422 fields, 429) is thrown. */
export async function signIn({ email, password, otp }) {
  const { user } = await api.post("/auth/login", { email, password, otp, session: "cookie" },
                                  { anonymous: true });
  return remember(user);
}

/** Create the account and sign in; field errors come back as `error.fieldErrors`. */
export async function signUp({ full_name, email, password }) {
  const { user } = await api.post("/auth/register",
                                  { full_name, email, password, session: "cookie" },
                                  { anonymous: true });
  return remember(user);
}

/** Change the user's details (PATCH /auth/me: full_name, photo_url). */
export async function updateUser(changes) {
  return remember(await api.patch("/auth/me", changes));
}

/** End this browser's session, then go to the sign-in page. */
export async function signOut() {
  await api.post("/auth/logout");
  current = null;
  location.assign(SIGNED_OUT_PAGE);
}

/** End every session of the account (every device, this one too), then go to sign-in. */
export async function signOutEverywhere() {
  await api.post("/auth/sessions/revoke-all");
  current = null;
  location.assign(SIGNED_OUT_PAGE);
}
