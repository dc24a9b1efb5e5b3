/**
 * The editor's design pane: template, theme colours (with a contrast warning), fonts,
 * background image and the layout of the sections (columns, order, hidden ones).
 *
 *   mountDesign(root, editor)   // editor.js, into #design-pane
 *
 * Every choice is a local edit through `editor.change(...)`: autosaved, undoable, and shown
 * again here whenever the portfolio changes (undo, a restore, another save), since the pane
 * draws itself from `editor.portfolio` on each `onChange`. A theme key the portfolio does not
 * set shows the template's own value, from design.json (made from the renderer's tables by
 * scripts/make_template_thumbnails.py, with the thumbnails beside it).
 */
import Sortable from "../vendor/sortablejs-1.15.7/sortable.esm.js";
import { upload } from "./api.js";
import { AA_TEXT_CONTRAST, contrastRatio } from "./colour.js";
import { announce, cloneTemplate, showError, slot } from "./dom.js";
import { formatCount } from "./format.js";
import { mountFragment, whenChanged } from "./panels.js";
import { t } from "./i18n.js";

const ASSETS = new URL("templates-thumbs/", import.meta.url);
const THEME_COLOURS = ["primary_color", "accent_color", "background_color", "text_color"];
const THEME_FONTS = ["heading_font", "body_font"];
const WHITE = "#ffffff";
const VISIBILITY_WORDS = { recruiter: t("shown to recruiters only"), private: t("private") };

async function loadDesignTables() {
  const response = await fetch(new URL("design.json", ASSETS));
  if (!response.ok) throw new Error(`design.json answered ${response.status}`);
  return response.json();
}

export async function mountDesign(root, editor) {
  const mounted = await mountFragment(
    root, { name: "editor-design", templateId: "design-pane-template", what: t("The design tools") },
    loadDesignTables());
  if (!mounted) return;
  const [pane, tables] = mounted;
  const theme = new EffectiveTheme(tables);
  const parts = [
    whenChanged((portfolio) => portfolio.template, templatePicker(pane, editor, tables)),
    whenChanged(themeAndTemplate, colourControls(pane, editor, theme)),
    whenChanged(themeAndTemplate, fontControls(pane, editor, theme, tables)),
    whenChanged((portfolio) => [portfolio.theme?.background_image_proof_id, portfolio.proofs],
                backgroundControls(pane, editor)),
    layoutControls(pane, editor, tables),
  ];
  const render = (portfolio) => parts.forEach((draw) => draw(portfolio));
  editor.onChange(render);
  render(editor.portfolio);
}

const themeAndTemplate = (portfolio) => [portfolio.theme, portfolio.template];

/** A theme key as the page shows it: the portfolio's own value, else its template's. */
class EffectiveTheme {
  constructor({ templates }) {
    this.byTemplate = new Map(templates.map((entry) => [entry.name, entry.theme]));
    this.fallback = templates[0].theme;
  }

  value(portfolio, key) {
    return portfolio.theme?.[key] ?? (this.byTemplate.get(portfolio.template) || this.fallback)[key];
  }
}

function templatePicker(pane, editor, { templates }) {
  const inputs = templates.map((entry) => {
    const choice = cloneTemplate("design-template-choice");
    const input = choice.querySelector("input");
    input.value = entry.name;
    input.addEventListener("change", () => editor.change({ template: entry.name }));
    slot(choice, "thumbnail").src = new URL(entry.thumbnail, ASSETS).href;
    slot(choice, "label").textContent = t(entry.label);
    const description = slot(choice, "description");
    description.id = `design-template-${entry.name}-description`;
    description.textContent = t(entry.description);
    input.setAttribute("aria-describedby", description.id);
    slot(pane, "templates").append(choice);
    return input;
  });
  return (portfolio) => {
    for (const input of inputs) input.checked = input.value === portfolio.template;
  };
}

/** One line of the contrast report: the ratio, and whether it reaches AA. */
function contrastLine(what, ratio) {
  const line = document.createElement("p");
  // Rounded down: 4.46 must not read as a passing 4.5.
  const shown = `${formatCount(Math.floor(ratio * 10) / 10)}:1`;
  const passes = ratio >= AA_TEXT_CONTRAST;
  line.className = passes ? "contrast-ok" : "contrast-low";
  line.textContent = passes ? t("{what}: contrast {shown}, readable.", { what, shown })
    : t("{what}: contrast {shown}, below the {minimum}:1 that keeps text readable for most "
        + "people (WCAG AA). Choose a darker or lighter colour.",
        { what, shown, minimum: formatCount(AA_TEXT_CONTRAST) });
  return line;
}

