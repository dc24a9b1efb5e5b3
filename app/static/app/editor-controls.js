/**
 * One form control per field description (editor-fields.js), from editor.html's
 * `tpl-field-*` templates: `buildControl(field, idPrefix)` answers
 * `{element, read(), write(value, portfolio), focus()}`.
 *
 * `read()` gives the value as the API takes it (null for an empty field, numbers, booleans,
 * lists of strings or of ids); `write()` shows a value, touching the control only when it
 * differs (so a caret never jumps for nothing). Every control carries `data-key` = the field's
 * name (the forms listen for input on those) and `name` = the API's field name (so dom.js's
 * showFieldErrors puts the API's 422 messages under it).
 */
import { cloneTemplate, slot } from "./dom.js";
import { VISIBILITIES, itemName, sectionOf } from "./editor-fields.js";
import { t } from "./i18n.js";

const INPUT_TYPES = { text: "text", email: "email", tel: "tel", url: "url", date: "text",
                      number: "number" };
const AUTOCOMPLETE = { email: "email", tel: "tel" };
const textOrNull = (value) => (value.trim() === "" ? null : value);

/** The element of `templateId` with its label, hint and control named after `field`. */
function labelled(templateId, field, id) {
  const element = cloneTemplate(templateId);
  element.classList.add(`field-${field.kind}`);
  const control = slot(element, "control");
  const label = slot(element, "label");
  label.textContent = field.label;
  if (label.tagName === "LABEL") label.htmlFor = id;
  control.id = id;
  control.name = field.name;
  control.dataset.key = field.name;
  control.required = Boolean(field.required);
  const hint = slot(element, "hint");
  if (hint && field.hint) {
    hint.id = `${id}-hint`;
    hint.textContent = field.hint;
    control.setAttribute("aria-describedby", hint.id);
  } else {
    hint?.remove();
  }
  return { element, control };
}

function setValue(control, text) {
  if (control.value !== text) control.value = text;
}

function inputControl(field, id) {
  const { element, control } = labelled("tpl-field-input", field, id);
  control.type = INPUT_TYPES[field.kind];
  control.autocomplete = AUTOCOMPLETE[field.kind] || "off";
  if (field.kind === "number") {
    control.min = field.min;
    control.max = field.max;
    control.step = "any";
  } else {
    control.maxLength = field.max || 10;
  }
  if (field.kind === "date") control.placeholder = "2024-09";
  if (field.suggestions) {
    const list = document.createElement("datalist");
    list.id = `${id}-suggestions`;
    list.append(...field.suggestions.map((suggestion) => new Option(suggestion)));
    element.append(list);
    control.setAttribute("list", list.id);
  }
  return {
    element,
    read: () => (field.kind === "number"
      ? (control.value === "" ? null : Number(control.value)) : textOrNull(control.value)),
    write: (value) => setValue(control, value === null || value === undefined ? "" : String(value)),
    focus: () => control.focus(),
  };
}

function textareaControl(field, id) {
  const { element, control } = labelled("tpl-field-textarea", field, id);
  control.maxLength = field.max;
  return {
    element,
    read: () => textOrNull(control.value),
    write: (value) => setValue(control, value ?? ""),
    focus: () => control.focus(),
  };
}

/** A list of strings, one per line (technologies, achievements…). */
function linesControl(field, id) {
  const { element, control } = labelled("tpl-field-textarea", field, id);
  control.rows = 3;
  return {
    element,
    read: () => control.value.split("\n").map((line) => line.trim()).filter(Boolean),
    write: (value) => setValue(control, (value || []).join("\n")),
    focus: () => control.focus(),
  };
}

function choiceControl(field, id) {
  const { element, control } = labelled("tpl-field-select", field, id);
  if (field.default) control.replaceChildren();
  control.append(...field.choices.map(([value, label, lang]) => {
    const option = new Option(label, value);
    if (lang) option.lang = lang;
    return option;
  }));
  return {
    element,
    read: () => control.value || null,
    write: (value) => setValue(control, value ?? field.default ?? ""),
    focus: () => control.focus(),
  };
}

function checkboxControl(field, id) {
  const { element, control } = labelled("tpl-field-checkbox", field, id);
  return {
    element,
    read: () => control.checked,
    write: (value) => { control.checked = Boolean(value); },
    focus: () => control.focus(),
  };
}

/** Public / Recruiter / Private as radio buttons, each with its icon and word. */
function visibilityControl(field, id) {
  const element = cloneTemplate("tpl-visibility");
  element.id = id;
  slot(element, "label").textContent = field.label;
  const radios = [...element.querySelectorAll("input[type=radio]")];
  for (const radio of radios) {
    radio.name = field.name;
    radio.dataset.key = field.name;
  }
  const hint = slot(element, "hint");
  const describe = (value) => {
    const chosen = VISIBILITIES.find((visibility) => visibility.value === value);
    hint.textContent = chosen ? t("{label}: {hint}.", { label: chosen.label, hint: chosen.hint })
      : "";
  };
  return {
    element,
    read: () => radios.find((radio) => radio.checked)?.value ?? null,
    write: (value) => {
      const shown = value ?? field.default ?? "public";
      for (const radio of radios) radio.checked = radio.value === shown;
      describe(shown);
    },
    focus: () => (radios.find((radio) => radio.checked) || radios[0]).focus(),
  };
}

/** Checkboxes naming the items of another section (a skill's proving projects…). */
function refsControl(field, id) {
  const element = cloneTemplate("tpl-field-refs");
  const section = sectionOf(field.section);
  element.id = id;
  slot(element, "label").textContent = field.label;
  const list = slot(element, "list");
  const empty = slot(element, "empty");
  empty.textContent = t("Nothing to choose yet: add to “{heading}” first.",
                        { heading: section.heading });
  const boxes = () => [...list.querySelectorAll("input[type=checkbox]")];
  return {
    element,
    read: () => boxes().filter((box) => box.checked).map((box) => box.value),
    write: (value, portfolio) => {
      const items = portfolio[field.section] || [];
      const chosen = new Set(value || []);
      const rows = items.map((item) => {
        let row = list.querySelector(`li[data-id="${item.id}"]`);
        if (!row) {
          row = cloneTemplate("tpl-ref-choice");
          row.dataset.id = item.id;
          const box = row.querySelector("input");
          box.name = field.name;
          box.value = item.id;
          box.dataset.key = field.name;
        }
        const name = itemName(section, item);
        if (slot(row, "name").textContent !== name) slot(row, "name").textContent = name;
        row.querySelector("input").checked = chosen.has(item.id);
        return row;
      });
      if (rows.some((row, index) => list.children[index] !== row)
          || list.children.length !== rows.length) list.replaceChildren(...rows);
      empty.hidden = rows.length > 0;
    },
    focus: () => boxes()[0]?.focus(),
  };
}

const BUILDERS = {
  textarea: textareaControl, lines: linesControl, choice: choiceControl,
  checkbox: checkboxControl, visibility: visibilityControl, refs: refsControl,
};

export function buildControl(field, idPrefix) {
  return (BUILDERS[field.kind] || inputControl)(field, `${idPrefix}-${field.name}`);
}
