/** Dates and numbers as people read them, in the app's language (`<html lang>`, i18n.js). */
import { t } from "./i18n.js";

const locale = document.documentElement.lang || undefined;

const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium",
                                                         timeStyle: "short" });
const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
const numberFormat = new Intl.NumberFormat(locale);
const pluralRules = new Intl.PluralRules(locale);
const UNITS = [["year", 31_536_000], ["month", 2_592_000], ["week", 604_800], ["day", 86_400],
               ["hour", 3_600], ["minute", 60]];

/** "12 Mar 2026" from an API datetime ("2026-03-12T09:30:00Z"). */
export function formatDate(iso) {
  return iso ? dateFormat.format(new Date(iso)) : "";
}

/** "12 Mar 2026, 09:30". */
export function formatDateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : "";
}

/** "5 minutes ago", "yesterday", "3 weeks ago"; "just now" under a minute. */
export function formatRelative(iso, now = Date.now()) {
  if (!iso) return "";
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const unit = UNITS.find(([, size]) => Math.abs(seconds) >= size);
  return unit ? relativeFormat.format(Math.round(seconds / unit[1]), unit[0]) : t("just now");
}

/** "1,234". */
export function formatCount(number) {
  return numberFormat.format(number);
}

/** "1 view", "12 views", "2 diplomas"; the words are in the app's language (French: "0 vue"). */
export function formatPlural(count, word, plural = `${word}s`) {
  return `${formatCount(count)} ${pluralRules.select(count) === "one" ? word : plural}`;
}
