/**
 * /app/portfolios/<id>: the editor. For now it names the portfolio and links back; the editor
 * itself (content, live preview and design panes, autosave) is built on this page's
 * `#editor[data-portfolio-id]`.
 */
import { api } from "./api.js";
import { showError } from "./dom.js";

const editor = document.getElementById("editor");
const status = document.getElementById("editor-status");

try {
  const portfolio = await api.get(`/portfolios/${editor.dataset.portfolioId}`);
  document.getElementById("editor-title").textContent = portfolio.title;
  document.title = `${portfolio.title} · Vitrine`;
  status.textContent = "The editor is on its way. Meanwhile, your portfolio is saved as it is.";
} catch (error) {
  status.textContent = "The portfolio could not be loaded.";
  showError(error);
}
