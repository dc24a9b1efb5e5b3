/**
 * The live preview: an iframe of /app/portfolios/<id>/preview?audience=… (the real published
 * template, app/web/app_pages.py), with the "Seen by" switch: Public, Recruiter, Owner.
 *
 * `refresh()` reloads it a moment later (several saves in a row make one reload), keeping the
 * reader's scroll position, and with `location.replace` so that reloads add nothing to the
 * browser's history (Back leaves the editor, it does not step through previews). The preview is
 * a page, not an API call: if it answers 401 (the access cookie expired while the editor sat
 * idle), one API call renews the session (api.js) and the preview is loaded again.
 */
import { api } from "./api.js";
import { showError } from "./dom.js";
import { t } from "./i18n.js";

const REFRESH_DELAY_MS = 250;

export function mountPreview({ frame, switcher, portfolioId }) {
  let audience = switcher.querySelector("input:checked").value;
  let scrollTop = 0;
  let renewedSession = false;
  let timer = null;
  const url = () => `/app/portfolios/${portfolioId}/preview?audience=${audience}`;

  const load = ({ keepScroll = true } = {}) => {
    clearTimeout(timer);
    if (!frame.getAttribute("src")) {
      frame.src = url();
      return;
    }
    scrollTop = keepScroll ? frame.contentWindow.scrollY : 0;
    frame.contentWindow.location.replace(url());
  };

  frame.addEventListener("load", async () => {
    const page = frame.contentWindow;
    const [navigation] = page.performance.getEntriesByType("navigation");
    if (navigation?.responseStatus === 401 && !renewedSession) {
      renewedSession = true;
      try {
        await api.get("/auth/me");
        load();
      } catch (error) {
        showError(error);
      }
      return;
    }
    renewedSession = false;
    page.scrollTo(0, scrollTop);
  });

  switcher.addEventListener("change", () => {
    audience = switcher.querySelector("input:checked").value;
    frame.title = audience === "owner" ? t("Preview of your page as you see it")
      : t("Preview of your page as a {audience} visitor sees it", { audience: t(audience) });
    load({ keepScroll: false });
  });

  load();
  return {
    refresh() {
      clearTimeout(timer);
      timer = setTimeout(load, REFRESH_DELAY_MS);
    },
  };
}
