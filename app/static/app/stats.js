/**
 * /app/portfolios/<id>/stats: a portfolio's audience over 7, 30 or 90 days (GET …/stats?days=):
 * totals with the trend against the period before, a uPlot chart of views and downloads per day
 * (the same numbers in a table, for screen readers and for reading exact values), countries
 * (named in the browser's language), sources (the public page, each recruiter link by its
 * label) and referrers. With no visit in the period, an empty state says how to get some.
 *
 * The period is in the address (?days=30), so a reload or a shared link shows the same one.
 */
import uPlot from "../vendor/uplot-1.6.32/uPlot.esm.js";
import { api } from "./api.js";
import { cloneTemplate, showError, slot } from "./dom.js";
import { formatCount, formatPlural } from "./format.js";
import { t } from "./i18n.js";

const PERIODS = ["7", "30", "90"];
const DEFAULT_PERIOD = "30";
const CHART_HEIGHT = 260;
const PUBLIC_SOURCE = "public";

const root = document.getElementById("stats");
const status = document.getElementById("stats-status");
const content = document.getElementById("stats-content");
const chartBox = document.getElementById("stats-chart");
const portfolioId = root.dataset.portfolioId;
const locale = document.documentElement.lang;
const countryNames = new Intl.DisplayNames(locale, { type: "region" });
// Days are UTC days: shown as such, never shifted by the browser's time zone.
const dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
const tickFormat = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric",
                                                     timeZone: "UTC" });
const DAY_SECONDS = 86_400;
// The x axis steps by whole days: 1, 2, a week, two weeks, a month.
const DAY_STEPS = [1, 2, 7, 14, 30].map((days) => days * DAY_SECONDS);
let chart = null;
let loading = null;

const dayTime = (day) => Date.parse(`${day}T00:00:00Z`);

function countryName(code) {
  if (!code) return t("Unknown");
  try {
    return countryNames.of(code) || code;
  } catch {
    return code; // not a region code the browser knows
  }
}

const viewsInWords = (count) => formatPlural(count, t("view"), t("views"));
const downloadsInWords = (count) => formatPlural(count, t("download"), t("downloads"));

function trendWords({ change_percent: change }, days) {
  if (change === null || change === undefined) {
    return t("No views in the previous {days} days to compare with.", { days });
  }
  if (change === 0) return t("The same as the previous {days} days.", { days });
  const rounded = formatCount(Math.round(Math.abs(change)));
  return change > 0 ? t("▲ {rounded}% more than the previous {days} days.", { rounded, days })
    : t("▼ {rounded}% fewer than the previous {days} days.", { rounded, days });
}

function breakdownRows(name, entries) {
  if (!entries.length) return [cloneTemplate("stats-breakdown-empty")];
  return entries.map((entry) => {
    const row = cloneTemplate("stats-breakdown-row");
    if (name === "by_country") {
      slot(row, "name").textContent = countryName(entry.country);
    } else if (name === "by_source") {
      // The API names the public page in English ("Public page"); a link by its own label.
      slot(row, "name").textContent = entry.source === PUBLIC_SOURCE ? t("Public page")
        : entry.label;
      const kind = slot(row, "kind");
      kind.textContent = t("recruiter link");
      kind.hidden = entry.source === PUBLIC_SOURCE;
    } else {
      slot(row, "name").textContent = entry.host;
    }
    slot(row, "views").textContent = formatCount(entry.views);
    return row;
  });
}

function dayRows(byDay) {
  return byDay.map((day) => {
    const row = cloneTemplate("stats-day-row");
    slot(row, "date").textContent = dayFormat.format(dayTime(day.date));
    for (const field of ["views", "downloads", "unique_visitors"]) {
      slot(row, field).textContent = formatCount(day[field]);
    }
    return row;
  });
}

