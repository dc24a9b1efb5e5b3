/**
 * The editor's history panel, in the top bar: "History" opens a sheet with the saved versions
 * (time and reason; preview one's content, restore it) and the deleted files, the proof trash
 * (restore one, or delete it forever).
 *
 *   mountHistory(root, editor)   // editor.js, into #history-panel
 *
 * A restore is the server's (POST …/versions/<n>/restore with If-Match): the editor adopts the
 * answer with `editor.replace(...)`. A trashed file comes back attached to its item; the editor
 * then reloads the portfolio to show it there.
 */
import { api } from "./api.js";
import { announce, busy, cloneTemplate, confirmAction, showError, slot } from "./dom.js";
import { SECTIONS, itemLine } from "./editor-fields.js";
import { formatDateTime, formatRelative } from "./format.js";
import { mountFragment, sheet } from "./panels.js";
import { t } from "./i18n.js";

const VERSIONS_PAGE = 20;
const TRASH_LIMIT = 100;
// Why a version was kept (services/versions.py); "before …" reasons read as they are.
const REASONS = {
  created: t("Created"), duplicated: t("Created as a copy"), import: t("Imported"),
  restore: t("Restored from an earlier version"), replace: t("Replaced by an AI draft"),
  merge: t("Added from an AI draft"),
  autosave: t("Saved while editing"), item: t("Saved while editing an item"),
};
const TRASH_REASONS = {
  proof_deleted: t("deleted"),
  item_removed: t("its item was removed (restoring a version that holds the item brings it "
                  + "back)"),
};

function reasonWords(reason) {
  if (reason?.startsWith("before ")) return t("Kept {reason}", { reason });
  return REASONS[reason] || reason || "";
}

export async function mountHistory(root, editor) {
  const mounted = await mountFragment(root, {
    name: "editor-history", templateId: "history-panel-template", what: t("The history") });
  if (!mounted) return;
  const [panel] = mounted;
  const dialog = panel.querySelector("dialog");
  const trash = trashList(dialog, editor);
  const versions = versionList(dialog, editor, () => trash.refresh());
  sheet(panel, () => {
    versions.refresh();
    trash.refresh();
  });
}

function versionList(sheet, editor, afterRestore) {
  const path = `/portfolios/${editor.portfolioId}/versions`;
  const list = slot(sheet, "versions");
  const more = sheet.querySelector('[data-action="more-versions"]');
  const preview = versionPreview(sheet, editor, (number, button) => restore(number, button));
  let versions = [];

  async function load(offset) {
    try {
      const { data, pagination } = await api.get(
        `${path}?${new URLSearchParams({ offset, limit: VERSIONS_PAGE })}`);
      versions = offset ? [...versions, ...data] : data;
      list.replaceChildren(...versions.map(versionRow));
      slot(sheet, "versions-empty").hidden = versions.length > 0;
      more.hidden = versions.length >= pagination.total;
    } catch (error) {
      showError(error);
    }
  }

  function versionRow(version) {
    const row = cloneTemplate("history-version-row");
    const current = version.version === editor.portfolio.version;
    slot(row, "when").textContent = formatDateTime(version.saved_at);
    slot(row, "reason").textContent = [reasonWords(version.reason),
                                       t("version {number}", { number: version.version }),
                                       current ? t("the current content") : ""]
      .filter(Boolean).join(" · ");
    for (const target of row.querySelectorAll('[data-field="for"]')) {
      target.textContent = ` ${t("version {number}", { number: version.version })}`;
    }
    const previewButton = row.querySelector('[data-action="preview"]');
    previewButton.addEventListener("click", () => preview.show(version.version, previewButton));
    const restoreButton = row.querySelector('[data-action="restore"]');
    restoreButton.hidden = current;
    restoreButton.addEventListener("click", () => restore(version.version, restoreButton));
    return row;
  }

  async function restore(number, button) {
    const confirmed = await confirmAction({
      title: t("Restore version {number}?", { number }),
      message: t("Its content replaces the current one. The current content is kept as a "
                 + "version first, so you can come back to it."),
      confirmLabel: t("Restore version {number}", { number }),
    });
    if (!confirmed) return;
    try {
      // What was typed just before is saved first: the restore keeps it as a version.
      const restored = await busy(button, async () => {
        await editor.flush();
        return api.post(`${path}/${number}/restore`, undefined,
                        { ifMatch: editor.portfolio.version });
      });
      editor.replace(restored);
      announce(t("Version {number} restored.", { number }));
      preview.hide();
      await load(0);
      afterRestore();
    } catch (error) {
      showError(error);
    }
  }

  more.addEventListener("click", () => busy(more, () => load(versions.length)));
  // A save makes the listed newest version a past one: its Restore button comes back.
  editor.onChange(() => list.replaceChildren(...versions.map(versionRow)));
  return { refresh: () => load(0) };
}

/** One version's content, readably: its main facts and every item, marking the ones the
 * current content no longer has (a restore brings them back). */
