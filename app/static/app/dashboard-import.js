/**
 * The dashboard's "Import a CV" dialog (app/templates/app/dashboard.html's #import-dialog): a
 * JSON Resume file or a LinkedIn data-export ZIP, chosen or dropped, is sent as the multipart
 * `file` to POST /portfolios/import (api.js's upload: CSRF, session refresh, offline), with the
 * upload's progress; the answer's `import` ({source, sections: {name: count}, warnings}) is told
 * in words, with a link to the new portfolio in the editor. Refusals (413, 415, 422 with the
 * fields at fault) are shown in the dialog.
 *
 *   mountImport({ dialog, opener, onImported: (portfolio) => ... })
 */
import { ApiError, upload } from "./api.js";
import { slot } from "./dom.js";
import { SECTIONS } from "./editor-fields.js";
import { formatPlural } from "./format.js";
import { t } from "./i18n.js";

const SOURCES = {
  json_resume: t("a JSON Resume file"), linkedin: t("your LinkedIn data export"),
};

/** The section the API names `name` (as the document or its URLs do: "links" or
 * "profile-links"), or undefined. */
const sectionNamed = (name) => SECTIONS.find((entry) => entry.field === name || entry.api === name);

/** ["3 experiences", "2 languages"]: the counts above zero in words, in the editor's order. */
function countsInWords(sections) {
  const order = (name) => {
    const index = SECTIONS.indexOf(sectionNamed(name));
    return index < 0 ? SECTIONS.length : index;
  };
  return Object.entries(sections).filter(([, count]) => count > 0)
    .sort(([one], [other]) => order(one) - order(other))
    .map(([name, count]) => {
      const section = sectionNamed(name);
      return section ? formatPlural(count, t(section.noun), t(`${section.noun}s`))
        : `${name.replaceAll(/[_-]/g, " ")}: ${formatPlural(count, t("item"), t("items"))}`;
    });
}

/** "work[0].startDate: Not a valid date." for each message of a 422's nested `errors`. */
function problemLines(errors, path = "") {
  if (typeof errors === "string") {
    return [path ? t("{where}: {problem}", { where: path, problem: errors }) : errors];
  }
  if (Array.isArray(errors)) return errors.flatMap((entry) => problemLines(entry, path));
  if (!errors || typeof errors !== "object") return [];
  const place = (key) => {
    if (key === "_schema") return path;  // the document (or the part) as a whole
    if (/^\d+$/.test(key)) return `${path}[${key}]`;
    return path ? `${path}.${key}` : key;
  };
  return Object.entries(errors).flatMap(([key, value]) => problemLines(value, place(key)));
}

const listItems = (lines) => lines.map((line) => {
  const item = document.createElement("li");
  item.textContent = line;
  return item;
});

export function mountImport({ dialog, opener, onImported }) {
  const input = dialog.querySelector("input[type=file]");
  const drop = slot(dialog, "drop");
  const progress = slot(dialog, "progress");
  const error = slot(dialog, "error");
  const summary = slot(dialog, "summary");
  let sending = false;

  /** One of: choosing a file, sending it, what was imported; a refusal shows beside the first. */
  const show = (step) => {
    drop.classList.remove("is-dragging");
    drop.hidden = step !== "choose";
    progress.hidden = step !== "send";
    summary.hidden = step !== "done";
    if (step !== "choose") error.hidden = true;
  };

  const refused = (message, fieldErrors = {}) => {
    show("choose");
    slot(error, "error-message").textContent = message;
    // The message often names the one field at fault already: no list saying it again.
    const lines = problemLines(fieldErrors);
    const told = lines.every((line) => message.includes(line));
    slot(error, "error-list").replaceChildren(...listItems(told ? [] : lines));
    error.hidden = false;
  };

  const imported = (portfolio) => {
    const { source, sections = {}, warnings = [] } = portfolio.import || {};
    slot(summary, "summary-title").textContent =
      t("“{title}” is ready", { title: portfolio.title });
    const counts = countsInWords(sections);
    const from = SOURCES[source] || t("your file");
    slot(summary, "summary-source").textContent = counts.length
      ? t("Imported from {source}, as a draft only you can see:", { source: from })
      : t("Nothing to import was found in {source}, apart from your profile.", { source: from });
    slot(summary, "counts").replaceChildren(...listItems(counts));
    slot(summary, "warnings").replaceChildren(...listItems(warnings));
    slot(summary, "warnings-block").hidden = warnings.length === 0;
    slot(summary, "open").href = `/app/portfolios/${portfolio.id}`;
    show("done");
    slot(summary, "summary-title").focus();
  };

  async function send(file) {
    if (sending) return;
    sending = true;
    slot(progress, "progress-text").textContent = t("Sending “{name}”…", { name: file.name });
    const bar = slot(progress, "progress-bar");
    bar.value = 0;
    show("send");
    const form = new FormData();
    form.append("file", file);
    try {
      const portfolio = await upload("/portfolios/import", form, { onProgress: (fraction) => {
        bar.value = fraction;
        if (fraction === 1) {
          slot(progress, "progress-text").textContent = t("Reading “{name}”…", { name: file.name });
        }
      } });
      imported(portfolio);
      onImported(portfolio);
    } catch (problem) {
      // A session that ended is on its way to sign in; anything but an ApiError is a bug.
      if (problem?.kind === "signed-out") return;
      if (!(problem instanceof ApiError)) console.error(problem);
      // A document the schema refuses: the API's message lists the fields in English; the
      // dialog lists them itself, each problem in the app's words where it has them.
      const schemaRefusal = problem instanceof ApiError && problem.status === 422
        && Object.keys(problem.fieldErrors).length > 0;
      if (schemaRefusal) refused(t("This is not a JSON Resume document:"), problem.fieldErrors);
      else if (problem instanceof ApiError) refused(problem.message, problem.fieldErrors);
      else refused(t("Something went wrong on this page. Reload it and try again."));
      input.focus();
    } finally {
      sending = false;
      input.value = "";
    }
  }

  input.addEventListener("change", () => input.files[0] && send(input.files[0]));
  // The whole dialog takes a dropped file: a drop just beside the zone is not lost.
  dialog.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    drop.classList.add("is-dragging");
  });
  dialog.addEventListener("dragleave", (event) => {
    if (!dialog.contains(event.relatedTarget)) drop.classList.remove("is-dragging");
  });
  dialog.addEventListener("drop", (event) => {
    const files = event.dataTransfer?.files;
    if (!files?.length) return;
    event.preventDefault();
    if (sending) return;  // one import at a time
    if (files.length > 1) {
      refused(t("Drop one file at a time."));
      return;
    }
    // On the summary too: a file dropped there is the next import.
    send(files[0]);
  });

  opener.addEventListener("click", () => {
    if (!sending) show("choose");
    error.hidden = true;
    dialog.showModal();
  });
  dialog.querySelector("[data-action=close]").addEventListener("click", () => dialog.close());
  dialog.querySelector("[data-action=import-another]").addEventListener("click", () => {
    show("choose");
    input.focus();
  });
}
