"""In-app notifications: recruiter link opened, daily digest, link about to expire; the API;
their texts in the reader's language."""
import re
from datetime import datetime, time, timedelta

import pytest
from babel.dates import format_date
from bson import ObjectId

from app.models.audience import Notification, utc_today
from app.models.recruiter_link import RecruiterLink
from app.models.user import utcnow
from app.services import notifications
from app.tasks import daily_digests, link_expiry_notices

from .mail_server import (  # noqa: F401 (fixtures)
    app_sending_mail, html_of, link_in, mailbox, smtp_server, text_of,
)
from .test_stats import visit
from .test_visits import FIREFOX

API = "/api/v1/notifications"


@pytest.fixture
def portfolio_id(portfolio_factory):
    return portfolio_factory(title="Ada's work")["id"]


def new_link(auth_client, portfolio_id, label="Acme", **fields):
    return auth_client.post(f"/api/v1/portfolios/{portfolio_id}/recruiter-links/",
                            json={"label": label, **fields}).get_json()


def kinds(auth_client):
    return [item["kind"] for item in auth_client.get(f"{API}/").get_json()["data"]]


def test_a_recruiter_link_opened_the_first_time_notifies_once(app, auth_client, portfolio_id):
    link = new_link(auth_client, portfolio_id)
    visit(app, portfolio_id, source=link["id"], ip="1.1.1.1")
    visit(app, portfolio_id, source=link["id"], ip="8.8.8.8")
    visit(app, portfolio_id, ip="9.9.9.9")  # public views never notify
    [notification] = auth_client.get(f"{API}/").get_json()["data"]
    assert notification["kind"] == "recruiter_link_opened"
    assert "Acme" in notification["message"] and "first time" in notification["message"]
    assert notification["portfolio_id"] == portfolio_id
    assert notification["data"]["link_id"] == link["id"]
    assert notification["read"] is False and notification["created_at"].endswith("Z")


def test_every_recruiter_visit_notifies_when_set(make_app, auth_client, portfolio_id):
    app = make_app(NOTIFY_EVERY_RECRUITER_VISIT=True)
    link = new_link(auth_client, portfolio_id)
    for ip in ("1.1.1.1", "8.8.8.8", "9.9.9.9"):
        visit(app, portfolio_id, source=link["id"], ip=ip)
    visit(app, portfolio_id, source=link["id"], ip="9.9.9.9")  # a repeat: not a visit
    messages = sorted(n.message for n in Notification.objects)
    assert len(messages) == 3 and sum("again" in message for message in messages) == 2


def test_a_redelivered_first_visit_is_not_also_notified_as_opened_again(
        make_app, auth_client, portfolio_id):
    from app.services.visits import process_visit

    from .test_visits import payload_for
    app = make_app(NOTIFY_EVERY_RECRUITER_VISIT=True)
    link = new_link(auth_client, portfolio_id)
    with app.app_context():
        payload = {**payload_for(app, portfolio_id), "source": link["id"]}
        for _delivery in range(2):  # the worker died before acknowledging the first delivery
            process_visit(payload)
    assert [n.message for n in Notification.objects] == [
        "Your recruiter link “Acme” was opened for the first time."]


def test_the_daily_digest(app, auth_client, portfolio_id, portfolio_factory):
    quiet = portfolio_factory(title="Quiet")["id"]
    visit(app, portfolio_id, days_ago=1, ip="8.8.8.8")
    visit(app, portfolio_id, days_ago=1, ip="193.51.24.1")
    visit(app, portfolio_id, days_ago=1, ip="1.1.1.1")
    visit(app, portfolio_id, days_ago=1, ip="127.0.0.1")  # not located: not a country
    visit(app, portfolio_id, days_ago=0, ip="9.9.9.9")  # today: tomorrow's digest
    with app.app_context():
        assert daily_digests.apply().get() == 1
        assert daily_digests.apply().get() == 0  # the beat ran twice: still one digest
    [digest] = Notification.objects(kind="daily_digest")
    assert digest.message == "“Ada's work”: 4 views yesterday, 3 countries."
    assert digest.data == {"date": (utc_today() - timedelta(days=1)).isoformat(), "views": 4,
                           "downloads": 0, "countries": 3, "title": "Ada's work"}
    assert str(digest.portfolio) == portfolio_id != quiet


