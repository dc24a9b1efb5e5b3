/**
 * The AI assistant in the editor, offered only when the server has a provider (editor.html's
 * `data-ai-assistant`, from app_pages.py). Its markup is in fragments/editor-ai.html.
 *
 * "Start from a description" (`mountDraftBox`, atop the content pane of a new portfolio: no
 * item and no headline, title or bio yet): the person's description and the content language go to
 * POST /ai/draft; the draft is shown readably (profile, each section's items, what the checks
 * left out) and nothing is stored until "Add to my portfolio" (merge) or "Replace sections"
 * (replace, once confirmed) sends it to POST /portfolios/<id>/ai/apply, or "Discard" drops it.
 * Applying saves what is typed first (`editor.flush()`), refuses while changes stay unsaved,
 * and sends the version the editor holds: a portfolio changed elsewhere meanwhile is a 409,
 * after which the editor loads the newer version and the draft waits to be applied to it. The
 * forms take no input during the request; the answer is adopted like a restored version
 * (`editor.replace()`: forms redrawn, undo history started afresh, History keeps the versions).
 *
 * "Improve" (`improveTools(session)`, given to the content pane for the fields marked
 * `improve` in editor-fields.js): a menu of the five instructions; the chosen one goes to
 * POST /portfolios/<id>/ai/suggest about the field's saved text (what is typed is saved first),
 * and a dialog shows the suggestions. "Insert" puts one in the field through the field's own
 * input path (autosaved, one undo step); "Dismiss" leaves the text as it is. "Translate…" asks
 * for the language in the dialog.
 *
 * Errors are told in words where they happen: the daily quota with when it starts again, a
 * provider that failed or did not answer in time, unsaved changes.
 */
import { ApiError, api } from "./api.js";
import {
  announce, busy, cloneTemplate, confirmAction, handleSubmit, showError, slot,
} from "./dom.js";
import { PROFILE_FIELDS, SECTIONS, choiceLabel, itemLine, itemName } from "./editor-fields.js";
import { formatDateTime, formatPlural, formatRelative } from "./format.js";
import { t } from "./i18n.js";
import { loadFragment, mountFragment } from "./panels.js";

const FRAGMENT = "editor-ai";
// The languages offered for drafts and translations (ISO 639-1), named in the page's language.
const LANGUAGES = ["ar", "cs", "da", "de", "el", "en", "es", "fi", "fr", "hu", "it", "ja", "nl",
                   "no", "pl", "pt", "ro", "ru", "sv", "tr", "uk", "zh"];
const PAGE_LANGUAGE = document.documentElement.lang || "en";
const languageNames = new Intl.DisplayNames([PAGE_LANGUAGE], { type: "language" });
const listFormat = new Intl.ListFormat(PAGE_LANGUAGE, { type: "conjunction" });
// What each instruction (app/schemas/ai.py INSTRUCTIONS) does, as the dialog says it.
const TASKS = {
  rewrite: t("Rewrite: clearer, with the same facts."),
  shorten: t("Shorten: about half as long, keeping what matters most to a recruiter."),
  fix_grammar: t("Fix spelling and grammar: nothing else changes."),
  concrete_achievements: t("Make the achievements concrete: what you did and what came of it, "
    + "with the figures you gave. Nothing is invented."),
  translate: t("Translate: the same meaning and tone, in another language."),
};
// Profile fields that, filled in, make a portfolio no longer new.
const STARTED_PROFILE = ["title", "headline", "bio"];
const UNSAVED = t("Some of your changes are not saved yet (see the status at the top), and the "
  + "assistant works on what is saved. Once they are saved, try again.");
// Refusals that trying again at once cannot change.
const FINAL_STATUSES = new Set([422, 429, 503]);

function languageOptions(select) {
  select.append(...LANGUAGES.map((code) => new Option(languageNames.of(code), code))
    .sort((one, other) => one.text.localeCompare(other.text, PAGE_LANGUAGE)));
}

/** The error's message in words, with when the daily quota starts again after a 429. */
function inWords(error) {
  if (!(error instanceof ApiError)) {
    console.error(error);
    return t("Something went wrong on this page. Reload it and try again.");
  }
  if (error.status !== 429 || !error.retryAfter) return error.message;
  const at = new Date(Date.now() + error.retryAfter * 1000).toISOString();
  // The API's message stays English (it is for developers too); when is the person's.
  return t("{message} That is {time} your time ({relative}).", {
    message: error.message, time: formatDateTime(at), relative: formatRelative(at) });
}

function tell(element, text) {
  element.textContent = text;
  element.hidden = false;
}

