/**
 * /app/portfolios/<id>/stats: a portfolio's audience. For now it names the portfolio and its
 * views over 30 days; the charts are built on this page's `#stats[data-portfolio-id]`.
 */
import { api } from "./api.js";
import { showError } from "./dom.js";
import { formatCount } from "./format.js";

const stats = document.getElementById("stats");
const status = document.getElementById("stats-status");
const id = stats.dataset.portfolioId;

try {
  const [portfolio, audience] = await Promise.all([
    api.get(`/portfolios/${id}`), api.get(`/portfolios/${id}/stats?days=30`)]);
  document.getElementById("stats-title").textContent = `Statistics of ${portfolio.title}`;
  document.title = `Statistics of ${portfolio.title} · Vitrine`;
  status.textContent = `${formatCount(audience.total_views)} views in the last 30 days.`;
} catch (error) {
  status.textContent = "The statistics could not be loaded.";
  showError(error);
}
