/**
 * The one module that talks to the Vitrine API (/api/v1). Every other module calls it.
 *
 * The session lives in HttpOnly cookies that no script can read (app/session_cookies.py). This
 * module therefore:
 * - sends and reads JSON; any answer but a 2xx becomes an `ApiError` (the API's one error shape:
 *   `{code, status, message, errors?}`; a 409's `current_version` is in `error.body`, a 429's
 *   `Retry-After` in `error.retryAfter`);
 * - adds `X-CSRF-TOKEN` (the readable csrf_access_token cookie) to POST, PUT, PATCH and DELETE;
 * - on a 401, refreshes the session once (POST /auth/refresh with the refresh cookie, one tab at
 *   a time) and retries the call once; when the session is over, goes to /signin?next=<page>,
 *   firing "ended" on `sessionEvents` just before (the editor keeps its unsaved changes for
 *   after sign-in, so it need not ask "Leave site?");
 * - reports a request that never reached the server as an `ApiError` of kind "offline";
 * - gives an `ApiError` the API's message and field errors in the app's language where the
 *   catalogue has them (`inAppLanguage`; `error.body` keeps them as sent);
 * - uploads files with progress (XMLHttpRequest) and downloads files, under the same rules.
 *
 *   import { api, ApiError } from "./api.js";
 *   const { data } = await api.get("/portfolios?limit=100");
 *   const saved = await api.patch(`/portfolios/${id}`, changes, { ifMatch: version });
 *   await upload(`/portfolios/${id}/proofs`, formData, { onProgress: (done) => ... });
 */
import { t } from "./i18n.js";

const API_ROOT = "/api/v1";
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const CSRF_HEADER = "X-CSRF-TOKEN";
const ACCESS_CSRF_COOKIE = "csrf_access_token";
const REFRESH_CSRF_COOKIE = "csrf_refresh_token";
const REFRESH_LOCK = "vitrine-session-refresh";

/** An API call that did not succeed. */
export class ApiError extends Error {
  /**
   * @param {string} message  what went wrong, in words, to show as is
   * @param {object} details
   * @param {number} details.status  the HTTP status; 0 when the server was not reached
   * @param {"http"|"offline"|"signed-out"} details.kind  "offline": retry later, nothing was
   *   refused; "signed-out": the session is over and the page is on its way to /signin
   * @param {Object<string, string[]>} details.fieldErrors  messages per field (422, 409…)
   * @param {object|null} details.body  the parsed error body (`body.current_version` on a 409)
   * @param {number|null} details.retryAfter  seconds to wait before trying again (Retry-After)
   */
  constructor(message, { status = 0, kind = "http", fieldErrors = {}, body = null,
                         retryAfter = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.kind = kind;
    this.fieldErrors = fieldErrors;
    this.body = body;
    this.retryAfter = retryAfter;
  }

  get offline() {
    return this.kind === "offline";
  }
}

/** The sign-in page, coming back to `next` (this page by default) once signed in. */
export function signInUrl(next = location.pathname + location.search) {
  return `/signin?${new URLSearchParams({ next })}`;
}

function readCookie(name) {
  const prefix = `${name}=`;
  const found = document.cookie.split("; ").find((cookie) => cookie.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : null;
}

function offlineError() {
  const message = navigator.onLine === false
    ? t("You are offline. Check your connection; nothing was sent.")
    : t("Vitrine cannot be reached right now. Check your connection and try again.");
  return new ApiError(message, { kind: "offline" });
}

/** The API's words (English: they are for developers) in the app's language where its
 * catalogue has them — the refusals people meet in forms ("Email or password is incorrect.",
 * "Already taken."); any other stays as the API wrote it. Strings, or lists and objects of them
 * (a 422's nested `errors`), keys kept. */
export function inAppLanguage(words) {
  if (typeof words === "string") return t(words);
  if (Array.isArray(words)) return words.map(inAppLanguage);
  if (words && typeof words === "object") {
    return Object.fromEntries(Object.entries(words).map(([key, value]) =>
      [key, inAppLanguage(value)]));
  }
  return words;
}

function errorFrom({ status, data, headers }) {
  const body = data && typeof data === "object" ? data : null;
  const retryAfter = Number.parseInt(headers.get("Retry-After"), 10);
  return new ApiError(body?.message ? inAppLanguage(body.message)
                        : t("The server answered with an error ({status}).", { status }),
                      { status, fieldErrors: inAppLanguage(body?.errors || {}), body,
                        retryAfter: Number.isNaN(retryAfter) ? null : retryAfter });
}

/** Headers of a call, computed when it is sent: a refresh changes the CSRF cookie. */
function requestHeaders(method, extra, ifMatch) {
  const headers = { Accept: "application/json", ...extra };
  const csrf = UNSAFE_METHODS.has(method) && readCookie(ACCESS_CSRF_COOKIE);
  if (csrf) headers[CSRF_HEADER] = csrf;
  if (ifMatch !== undefined && ifMatch !== null) {
    const tag = String(ifMatch);
    headers["If-Match"] = tag.startsWith('"') || tag.startsWith("W/") ? tag : `"${tag}"`;
  }
  return headers;
}

function parseJson(text, contentType) {
  if (!text || !(contentType || "").includes("json")) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function sendWithFetch(method, path, { json, body, headers = {}, ifMatch, signal, as }) {
  const init = { method, signal, credentials: "same-origin",
                 headers: requestHeaders(method, headers, ifMatch) };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(API_ROOT + path, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw offlineError();
  }
  const data = response.ok && as === "blob"
    ? await response.blob()
    : parseJson(await response.text(), response.headers.get("Content-Type"));
  return { status: response.status, ok: response.ok, headers: response.headers, data };
}

function sendWithXhr(method, path, body, { ifMatch, signal, onProgress }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, API_ROOT + path);
    for (const [name, value] of Object.entries(requestHeaders(method, {}, ifMatch))) {
      xhr.setRequestHeader(name, value);
    }
    if (onProgress) {
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total, event);
      });
    }
    xhr.addEventListener("load", () => resolve({
      status: xhr.status, ok: xhr.status >= 200 && xhr.status < 300,
      headers: { get: (name) => xhr.getResponseHeader(name) },
      data: parseJson(xhr.responseText, xhr.getResponseHeader("Content-Type")),
    }));
    xhr.addEventListener("error", () => reject(offlineError()));
    xhr.addEventListener("abort", () => reject(new DOMException("Upload cancelled.", "AbortError")));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

