"""In-app notifications for portfolio owners: who opened a recruiter link, the daily digest,
links about to expire. Each notification has a `key` (unique), so producing one twice (a retried
task, two beat runs) leaves one.

Owners may also receive each kind by mail (opt-in, `User.mail_notifications`; only at a verified
address): a new notification is mailed as it is made, the day's digests of one owner in one
mail. Each mail has a one-click unsubscribe link (RFC 8058 `List-Unsubscribe` headers): a signed
token naming the owner and the kind, which never expires (mail is read late) and only ever turns
that one kind off.

The texts are made when they are read, in the reader's language (the account's `language`,
English without one), from the notification's `kind` and `data`: changing the account's language
changes them all. `message` keeps the English text made at creation: the account export's, and
the only text of the notifications stored before the texts were made when read (their `data`
lacks the label or title the texts need).
"""
import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from bson import ObjectId
from flask import current_app
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeSerializer
from mongoengine.errors import NotUniqueError

from ..catalogues import N_, locale, page_language, translations
from ..extensions import mongo_db
from ..models.audience import ROLLUPS, Notification, utc_today
from ..models.languages import DEFAULT_LANGUAGE
from ..models.portfolio import Portfolio
from ..models.recruiter_link import RecruiterLink
from ..models.user import MAIL_NOTIFICATION_KINDS, User, utcnow
from . import accounts, mail, portfolios

EXPIRY_NOTICE_AHEAD = timedelta(days=2)
# Subject of the mail of each kind (English: `mail_subject` and `mail.compose` translate it).
MAIL_SUBJECTS = {
    "recruiter_link_opened": N_("A recruiter opened your link"),
    "daily_digest": N_("Your portfolios yesterday"),
    "recruiter_link_expiring": N_("A recruiter link expires soon"),
}


def iso_utc(moment):
    """A naive UTC datetime as the API writes it (for the `data` of a notification)."""
    return moment.isoformat(timespec="seconds") + "Z"


def notify(user_id, kind, key, portfolio_id=None, data=None, send_mail=True):
    """Create a notification unless one with this key exists (and mail it to an owner who
    asked for that kind by mail, unless `send_mail` is false); returns it or None. `data` holds
    what its text needs (see TEXTS)."""
    data = data or {}
    try:
        notification = Notification(
            user=ObjectId(user_id), kind=kind, key=key, data=data,
            message=TEXTS[kind](data, DEFAULT_LANGUAGE),
            portfolio=ObjectId(portfolio_id) if portfolio_id else None).save()
    except NotUniqueError:
        return None
    if send_mail:
        mail_notifications(notification.user, kind, [notification])
    return notification


