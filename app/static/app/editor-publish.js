/**
 * The editor's publish panel, in the top bar: "Publish" (or "Unpublish") and "Share", which
 * opens a sheet with the page's link (copy, view, statistics), its downloads (the PDF, the
 * owner's view; Word and JSON Resume for the audience chosen), its address with an
 * availability check as it is typed, password protection, and the recruiter links (create: the
 * URL is shown once; list with views and last opened; revoke).
 *
 *   mountPublish(root, editor)   // editor.js, into #publish-panel
 *
 * Publishing, the address and the password are saved at once through `editor.saveNow(...)`
 * (not undoable edits: each is a deliberate act); recruiter links have their own API.
 */
import { ApiError, api, download, inAppLanguage } from "./api.js";
import {
  announce, busy, cloneTemplate, confirmAction, handleSubmit, showError, slot,
} from "./dom.js";
import { formatDate, formatPlural, formatRelative } from "./format.js";
import { copyFrom, mountFragment, sheet, whenChanged } from "./panels.js";
import { t } from "./i18n.js";

const SLUG_CHECK_DELAY_MS = 300;
const UNVERIFIED = t("Confirm your email address first: open the link we mailed you (your "
                     + "account page can send a new one). Then you can create recruiter links.");
const LINK_STATUS = { active: t("Active"), expired: t("Expired"), revoked: t("Revoked") };

const pageAddress = (portfolio) => `${location.origin}/p/${portfolio.slug}`;

export async function mountPublish(root, editor) {
  const mounted = await mountFragment(root, {
    name: "editor-publish", templateId: "publish-panel-template", what: t("Publishing") });
  if (!mounted) return;
  const [panel] = mounted;
  const links = recruiterLinks(panel.querySelector("dialog"), editor);
  const share = sheet(panel, () => links.refresh());

  exports(share, editor);
  const parts = [publishButton(panel, editor), pageLink(share, editor),
                 addressForm(share, editor), passwordForm(share, editor)];
  const render = (portfolio) => parts.forEach((draw) => draw(portfolio));
  editor.onChange(render);
  render(editor.portfolio);
}

function publishButton(panel, editor) {
  const button = panel.querySelector('[data-action="publish"]');
  const draw = (portfolio) => {
    button.textContent = portfolio.is_private ? t("Publish") : t("Unpublish");
    button.classList.toggle("button-primary", portfolio.is_private);
  };
  button.addEventListener("click", async () => {
    const publishing = editor.portfolio.is_private;
    button.disabled = true;
    try {
      const saved = await editor.saveNow({ is_private: !publishing });
      announce(publishing
        ? t("Published: your page is online at {address}.", { address: pageAddress(saved) })
        : t("Unpublished: only you can see the page now."));
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
      draw(editor.portfolio);
    }
  });
  return draw;
}

function pageLink(sheet, editor) {
  const url = slot(sheet, "url");
  const viewPage = slot(sheet, "view-page");
  slot(sheet, "stats-link").href = `/app/portfolios/${editor.portfolioId}/stats`;
  sheet.querySelector('[data-action="copy-url"]').addEventListener("click", () => copyFrom(url));
  return (portfolio) => {
    url.value = pageAddress(portfolio);
    viewPage.href = `/p/${portfolio.slug}`;
    viewPage.hidden = portfolio.is_private;
    slot(sheet, "state").textContent = portfolio.is_private
      ? t("Draft: only you can see it. “Publish” puts it online at this link.")
      : portfolio.has_password
        ? t("Published, with a password: visitors need it to read the page.")
        : t("Published: anyone with the link can read it.");
  };
}

/** The downloads: the API's export files, fetched with the session (api.js's download) and
 * named as the server names them. */
function exports(sheet, editor) {
  const exportPath = (format) => `/portfolios/${editor.portfolioId}/export.${format}`;
  const fetchFile = (button, path) => {
    busy(button, () => download(path), t("Preparing…")).catch(showError);
  };
  const pdfButton = sheet.querySelector('[data-action="download-pdf"]');
  pdfButton.addEventListener("click", () => fetchFile(pdfButton, exportPath("pdf")));
  for (const button of sheet.querySelectorAll('[data-action="download-export"]')) {
    button.addEventListener("click", () => {
      const audience = sheet.querySelector('[name="export-audience"]:checked').value;
      fetchFile(button, `${exportPath(button.dataset.format)}?${new URLSearchParams({ audience })}`);
    });
  }
}

function addressForm(sheet, editor) {
  const form = sheet.querySelector('[data-form="address"]');
  const input = form.elements.slug;
  const check = slot(form, "slug-check");
  slot(form, "slug-prefix").textContent = `${location.host}/p/`;
  let timer = null;
  let inFlight = null;
  const say = (text, tone = "") => {
    check.textContent = text;
    check.dataset.tone = tone;
  };

  const checkAvailability = async (slug) => {
    inFlight = new AbortController();
    const query = new URLSearchParams({ slug, portfolio_id: editor.portfolioId });
    try {
      const answer = await api.get(`/portfolios/slug-availability?${query}`,
                                   { signal: inFlight.signal });
      say(inAppLanguage(answer.message), answer.available ? "available" : "unavailable");
    } catch (error) {
      if (error.name === "AbortError") return;
      // 422: not an address at all; the API says what one looks like.
      say(error.fieldErrors?.slug?.join(" ") || error.message,
          error.status === 422 ? "unavailable" : "");
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    inFlight?.abort();
    const slug = input.value.trim();
    if (!slug || slug === editor.portfolio.slug) {
      say(slug ? t("This is the current address.") : "");
      return;
    }
    say(t("Checking…"));
    timer = setTimeout(() => checkAvailability(slug), SLUG_CHECK_DELAY_MS);
  });

  handleSubmit(form, async ({ slug }) => {
    clearTimeout(timer);
    inFlight?.abort();
    const saved = await editor.saveNow({ slug: slug.trim() });
    announce(t("Your page’s address is now {address}.", { address: pageAddress(saved) }));
  }, { busyLabel: t("Saving…") });

  return whenChanged((portfolio) => portfolio.slug, (portfolio) => {
    input.value = portfolio.slug;
    say(t("This is the current address."));
  });
}