/** "ended": the session is over and this page is about to leave for /signin. */
export const sessionEvents = new EventTarget();

let refreshing = null;

/** Spend the refresh cookie for new session cookies; false when the session is over. Calls
 * of one page share one refresh, and tabs take turns (a refresh token spent twice would
 * revoke the whole session): a tab that waited finds the cookie already replaced. */
function refreshSession() {
  refreshing ??= refreshOnce().finally(() => { refreshing = null; });
  return refreshing;
}

async function refreshOnce() {
  const seen = readCookie(REFRESH_CSRF_COOKIE);
  if (!seen) return false;
  const spend = async () => {
    const current = readCookie(REFRESH_CSRF_COOKIE);
    if (current !== seen) return Boolean(current);
    try {
      const response = await fetch(`${API_ROOT}/auth/refresh`, {
        method: "POST", credentials: "same-origin",
        headers: { Accept: "application/json", [CSRF_HEADER]: current },
      });
      return response.ok;
    } catch {
      throw offlineError();
    }
  };
  return navigator.locks ? navigator.locks.request(REFRESH_LOCK, spend) : spend();
}

/** `send()` once, and once more after a refresh if the session had expired. */
async function withSession(send, { anonymous = false } = {}) {
  let result = await send();
  if (result.status === 401 && !anonymous) {
    if (await refreshSession()) result = await send();
    if (result.status === 401) {
      // Before leaving: the page's beforeunload runs inside location.assign().
      sessionEvents.dispatchEvent(new Event("ended"));
      location.assign(signInUrl());
      throw new ApiError(t("Your session has ended; sign in again."),
                         { status: 401, kind: "signed-out" });
    }
  }
  if (!result.ok) throw errorFrom(result);
  return result;
}

/**
 * One API call, with every rule above.
 * @param {string} method  "GET", "POST", "PUT", "PATCH" or "DELETE"
 * @param {string} path  under /api/v1, e.g. "/portfolios/abc?days=30"
 * @param {object} [options]
 * @param {*} [options.json]  a body sent as JSON
 * @param {BodyInit} [options.body]  any other body, sent as is (FormData, Blob)
 * @param {Object<string,string>} [options.headers]  extra request headers
 * @param {number|string} [options.ifMatch]  the version the change is based on (If-Match)
 * @param {AbortSignal} [options.signal]
 * @param {"json"|"blob"} [options.as]  how to read a successful answer (default JSON)
 * @param {boolean} [options.anonymous]  a 401 is the answer itself (sign-in with a wrong
 *   password): no refresh, no redirect
 * @returns {Promise<{status: number, ok: boolean, headers: Headers, data: *}>}
 */
export function request(method, path, options = {}) {
  return withSession(() => sendWithFetch(method, path, options), options);
}

/** The usual calls, answering the response's data (null for a 204). */
export const api = {
  get: (path, options) => request("GET", path, options).then((result) => result.data),
  post: (path, json, options) => request("POST", path, { ...options, json })
    .then((result) => result.data),
  put: (path, json, options) => request("PUT", path, { ...options, json })
    .then((result) => result.data),
  patch: (path, json, options) => request("PATCH", path, { ...options, json })
    .then((result) => result.data),
  delete: (path, options) => request("DELETE", path, options).then((result) => result.data),
};

/**
 * Send a multipart form (a file) with upload progress.
 * @param {string} path  under /api/v1
 * @param {FormData} formData
 * @param {object} [options]
 * @param {(fraction: number, event: ProgressEvent) => void} [options.onProgress]  0 to 1
 * @param {number|string} [options.ifMatch]
 * @param {AbortSignal} [options.signal]  aborting rejects with an AbortError
 * @param {string} [options.method]  "POST" by default
 * @returns {Promise<*>} the answer's data
 */
export async function upload(path, formData, { method = "POST", ...options } = {}) {
  const result = await withSession(() => sendWithXhr(method, path, formData, options));
  return result.data;
}

function filenameFrom(disposition) {
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition || "");
  if (encoded) return decodeURIComponent(encoded[1]);
  return /filename="?([^";]+)"?/i.exec(disposition || "")?.[1] || null;
}

/**
 * Download a file the API serves (an export, a PDF) and hand it to the browser as a download.
 * @param {string} path  under /api/v1
 * @param {object} [options]
 * @param {string} [options.filename]  default: the server's Content-Disposition name
 */
export async function download(path, { filename } = {}) {
  const { data, headers } = await request("GET", path, { as: "blob" });
  const url = URL.createObjectURL(data);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename || filenameFrom(headers.get("Content-Disposition")) || "download";
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob after click() returns: release it a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
