"""The app in the person's language: French and German from the browser's Accept-Language,
Spanish and English from the header's switch (kept on reload, saved to the account when signed
in), and the account's setting followed on another browser; the dashboard, account page and
editor in French, already in the HTML the server sends (no English flash)."""
import re

from playwright.sync_api import expect

from ..mail_server import mailbox, smtp_server  # noqa: F401 (fixtures)
from .conftest import register
from .helpers import call_api, create_portfolio
from .test_account import mail_on  # noqa: F401 (fixture)

# The switch's choices, each named in its own language.
SWITCH_CHOICES = ["English", "Français", "Deutsch", "Español"]


def page_in(browser, live_server, locale, accept_language):
    context = browser.new_context(base_url=live_server.url, locale=locale,
                                  extra_http_headers={"Accept-Language": accept_language})
    return context, context.new_page()


def french_page(browser, live_server):
    return page_in(browser, live_server, "fr-FR", "fr-FR,fr;q=0.9")


def test_sign_in_page_in_french_from_accept_language(browser, live_server):
    context, page = french_page(browser, live_server)
    try:
        page.goto("/signin")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
        expect(page).to_have_title(re.compile("^Se connecter · Vitrine$"))
        expect(page.get_by_label("Mot de passe")).to_be_visible()
        expect(page.get_by_role("link", name="Créer un compte")).to_be_visible()
        page.get_by_role("button", name="Se connecter").click()
        # The field errors the app shows are in French too.
        expect(page.get_by_text("Saisissez votre adresse e-mail.")).to_be_visible()
        # And so is the API's refusal (English in its JSON, api.js's inAppLanguage).
        page.get_by_label("E-mail").fill("personne@example.com")
        page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("alert")).to_have_text("L’e-mail ou le mot de passe est incorrect.")
        # The switch: back to English, kept for the next pages.
        page.get_by_label("Langue").select_option("en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        page.goto("/signup")
        expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        context.close()


def test_sign_in_page_in_german_from_accept_language(browser, live_server):
    context, page = page_in(browser, live_server, "de-DE", "de-DE,en;q=0.5")
    try:
        served = page.request.get("/signin").text()
        assert '<html lang="de" data-language="de">' in served and "<h1>Anmelden</h1>" in served
        page.goto("/signin")
        expect(page).to_have_title("Anmelden · Vitrine")
        expect(page.get_by_label("Passwort")).to_be_visible()
        expect(page.get_by_role("link", name="Konto erstellen")).to_be_visible()
        expect(page.get_by_label("Sprache")).to_have_value("de")
        expect(page.get_by_label("Sprache").locator("option")).to_have_text(SWITCH_CHOICES)
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_text("Geben Sie Ihre E-Mail-Adresse ein.")).to_be_visible()
        page.get_by_label("E-Mail", exact=True).fill("niemand@example.com")
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_text("Geben Sie Ihr Passwort ein.")).to_be_visible()
    finally:
        context.close()


def test_spanish_from_the_switch_survives_a_reload(page):
    page.goto("/signin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("Language").locator("option")).to_have_text(SWITCH_CHOICES)
    page.get_by_label("Language").select_option(label="Español")
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
    expect(page.get_by_label("Idioma")).to_have_value("es")
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_text("Escribe tu dirección de correo.")).to_be_visible()
    page.goto("/signup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Crea tu cuenta")


