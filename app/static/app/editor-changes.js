/**
 * Changes to a portfolio as the PATCH /api/v1/portfolios/<id> body carries them, and the
 * arithmetic the editor does with them (pure functions, no DOM, no API).
 *
 * A change is an object of top-level fields. `profile` and `theme` are JSON Merge Patches
 * (RFC 7396, as the API merges them: a key sent replaces it, null clears it, keys not sent
 * stay); every other field — the section arrays, `layout`, `template`, `title`… — is a whole
 * value that replaces the stored one.
 */

const MERGED_OBJECTS = new Set(["profile", "theme"]);

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** `patch` merged into `target` (RFC 7396), as a new object. */
function mergePatch(target, patch) {
  const merged = { ...(isObject(target) ? target : {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (isObject(value)) merged[key] = mergePatch(merged[key], value);
    else merged[key] = value;
  }
  return merged;
}

/** Two merge patches as one: what `older` then `newer` do (nulls are kept: they clear). */
function combinePatches(older, newer) {
  const combined = { ...older };
  for (const [key, value] of Object.entries(newer)) {
    combined[key] = isObject(value) && isObject(combined[key])
      ? combinePatches(combined[key], value) : value;
  }
  return combined;
}

/** The portfolio with `changes` applied, as the server will store it. */
export function applyChanges(portfolio, changes) {
  const result = { ...portfolio };
  for (const [field, value] of Object.entries(changes)) {
    result[field] = MERGED_OBJECTS.has(field) ? mergePatch(portfolio[field], value) : value;
  }
  return result;
}

/** One change doing what `older` then `newer` do. */
export function combineChanges(older, newer) {
  const combined = { ...older };
  for (const [field, value] of Object.entries(newer)) {
    combined[field] = MERGED_OBJECTS.has(field) && field in older
      ? combinePatches(older[field], value) : value;
  }
  return combined;
}

/** The change that puts back what `changes` would change in `portfolio` (for undo). */
export function changesUndoing(portfolio, changes) {
  const undoing = {};
  for (const [field, value] of Object.entries(changes)) {
    if (MERGED_OBJECTS.has(field)) {
      const current = portfolio[field] || {};
      undoing[field] = Object.fromEntries(
        Object.keys(value).map((key) => [key, structuredClone(current[key] ?? null)]));
    } else {
      // A portfolio without a layout has the template's: an empty layout asks for the same.
      undoing[field] = structuredClone(portfolio[field] ?? (field === "layout" ? {} : null));
    }
  }
  return undoing;
}

/** "profile.headline theme.primary_color projects": what a change touches, as one string. */
export function fieldsTouched(changes) {
  return Object.entries(changes).flatMap(([field, value]) => (
    MERGED_OBJECTS.has(field) ? Object.keys(value).map((key) => `${field}.${key}`) : [field]
  )).sort().join(" ");
}

/** `changes` without the fields named in `fields`. */
export function withoutFields(changes, fields) {
  return Object.fromEntries(Object.entries(changes).filter(([field]) => !fields.has(field)));
}

export const isEmpty = (changes) => Object.keys(changes).length === 0;
