"""In-app notifications for portfolio owners: who opened a recruiter link, the daily digest,
links about to expire. Each notification has a `key` (unique), so producing one twice (a retried
task, two beat runs) leaves one.

Owners may also receive each kind by mail (opt-in, `User.mail_notifications`; only at a verified
address): a new notification is mailed as it is made, the day's digests of one owner in one
mail. Each mail has a one-click unsubscribe link (RFC 8058 `List-Unsubscribe` headers): a signed
token naming the owner and the kind, which never expires (mail is read late) and only ever turns
that one kind off.
"""
import json
from collections import defaultdict
from datetime import timedelta

from bson import ObjectId
from flask import current_app
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeSerializer
from mongoengine.errors import NotUniqueError

from ..extensions import mongo_db
from ..models.audience import ROLLUPS, Notification, utc_today
from ..models.portfolio import Portfolio
from ..models.recruiter_link import RecruiterLink
from ..models.user import MAIL_NOTIFICATION_KINDS, User, utcnow
from . import accounts, mail, portfolios

EXPIRY_NOTICE_AHEAD = timedelta(days=2)
# Subject of the mail of each kind; also how the unsubscribe page names the kind.
MAIL_SUBJECTS = {
    "recruiter_link_opened": "A recruiter opened your link",
    "daily_digest": "Your portfolios yesterday",
    "recruiter_link_expiring": "A recruiter link expires soon",
}


def iso_utc(moment):
    """A naive UTC datetime as the API writes it (for the `data` of a notification)."""
    return moment.isoformat(timespec="seconds") + "Z"


def notify(user_id, kind, message, key, portfolio_id=None, data=None, send_mail=True):
    """Create a notification unless one with this key exists (and mail it to an owner who
    asked for that kind by mail, unless `send_mail` is false); returns it or None."""
    try:
        notification = Notification(
            user=ObjectId(user_id), kind=kind, message=message, key=key,
            portfolio=ObjectId(portfolio_id) if portfolio_id else None, data=data or {}).save()
    except NotUniqueError:
        return None
    if send_mail:
        mail_notifications(notification.user, kind, [notification])
    return notification


def mail_notifications(user_id, kind, notifications):
    """One mail of `notifications` (of one `kind`) to their owner, if the owner opted in to
    that kind and the address is verified."""
    if not current_app.config["MAIL_NOTIFICATIONS_ENABLED"]:
        return
    owner = User.objects(id=user_id, mail_notifications=kind,
                         email_verified_at__ne=None).only("email", "full_name").first()
    if owner is None:
        return
    unsubscribe = mail.link("/unsubscribe", token=unsubscribe_token(owner.id, kind))
    mail.send(owner.email, MAIL_SUBJECTS[kind], "notification", user=owner,
              notifications=[(item.message, item.portfolio and mail.link(
                  f"/app/portfolios/{item.portfolio}/stats")) for item in notifications],
              unsubscribe=unsubscribe, settings=mail.link("/app/account"),
              headers={"List-Unsubscribe": f"<{unsubscribe}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


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
    label = link.label if link else "a recruiter link"
    data = {"link_id": payload["source"], "kind": payload["kind"],
            "at": iso_utc(at), "visit_id": payload["visit_id"]}
    first_key = f"link-opened:{payload['source']}"
    opened = notify(payload["owner_id"], "recruiter_link_opened",
                    f"Your recruiter link “{label}” was opened for the first time.",
                    key=first_key, portfolio_id=payload["portfolio_id"], data=data)
    # A redelivered first visit finds its own "first time" notice: it was not opened again.
    if (opened is None and current_app.config["NOTIFY_EVERY_RECRUITER_VISIT"]
            and not Notification.objects(key=first_key,
                                         data__visit_id=payload["visit_id"]).count()):
        notify(payload["owner_id"], "recruiter_link_opened",
               f"Your recruiter link “{label}” was opened again.",
               key=f"link-visit:{payload['visit_id']}", portfolio_id=payload["portfolio_id"],
               data=data)


def produce_daily_digests(day):
    """One digest per portfolio viewed or downloaded on `day` (a date): "12 views and
    2 downloads yesterday, 3 countries"."""
    rollups = list(mongo_db()[ROLLUPS].find(
        {"day": day.isoformat(), "$or": [{"views": {"$gt": 0}}, {"downloads": {"$gt": 0}}]},
        {"portfolio": 1, "views": 1, "downloads": 1, "countries": 1}))
    viewed = {portfolio["_id"]: portfolio for portfolio in Portfolio.objects(
        id__in=[rollup["portfolio"] for rollup in rollups]).only("owner", "title").as_pymongo()}
    when = "yesterday" if day == utc_today() - timedelta(days=1) else f"on {day}"
    produced = defaultdict(list)
    for rollup in rollups:
        portfolio = viewed.get(rollup["portfolio"])
        if portfolio is None:
            continue
        views, downloads = rollup.get("views", 0), rollup.get("downloads", 0)
        countries = len([code for code in rollup.get("countries", {}) if code != "unknown"])
        counts = " and ".join(_counted(number, word) for number, word in
                              ((views, "view"), (downloads, "download")) if number)
        message = (f"“{portfolio['title']}”: {counts} {when}, "
                   f"{countries} countr{'ies' if countries != 1 else 'y'}.")
        digest = notify(portfolio["owner"], "daily_digest", message,
                        key=f"digest:{portfolio['_id']}:{day}", portfolio_id=portfolio["_id"],
                        data={"date": day.isoformat(), "views": views, "downloads": downloads,
                              "countries": countries}, send_mail=False)
        if digest is not None:
            produced[portfolio["owner"]].append(digest)
    # One mail per owner, whatever the number of portfolios.
    for owner, digests in produced.items():
        mail_notifications(owner, "daily_digest", digests)
    return sum(len(digests) for digests in produced.values())


def _counted(number, word):
    return f"{number} {word}{'s' if number != 1 else ''}"


def produce_expiry_notices(now=None):
    """Links that expire within two days and are not revoked: one notice per link, ever."""
    now = now or utcnow()
    produced = 0
    for link in RecruiterLink.objects(revoked_at=None, expires_at__gt=now,
                                      expires_at__lte=now + EXPIRY_NOTICE_AHEAD):
        produced += notify(link.owner, "recruiter_link_expiring",
                           f"Your recruiter link “{link.label}” expires on "
                           f"{link.expires_at:%Y-%m-%d %H:%M} UTC.",
                           key=f"link-expiring:{link.id}", portfolio_id=link.portfolio,
                           data={"link_id": str(link.id),
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
    return notification


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