/** The app's own colours (app.css custom properties), for the chart's lines and axes. */
function cssColour(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function drawChart(stats) {
  chart?.destroy();
  const days = stats.by_day;
  const axis = { stroke: cssColour("--ink-muted"), grid: { stroke: cssColour("--line") },
                 ticks: { stroke: cssColour("--line") } };
  const options = {
    width: chartBox.clientWidth,
    height: CHART_HEIGHT,
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
    scales: { x: { time: true },
              y: { range: (self, min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
    axes: [{ ...axis, incrs: DAY_STEPS, space: 56,
             values: (self, ticks) => ticks.map((seconds) => tickFormat.format(seconds * 1000)) },
           { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10000],
                   values: (self, ticks) => ticks.map(formatCount) }],
    series: [
      { label: t("Day"),
        value: (self, seconds) => (seconds === null ? "" : dayFormat.format(seconds * 1000)) },
      { label: t("Views"), stroke: cssColour("--brand"), width: 2,
        points: { show: days.length <= 31 } },
      { label: t("Downloads"), stroke: cssColour("--warning-ink"), width: 2, dash: [6, 4],
        points: { show: days.length <= 31 } },
    ],
  };
  const data = [days.map((day) => dayTime(day.date) / 1000), days.map((day) => day.views),
                days.map((day) => day.downloads)];
  chart = new uPlot(options, data, chartBox);
  chartBox.setAttribute("aria-label", t("Chart of page views and downloads per day over the last "
    + "{days} days: {views} and {downloads} in all. The table below has each day's numbers.", {
    days: stats.days, views: viewsInWords(stats.total_views),
    downloads: downloadsInWords(stats.downloads) }));
}

function show(stats, portfolio) {
  for (const field of ["total_views", "downloads", "unique_visitors"]) {
    slot(content, field).textContent = formatCount(stats[field]);
  }
  slot(content, "trend").textContent = trendWords(stats.trend, stats.days);
  const visited = stats.total_views + stats.downloads > 0;
  document.getElementById("stats-empty").hidden = visited;
  document.getElementById("stats-details").hidden = !visited;
  content.hidden = false;
  if (!visited) {
    slot(content, "empty-message").textContent = portfolio.is_private
      ? t("Your page is a draft: only recruiters you sent a link to can open it. Publish it from "
        + "the editor to let anyone with its address read it.")
      : t("Nobody has opened your page in the last {days} days.", { days: stats.days });
    return;
  }
  document.getElementById("stats-days").replaceChildren(...dayRows(stats.by_day));
  for (const table of root.querySelectorAll("[data-breakdown]")) {
    const name = table.dataset.breakdown;
    table.tBodies[0].replaceChildren(...breakdownRows(name, stats[name]));
  }
  drawChart(stats);
}

async function load(days, portfolio) {
  loading?.abort();
  loading = new AbortController();
  status.textContent = t("Loading the statistics…");
  try {
    const stats = await api.get(`/portfolios/${portfolioId}/stats?days=${days}`,
                                { signal: loading.signal });
    show(stats, portfolio);
    status.textContent = t("Last {days} days: {views}, {downloads}.", {
      days, views: viewsInWords(stats.total_views), downloads: downloadsInWords(stats.downloads) });
  } catch (error) {
    if (error.name === "AbortError") return;
    status.textContent = t("The statistics could not be loaded.");
    showError(error);
  }
}

function chosenPeriod() {
  const asked = new URLSearchParams(location.search).get("days");
  return PERIODS.includes(asked) ? asked : DEFAULT_PERIOD;
}

async function start() {
  let portfolio;
  try {
    portfolio = await api.get(`/portfolios/${portfolioId}`);
  } catch (error) {
    status.textContent = t("The statistics could not be loaded.");
    showError(error);
    return;
  }
  const title = t("Statistics of {title}", { title: portfolio.title });
  document.getElementById("stats-title").textContent = title;
  document.title = `${title} · Vitrine`;
  const pageLink = document.getElementById("stats-page-link");
  pageLink.href = `/p/${portfolio.slug}`;
  pageLink.hidden = portfolio.is_private;

  const period = document.getElementById("stats-period");
  for (const choice of period.elements) choice.checked = choice.value === chosenPeriod();
  period.addEventListener("change", (event) => {
    const days = event.target.value;
    const address = new URL(location.href);
    address.searchParams.set("days", days);
    history.replaceState(null, "", address);
    load(days, portfolio);
  });
  new ResizeObserver(() => chart?.setSize({ width: chartBox.clientWidth, height: CHART_HEIGHT }))
    .observe(chartBox);
  await load(chosenPeriod(), portfolio);
}

start();
