/**
 * What the parts this app adds to pages it does not own share: the editor's design, publish
 * and history panels (editor.html belongs to the editor core) and the notification bell (in
 * every signed-in page's header).
 *
 * - Their HTML: each keeps its <template> elements in app/static/app/fragments/<name>.html;
 *   `loadFragment(name)` fetches it once per page, translates it (i18n.js) and adds the
 *   templates to the document, for dom.js `cloneTemplate(id)`; `mountFragment(...)` fills the
 *   part's root with its first one.
 * - `sheet(panel, onOpen)`: the publish and history panels' button that opens a side sheet.
 * - `whenChanged(select, draw)`: draw a part of a panel again only when what it shows changed.
 * - `copyFrom(input)`: copy a link, or select it for the person to copy where the clipboard is
 *   not available (an insecure origin, a refused permission).
 */
import { announce, cloneTemplate } from "./dom.js";
import { t, translate } from "./i18n.js";

const loading = new Map();

async function fetchFragment(name) {
  const response = await fetch(new URL(`fragments/${name}.html`, import.meta.url));
  if (!response.ok) throw new Error(`fragments/${name}.html answered ${response.status}`);
  const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
  const templates = [...parsed.querySelectorAll("template")]
    .map((template) => document.importNode(template, true));
  for (const template of templates) translate(template.content);
  document.body.append(...templates);
}

/** Resolves once the templates of fragments/<name>.html are in the document. */
export function loadFragment(name) {
  if (!loading.has(name)) loading.set(name, fetchFragment(name));
  return loading.get(name);
}

/**
 * Fill `root` with a copy of `<template id=templateId>` of fragments/<name>.html, once it and
 * whatever else the part needs (`loading`: promises) are loaded. Resolves with
 * `[element, ...what loading resolved with]`, or null when something could not be loaded:
 * `root` then says so (`what`: "The history"), and the page goes on without the part.
 */
export async function mountFragment(root, { name, templateId, what }, ...loading) {
  let loaded;
  try {
    [, ...loaded] = await Promise.all([loadFragment(name), ...loading]);
  } catch (error) {
    root.textContent = t("{what} could not be loaded. Reload the page to try again.", { what });
    console.error(error);
    return null;
  }
  const element = cloneTemplate(templateId);
  root.replaceChildren(element);
  return [element, ...loaded];
}

/** The panel's side sheet (its <dialog>), opened by its `[data-action=open-sheet]` button
 * (then `onOpen()`: fetch what it lists) and closed by Escape or `[data-action=close-sheet]`. */
export function sheet(panel, onOpen) {
  const dialog = panel.querySelector("dialog");
  panel.querySelector('[data-action="open-sheet"]').addEventListener("click", () => {
    dialog.showModal();
    onOpen();
  });
  dialog.querySelector('[data-action="close-sheet"]').addEventListener("click", () => dialog.close());
  return dialog;
}

/**
 * `draw(portfolio)` only when what it shows (`select(portfolio)`) has changed: a save's answer
 * redraws nothing, so the focus, what is being typed, an open colour picker or a drag in
 * progress stay as they are.
 */
export function whenChanged(select, draw) {
  let shown;
  return (portfolio) => {
    const key = JSON.stringify(select(portfolio));
    if (key === shown) return;
    shown = key;
    draw(portfolio);
  };
}

/** Copy the link in a read-only `input`. */
export async function copyFrom(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    announce(t("Link copied."));
  } catch {
    input.focus();
    input.select();
    announce(t("This browser did not let Vitrine copy: the link is selected, press Ctrl+C "
               + "(⌘C on a Mac) to copy it."), { tone: "error" });
  }
}
