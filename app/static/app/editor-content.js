/**
 * The content pane: the portfolio's name and language, the profile (photo included) and every
 * section's items, all built from editor-fields.js's descriptions with editor-controls.js.
 *
 * Each input is a change of the session at once (autosaved a second later, undoable): the
 * profile as a merge patch of the one key, a section as its whole new array. Items: add (at
 * the top, opened, focused), edit, delete (undoable: a notice offers Undo; the API keeps a
 * version and moves the item's files to the trash, and undoing brings both back), visibility,
 * reorder by dragging the handle (SortableJS) or with the Up/Down buttons.
 *
 * The forms show the session's portfolio: after a change from elsewhere (a save answered, the
 * design pane, undo) they are reconciled — items added, removed or reordered by id, values
 * written where they differ. The control being typed in is left alone, except on undo, redo
 * and replace, which exist to change it.
 *
 * `fieldTools` (optional, the AI assistant's Improve button: editor-ai.js) is asked for an
 * element to put under each field of the profile and of the items: `fieldTools({field, target,
 * read, insert, focus})`, target being null for the profile or {section, itemId}; `insert(value)`
 * sets the field as typing does (autosaved, one undo step of its own). It answers an element or
 * null.
 */
import Sortable from "../vendor/sortablejs-1.15.7/sortable.esm.js";
import {
  announce, clearErrors, cloneTemplate, showFieldErrors, showFormError, slot,
} from "./dom.js";
import { buildControl } from "./editor-controls.js";
import {
  PORTFOLIO_FIELDS, PROFILE_FIELDS, SECTIONS, VISIBILITIES, itemDetail, itemName, newItem,
  problemsOf, visibilityField,
} from "./editor-fields.js";
import { mountItemProofs, mountPhoto } from "./editor-proofs.js";
import { t } from "./i18n.js";

const REWRITING_SOURCES = new Set(["undo", "redo", "replace"]);

let placingErrors = false;

/**
 * The messages shown in `form`, under their fields: the API's last refusal of a field (until
 * it is edited or saved) and what `localProblems()` finds missing (a new item's name), shown
 * when the person leaves a field.
 */
function errorsOf(form, localProblems) {
  let refused = {};
  const show = () => {
    // dom.js's showFieldErrors moves the focus to the first field at fault; the person is
    // typing elsewhere, so the focus goes back, and the blur this causes is not theirs.
    const focused = document.activeElement;
    placingErrors = true;
    clearErrors(form);
    const unplaced = showFieldErrors(form, { ...refused, ...localProblems() });
    if (unplaced.length) showFormError(form, unplaced.join(" "));
    focused?.focus();
    placingErrors = false;
  };
  form.addEventListener("focusout", () => placingErrors || setTimeout(show));
  return {
    edited(name) {
      delete refused[name];
      if (form.querySelector(".field-error")) show();
    },
    refused(errors) {
      refused = { ...errors };
      show();
    },
    saved() {
      refused = {};
      show();
    },
  };
}

/** Controls of `fields` in `container`, each input calling `onInput(name, value)`;
 * `update()` shows values. `tools` and `target`: see fieldTools above. */
