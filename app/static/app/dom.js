/**
 * Small DOM helpers shared by the pages: forms and their errors, busy buttons, short
 * announcements, the confirmation dialog, and filling HTML <template>s.
 *
 * Forms follow one pattern (see signin.js):
 *   <form novalidate> with a `<p data-form-error role="alert" hidden>` for errors not tied to a
 *   field, each control inside a `.field` wrapper with a <label>, and `data-missing`,
 *   `data-invalid`, `data-too-short`, `data-mismatch` attributes holding the words shown when
 *   the browser's own check fails (else the browser's message is shown).
 *   handleSubmit(form, async (values) => { ...call the API... });
 * A field's error appears under it, is linked with aria-describedby and marks it aria-invalid;
 * the API's field errors (`error.fieldErrors`, keyed by the API's field names = the controls'
 * `name`s) are shown the same way.
 */
import { ApiError } from "./api.js";
import { t } from "./i18n.js";

const FIELD_ERROR_CLASS = "field-error";
// Which data-* attribute words a failed browser check (ValidityState flag → dataset key).
const VALIDITY_WORDS = [["valueMissing", "missing"], ["typeMismatch", "invalid"],
                        ["tooShort", "tooShort"], ["tooLong", "tooLong"],
                        ["patternMismatch", "mismatch"]];
const TOAST_SECONDS = { success: 5, error: 10 };

/** A copy of the first element of `<template id="...">`. */
export function cloneTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

/** The element of `root` marked `data-field="name"`. */
export function slot(root, name) {
  return root.querySelector(`[data-field="${name}"]`);
}

/** The form's values by control name (disabled controls are left out, as by the browser). */
export function formValues(form) {
  return Object.fromEntries(new FormData(form));
}

function messagesOf(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(messagesOf);
  if (value && typeof value === "object") return Object.values(value).flatMap(messagesOf);
  return [];
}

function setDescribedBy(control, id, present) {
  const ids = (control.getAttribute("aria-describedby") || "").split(" ")
    .filter((existing) => existing && existing !== id);
  if (present) ids.push(id);
  if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
  else control.removeAttribute("aria-describedby");
}

function controlNamed(form, name) {
  const found = form.elements.namedItem(name);
  return found instanceof RadioNodeList ? found[0] : found;
}

/** Remove every error shown in `form`. */
export function clearErrors(form) {
  for (const message of form.querySelectorAll(`.${FIELD_ERROR_CLASS}`)) {
    const control = form.querySelector(`[aria-describedby~="${message.id}"]`);
    if (control) {
      setDescribedBy(control, message.id, false);
      control.removeAttribute("aria-invalid");
    }
    message.remove();
  }
  const formError = form.querySelector("[data-form-error]");
  if (formError) {
    formError.hidden = true;
    formError.textContent = "";
  }
}

/**
 * Show `{field: [messages]}` under the controls of those names, and move the focus to the
 * first. Returns the messages of fields the form has no control for.
 */
export function showFieldErrors(form, fieldErrors) {
  const unplaced = [];
  let first = null;
  for (const [name, value] of Object.entries(fieldErrors)) {
    const text = messagesOf(value).join(" ");
    const control = controlNamed(form, name);
    if (!control || control.type === "hidden") {
      unplaced.push(text);
      continue;
    }
    const message = document.createElement("p");
    message.className = FIELD_ERROR_CLASS;
    message.id = `${control.id || `${form.id}-${name}`}-error`;
    message.textContent = text;
    (control.closest(".field") || control.parentElement).append(message);
    control.setAttribute("aria-invalid", "true");
    setDescribedBy(control, message.id, true);
    first ??= control;
  }
  first?.focus();
  return unplaced;
}

/** Show a message for the whole form in its `[data-form-error]` element (an alert). */
export function showFormError(form, message) {
  const region = form.querySelector("[data-form-error]");
  region.textContent = message;
  region.hidden = false;
}

/** The browser's checks of the form's controls, as field errors in words. */
export function checkFields(form) {
  const errors = {};
  for (const control of form.elements) {
    if (!control.name || control.checkValidity()) continue;
    const words = VALIDITY_WORDS.find(([flag]) => control.validity[flag]);
    errors[control.name] ??= [(words && control.dataset[words[1]]) || control.validationMessage];
  }
  return errors;
}

/**
 * Run `work()` with `button` disabled and marked busy (showing `label` meanwhile, if given);
 * resolves or rejects as `work()` does.
 */
export async function busy(button, work, label) {
  const content = [...button.childNodes];
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (label) button.textContent = label;
  try {
    return await work();
  } finally {
    button.replaceChildren(...content);
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** A short message in the page's status region (#toasts), read out by screen readers. */
export function announce(message, { tone = "success" } = {}) {
  const toast = document.createElement("p");
  toast.className = `toast toast-${tone}`;
  toast.textContent = message;
  document.getElementById("toasts").append(toast);
  setTimeout(() => toast.remove(), TOAST_SECONDS[tone] * 1000);
}

// What the rate limiter says when it refuses ("3 per 1 hour").
const RATE_LIMIT = /^\d+ per \d+ \w+/;

/**
 * Tell the person what went wrong: in `form` (field errors next to their fields, the rest at
 * the top of the form) or as an announcement. A session that ended (the page is already on
 * its way to sign-in) and a cancelled request say nothing; anything but an ApiError is a bug,
 * also logged.
 */
export function showError(error, form = null) {
  if (error?.name === "AbortError" || error?.kind === "signed-out") return;
  if (!(error instanceof ApiError)) console.error(error);
  const message = !(error instanceof ApiError)
    ? t("Something went wrong on this page. Reload it and try again.")
    // The rate limiter's message is the limit itself ("3 per 1 hour"), for developers; other
    // 429s say what happened (the AI assistant's daily quota, with when it starts again).
    : (error.status === 429 && RATE_LIMIT.test(error.message)
      ? t("Too many tries in a short time: wait a moment, then try again.") : error.message);
  if (!form) {
    announce(message, { tone: "error" });
    return;
  }
  const fieldErrors = error instanceof ApiError ? error.fieldErrors : {};
  const unplaced = showFieldErrors(form, fieldErrors);
  if (unplaced.length || !Object.keys(fieldErrors).length) {
    showFormError(form, unplaced.length ? unplaced.join(" ") : message);
  }
}

/**
 * Wire a form: on submit, check the fields, then `await action(values, form)` with the submit
 * button busy; errors are shown in the form (showError).
 */
export function handleSubmit(form, action, { busyLabel } = {}) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const invalid = checkFields(form);
    if (Object.keys(invalid).length) {
      showFieldErrors(form, invalid);
      return;
    }
    const button = event.submitter || form.querySelector("[type=submit]");
    try {
      await busy(button, () => action(formValues(form), form), busyLabel);
    } catch (error) {
      showError(error, form);
    }
  });
}

/**
 * Ask before doing something that cannot be undone. Resolves true when confirmed; Escape and
 * "Cancel" (which has the focus first) resolve false.
 */
export function confirmAction({ title, message, confirmLabel = t("Confirm") }) {
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-dialog-title").textContent = title;
  document.getElementById("confirm-dialog-message").textContent = message;
  document.getElementById("confirm-dialog-confirm").textContent = confirmLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"),
                            { once: true });
  });
}