def test_expiry_notices_once_per_link_about_to_expire(app, auth_client, portfolio_id):
    soon = new_link(auth_client, portfolio_id, "Soon", expires_in_days=1)
    new_link(auth_client, portfolio_id, "Later", expires_in_days=10)
    revoked = new_link(auth_client, portfolio_id, "Revoked", expires_in_days=1)
    auth_client.delete(f"/api/v1/portfolios/{portfolio_id}/recruiter-links/{revoked['id']}")
    with app.app_context():
        assert link_expiry_notices.apply().get() == 1
        assert link_expiry_notices.apply().get() == 0
    [notice] = Notification.objects(kind="recruiter_link_expiring")
    assert "Soon" in notice.message and notice.data["link_id"] == soon["id"]
    # A link that has already expired is not "about to expire".
    RecruiterLink.objects(id=soon["id"]).update(set__expires_at=utcnow() - timedelta(hours=1))
    Notification.objects.delete()
    with app.app_context():
        assert notifications.produce_expiry_notices() == 0


def test_list_unread_first_then_newest_and_mark_read(auth_client, register, client):
    user = ObjectId(auth_client.user["id"])
    start = datetime.combine(utc_today(), time(0, 0))
    made = [Notification(user=user, kind="daily_digest", message=f"digest {n}",
                         created_at=start + timedelta(minutes=n)).save() for n in range(4)]
    response = auth_client.post(f"{API}/{made[3].id}/read")
    assert response.status_code == 200
    assert response.get_json()["read"] is True and response.get_json()["read_at"].endswith("Z")
    assert auth_client.post(f"{API}/{made[3].id}/read").status_code == 200  # idempotent
    body = auth_client.get(f"{API}/?limit=3").get_json()
    assert [item["message"] for item in body["data"]] == ["digest 2", "digest 1", "digest 0"]
    assert body["pagination"] == {"offset": 0, "limit": 3, "total": 4}
    assert auth_client.get(f"{API}/?offset=3").get_json()["data"][0]["message"] == "digest 3"
    # Someone else's notification: 404, and untouched.
    other = {"Authorization": f"Bearer {register()['access_token']}"}
    assert client.post(f"{API}/{made[0].id}/read", headers=other).status_code == 404
    assert client.get(f"{API}/", headers=other).get_json()["data"] == []
    assert Notification.objects.get(id=made[0].id).read is False
    assert client.get(f"{API}/").status_code == 401
    assert auth_client.post(f"{API}/{ObjectId()}/read").status_code == 404


def test_a_day_of_downloads_only_has_its_digest(app, auth_client, portfolio_factory):
    """A recruiter who only downloads the PDF (the link to the .pdf was shared): the owner still
    hears of it, as a download."""
    portfolio = portfolio_factory()
    browser = app.test_client()
    assert browser.get(f"/p/{portfolio['slug']}.pdf",
                       headers={"User-Agent": FIREFOX}).status_code == 200
    with app.app_context():
        assert notifications.produce_daily_digests(utc_today()) == 1
    [digest] = Notification.objects(kind="daily_digest")
    assert "1 download on" in digest.message and "view" not in digest.message
    assert digest.data["downloads"] == 1 and digest.data["views"] == 0


# --- by mail (opt-in) ------------------------------------------------------------------------

ME = "/api/v1/auth/me"


