/**
 * The app's language: the one chosen with the header's switch (kept in this browser and, when
 * signed in, as the account's `language`), else the account's setting once known, else the
 * browser's own languages (what it sends as Accept-Language). English is the messages' own
 * language; other languages have a catalogue, app/static/app/i18n/<language>.json, English
 * message → translation.
 *
 * Templates mark what to translate: `data-i18n="Sign in"` replaces the element's text; the
 * field messages of _forms.html (`data-missing`, `data-invalid`, ...) and labels are
 * translated by their own words. Modules call `t("Signing in…")`. API error messages stay
 * English (they are for developers); the field errors the app shows are its own, translated.
 */
export const LANGUAGES = { en: "English", fr: "Français" };
const STORAGE_KEY = "vitrine-language";
const FIELD_MESSAGES = ["missing", "invalid", "tooShort", "mismatch"];

function browserLanguage() {
  for (const tag of navigator.languages || [navigator.language]) {
    const base = (tag || "").slice(0, 2).toLowerCase();
    if (base in LANGUAGES) return base;
  }
  return "en";
}

function storedLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored in LANGUAGES ? stored : null;
}

export const language = storedLanguage() || browserLanguage();

async function loadCatalogue(chosen) {
  if (chosen === "en") return {};
  try {
    const response = await fetch(new URL(`i18n/${chosen}.json`, import.meta.url));
    return response.ok ? await response.json() : {};
  } catch {
    return {}; // offline or blocked: the app stays usable in English
  }
}

const catalogue = await loadCatalogue(language);

/** `message` (English) in the app's language; English when the catalogue lacks it. */
export function t(message) {
  return catalogue[message] || message;
}

/** Translates the marked elements under `root` (the page, or a fragment just inserted). */
export function translate(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll("[data-i18n-label]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  }
  // Text alone: a label wrapping its checkbox keeps it (such labels are marked instead).
  for (const element of root.querySelectorAll(".field label, .field .hint")) {
    if (!element.childElementCount) element.textContent = t(element.textContent.trim());
  }
  for (const input of root.querySelectorAll(".field input, .field textarea, .field select")) {
    for (const key of FIELD_MESSAGES) {
      if (input.dataset[key]) input.dataset[key] = t(input.dataset[key]);
    }
  }
}

/** Makes the account's setting this browser's language (a reload when it differs). */
export function adoptAccountLanguage(accountLanguage) {
  if (accountLanguage in LANGUAGES && !storedLanguage()) {
    localStorage.setItem(STORAGE_KEY, accountLanguage);
    if (accountLanguage !== language) location.reload();
  }
}

/** The header's switch: `onChoose(language)` may save it to the account before the reload. */
export function languageSwitch(select, onChoose = async () => {}) {
  select.value = language;
  select.addEventListener("change", async () => {
    localStorage.setItem(STORAGE_KEY, select.value);
    try {
      await onChoose(select.value);
    } finally {
      location.reload();
    }
  });
}

document.documentElement.lang = language;
document.title = document.title.split(" · ").map((part) => t(part)).join(" · ");
translate();
const select = document.getElementById("language-switch");
if (select && !select.hasAttribute("data-account")) languageSwitch(select);
