/**
 * The app's language, chosen by the server (app/web/app_language.py) and rendered as
 * `<html lang data-language>`: the account's setting when signed in, else the header switch's
 * choice kept in this browser's `vitrine-language` cookie, else the browser's Accept-Language.
 * The server renders the templates' words in it; this module translates the rest — the
 * modules' messages, `t("Signing in…")`, and the static fragments they insert, whose marked
 * elements `translate(fragment)` fills: `data-i18n="Sign in"` replaces the element's text,
 * `data-i18n-label` its aria-label; field labels, hints and field messages by their own words.
 *
 * English is the messages' own language; another language has a catalogue,
 * app/static/app/i18n/<language>.json (English message → translation), the same the server
 * reads. API error messages stay English (they are for developers); the field errors the app
 * shows are its own, translated.
 */
export const LANGUAGES = { en: "English", fr: "Français" };
const COOKIE = "vitrine-language";
const FIELD_MESSAGES = ["missing", "invalid", "tooShort", "mismatch"];

export const language = document.documentElement.dataset.language in LANGUAGES
  ? document.documentElement.dataset.language : "en";

async function loadCatalogue(chosen) {
  if (chosen === "en") return {};
  try {
    const response = await fetch(new URL(`i18n/${chosen}.json`, import.meta.url));
    return response.ok ? await response.json() : {};
  } catch {
    return {}; // offline or blocked: the modules' messages stay English
  }
}

const catalogue = await loadCatalogue(language);

/** `message` (English) in the app's language; English when the catalogue lacks it. Its
 * `{name}` placeholders take `values.name`: t("“{title}” deleted.", { title }). */
export function t(message, values = {}) {
  return (catalogue[message] || message).replaceAll(/\{(\w+)\}/g,
    (placeholder, name) => (name in values ? String(values[name]) : placeholder));
}

/** Translates the marked elements of a static fragment just inserted under `root`. */
export function translate(root) {
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

function keep(chosen) {
  document.cookie = `${COOKIE}=${chosen}; path=/; max-age=31536000; samesite=lax`;
}

/** The account's setting, once the user is loaded: a page the server rendered in another
 * language (its access cookie had expired) reloads in the account's. */
export function adoptAccountLanguage(accountLanguage) {
  if (accountLanguage in LANGUAGES && accountLanguage !== language) {
    keep(accountLanguage);
    location.reload();
  }
}

/** The header's switch: `onChoose(language)` may save it to the account before the reload. */
export function languageSwitch(select, onChoose = async () => {}) {
  select.value = language;
  select.addEventListener("change", async () => {
    keep(select.value);
    try {
      await onChoose(select.value);
    } finally {
      location.reload();
    }
  });
}

const select = document.getElementById("language-switch");
if (select && !select.hasAttribute("data-account")) languageSwitch(select);