def mail_notifications(user_id, kind, notifications):
    """One mail of `notifications` (of one `kind`) to their owner, in the owner's language, if
    the owner opted in to that kind and the address is verified."""
    if not current_app.config["MAIL_NOTIFICATIONS_ENABLED"]:
        return
    owner = User.objects(id=user_id, mail_notifications=kind, email_verified_at__ne=None).only(
        "email", "full_name", "language").first()
    if owner is None:
        return
    language = page_language(owner.language)
    unsubscribe = mail.link("/unsubscribe", token=unsubscribe_token(owner.id, kind))
    mail.send(owner.email, MAIL_SUBJECTS[kind], "notification", language, user=owner,
              notifications=[(text(item, language), item.portfolio and mail.link(
                  f"/app/portfolios/{item.portfolio}/stats")) for item in notifications],
              unsubscribe=unsubscribe, settings=mail.link("/app/account"),
              headers={"List-Unsubscribe": f"<{unsubscribe}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def mail_subject(user_id, kind):
    """The subject of the mails of `kind` as the user receives them (in their language): how
    the unsubscribe page names them."""
    owner = User.objects(id=user_id).only("language").first()
    return translations(owner and owner.language).gettext(MAIL_SUBJECTS[kind])


# --- the texts, made when read ----------------------------------------------------------------

def _link_opened(data, language):
    words = translations(language)
    label = data["label"] or words.gettext("a recruiter link")
    if data["first_time"]:
        return words.gettext("Your recruiter link “%(label)s” was opened for the first time."
                             ) % {"label": label}
    return words.gettext("Your recruiter link “%(label)s” was opened again.") % {"label": label}


def _counted(message, number, language):
    """`message`, as ngettext chose it for `number`, with the number written for `language`."""
    return message % {"num": format_decimal(number, locale=locale(language))}


def _daily_digest(data, language):
    """"“Ada's work”: 12 views and 2 downloads yesterday, 3 countries." ("on <date>" when the
    day is not yesterday any more; a digest has views, downloads or both)."""
    words = translations(language)
    views, downloads, countries = data["views"], data["downloads"], data["countries"]
    counted = []
    if views:
        counted.append(_counted(words.ngettext("%(num)s view", "%(num)s views", views),
                                views, language))
    if downloads:
        counted.append(_counted(words.ngettext("%(num)s download", "%(num)s downloads",
                                               downloads), downloads, language))
    if len(counted) == 2:
        counted = [words.gettext("%(views)s and %(downloads)s") % {
            "views": counted[0], "downloads": counted[1]}]
    values = {"title": data["title"], "counts": counted[0], "countries": _counted(
        words.ngettext("%(num)s country", "%(num)s countries", countries), countries, language)}
    day = date.fromisoformat(data["date"])
    if day == utc_today() - timedelta(days=1):
        return words.gettext("“%(title)s”: %(counts)s yesterday, %(countries)s.") % values
    return words.gettext("“%(title)s”: %(counts)s on %(date)s, %(countries)s.") % {
        **values, "date": format_date(day, "long", locale=locale(language))}


def _link_expiring(data, language):
    expires_at = datetime.fromisoformat(data["expires_at"].removesuffix("Z"))
    return translations(language).gettext(
        "Your recruiter link “%(label)s” expires on %(date)s at %(time)s UTC.") % {
        "label": data["label"], "date": format_date(expires_at, "long", locale=locale(language)),
        "time": format_time(expires_at, "short", tzinfo=timezone.utc, locale=locale(language))}


# The text of each kind, from the notification's `data` in a language.
TEXTS = {"recruiter_link_opened": _link_opened, "daily_digest": _daily_digest,
         "recruiter_link_expiring": _link_expiring}


def text(notification, language):
    """The notification's text in `language`."""
    try:
        return TEXTS[notification.kind](notification.data, language)
    except KeyError:  # stored before the texts were made when read: its English text
        return notification.message


def in_language(notifications, user):
    """`notifications` (as read) with their `message` in the account's language, else the one
    the app shows them in (the bell of an account that never chose one, in a French browser,
    reads French); never saved so."""
    language = mail.requester_language(user)
    for notification in notifications:
        notification.message = text(notification, language)
    return notifications


def _unsubscribe_serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="vitrine-mail-unsubscribe")


def unsubscribe_token(user_id, kind):
    return _unsubscribe_serializer().dumps({"user": str(user_id), "kind": kind})


def read_unsubscribe_token(token):
    """`(user id, kind)` of a token from `unsubscribe_token`; None if it is not one."""
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        return None
    if not ObjectId.is_valid(data.get("user")) or data.get("kind") not in MAIL_NOTIFICATION_KINDS:
        return None
    return data["user"], data["kind"]


def unsubscribe(user_id, kind):
    """Stop mailing `kind` to the user (the in-app notifications go on)."""
    User.objects(id=user_id).update_one(pull__mail_notifications=kind)


def on_counted_visit(payload, at):
    """A counted view through a recruiter link: tell the owner the first time (every time with
    NOTIFY_EVERY_RECRUITER_VISIT)."""
    if payload["source"] == "public":
        return
    link = RecruiterLink.objects(id=payload["source"]).only("label").first()
    data = {"link_id": payload["source"], "kind": payload["kind"],
            "at": iso_utc(at), "visit_id": payload["visit_id"], "label": link and link.label}
    first_key = f"link-opened:{payload['source']}"
    opened = notify(payload["owner_id"], "recruiter_link_opened", key=first_key,
                    portfolio_id=payload["portfolio_id"], data={**data, "first_time": True})
    # A redelivered first visit finds its own "first time" notice: it was not opened again.
    if (opened is None and current_app.config["NOTIFY_EVERY_RECRUITER_VISIT"]
            and not Notification.objects(key=first_key,
                                         data__visit_id=payload["visit_id"]).count()):
        notify(payload["owner_id"], "recruiter_link_opened",
               key=f"link-visit:{payload['visit_id']}", portfolio_id=payload["portfolio_id"],
               data={**data, "first_time": False})


def produce_daily_digests(day):
    """One digest per portfolio viewed or downloaded on `day` (a date): "12 views and
    2 downloads yesterday, 3 countries"."""
    rollups = list(mongo_db()[ROLLUPS].find(
        {"day": day.isoformat(), "$or": [{"views": {"$gt": 0}}, {"downloads": {"$gt": 0}}]},
        {"portfolio": 1, "views": 1, "downloads": 1, "countries": 1}))
    viewed = {portfolio["_id"]: portfolio for portfolio in Portfolio.objects(
        id__in=[rollup["portfolio"] for rollup in rollups]).only("owner", "title").as_pymongo()}
    produced = defaultdict(list)
    for rollup in rollups:
        portfolio = viewed.get(rollup["portfolio"])
        if portfolio is None:
            continue
        countries = len([code for code in rollup.get("countries", {}) if code != "unknown"])
        digest = notify(portfolio["owner"], "daily_digest",
                        key=f"digest:{portfolio['_id']}:{day}", portfolio_id=portfolio["_id"],
                        data={"date": day.isoformat(), "views": rollup.get("views", 0),
                              "downloads": rollup.get("downloads", 0), "countries": countries,
                              "title": portfolio["title"]}, send_mail=False)
        if digest is not None:
            produced[portfolio["owner"]].append(digest)
    # One mail per owner, whatever the number of portfolios.
    for owner, digests in produced.items():
        mail_notifications(owner, "daily_digest", digests)
    return sum(len(digests) for digests in produced.values())


def produce_expiry_notices(now=None):
    """Links that expire within two days and are not revoked: one notice per link, ever."""
    now = now or utcnow()
    produced = 0
    for link in RecruiterLink.objects(revoked_at=None, expires_at__gt=now,
                                      expires_at__lte=now + EXPIRY_NOTICE_AHEAD):
        produced += notify(link.owner, "recruiter_link_expiring",
                           key=f"link-expiring:{link.id}", portfolio_id=link.portfolio,
                           data={"link_id": str(link.id), "label": link.label,
                                 "expires_at": iso_utc(link.expires_at)}) is not None
    return produced


def list_for(user):
    """Unread first, then newest first."""
    return Notification.objects(user=user.id).order_by("read", "-created_at")


def mark_read(user, notification_id):
    notification = Notification.objects(id=notification_id, user=user.id).first()
    if notification is None:
        abort(404, message="Notification not found.")
    if not notification.read:
        notification.modify(read=True, read_at=utcnow())
    return in_language([notification], user)[0]


def delete_portfolio_notifications(portfolio):
    Notification.objects(portfolio=portfolio.id).delete()


def delete_user_notifications(user):
    Notification.objects(user=user.id).delete()


portfolios.DELETE_HOOKS.append(delete_portfolio_notifications)


def export_notifications(user, archive):
    notifications = [notification.to_mongo().to_dict() for notification in
                     Notification.objects(user=user.id).exclude("key").order_by("created_at")]
    archive.writestr("notifications.json", json.dumps(
        notifications, indent=2, ensure_ascii=False, default=str))


accounts.ACCOUNT_CLEANUPS.append(delete_user_notifications)
accounts.ACCOUNT_EXPORTERS.append(export_notifications)
