/**
 * The app's language, chosen by the server (app/web/app_language.py) and rendered as
 * `<html lang data-language>`: the account's setting when signed in, else the header switch's
 * choice kept in this browser's `vitrine-language` cookie, else the browser's Accept-Language.
 * The server renders the templates' words in it; this module translates the rest — the
 * modules' messages, `t("Signing in…")`, and the static fragments they insert
 * (`translate(fragment)`, by their own words).
 *
 * English is the messages' own language; another language has a catalogue,
 * app/static/app/i18n/<language>.json (English message → translation), the same the server
 * reads. API error messages stay English (they are for developers); the field errors the app
 * shows are its own, translated.
 */
const COOKIE = "vitrine-language";
// What a fragment's elements say in their attributes: names, tips, examples, field messages.
const TRANSLATED_ATTRIBUTES = ["aria-label", "title", "placeholder", "alt", "data-missing",
  "data-invalid", "data-too-short", "data-mismatch"];

export const language = document.documentElement.dataset.language || "en";
const select = document.getElementById("language-switch");
// The languages the app speaks: the switch's choices, which the server renders from the
// catalogues it has (every app page has the switch).
const spoken = new Set([...(select?.options || [])].map((option) => option.value));

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

/** Translates a static fragment just loaded (app/static/app/fragments/*.html, before anything
 * of the person's is put in it): each text and each attribute the person reads or hears, by
 * its own English words. */
export function translate(root) {
  const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    const [, before, words, after] = node.data.match(/^(\s*)([\s\S]*?)(\s*)$/);
    if (words) node.data = before + t(words.replaceAll(/\s+/g, " ")) + after;
  }
  for (const attribute of TRANSLATED_ATTRIBUTES) {
    for (const element of root.querySelectorAll(`[${attribute}]`)) {
      element.setAttribute(attribute, t(element.getAttribute(attribute)));
    }
  }
}

function keep(chosen) {
  document.cookie = `${COOKIE}=${chosen}; path=/; max-age=31536000; samesite=lax`;
}

/** The account's setting, once the user is loaded: a page the server rendered in another
 * language (its access cookie had expired) reloads in the account's. */
export function adoptAccountLanguage(accountLanguage) {
  if (spoken.has(accountLanguage) && accountLanguage !== language) {
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

if (select && !select.hasAttribute("data-account")) languageSwitch(select);