function passwordForm(sheet, editor) {
  const form = sheet.querySelector('[data-form="password"]');
  const protect = slot(form, "protect");
  const fields = slot(form, "password-fields");
  const draw = (portfolio) => {
    const protectedPage = portfolio.has_password;
    protect.checked = protectedPage;
    fields.hidden = !protectedPage;
    slot(form, "password-state").textContent = protectedPage
      ? t("Visitors need the password to read your page; recruiter links open it without.")
      : t("Anyone with the link can read your page.");
    slot(form, "password-label").textContent = protectedPage ? t("New password") : t("Password");
    slot(form, "password-submit").textContent =
      protectedPage ? t("Change password") : t("Save password");
  };

  protect.addEventListener("change", async () => {
    if (protect.checked) {
      fields.hidden = false;
      form.elements.password.focus();
      return;
    }
    if (!editor.portfolio.has_password) {
      fields.hidden = true;
      return;
    }
    const confirmed = await confirmAction({
      title: t("Remove the password?"),
      message: t("Anyone with the link will be able to read your page."),
      confirmLabel: t("Remove password"),
    });
    if (!confirmed) {
      protect.checked = true;
      return;
    }
    try {
      await editor.saveNow({ password: null });
      announce(t("Password removed."));
    } catch (error) {
      showError(error, form);
    }
    draw(editor.portfolio);
  });

  handleSubmit(form, async ({ password }) => {
    await editor.saveNow({ password });
    form.elements.password.value = "";
    announce(t("Password saved: visitors now need it to read your page."));
  }, { busyLabel: t("Saving…") });

  return whenChanged((portfolio) => portfolio.has_password, draw);
}

function recruiterLinks(sheet, editor) {
  const path = `/portfolios/${editor.portfolioId}/recruiter-links`;
  const form = sheet.querySelector('[data-form="new-link"]');
  const list = slot(sheet, "links");
  const created = slot(sheet, "created");
  const createdUrl = slot(sheet, "created-url");

  const linkRow = (link) => {
    const row = cloneTemplate("publish-link-row");
    slot(row, "label").textContent = link.label;
    const status = slot(row, "status");
    status.textContent = LINK_STATUS[link.status];
    status.classList.add(`badge-link-${link.status}`);
    slot(row, "expiry").textContent = link.status === "revoked"
      ? t("Revoked on {date}", { date: formatDate(link.revoked_at) })
      : (link.status === "expired" ? t("Expired on {date}", { date: formatDate(link.expires_at) })
        : t("Expires on {date}", { date: formatDate(link.expires_at) }));
    const used = link.views || link.downloads;
    slot(row, "use").textContent = used
      ? [formatPlural(link.views, t("view"), t("views")),
         link.downloads ? formatPlural(link.downloads, t("download"), t("downloads")) : "",
         t("last opened {when}", { when: formatRelative(link.last_view_at) })]
        .filter(Boolean).join(" · ")
      : t("Not opened yet");
    const revoke = row.querySelector('[data-action="revoke"]');
    slot(row, "for").textContent = ` ${t("“{title}”", { title: link.label })}`;
    revoke.hidden = link.status !== "active";
    revoke.addEventListener("click", () => revokeLink(link, revoke));
    return row;
  };

  async function refresh() {
    try {
      const { data } = await api.get(`${path}?limit=100`);
      list.replaceChildren(...data.map(linkRow));
      slot(sheet, "links-empty").hidden = data.length > 0;
    } catch (error) {
      showError(error);
    }
  }

  async function revokeLink(link, button) {
    const confirmed = await confirmAction({
      title: t("Revoke “{label}”?", { label: link.label }),
      message: t("The link stops working at once: whoever opens it is told it is no longer "
                 + "available. This cannot be undone."),
      confirmLabel: t("Revoke link"),
    });
    if (!confirmed) return;
    try {
      await busy(button, () => api.delete(`${path}/${link.id}`));
      announce(t("“{label}” revoked.", { label: link.label }));
      await refresh();
    } catch (error) {
      showError(error);
    }
  }

  handleSubmit(form, async ({ label, expires_in_days: days }) => {
    const link = await api.post(path, { label: label.trim(), expires_in_days: Number(days) })
      .catch((error) => {
        // A 403 here is the one rule of an unverified address; the API's words name the
        // address, in English, so the app says it in its own.
        throw error.status === 403 ? new ApiError(UNVERIFIED, { status: 403 }) : error;
      });
    form.reset();
    slot(created, "created-label").textContent = link.label;
    createdUrl.value = link.url;
    created.hidden = false;
    createdUrl.focus();
    createdUrl.select();
    await refresh();
  }, { busyLabel: t("Creating…") });

  created.querySelector('[data-action="copy-created"]').addEventListener(
    "click", () => copyFrom(createdUrl));
  created.querySelector('[data-action="dismiss-created"]').addEventListener("click", () => {
    created.hidden = true;
    createdUrl.value = "";
    form.elements.label.focus();
  });
  // The URL exists only in this page: closing the sheet forgets it, as it said it would.
  sheet.addEventListener("close", () => {
    created.hidden = true;
    createdUrl.value = "";
  });
  return { refresh };
}