// --- Start from a description -------------------------------------------------------------------

/** Has the portfolio no content of its own yet (a new one: the account's name at most)? */
function isNew(portfolio) {
  return SECTIONS.every((section) => !portfolio[section.field]?.length)
    && STARTED_PROFILE.every((name) => !portfolio.profile?.[name]);
}

/** "your profile, 2 experiences and 1 skill": what `draft` holds. */
function contentsInWords(draft) {
  return listFormat.format([
    ...(draft.profile ? [t("profile details")] : []),
    ...SECTIONS.filter((section) => draft[section.field]?.length)
      .map((section) => formatPlural(draft[section.field].length, t(section.noun),
                                     t(`${section.noun}s`))),
  ]);
}

function showDraft(region, { draft, warnings }) {
  const profile = draft.profile || {};
  slot(region, "profile").replaceChildren(...PROFILE_FIELDS
    .filter((field) => profile[field.name])
    .map((field) => {
      const fact = cloneTemplate("ai-draft-fact");
      slot(fact, "term").textContent = field.label;
      slot(fact, "value").textContent = choiceLabel(field, profile[field.name]);
      return fact;
    }));
  slot(region, "sections").replaceChildren(...SECTIONS
    .filter((section) => draft[section.field]?.length)
    .map((section) => {
      const block = cloneTemplate("ai-draft-section");
      slot(block, "heading").textContent = `${section.heading} (${draft[section.field].length})`;
      slot(block, "items").replaceChildren(...draft[section.field].map((item) => {
        const entry = document.createElement("li");
        entry.textContent = itemLine(section, item);
        return entry;
      }));
      return block;
    }));
  slot(region, "warning-list").replaceChildren(...warnings.map((warning) => {
    const entry = document.createElement("li");
    entry.textContent = warning;
    return entry;
  }));
  slot(region, "warnings").hidden = warnings.length === 0;
  slot(region, "apply-error").hidden = true;
  region.hidden = false;
  region.focus();
}

function confirmReplace(draft) {
  const replaced = SECTIONS.filter((section) => draft[section.field]?.length)
    .map((section) => section.heading);
  const names = { sections: listFormat.format(replaced) };
  let sections = "";
  if (replaced.length === 1) {
    sections = t("Your {sections} section is replaced by the draft’s (their files go to the "
      + "trash).", names);
  } else if (replaced.length) {
    sections = t("Your {sections} sections are replaced by the draft’s (their files go to the "
      + "trash).", names);
  }
  const profile = draft.profile ? t("The draft’s profile fields replace yours.") : "";
  const kept = t("Your portfolio as it is now is kept as a version in History, to restore if "
    + "you change your mind.");
  return confirmAction({
    title: t("Replace these sections?"),
    message: [sections, profile, kept].filter(Boolean).join(" "),
    confirmLabel: t("Replace sections"),
  });
}

/** The "Start from a description" box, into `root` (#ai-start), on a new portfolio only. */
export async function mountDraftBox(root, editor) {
  if (!isNew(editor.portfolio)) return;
  const mounted = await mountFragment(root, {
    name: FRAGMENT, templateId: "ai-start-template", what: t("The AI assistant") });
  if (!mounted) return;
  const [box] = mounted;
  const form = slot(box, "describe");
  const working = slot(form, "working");
  const region = slot(box, "draft");
  const applyError = slot(region, "apply-error");
  const done = slot(box, "done");
  // What edits the portfolio (editor.html): the content's forms and the design pane.
  const editing = [document.getElementById("content"), document.getElementById("design-pane")];
  let draft = null;
  languageOptions(form.elements.language);

  handleSubmit(form, async ({ prompt, language }) => {
    working.textContent = t("The assistant is writing your draft. This can take up to a minute.");
    try {
      const answer = await api.post("/ai/draft", { prompt, ...(language && { language }) });
      draft = answer.draft;
      showDraft(region, answer);
    } catch (error) {
      if (error instanceof ApiError) error.message = inWords(error);
      throw error;
    } finally {
      working.textContent = "";
    }
  }, { busyLabel: t("Drafting…") });

  async function apply(mode, button) {
    applyError.hidden = true;
    if (mode === "replace" && !await confirmReplace(draft)) return;
    // The answer replaces what the editor holds: nothing may be typed meanwhile.
    for (const element of editing) element.inert = true;
    let saved;
    try {
      saved = await busy(button, async () => {
        await editor.flush();
        if (editor.hasUnsavedChanges) return null;
        return api.post(`/portfolios/${editor.portfolioId}/ai/apply`,
                        { draft, mode, version: editor.portfolio.version });
      });
    } catch (error) {
      if (error.kind === "signed-out") return;
      if (error.status !== 409) {
        tell(applyError, inWords(error));
        return;
      }
      await editor.reload().catch(showError);
      tell(applyError, t("This portfolio was changed in another tab or device meanwhile. The "
                         + "editor now shows that newer version: choose again to apply the "
                         + "draft to it."));
      return;
    } finally {
      for (const element of editing) element.inert = false;
    }
    if (!saved) {
      tell(applyError, UNSAVED);
      return;
    }
    editor.replace(saved);
    form.hidden = true;
    region.hidden = true;
    const contents = { contents: contentsInWords(draft) };
    slot(done, "done-text").textContent = mode === "merge"
      ? t("Added to your portfolio: {contents}.", contents)
      : t("Replaced in your portfolio: {contents}.", contents);
    slot(done, "done-hint").textContent = `${t("Check each item below: the assistant can get "
      + "details wrong.")} ${mode === "merge" ? t("To take an item out, delete it.")
      : t("History keeps your portfolio as it was before.")}`;
    done.hidden = false;
    done.focus();
  }

  for (const mode of ["merge", "replace"]) {
    const button = region.querySelector(`[data-action="${mode}"]`);
    button.addEventListener("click", () => apply(mode, button));
  }
  region.querySelector('[data-action="discard"]').addEventListener("click", () => {
    draft = null;
    region.hidden = true;
    form.elements.prompt.focus();
    announce(t("Draft discarded."));
  });
  done.querySelector('[data-action="close"]').addEventListener("click", () => {
    root.replaceChildren();
    (document.getElementById("portfolio-title") || document.getElementById("main")).focus();
  });
}

