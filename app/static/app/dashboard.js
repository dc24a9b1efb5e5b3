/**
 * /app: a card per portfolio (app/templates/app/dashboard.html's #portfolio-card template) with
 * its state, last edit and 30-day views; Edit, View page, Duplicate, Delete; "New portfolio";
 * "Import a CV" (dashboard-import.js).
 */
import { api } from "./api.js";
import {
  announce, busy, clearErrors, cloneTemplate, confirmAction, handleSubmit, showError, slot,
} from "./dom.js";
import { mountImport } from "./dashboard-import.js";
import { formatCount, formatDateTime, formatPlural, formatRelative } from "./format.js";
import { t } from "./i18n.js";

const list = document.getElementById("portfolio-list");
const status = document.getElementById("portfolios-status");
const emptyState = document.getElementById("empty-state");
const dialog = document.getElementById("new-portfolio-dialog");
const form = document.getElementById("new-portfolio-form");
const portfolios = new Map();

const editorUrl = (portfolio) => `/app/portfolios/${portfolio.id}`;

/** The words for a portfolio's state: visitors see nothing of a draft. */
function stateOf(portfolio) {
  return portfolio.is_private ? t("Draft") : t("Published");
}

async function showViews(portfolio, target) {
  try {
    const stats = await api.get(`/portfolios/${portfolio.id}/stats?days=30`);
    target.textContent = formatCount(stats.total_views);
  } catch (error) {
    target.textContent = "—";
    if (error.offline) showError(error);
  }
}

function card(portfolio) {
  const item = cloneTemplate("portfolio-card");
  item.dataset.id = portfolio.id;
  const titleLink = slot(item, "title-link");
  titleLink.textContent = portfolio.title;
  titleLink.href = editorUrl(portfolio);
  const state = slot(item, "state");
  state.textContent = stateOf(portfolio);
  state.classList.add(portfolio.is_private ? "badge-draft" : "badge-published");
  slot(item, "password").hidden = !portfolio.has_password;
  const updated = slot(item, "updated");
  updated.textContent = formatRelative(portfolio.updated_at);
  updated.title = formatDateTime(portfolio.updated_at);
  slot(item, "edit").href = editorUrl(portfolio);
  const view = slot(item, "view");
  if (portfolio.is_private) view.remove();
  else view.href = `/p/${portfolio.slug}`;
  // Each action's accessible name says which portfolio it acts on ("Delete “CV 2026”").
  for (const name of ["edit-name", "view-name", "duplicate-name", "delete-name"]) {
    const label = slot(item, name);
    if (label) label.textContent = ` ${t("“{title}”", { title: portfolio.title })}`;
  }
  showViews(portfolio, slot(item, "views"));
  return item;
}

function render() {
  list.replaceChildren(...[...portfolios.values()].map(card));
  emptyState.hidden = portfolios.size > 0;
  status.textContent = `${formatPlural(portfolios.size, t("portfolio"), t("portfolios"))}.`;
}

async function load() {
  try {
    const { data } = await api.get("/portfolios?limit=100");
    portfolios.clear();
    for (const portfolio of data) portfolios.set(portfolio.id, portfolio);
    render();
  } catch (error) {
    status.textContent = t("Your portfolios could not be loaded.");
    showError(error);
  }
}

async function duplicate(portfolio, button) {
  const copy = await busy(button, () => api.post(`/portfolios/${portfolio.id}/duplicate`),
                          t("Duplicating…"));
  await load();
  announce(t("“{title}” duplicated as “{copy}”.",
             { title: portfolio.title, copy: copy.title }));
}

async function remove(portfolio, button) {
  const confirmed = await confirmAction({
    title: t("Delete “{title}”?", { title: portfolio.title }),
    message: t("Its page, documents, history, statistics and recruiter links are deleted too. "
      + "This cannot be undone."),
    confirmLabel: t("Delete portfolio"),
  });
  if (!confirmed) return;
  await busy(button, () => api.delete(`/portfolios/${portfolio.id}`), t("Deleting…"));
  portfolios.delete(portfolio.id);
  render();
  announce(t("“{title}” deleted.", { title: portfolio.title }));
  document.getElementById("new-portfolio").focus();
}

const ACTIONS = { duplicate, delete: remove };

list.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const portfolio = portfolios.get(button.closest("[data-id]").dataset.id);
  ACTIONS[button.dataset.action](portfolio, button).catch((error) => showError(error));
});

document.getElementById("new-portfolio").addEventListener("click", () => {
  form.reset();
  clearErrors(form);
  dialog.showModal();
});
dialog.querySelector("[data-action=close]").addEventListener("click", () => dialog.close());

handleSubmit(form, async ({ title, template, language }) => {
  const portfolio = await api.post("/portfolios", { title, template, language });
  location.assign(editorUrl(portfolio));
}, { busyLabel: t("Creating…") });

mountImport({
  dialog: document.getElementById("import-dialog"),
  opener: document.getElementById("import-portfolio"),
  // The dialog tells what was imported; the list shows the new portfolio behind it.
  onImported: () => load(),
});

load();