def test_the_switch_saves_german_and_spanish_to_the_account(signed_in):
    page = signed_in
    page.goto("/app")
    page.get_by_label("Language", exact=True).select_option("de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Portfolios")
    expect(page.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()
    assert call_api(page, "GET", "/auth/me")["language"] == "de"
    page.get_by_label("Sprache", exact=True).select_option("es")
    expect(page.get_by_role("link", name="Panel")).to_be_visible()
    assert call_api(page, "GET", "/auth/me")["language"] == "es"
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tus portfolios")
    # A new portfolio takes the account's language.
    assert create_portfolio(page, "Candidaturas")["language"] == "es"


def test_the_account_setting_follows_the_person(page, browser, live_server):
    account = register(page)
    page.goto("/app")
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()
    page.get_by_label("Language", exact=True).select_option("fr")
    expect(page.get_by_role("link", name="Tableau de bord")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    # Another browser, in English, signed in to the same account: French once the user loads.
    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        other_page = other.new_page()
        response = other_page.request.post("/api/v1/auth/login", data={
            "email": account.email, "password": account.password, "session": "cookie"})
        assert response.status == 200, response.text()
        other_page.goto("/app")
        expect(other_page.get_by_role("link", name="Tableau de bord")).to_be_visible()
        expect(other_page.locator("html")).to_have_attribute("lang", "fr")
    finally:
        other.close()


def test_dashboard_and_account_in_french_without_an_english_flash(browser, live_server):
    context, page = french_page(browser, live_server)
    try:
        register(page)
        # The server's HTML is French already: nothing English shows before the modules run.
        served = page.request.get("/app").text()
        assert '<html lang="fr" data-language="fr">' in served
        assert "<h1>Vos portfolios</h1>" in served and "<title>Tableau de bord · Vitrine" in served
        assert "Your portfolios" not in served
        page.goto("/app")
        expect(page.get_by_role("heading", level=1)).to_have_text("Vos portfolios")
        expect(page.get_by_role("status").first).to_have_text("0 portfolio.")
        expect(page.get_by_role("heading", name="Créez votre premier portfolio")).to_be_visible()
        page.get_by_role("button", name="Nouveau portfolio").click()
        dialog = page.get_by_role("dialog", name="Nouveau portfolio")
        dialog.get_by_role("button", name="Créer le portfolio").click()
        # The field error the app shows is French; the label stays visible.
        expect(dialog.get_by_text("Donnez un titre à votre portfolio.")).to_be_visible()
        dialog.get_by_label("Titre").fill("Candidatures data")
        dialog.get_by_role("button", name="Créer le portfolio").click()
        page.wait_for_url("**/app/portfolios/*")
        page.goto("/app")
        card = page.get_by_role("listitem").filter(has_text="Candidatures data")
        expect(card.get_by_text("Brouillon")).to_be_visible()
        expect(card.get_by_role("link", name="Modifier « Candidatures data »")).to_be_visible()
        expect(card.get_by_role("button", name="Supprimer « Candidatures data »")).to_be_visible()

        served = page.request.get("/app/account").text()
        assert '<html lang="fr"' in served and "<h1>Compte</h1>" in served
        page.goto("/app/account")
        expect(page.get_by_role("heading", name="Vos informations")).to_be_visible()
        expect(page.get_by_label("Nom complet")).to_have_value("Ada Lovelace")
        expect(page.locator("#two-factor-status")).to_contain_text("Désactivée")
        page.get_by_role("button", name="Se déconnecter partout").click()
        expect(page.get_by_role("dialog", name="Se déconnecter partout ?")).to_be_visible()
    finally:
        context.close()


def test_the_editor_and_its_panels_in_french(browser, live_server):
    context, page = french_page(browser, live_server)
    try:
        register(page)
        portfolio = create_portfolio(page, "Candidatures data")
        served = page.request.get(f"/app/portfolios/{portfolio['id']}").text()
        assert '<html lang="fr"' in served and ">Contenu</h2>" in served
        page.goto(f"/app/portfolios/{portfolio['id']}")
        expect(page.locator("#save-status")).to_have_text("Enregistré")
        expect(page.get_by_label("Nom du portfolio")).to_have_value("Candidatures data")
        expect(page.get_by_role("button", name="Ajouter : expérience")).to_be_visible()
        # A field error of the editor's own checks, in French.
        page.get_by_role("button", name="Ajouter : projet").click()
        new = page.locator("section[aria-labelledby='section-projects'] .item").first
        new.get_by_label("Résumé").fill("Pas encore de nom")
        expect(new.locator(".field-error")).to_have_text("Renseignez le champ « Nom ».")
        expect(page.locator("#save-status")).to_have_text("Modifications non enregistrées")
        # The panels' static fragments and their modules' words.
        expect(page.get_by_role("button", name="Publier", exact=True)).to_be_visible()
        page.get_by_role("button", name="Partager").click()
        expect(page.get_by_role("dialog", name="Publier et partager")).to_be_visible()
        expect(page.get_by_text("Brouillon : vous seul le voyez.", exact=False)).to_be_visible()
    finally:
        context.close()


def test_forgot_and_reset_password_pages_in_french(browser, live_server):
    context, page = french_page(browser, live_server)
    try:
        served = page.request.get("/reset-password").text()
        assert '<html lang="fr"' in served and "<h1>Mot de passe oublié\u00a0?</h1>" in served
        page.goto("/reset-password")
        page.get_by_role("button", name="Envoyez-moi un lien").click()
        expect(page.get_by_text("Saisissez votre adresse e-mail.")).to_be_visible()
        page.get_by_label("E-mail").fill("personne@example.com")
        page.get_by_role("button", name="Envoyez-moi un lien").click()
        expect(page.locator("#forgot-sent")).to_contain_text("nous lui avons envoyé un lien")
        page.goto("/reset-password?token=not-a-real-one")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Choisissez un nouveau mot de passe")
        page.get_by_label("Nouveau mot de passe").fill("court")
        page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
        expect(page.locator("#reset-password-error")).to_have_text(
            "Utilisez au moins 10 caractères.")
        page.goto("/verify-email")
        expect(page.get_by_role("alert")).to_have_text(
            "Ce lien est incomplet\u00a0: ouvrez à nouveau le lien de l’e-mail, ou copiez-le "
            "en entier.")
        expect(page.get_by_role("link", name="page Compte")).to_be_visible()
    finally:
        context.close()


def dashboard_dialog(page, language, name):
    """The dashboard's dialog the button `name` opens, the account in `language`."""
    call_api(page, "PATCH", "/auth/me", {"language": language})
    page.goto("/app")
    page.get_by_role("button", name=name).click()
    return page.get_by_role("dialog", name=name)


def test_a_new_portfolio_takes_the_accounts_language_unless_another_is_chosen(signed_in):
    page = signed_in
    dialog = dashboard_dialog(page, "de", "Neues Portfolio")
    language = dialog.get_by_label("Sprache des Portfolios")
    expect(language).to_have_value("de")
    expect(language.locator("option")).to_have_text(SWITCH_CHOICES)
    expect(dialog.get_by_text("Ihr eigener Text wird nicht übersetzt")).to_be_visible()
    dialog.get_by_label("Titel").fill("Bewerbungen")
    dialog.get_by_role("button", name="Portfolio erstellen").click()
    expect(page.get_by_role("heading", name="Bewerbungen", level=1)).to_be_visible()
    expect(page.get_by_label("Sprache des Portfolios")).to_have_value("de")
    first = page.url.rsplit("/", 1)[1]
    assert call_api(page, "GET", f"/portfolios/{first}")["language"] == "de"

    # A CV in English for a London job, written from a German account.
    page.goto("/app")
    page.get_by_role("button", name="Neues Portfolio").click()
    dialog.get_by_label("Titel").fill("London")
    dialog.get_by_label("Sprache des Portfolios").select_option(label="English")
    dialog.get_by_role("button", name="Portfolio erstellen").click()
    expect(page.get_by_role("heading", name="London", level=1)).to_be_visible()
    expect(page.get_by_label("Sprache des Portfolios")).to_have_value("en")
    second = page.url.rsplit("/", 1)[1]
    assert call_api(page, "GET", f"/portfolios/{second}")["language"] == "en"


def test_long_german_words_wrap_on_a_phone(signed_in):
    """A German compound in a portfolio's title wraps inside a phone's width on the pages that
    show it in their heading (the statistics' heading pushed the page 60 px wider)."""
    page = signed_in
    call_api(page, "PATCH", "/auth/me", {"language": "de"})
    page.set_viewport_size({"width": 390, "height": 844})
    created = create_portfolio(page, "Softwareentwicklungsprojektverwaltungsportfolio")
    for path in ("/app", f"/app/portfolios/{created['id']}",
                 f"/app/portfolios/{created['id']}/stats"):
        page.goto(path)
        expect(page.locator("main")).to_contain_text(created["title"])
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_an_unverified_account_is_told_in_its_language_why_no_link(page):
    """Creating a recruiter link before the address is verified is a 403 whose English words
    name the address: the share sheet says it in the app's own words, here Spanish."""
    register(page, verified=False)
    call_api(page, "PATCH", "/auth/me", {"language": "es"})
    created = create_portfolio(page, "Mi portfolio")
    page.goto(f"/app/portfolios/{created['id']}")
    page.get_by_role("button", name="Compartir", exact=True).click()
    sheet = page.get_by_role("dialog", name="Publicar y compartir")
    sheet.get_by_label("Etiqueta").fill("Acme")
    sheet.get_by_role("button", name="Crear el enlace").click()
    expect(sheet.get_by_role("alert")).to_contain_text("Confirma primero tu dirección de correo")


def test_the_french_header_keeps_its_bell_on_a_phone(signed_in, browser, live_server):
    """At 390 px, French's "Langue", "Français" and "Se déconnecter" fill the header's row: the
    unread count once squeezed the bell's icon to nothing; the tools wrap instead."""
    from .test_publish_and_stats import visit
    page = signed_in
    call_api(page, "PATCH", "/auth/me", {"language": "fr"})
    portfolio = create_portfolio(page, "Léa")
    link = call_api(page, "POST", f"/portfolios/{portfolio['id']}/recruiter-links",
                    {"label": "ACME"})
    visit(browser, live_server, link["url"].removeprefix(live_server.url))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/app")
    bell = page.locator("#notification-bell .bell-button")
    expect(bell).to_have_accessible_name("Notifications 1 non lues")
    assert bell.locator(".bell-icon").bounding_box()["width"] > 15
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_in_viewport()


def test_the_import_dialogs_refusals_in_french(signed_in):
    """The API's refusals of an import are English; the dialog says them in French: a document
    the schema refuses under its own heading with each field's problem, the wrong kind of file."""
    dialog = dashboard_dialog(signed_in, "fr", "Importer un CV")
    choose = dialog.get_by_label("Choisir un fichier")
    choose.set_input_files({"name": "cv.json", "mimeType": "application/json",
                            "buffer": b'{"work": [{"name": "Acme", "startDate": "bientot"}]}'})
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("Ce n’est pas un document JSON Resume\u00a0:")
    expect(alert).to_contain_text(
        "work[0].startDate\u00a0: Doit être une date\u00a0: AAAA, AAAA-MM ou AAAA-MM-JJ.")
    choose.set_input_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"notes"})
    expect(alert).to_contain_text("ce fichier n’est ni l’un ni l’autre")
    expect(alert).not_to_contain_text("JSON Resume document")