function colourControls(pane, editor, theme) {
  const inputs = THEME_COLOURS.map((key) => pane.querySelector(`[data-theme-key="${key}"]`));
  const report = slot(pane, "contrast-warning");
  const showContrast = () => {
    const chosen = Object.fromEntries(inputs.map((input) => [input.dataset.themeKey, input.value]));
    report.replaceChildren(
      contrastLine(t("Text on the background"),
                   contrastRatio(chosen.text_color, chosen.background_color)),
      contrastLine(t("Primary colour and white"),
                   contrastRatio(chosen.primary_color, WHITE)));
  };
  for (const input of inputs) {
    // "input" follows the picker as it moves; "change" is the choice, saved once.
    input.addEventListener("input", showContrast);
    input.addEventListener("change", () => {
      editor.change({ theme: { [input.dataset.themeKey]: input.value } });
    });
  }
  return (portfolio) => {
    for (const input of inputs) input.value = theme.value(portfolio, input.dataset.themeKey);
    showContrast();
  };
}

function fontControls(pane, editor, theme, { fonts }) {
  const selects = THEME_FONTS.map((key) => pane.querySelector(`[data-theme-key="${key}"]`));
  for (const select of selects) {
    for (const font of fonts) {
      const option = new Option(t(font.label), font.name);
      option.style.fontFamily = font.stack;
      select.append(option);
    }
    select.addEventListener("change", () => {
      editor.change({ theme: { [select.dataset.themeKey]: select.value } });
    });
  }
  const reset = pane.querySelector('[data-action="reset-theme"]');
  const ownKeys = () => [...THEME_COLOURS, ...THEME_FONTS]
    .filter((key) => editor.portfolio.theme?.[key] != null);
  reset.addEventListener("click", () => {
    editor.change({ theme: Object.fromEntries(ownKeys().map((key) => [key, null])) });
    announce(t("The template’s colours and fonts are back."));
  });
  return (portfolio) => {
    for (const select of selects) select.value = theme.value(portfolio, select.dataset.themeKey);
    reset.disabled = ownKeys().length === 0;
  };
}

function backgroundControls(pane, editor) {
  const list = slot(pane, "images");
  const warning = slot(pane, "background-warning");
  const fileInput = pane.querySelector("#design-background-upload");
  const progress = slot(pane, "upload-progress");
  const remove = pane.querySelector('[data-action="remove-background"]');
  // Uploaded here, until the editor's copy of the portfolio lists them (proofs are not part of
  // the autosaved document).
  const uploaded = new Map();
  const choose = (proofId) => editor.change({ theme: { background_image_proof_id: proofId } });

  const imageProofs = (portfolio) => {
    const attached = (portfolio.proofs || []).filter((proof) => proof.content_type?.startsWith("image/"));
    for (const proof of attached) uploaded.delete(proof.id);
    return [...attached, ...uploaded.values()];
  };

  remove.addEventListener("click", () => choose(null));
  fileInput.addEventListener("change", async () => {
    const [file] = fileInput.files;
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    form.append("item_type", "profile");
    form.append("title", file.name.replace(/\.[^.]*$/, "").slice(0, 200));
    // A background is part of the page's look: everyone who sees the page sees it.
    form.append("visibility", "public");
    progress.value = 0;
    progress.hidden = false;
    try {
      const proof = await upload(`/portfolios/${editor.portfolioId}/proofs`, form,
                                 { onProgress: (fraction) => { progress.value = fraction; } });
      uploaded.set(proof.id, proof);
      choose(proof.id);
      announce(t("Image uploaded; it is now the background."));
    } catch (error) {
      showError(error);
    } finally {
      progress.hidden = true;
      fileInput.value = "";
    }
  });

  return (portfolio) => {
    const chosenId = portfolio.theme?.background_image_proof_id || null;
    const images = imageProofs(portfolio);
    list.replaceChildren(...images.map((proof) => {
      const item = cloneTemplate("design-image-choice");
      const button = item.querySelector("button");
      button.setAttribute("aria-pressed", String(proof.id === chosenId));
      button.addEventListener("click", () => choose(proof.id));
      const path = `/api/v1/portfolios/${editor.portfolioId}/proofs/${proof.id}/file`;
      slot(item, "thumbnail").src = proof.has_thumbnail ? `${path}?thumbnail=true` : path;
      slot(item, "label").textContent = proof.title || proof.filename || t("Image");
      return item;
    }));
    list.hidden = images.length === 0;
    slot(pane, "no-images").hidden = images.length > 0;
    slot(pane, "background-none").hidden = Boolean(chosenId);
    remove.hidden = !chosenId;
    const chosen = images.find((proof) => proof.id === chosenId);
    const hiddenFromVisitors = chosen && chosen.visibility !== "public";
    warning.hidden = !hiddenFromVisitors;
    warning.textContent = hiddenFromVisitors
      ? t("This image is {visibility}: visitors of your public page will not see it. Make it "
          + "public in the content pane to show it to everyone.",
          { visibility: VISIBILITY_WORDS[chosen.visibility] }) : "";
  };
}

