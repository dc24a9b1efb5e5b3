"""The app in the person's language: French from the browser's Accept-Language, the header's
switch, and the account's setting followed on another browser; the dashboard, account page and
editor in French, already in the HTML the server sends (no English flash)."""
import re

from playwright.sync_api import expect

from .conftest import register
from .helpers import create_portfolio


def french_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                  extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    return context, context.new_page()


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
        # The switch: back to English, kept for the next pages.
        page.get_by_label("Langue").select_option("en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        page.goto("/signup")
        expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        context.close()


def test_the_account_setting_follows_the_person(page, browser, live_server):
    account = register(page)
    page.goto("/app")
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()
    page.get_by_label("Language").select_option("fr")
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
        expect(new.locator(".field-error")).to_have_text("Renseignez le champ « nom ».")
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