def test_the_account_pages_answers_in_spanish(page, mail_on):
    """What the account page announces after the API's answers (English, naming the address) is
    in the app's words, and a rate limit ("3 per 1 hour") reads as a sentence."""
    account = register(page, verified=False)
    call_api(page, "PATCH", "/auth/me", {"language": "es"})
    page.goto("/app/account")
    page.get_by_role("button", name="Volver a enviar el enlace").click()
    expect(page.locator("#toasts")).to_contain_text(f"Te enviamos un enlace nuevo a {account.email}.")
    form = page.locator("#address-form")
    form.get_by_label("Nueva dirección de correo").fill("grace@example.com")
    form.get_by_label("Tu contraseña").fill(account.password)
    form.get_by_role("button", name="Cambiar la dirección").click()
    expect(page.locator("#toasts")).to_contain_text(
        "Te enviamos un enlace a grace@example.com: ábrelo para confirmar el cambio.")
    page.evaluate("""async () => {
        const { ApiError } = await import("/static/app/api.js");
        const { showError } = await import("/static/app/dom.js");
        showError(new ApiError("3 per 1 hour", { status: 429 })); }""")
    expect(page.locator("#toasts")).to_contain_text(
        "Demasiados intentos en poco tiempo: espera un momento y vuelve a intentarlo.")