// --- Improve ------------------------------------------------------------------------------------

/**
 * `fieldTools(spec)` for the content pane (editor-content.js): the Improve button and its
 * messages under a field marked `improve`, else null. `spec`: {field, target (null for the
 * profile, else {section, itemId}), read(), insert(text), focus()}.
 */
export function improveTools(session) {
  const improver = loadFragment(FRAGMENT).then(() => createImprover(session), (error) => {
    console.error(error); // the fields stay, without the assistant
    return null;
  });
  return (spec) => {
    if (!spec.field.improve) return null;
    const placeholder = document.createElement("div");
    improver.then((shared) => shared && placeholder.replaceWith(shared.tools(spec)));
    return placeholder;
  };
}

/** The one menu and one dialog all Improve buttons share. */
function createImprover(session) {
  const menu = cloneTemplate("ai-improve-menu-template");
  const dialog = cloneTemplate("ai-suggest-template");
  document.body.append(menu, dialog);
  const menuItems = [...menu.querySelectorAll('[role="menuitem"]')];
  const title = dialog.querySelector("h2");
  const translate = slot(dialog, "translate");
  const working = slot(dialog, "working");
  const error = slot(dialog, "error");
  const retry = error.querySelector('[data-action="retry"]');
  const list = slot(dialog, "suggestions");
  languageOptions(translate.elements.target_language);
  let current = null; // the field being improved: its spec and Improve button
  let lastCall = null;
  let controller = null;
  let returnFocus = null;

  // Field labels go into the messages as they are: lowercasing them would break German nouns.
  const improveTitle = ({ field, target }) => {
    if (!target) return t("Improve the “{field}” field of your profile", { field: field.label });
    const item = (session.portfolio[target.section.field] || [])
      .find((entry) => entry.id === target.itemId) || {};
    return t("Improve the “{field}” field of “{item}”", { field: field.label,
                                                            item: itemName(target.section, item) });
  };

  // The menu: under its button (above when there is no room), arrow keys between the items.
  const place = () => {
    const box = current.button.getBoundingClientRect();
    const below = box.bottom + 4 + menu.offsetHeight <= innerHeight;
    menu.style.top = `${below ? box.bottom + 4 : Math.max(8, box.top - 4 - menu.offsetHeight)}px`;
    menu.style.left = `${Math.max(8, Math.min(box.left, innerWidth - menu.offsetWidth - 8))}px`;
  };
  function openMenu(field) {
    current = field;
    menu.setAttribute("aria-label", improveTitle(field));
    // `source`: clicking the button again closes the menu rather than opening it anew.
    menu.showPopover({ source: field.button });
    field.button.setAttribute("aria-expanded", "true");
    place();
    menuItems[0].focus();
  }
  menu.addEventListener("toggle", (event) => {
    if (event.newState === "open") return;
    current.button.setAttribute("aria-expanded", "false");
    // Closed by Escape or a click elsewhere: the keyboard goes back to the button.
    const focused = document.activeElement;
    if (menu.contains(focused) || focused === document.body) current.button.focus();
  });
  const keepPlaced = () => menu.matches(":popover-open") && place();
  addEventListener("scroll", keepPlaced, { capture: true, passive: true });
  addEventListener("resize", keepPlaced);
  menu.addEventListener("keydown", (event) => {
    const index = menuItems.indexOf(document.activeElement);
    const last = menuItems.length - 1;
    const moves = { ArrowDown: index >= last ? 0 : index + 1,
                    ArrowUp: index <= 0 ? last : index - 1, Home: 0, End: last };
    if (event.key in moves) {
      event.preventDefault();
      menuItems[moves[event.key]].focus();
    } else if (event.key === "Tab") {
      event.preventDefault();
      menu.hidePopover();
      current.button.focus();
    }
  });
  menu.addEventListener("click", (event) => {
    const item = event.target.closest("[data-instruction]");
    if (!item) return;
    menu.hidePopover();
    openDialog(item.dataset.instruction);
  });

  // The dialog: what is asked, then the suggestions (or what went wrong).
  function openDialog(instruction) {
    title.textContent = improveTitle(current);
    slot(dialog, "task").textContent = TASKS[instruction];
    slot(dialog, "current").textContent = current.read();
    list.replaceChildren();
    error.hidden = true;
    working.textContent = "";
    translate.hidden = instruction !== "translate";
    returnFocus = current.button;
    dialog.showModal();
    if (instruction === "translate") {
      translate.elements.target_language.focus();
      return;
    }
    title.focus();
    suggest({ instruction });
  }

  async function suggest(call) {
    lastCall = call;
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    const { field, target } = current;
    list.replaceChildren();
    error.hidden = true;
    working.textContent = t("Saving your latest changes first…");
    try {
      await session.flush();
      if (signal.aborted) return;
      if (session.hasUnsavedChanges) {
        failed(UNSAVED, true);
        return;
      }
      working.textContent = t("The assistant is writing suggestions. This can take up to half a "
        + "minute.");
      const { suggestions } = await api.post(`/portfolios/${session.portfolio.id}/ai/suggest`, {
        section: target ? target.section.api : "profile", field: field.name, ...call,
        ...(target && { item_id: target.itemId }),
      }, { signal });
      showSuggestions(suggestions);
    } catch (failure) {
      if (failure.name === "AbortError" || failure.kind === "signed-out") return;
      failed(inWords(failure), !FINAL_STATUSES.has(failure.status));
    }
  }

  function failed(message, canRetry) {
    working.textContent = "";
    slot(error, "error-text").textContent = message;
    retry.hidden = !canRetry;
    error.hidden = false;
    if (canRetry) retry.focus();
  }

  function showSuggestions(suggestions) {
    working.textContent = `${formatPlural(suggestions.length, t("suggestion"), t("suggestions"))}.`;
    list.replaceChildren(...suggestions.map((text, index) => {
      const row = cloneTemplate("ai-suggestion");
      const shown = slot(row, "text");
      shown.id = `ai-suggestion-${index + 1}`;
      shown.textContent = text;
      slot(row, "for").textContent = ` ${t("suggestion {number}", { number: index + 1 })}`;
      const insert = row.querySelector('[data-action="insert"]');
      insert.setAttribute("aria-describedby", shown.id);
      insert.addEventListener("click", () => {
        const field = current;
        returnFocus = null;
        dialog.close();
        field.insert(text);
        field.focus();
        announce(t("Suggestion inserted. Undo brings your text back."));
      });
      return row;
    }));
    list.querySelector("button").focus();
  }

  translate.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter || translate.querySelector("button"), () => suggest({
      instruction: "translate", target_language: translate.elements.target_language.value }));
  });
  retry.addEventListener("click", () => suggest(lastCall));
  dialog.querySelector('[data-action="dismiss"]').addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    controller?.abort();
    returnFocus?.focus();
  });

  return {
    tools(spec) {
      const element = cloneTemplate("ai-improve-tools");
      const button = element.querySelector("button");
      const message = slot(element, "message");
      slot(element, "for").textContent =
        ` ${t("the “{field}” field", { field: spec.field.label })}`;
      button.addEventListener("click", () => {
        message.hidden = true;
        if (menu.matches(":popover-open")) {
          menu.hidePopover();
          if (current.button === button) return;
        }
        if (!spec.read()) {
          tell(message, t("There is no text to improve yet: write a few words first."));
          return;
        }
        openMenu({ ...spec, button });
      });
      return element;
    },
  };
}
