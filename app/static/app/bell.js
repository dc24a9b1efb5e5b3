/**
 * The notification bell of the signed-in pages' header (#notification-bell): the unread count
 * on a button that opens the list (a native popover: Escape or a click elsewhere closes it),
 * each unread one with "Mark as read". GET /notifications lists unread first, so the first
 * page holds every unread one there is room for.
 *
 * Refreshed when the page loads, when the list opens and when the tab comes back into view.
 */
import { api } from "./api.js";
import { busy, cloneTemplate, showError, slot } from "./dom.js";
import { formatRelative } from "./format.js";
import { t } from "./i18n.js";
import { mountFragment } from "./panels.js";

const PAGE_SIZE = 20;

const root = document.getElementById("notification-bell");
const mounted = await mountFragment(root, { name: "bell", templateId: "bell-template",
                                            what: t("Notifications") });
if (mounted) {
  const [bell] = mounted;
  const button = bell.querySelector("button");
  const popover = bell.querySelector("[popover]");
  const count = slot(bell, "count");
  const list = slot(bell, "list");
  let notifications = [];
  let more = false;

  const draw = () => {
    const unread = notifications.filter((notification) => !notification.read).length;
    // Every one listed unread and more on the server: there are at least that many.
    const shown = more && unread === notifications.length ? `${unread}+` : String(unread);
    slot(count, "count-number").textContent = shown;
    count.hidden = !unread;
    list.replaceChildren(...notifications.map(notificationItem));
    slot(bell, "empty").hidden = notifications.length > 0;
  };

  const notificationItem = (notification) => {
    const item = cloneTemplate("bell-item");
    item.classList.toggle("is-read", notification.read);
    slot(item, "message").textContent = notification.message;
    slot(item, "when").textContent = formatRelative(notification.created_at);
    if (notification.portfolio_id) {
      const link = slot(item, "stats-link");
      link.href = `/app/portfolios/${notification.portfolio_id}/stats`;
      link.hidden = false;
    }
    slot(item, "for").textContent = t(": {message}", { message: notification.message });
    const read = item.querySelector('[data-action="read"]');
    read.hidden = notification.read;
    read.addEventListener("click", async () => {
      try {
        const updated = await busy(read, () => api.post(`/notifications/${notification.id}/read`));
        notifications = notifications.map((entry) => (entry.id === updated.id ? updated : entry));
        draw();
        // The button is gone with its row: keep the keyboard in the list.
        popover.focus();
      } catch (error) {
        showError(error);
      }
    });
    return item;
  };

  const refresh = async () => {
    try {
      const { data, pagination } = await api.get(`/notifications?limit=${PAGE_SIZE}`);
      notifications = data;
      more = pagination.total > data.length;
      draw();
    } catch (error) {
      showError(error);
    }
  };

  popover.addEventListener("toggle", (event) => {
    const open = event.newState === "open";
    button.setAttribute("aria-expanded", String(open));
    if (open) refresh();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
  refresh();
}