function fieldControls(container, fields, { session, idPrefix, onInput, tools, target = null }) {
  const controls = new Map(fields.map((field) => [field.name, buildControl(field, idPrefix)]));
  container.append(...[...controls.values()].map((control) => control.element));
  for (const field of tools ? fields : []) {
    const control = controls.get(field.name);
    const extra = tools({
      field, target, read: () => control.read(), focus: () => control.focus(),
      insert(value) {
        session.history.seal();
        control.write(value);
        onInput(field.name, control.read());
        session.history.seal();
      },
    });
    if (extra) control.element.append(extra);
  }
  // A field left ("change" fires when it is committed) ends its undo step.
  container.addEventListener("change", () => session.history.seal());
  container.addEventListener("input", (event) => {
    const name = event.target.dataset.key;
    if (controls.has(name)) onInput(name, controls.get(name).read());
  });
  return {
    controls,
    update(values, portfolio, force) {
      for (const [name, control] of controls) {
        if (force || !control.element.contains(document.activeElement)) {
          control.write(values[name] ?? null, portfolio);
        }
      }
    },
  };
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function showVisibility(badge, value) {
  const visibility = VISIBILITIES.find((entry) => entry.value === value) || VISIBILITIES[0];
  badge.dataset.visibility = visibility.value;
  badge.querySelector("use").setAttribute("href", `#icon-${visibility.value}`);
  setText(slot(badge, "badge-word"), visibility.label);
  badge.title = t("Seen by {whom}", { whom: visibility.hint });
}

/** The fields of other sections that point at items of `section` (skills' proven-by ids). */
function referencesTo(section) {
  return SECTIONS.flatMap((other) => other.fields
    .filter((field) => field.kind === "refs" && field.section === section.field)
    .map((field) => ({ section: other, field: field.name })));
}

/** One item: its head (name, visibility, moves) and its form, opened on demand. */
function itemEditor(section, item, { session, edit, move, remove, notice, tools }) {
  const element = cloneTemplate("tpl-item");
  element.dataset.id = item.id;
  const form = element.querySelector("form");
  const toggle = element.querySelector("[data-action=toggle]");
  const up = element.querySelector("[data-action=up]");
  const down = element.querySelector("[data-action=down]");
  form.id = `item-${item.id}`;
  toggle.setAttribute("aria-controls", form.id);

  const errors = errorsOf(form, () => problemsOf(section.fields, (
    session.portfolio[section.field] || []).find((entry) => entry.id === item.id) || {}));
  const fields = fieldControls(slot(form, "fields"), [...section.fields, visibilityField(section)], {
    session, idPrefix: `item-${item.id}`, tools, target: { section, itemId: item.id },
    onInput: (name, value) => {
      edit(item.id, name, value);
      errors.edited(name);
    },
  });

  const setOpen = (open) => {
    form.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => setOpen(form.hidden));
  up.addEventListener("click", () => move(item.id, -1));
  down.addEventListener("click", () => move(item.id, 1));
  element.querySelector("[data-action=delete]").addEventListener("click", () => remove(item.id));

  const proofs = section.proofs ? mountItemProofs({
    container: slot(form, "proofs"), dropTarget: element, session, section, itemId: item.id,
    notice, onFiles: () => setOpen(true),
  }) : null;

  return {
    element, errors, toggle, up, down,
    show: () => setOpen(true),
    open() {
      setOpen(true);
      fields.controls.get(section.fields[0].name).focus();
    },
    update(current, { index, count, portfolio, force }) {
      const name = itemName(section, current);
      setText(slot(element, "name"), name);
      setText(slot(element, "detail"), itemDetail(section, current));
      for (const label of ["up-name", "down-name", "delete-name"]) {
        setText(slot(element, label), t("“{title}”", { title: name }));
      }
      showVisibility(slot(element, "badge"), current.visibility);
      up.disabled = index === 0;
      down.disabled = index === count - 1;
      fields.update(current, portfolio, force);
      proofs?.update(portfolio);
    },
  };
}

/** A section: its heading, Add button, and its items in order. */
function sectionEditor(section, session, notice, tools) {
  const element = cloneTemplate("tpl-section");
  const heading = slot(element, "heading");
  heading.id = `section-${section.field}`;
  heading.textContent = section.heading;
  element.setAttribute("aria-labelledby", heading.id);
  slot(element, "add-label").textContent = t("Add {noun}", { noun: t(section.noun) });
  slot(element, "empty").textContent = t("No {noun} yet.", { noun: t(section.noun) });
  slot(element, "note-text").textContent = section.note || "";
  slot(element, "note").hidden = !section.note;
  const list = slot(element, "items");
  const editors = new Map();
  const items = () => session.portfolio[section.field] || [];
  const commit = (changes, group) => session.change(changes, { group });

  const actions = {
    session,
    notice,
    tools,
    edit(id, name, value) {
      commit({ [section.field]: items().map((item) => (
        item.id === id ? { ...item, [name]: value } : item)) }, `${section.field}/${id}/${name}`);
    },
    move(id, offset) {
      const reordered = [...items()];
      const from = reordered.findIndex((item) => item.id === id);
      const to = from + offset;
      if (to < 0 || to >= reordered.length) return;
      reordered.splice(to, 0, ...reordered.splice(from, 1));
      commit({ [section.field]: reordered });
      const editor = editors.get(id);
      const button = offset < 0 ? editor.up : editor.down;
      (button.disabled ? (offset < 0 ? editor.down : editor.up) : button).focus();
      announce(t("“{name}” is now {place} of {count}.", {
        name: itemName(section, reordered[to]), place: to + 1, count: reordered.length }));
    },
    remove(id) {
      const portfolio = session.portfolio;
      const index = items().findIndex((item) => item.id === id);
      const item = items()[index];
      const changes = { [section.field]: items().filter((entry) => entry.id !== id) };
      // Skills naming the item let go of it in the same step (the API refuses a reference to
      // a missing item), and one Undo brings both back.
      for (const reference of referencesTo(section)) {
        const referring = portfolio[reference.section.field] || [];
        if (!referring.some((entry) => (entry[reference.field] || []).includes(id))) continue;
        changes[reference.section.field] = referring.map((entry) => ({
          ...entry, [reference.field]: (entry[reference.field] || []).filter((ref) => ref !== id),
        }));
      }
      commit(changes);
      const next = editors.get(items()[Math.min(index, items().length - 1)]?.id);
      (next?.toggle || element.querySelector("[data-action=add]")).focus();
      const files = (portfolio.proofs || []).filter((proof) => proof.item_id === id).length;
      const noun = t(section.noun);
      const trashed = files === 1 ? ` ${t("Its file moved to the trash.")}`
        : files ? ` ${t("Its {count} files moved to the trash.", { count: files })}` : "";
      const deleted = t("{Noun} “{name}” deleted.", {
        Noun: noun[0].toUpperCase() + noun.slice(1), name: itemName(section, item) });
      notice.show(`${deleted}${trashed}`, () => {
        session.undo();
        editors.get(id)?.toggle.focus();
      });
    },
  };

  element.querySelector("[data-action=add]").addEventListener("click", () => {
    const item = newItem(section);
    commit({ [section.field]: [item, ...items()] });
    editors.get(item.id).open();
  });
  Sortable.create(list, {
    handle: ".drag-handle",
    animation: 150,
    // Pointer events rather than the browser's drag and drop: the same on touch screens, and
    // file drops on an item stay the proofs' own.
    forceFallback: true,
    onEnd: ({ oldIndex, newIndex }) => {
      if (oldIndex === newIndex) return;
      const byId = new Map(items().map((item) => [item.id, item]));
      commit({ [section.field]: [...list.children].map((row) => byId.get(row.dataset.id)) });
    },
  });

  return {
    element,
    section,
    update(portfolio, force) {
      const current = portfolio[section.field] || [];
      const focused = document.activeElement;
      for (const [id, editor] of editors) {
        if (current.some((item) => item.id === id)) continue;
        editor.element.remove();
        editors.delete(id);
      }
      current.forEach((item, index) => {
        let editor = editors.get(item.id);
        if (!editor) {
          editor = itemEditor(section, item, actions);
          editors.set(item.id, editor);
        }
        if (list.children[index] !== editor.element) {
          list.insertBefore(editor.element, list.children[index] || null);
        }
        editor.update(item, { index, count: current.length, portfolio, force });
      });
      // Moving a row in the DOM takes the focus from it: give it back.
      if (focused !== document.activeElement && list.contains(focused)) focused.focus();
      setText(slot(element, "count"), String(current.length));
      slot(element, "empty").hidden = current.length > 0;
    },
    /** The API's 422 messages for this section, by index in the array that was sent. */
    refused(errors, sent) {
      for (const [index, problems] of Object.entries(errors)) {
        const editor = editors.get(sent[Number(index)]?.id);
        if (!editor) continue;
        editor.show();
        editor.errors.refused(problems);
      }
    },
    saved() {
      for (const editor of editors.values()) editor.errors.saved();
    },
  };
}

/** The portfolio's own fields and the profile, each a form of the descriptions. */
function simpleForm(form, fields, { session, idPrefix, read, patch, tools }) {
  const errors = errorsOf(form, () => problemsOf(fields, read(session.portfolio)));
  const built = fieldControls(form, fields, { session, idPrefix, tools, onInput: (name, value) => {
    session.change(patch(name, value), { group: `${idPrefix}/${name}` });
    errors.edited(name);
  } });
  return {
    errors,
    update: (portfolio, force) => built.update(read(portfolio), portfolio, force),
  };
}

export function mountContent(root, session, notice, fieldTools = null) {
  const portfolioForm = simpleForm(root.querySelector("#portfolio-form"), PORTFOLIO_FIELDS, {
    session, idPrefix: "portfolio", read: (portfolio) => portfolio,
    patch: (name, value) => ({ [name]: value }),
  });
  const profileForm = simpleForm(root.querySelector("#profile-form"), PROFILE_FIELDS, {
    session, idPrefix: "profile", read: (portfolio) => portfolio.profile || {},
    patch: (name, value) => ({ profile: { [name]: value } }), tools: fieldTools,
  });
  const photo = mountPhoto({ root, session });
  const sections = SECTIONS.map((section) => sectionEditor(section, session, notice, fieldTools));
  root.querySelector("#sections").append(...sections.map((editor) => editor.element));

  const update = (portfolio, { source }) => {
    const force = REWRITING_SOURCES.has(source);
    portfolioForm.update(portfolio, force);
    profileForm.update(portfolio, force);
    photo.update(portfolio);
    for (const editor of sections) editor.update(portfolio, force);
  };
  session.onChange(update);
  update(session.portfolio, { source: "replace" });
  // Every change is saved as it is made: Enter in a field submits nothing.
  root.addEventListener("submit", (event) => event.preventDefault());

  session.addEventListener("invalid", ({ detail: { errors, changes } }) => {
    if (errors.profile) profileForm.errors.refused(errors.profile);
    const own = PORTFOLIO_FIELDS.filter((field) => errors[field.name])
      .map((field) => [field.name, errors[field.name]]);
    if (own.length) portfolioForm.errors.refused(Object.fromEntries(own));
    for (const editor of sections) {
      if (errors[editor.section.field]) {
        editor.refused(errors[editor.section.field], changes[editor.section.field]);
      }
    }
  });
  session.addEventListener("saved", ({ detail: { changes } }) => {
    if ("profile" in changes) profileForm.errors.saved();
    if (PORTFOLIO_FIELDS.some((field) => field.name in changes)) portfolioForm.errors.saved();
    for (const editor of sections) {
      if (editor.section.field in changes) editor.saved();
    }
  });
  root.hidden = false;
}