function versionPreview(sheet, editor, restore) {
  const region = slot(sheet, "version-preview");
  const restoreButton = sheet.querySelector('[data-action="restore-previewed"]');
  let shownNumber = null;
  let opener = null;

  const fact = (term, value) => {
    const row = document.createElement("div");
    const [dt, dd] = [document.createElement("dt"), document.createElement("dd")];
    dt.textContent = term;
    dd.textContent = value;
    row.append(dt, dd);
    return row;
  };

  function sectionOf(section, items, currentIds) {
    const block = cloneTemplate("history-preview-section");
    slot(block, "heading").textContent = `${section.heading} (${items.length})`;
    slot(block, "items").replaceChildren(...items.map((item) => {
      const entry = document.createElement("li");
      entry.textContent = itemLine(section, item);
      if (!currentIds.has(item.id)) {
        const badge = document.createElement("span");
        badge.className = "badge badge-password";
        badge.textContent = t("deleted since");
        entry.append(" ", badge);
      }
      return entry;
    }));
    return block;
  }

  async function show(number, from) {
    let version;
    try {
      version = await busy(from, () => api.get(
        `/portfolios/${editor.portfolioId}/versions/${number}`));
    } catch (error) {
      showError(error);
      return;
    }
    const { content } = version;
    const current = editor.portfolio;
    shownNumber = number;
    opener = from;
    slot(region, "preview-title").textContent = t("Version {number}", { number });
    slot(region, "preview-meta").textContent =
      `${formatDateTime(version.saved_at)} (${formatRelative(version.saved_at)}) · `
      + reasonWords(version.reason);
    const template = content.template
      && content.template[0].toUpperCase() + content.template.slice(1);
    const facts = [[t("Portfolio name"), content.title], [t("Template"), template],
                   [t("Headline"), content.profile?.headline]].filter(([, value]) => value);
    slot(region, "preview-facts").replaceChildren(...facts.map(([term, value]) => fact(term, value)));
    slot(region, "preview-sections").replaceChildren(...SECTIONS
      .filter((section) => content[section.field]?.length)
      .map((section) => sectionOf(section, content[section.field],
                                  new Set((current[section.field] || []).map((item) => item.id)))));
    restoreButton.textContent = t("Restore version {number}", { number });
    restoreButton.hidden = number === current.version;
    region.hidden = false;
    region.focus();
  }

  function hide() {
    region.hidden = true;
    shownNumber = null;
  }

  restoreButton.addEventListener("click", () => restore(shownNumber, restoreButton));
  sheet.querySelector('[data-action="close-preview"]').addEventListener("click", () => {
    hide();
    opener?.focus();
  });
  return { show, hide };
}

function trashList(sheet, editor) {
  const path = `/portfolios/${editor.portfolioId}/proofs/trash`;
  const list = slot(sheet, "trash");
  slot(sheet, "trash-note").textContent = t("Deleted files wait here for a while before they "
    + "are removed for good, and still count in your storage until then.");

  async function refresh() {
    try {
      const { data } = await api.get(`${path}?limit=${TRASH_LIMIT}`);
      // The API lists the oldest first; the newest deletion is what one looks for.
      list.replaceChildren(...data.reverse().map(trashRow));
      slot(sheet, "trash-empty").hidden = data.length > 0;
    } catch (error) {
      showError(error);
    }
  }

  function trashRow(proof) {
    const row = cloneTemplate("history-trash-row");
    const name = proof.title || proof.filename || t("Untitled file");
    slot(row, "name").textContent = name;
    slot(row, "details").textContent = t("Deleted {when}: {why}", {
      when: formatRelative(proof.trashed_at),
      why: TRASH_REASONS[proof.trash_reason] || t("deleted") });
    for (const target of row.querySelectorAll('[data-field="for"]')) {
      target.textContent = ` ${t("“{title}”", { title: name })}`;
    }
    const error = slot(row, "error");
    const restoreButton = row.querySelector('[data-action="restore"]');
    restoreButton.addEventListener("click", async () => {
      try {
        await busy(restoreButton, () => api.post(`${path}/${proof.id}/restore`));
      } catch (failure) {
        if (failure.status !== 422) {
          showError(failure);
          return;
        }
        // Its item no longer exists: the message says to restore a version that holds it.
        error.textContent = failure.message;
        error.hidden = false;
        return;
      }
      announce(t("“{name}” restored.", { name }));
      await editor.flush();  // the reload adopts the server's state: nothing typed is lost
      await Promise.all([refresh(), editor.reload().catch(showError)]);
    });
    const purgeButton = row.querySelector('[data-action="purge"]');
    purgeButton.addEventListener("click", async () => {
      const confirmed = await confirmAction({
        title: t("Delete “{name}” forever?", { name }),
        message: t("The file is removed for good: no version can bring it back."),
        confirmLabel: t("Delete forever"),
      });
      if (!confirmed) return;
      try {
        await busy(purgeButton, () => api.delete(`${path}/${proof.id}`));
        announce(t("“{name}” deleted forever.", { name }));
        await refresh();
      } catch (failure) {
        showError(failure);
      }
    });
    return row;
  }

  return { refresh };
}