def opt_in(client, *kinds_chosen):
    response = client.patch(ME, json={"mail_notifications": list(kinds_chosen)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_mails_are_opt_in_per_kind(auth_client):
    assert auth_client.get(ME).get_json()["mail_notifications"] == []
    chosen = opt_in(auth_client, "recruiter_link_expiring", "daily_digest", "daily_digest")
    assert chosen["mail_notifications"] == ["daily_digest", "recruiter_link_expiring"]
    refused = auth_client.patch(ME, json={"mail_notifications": ["everything"]})
    assert refused.status_code == 422 and "mail_notifications" in refused.get_json()["errors"]


def test_a_recruiter_link_opened_is_mailed_to_an_owner_who_opted_in(
        app, auth_client, portfolio_id, mailbox):
    email = auth_client.user["email"]
    quiet_link = new_link(auth_client, portfolio_id, "Before")
    visit(app, portfolio_id, source=quiet_link["id"], ip="1.1.1.1")
    mailbox.clear()
    assert mailbox.to(email) == []  # not asked for: in the bell only

    opt_in(auth_client, "recruiter_link_opened")
    link = new_link(auth_client, portfolio_id, "Acme <data>")
    visit(app, portfolio_id, source=link["id"], ip="1.1.1.1")
    visit(app, portfolio_id, source=link["id"], ip="8.8.8.8")  # not the first time: no mail
    message = mailbox.only(email)
    assert message["Subject"] == "A recruiter opened your link"
    assert "Your recruiter link “Acme <data>” was opened for the first time." in text_of(message)
    assert link_in(message, "/stats").endswith(f"/app/portfolios/{portfolio_id}/stats")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"] == f"<{link_in(message, '/unsubscribe')}>"


def test_an_unverified_address_gets_no_mail(app, client, register, mailbox, portfolio_factory):
    account = register(verified=False)
    headers = {"Authorization": f"Bearer {account['access_token']}"}
    client.patch(ME, json={"mail_notifications": ["recruiter_link_expiring"]}, headers=headers)
    portfolio = client.post("/api/v1/portfolios/", json={"title": "CV"}, headers=headers)
    RecruiterLink(portfolio=portfolio.get_json()["id"], owner=account["user"]["id"],
                  label="Soon", token_hash="h" * 64,
                  expires_at=utcnow() + timedelta(days=1)).save()
    mailbox.clear()
    with app.app_context():
        assert notifications.produce_expiry_notices() == 1
    assert mailbox.messages == []


def test_one_digest_mail_per_owner_for_all_portfolios(
        app, auth_client, portfolio_id, portfolio_factory, register, mailbox):
    other_portfolio = portfolio_factory(title="Grace's work")["id"]
    opt_in(auth_client, "daily_digest")
    for portfolio in (portfolio_id, other_portfolio):
        visit(app, portfolio, days_ago=1, ip="8.8.8.8")
    mailbox.clear()
    with app.app_context():
        assert daily_digests.apply().get() == 2
        assert daily_digests.apply().get() == 0  # run twice: no second mail
    message = mailbox.only(auth_client.user["email"])
    assert message["Subject"] == "Your portfolios yesterday"
    assert "“Ada's work”: 1 view yesterday, 1 country." in text_of(message)
    assert "“Grace's work”: 1 view yesterday, 1 country." in text_of(message)


def test_expiry_notices_are_mailed(app, auth_client, portfolio_id, mailbox):
    opt_in(auth_client, "recruiter_link_expiring")
    new_link(auth_client, portfolio_id, "Soon", expires_in_days=1)
    mailbox.clear()
    with app.app_context():
        link_expiry_notices.apply().get()
    assert "“Soon” expires on" in text_of(mailbox.only(auth_client.user["email"]))


def test_one_click_unsubscribe(app, client, auth_client, portfolio_id, mailbox):
    opt_in(auth_client, "recruiter_link_expiring", "daily_digest")
    new_link(auth_client, portfolio_id, "Soon", expires_in_days=1)
    mailbox.clear()
    with app.app_context():
        link_expiry_notices.apply().get()
    unsubscribe = link_in(mailbox.only(auth_client.user["email"]), "/unsubscribe")
    path = unsubscribe.removeprefix("http://localhost")

    # A person (or a link checker) opening it: a button, nothing changed yet.
    page = client.get(path)
    assert page.status_code == 200 and b"Unsubscribe</button>" in page.data
    assert auth_client.get(ME).get_json()["mail_notifications"] == [
        "daily_digest", "recruiter_link_expiring"]
    # The mail program's one-click POST (RFC 8058).
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and b"Unsubscribed" in done.data
    assert auth_client.get(ME).get_json()["mail_notifications"] == ["daily_digest"]
    assert client.post(path).status_code == 200  # twice: still off
    # The notifications themselves go on.
    assert "recruiter_link_expiring" in kinds(auth_client)


@pytest.mark.parametrize("token", ["", "forged", "eyJ1c2VyIjoiMSJ9.bad"])
def test_a_bad_unsubscribe_link_is_a_400_page(client, token):
    response = client.post(f"/unsubscribe?token={token}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert b"not valid" in response.data


def test_mail_notifications_can_be_turned_off_on_the_server(
        make_app, auth_client, portfolio_id, mailbox):
    opt_in(auth_client, "recruiter_link_expiring")
    new_link(auth_client, portfolio_id, "Soon", expires_in_days=1)
    mailbox.clear()
    app = make_app(MAIL_NOTIFICATIONS_ENABLED=False, MAIL_SERVER="127.0.0.1",
                   MAIL_PORT=mailbox.port)
    with app.app_context():
        assert notifications.produce_expiry_notices() == 1
    assert mailbox.messages == []


# --- in the reader's language ------------------------------------------------------------------

def listed(auth_client):
    return {item["kind"]: item for item in auth_client.get(f"{API}/").get_json()["data"]}


def test_the_texts_are_made_in_the_accounts_language_when_read(app, auth_client, portfolio_id):
    link = new_link(auth_client, portfolio_id, "Acme")
    visit(app, portfolio_id, source=link["id"], ip="1.1.1.1")
    visit(app, portfolio_id, days_ago=1, ip="8.8.8.8")
    new_link(auth_client, portfolio_id, "Soon", expires_in_days=1)
    with app.app_context():
        daily_digests.apply().get()
        link_expiry_notices.apply().get()

    # French, then English after the switch: the same notifications, read again.
    for language, opened, digest, expiring in (
            ("fr", "Votre lien recruteur «\u00a0Acme\u00a0» a été ouvert pour la première fois.",
             "«\u00a0Ada's work\u00a0»\u00a0: 1 vue hier, 1 pays.",
             r"Votre lien recruteur «\u00a0Soon\u00a0» expire le \d{1,2} \w+ \d{4} à "
             r"\d\d:\d\d UTC\."),
            ("en", "Your recruiter link “Acme” was opened for the first time.",
             "“Ada's work”: 1 view yesterday, 1 country.",
             r"Your recruiter link “Soon” expires on \w+ \d{1,2}, \d{4} at "
             r"\d{1,2}:\d\d\u202f[AP]M UTC\.")):
        assert auth_client.patch(ME, json={"language": language}).status_code == 200
        texts = listed(auth_client)
        assert texts["recruiter_link_opened"]["message"] == opened
        assert texts["daily_digest"]["message"] == digest
        assert re.fullmatch(expiring, texts["recruiter_link_expiring"]["message"])
        # Marking one read answers it in the same language.
        read = auth_client.post(f"{API}/{texts['daily_digest']['id']}/read").get_json()
        assert read["read"] is True and read["message"] == digest
    english = listed(auth_client)
    # What is stored is the English text (the account export's); the API's fields are the same.
    assert Notification.objects.get(kind="daily_digest").message == english["daily_digest"][
        "message"]
    assert set(english["daily_digest"]) == {"id", "kind", "message", "portfolio_id", "data",
                                            "read", "read_at", "created_at"}


def test_without_a_language_of_its_own_the_texts_follow_the_app(app, auth_client, portfolio_id):
    """An account that never chose a language reads its bell as the app shows it: Accept-Language
    (or the switch's cookie); English without either."""
    link = new_link(auth_client, portfolio_id, "Acme")
    visit(app, portfolio_id, source=link["id"], ip="1.1.1.1")
    assert auth_client.get(ME).get_json()["language"] is None
    french = auth_client.get(f"{API}/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.get_json()["data"][0]["message"] == (
        "Votre lien recruteur «\u00a0Acme\u00a0» a été ouvert pour la première fois.")
    assert listed(auth_client)["recruiter_link_opened"]["message"] == (
        "Your recruiter link “Acme” was opened for the first time.")


def test_a_digest_counts_and_dates_in_german_and_spanish():
    day = utc_today() - timedelta(days=3)
    digest = Notification(kind="daily_digest", message="stored", data={
        "date": day.isoformat(), "views": 1234, "downloads": 1, "countries": 2, "title": "CV"})
    german_day = format_date(day, "long", locale="de")
    assert notifications.text(digest, "de") == (
        f"„CV“: 1.234 Aufrufe und 1 Download am {german_day}, 2 Länder.")
    assert notifications.text(digest, "es").startswith("«CV»: 1.234 vistas y 1 descarga el ")
    assert notifications.text(digest, "xx").startswith("“CV”: 1,234 views and 1 download on ")
    # Stored before the texts were made when read (no title in its data): its own text.
    older = Notification(kind="daily_digest", message="“CV”: 2 views yesterday, 1 country.",
                         data={"date": day.isoformat(), "views": 2, "downloads": 0,
                               "countries": 1})
    assert notifications.text(older, "fr") == "“CV”: 2 views yesterday, 1 country."


def test_the_mail_is_in_the_owners_language(app, auth_client, portfolio_id, mailbox):
    opt_in(auth_client, "recruiter_link_opened")
    assert auth_client.patch(ME, json={"language": "fr"}).status_code == 200
    link = new_link(auth_client, portfolio_id, "Acme")
    mailbox.clear()
    # Counted in the visitor's request, whose browser speaks German: the owner's mail is French.
    page = app.test_client().get(f"/r/{link['token']}", headers={
        "User-Agent": FIREFOX, "Accept-Language": "de-DE,de;q=0.9"})
    assert page.status_code == 200
    message = mailbox.only(auth_client.user["email"])
    assert message["Subject"] == "Un recruteur a ouvert votre lien"
    text = text_of(message)
    assert text.startswith("Bonjour Ada Lovelace,")
    assert "Votre lien recruteur «\u00a0Acme\u00a0» a été ouvert pour la première fois." in text
    assert "Voir les statistiques\u00a0:" in text
    assert "Se désabonner de ces e-mails en un clic\u00a0:" in text
    html = html_of(message)
    assert '<html lang="fr">' in html and ">Voir les statistiques</a>" in html
    assert link_in(message, "/stats").endswith(f"/app/portfolios/{portfolio_id}/stats")
    # Its unsubscribe page names the mails as they were titled.
    unsubscribe = link_in(message, "/unsubscribe").removeprefix("http://localhost")
    page = app.test_client().get(unsubscribe, headers={"Accept-Language": "fr"})
    assert "les e-mails «\u00a0Un recruteur a ouvert votre lien\u00a0»" in page.get_data(as_text=True)