/**
 * The layout's sections in display order, every known section present: the ones the layout
 * names first, then the others where the page puts them (design.json: default column, and
 * `proofs` hidden unless named), as the renderer does.
 */
function layoutEntries(layout, sections) {
  const known = new Set(sections.map((section) => section.name));
  const named = (layout?.sections || []).filter((entry) => known.has(entry.section))
    .map((entry) => ({ ...entry }));
  const present = new Set(named.map((entry) => entry.section));
  const others = sections.filter((section) => !present.has(section.name)).map((section) => (
    { section: section.name, column: section.column, hidden: !section.shown_by_default }));
  return [...named, ...others];
}

function layoutControls(pane, editor, { sections }) {
  const headings = new Map(sections.map((section) => [section.name, t(section.heading)]));
  const lists = { main: pane.querySelector('[data-column="main"]'),
                  side: pane.querySelector('[data-column="side"]') };
  const status = slot(pane, "layout-status");
  const columnInputs = [...pane.querySelectorAll('[name="design-columns"]')];
  const sidebarInputs = [...pane.querySelectorAll('[name="design-sidebar"]')];
  const state = { layout: {}, entries: [], twoColumns: false };
  const headingOf = (entry) => entry.heading?.trim() || headings.get(entry.section);
  // Which list shows an entry: one list of everything with one column.
  const listOf = (entry) => (state.twoColumns && entry.column === "side" ? "side" : "main");

  /** Save a layout change, draw it at once (the keyboard's focus is put back on the new
   * rows) and say what happened, for screen readers. */
  const save = (changes, message) => {
    editor.change({ layout: { ...state.layout, ...changes } });
    draw(editor.portfolio);
    status.textContent = typeof message === "function" ? message() : message;
  };
  const saveEntries = (entries, message) => save({ sections: entries }, message);

  /** Where section `name` now stands, in words. */
  const placeOf = (name) => () => {
    const entry = state.entries.find((found) => found.section === name);
    const shown = state.entries.filter((other) => listOf(other) === listOf(entry));
    const words = { heading: headingOf(entry), place: shown.indexOf(entry) + 1,
                    count: shown.length };
    if (!state.twoColumns) return t("{heading}: position {place} of {count}.", words);
    return listOf(entry) === "side"
      ? t("{heading}: position {place} of {count} of the side column.", words)
      : t("{heading}: position {place} of {count} of the main column.", words);
  };

  const act = {
    up: (entry) => swapWithNeighbour(entry, -1),
    down: (entry) => swapWithNeighbour(entry, 1),
    "other-column": (entry) => {
      // Last of the other column: appended after everything in the order.
      const moved = { ...entry, column: entry.column === "side" ? "main" : "side" };
      const entries = [...state.entries.filter((other) => other !== entry), moved];
      const heading = { heading: headingOf(entry) };
      saveEntries(entries, moved.column === "side"
        ? t("{heading} moved to the side column.", heading)
        : t("{heading} moved to the main column.", heading));
    },
    "toggle-hidden": (entry) => {
      const entries = state.entries.map((other) => (
        other === entry ? { ...entry, hidden: !entry.hidden } : other));
      const heading = { heading: headingOf(entry) };
      saveEntries(entries, entry.hidden ? t("{heading} shown.", heading)
        : t("{heading} hidden.", heading));
    },
  };

  function swapWithNeighbour(entry, step) {
    const shown = state.entries.filter((other) => listOf(other) === listOf(entry));
    const neighbour = shown[shown.indexOf(entry) + step];
    if (!neighbour) return;
    const entries = [...state.entries];
    const [at, other] = [entries.indexOf(entry), entries.indexOf(neighbour)];
    [entries[at], entries[other]] = [entries[other], entries[at]];
    saveEntries(entries, placeOf(entry.section));
  }

  function sectionRow(entry, index, shown) {
    const row = cloneTemplate("design-layout-section");
    row.dataset.section = entry.section;
    row.classList.toggle("is-hidden", Boolean(entry.hidden));
    slot(row, "name").textContent = headingOf(entry);
    slot(row, "hidden-badge").hidden = !entry.hidden;
    for (const target of row.querySelectorAll('[data-field="for"]')) {
      target.textContent = ` (${headingOf(entry)})`;
    }
    slot(row, "other-column").textContent = entry.column === "side" ? t("To main") : t("To side");
    slot(row, "toggle-label").textContent = entry.hidden ? t("Show") : t("Hide");
    const button = (action) => row.querySelector(`[data-action="${action}"]`);
    button("up").disabled = index === 0;
    button("down").disabled = index === shown.length - 1;
    button("other-column").hidden = !state.twoColumns;
    for (const [action, run] of Object.entries(act)) {
      button(action).addEventListener("click", () => {
        const name = entry.section;
        run(entry);
        focusAfterMove(name, action);
      });
    }
    return row;
  }

  /** Keep the keyboard where it was: the same button of the moved section, or its first
   * enabled one when that button is now disabled (it reached the top). */
  function focusAfterMove(name, action) {
    const row = pane.querySelector(`.layout-section[data-section="${name}"]`);
    const same = row?.querySelector(`[data-action="${action}"]`);
    const target = same && !same.disabled && !same.hidden ? same
      : row?.querySelector(".layout-section-actions button:not(:disabled):not([hidden])");
    target?.focus();
  }

  function drawLayout(portfolio) {
    state.layout = portfolio.layout || {};
    state.twoColumns = state.layout.columns === 2;
    state.entries = layoutEntries(state.layout, sections);
    for (const input of columnInputs) input.checked = input.value === (state.twoColumns ? "2" : "1");
    const sidebar = state.layout.sidebar === "left" ? "left" : "right";
    for (const input of sidebarInputs) input.checked = input.value === sidebar;
    slot(pane, "sidebar-choice").hidden = !state.twoColumns;
    slot(pane, "side-column").hidden = !state.twoColumns;
    slot(pane, "main-title").textContent =
      state.twoColumns ? t("Main column") : t("Sections, in order");
    for (const [column, list] of Object.entries(lists)) {
      const shown = state.entries.filter((entry) => listOf(entry) === column);
      list.replaceChildren(...shown.map((entry, index) => sectionRow(entry, index, shown)));
    }
  }

  for (const input of columnInputs) {
    input.addEventListener("change", () => save({ columns: Number(input.value) },
      input.value === "2" ? t("Two columns.") : t("One column.")));
  }
  for (const input of sidebarInputs) {
    input.addEventListener("change", () => save({ sidebar: input.value },
      input.value === "left" ? t("Side column on the left.") : t("Side column on the right.")));
  }
  /** After a drag: the order (and columns) as the lists now show them. */
  const dropped = (event) => {
    const byName = new Map(state.entries.map((entry) => [entry.section, entry]));
    const entries = Object.entries(lists).flatMap(([column, list]) => [...list.children].map(
      (row) => {
        const entry = byName.get(row.dataset.section);
        return state.twoColumns ? { ...entry, column } : entry;
      }));
    const unchanged = entries.every((entry, index) => (
      entry.section === state.entries[index].section
      && entry.column === state.entries[index].column));
    if (!unchanged) saveEntries(entries, placeOf(event.item.dataset.section));
  };
  for (const list of Object.values(lists)) {
    Sortable.create(list, { group: "design-layout", handle: ".drag-handle", animation: 150,
                            onEnd: dropped });
  }
  // Drawn once per layout: the explicit draw after a change records it, so the onChange that
  // follows does not draw the rows again under the keyboard's focus.
  const draw = whenChanged((portfolio) => portfolio.layout, drawLayout);
  return draw;
}
