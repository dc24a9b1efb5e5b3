"""api.js, the one API client of the web app, called from a page as the modules call it."""
from playwright.sync_api import expect

from .helpers import cookie, create_portfolio

IMPORT = 'const { api, upload, ApiError } = await import("/static/app/api.js");'


def run(page, body, argument=None):
    """Run `body` (an async function's body, with api.js imported) in the page."""
    return page.evaluate(f"async (argument) => {{ {IMPORT} {body} }}", argument)


def test_a_stale_write_is_a_409_carrying_the_current_version(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "Mine")
    page.goto("/app")
    conflict = run(page, """
        const id = argument;
        const loaded = await api.get(`/portfolios/${id}`);
        const saved = await api.patch(`/portfolios/${id}`, { title: "Ours" },
                                      { ifMatch: loaded.version });
        try {
          await api.patch(`/portfolios/${id}`, { title: "Theirs" }, { ifMatch: loaded.version });
        } catch (error) {
          return { apiError: error instanceof ApiError, status: error.status, kind: error.kind,
                   current: error.body.current_version, saved: saved.version };
        }""", portfolio["id"])
    assert conflict == {"apiError": True, "status": 409, "kind": "http",
                        "current": conflict["saved"], "saved": portfolio["version"] + 1}


def test_field_errors_and_messages(signed_in):
    page = signed_in
    page.goto("/app")
    error = run(page, """
        try { await api.post("/portfolios", { title: "" }); }
        catch (error) { return { status: error.status, message: error.message,
                                 fields: error.fieldErrors }; }""")
    assert error["status"] == 422 and error["message"]
    assert list(error["fields"]) == ["title"]


def test_an_upload_reports_progress_and_refreshes_an_expired_session(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "With a photo")
    page.goto("/app")
    page.context.clear_cookies(name="access_token_cookie")
    result = run(page, """
        const canvas = new OffscreenCanvas(64, 64);
        canvas.getContext("2d").fillRect(0, 0, 64, 64);
        const form = new FormData();
        form.append("file", await canvas.convertToBlob({ type: "image/png" }), "photo.png");
        form.append("item_type", "profile");
        const progress = [];
        const proof = await upload(`/portfolios/${argument}/proofs`, form,
                                   { onProgress: (done) => progress.push(done) });
        return { proof, lastProgress: progress.at(-1) };""", portfolio["id"])
    assert result["proof"]["content_type"] == "image/png"
    assert result["lastProgress"] == 1
    assert cookie(page, "access_token_cookie") is not None


def test_offline_is_its_own_kind_of_error(signed_in):
    page = signed_in
    page.goto("/app")
    page.allow_console_error("net::ERR_INTERNET_DISCONNECTED")
    page.context.set_offline(True)
    error = run(page, """
        try { await api.get("/portfolios"); }
        catch (error) { return { kind: error.kind, status: error.status, offline: error.offline,
                                 message: error.message }; }""")
    page.context.set_offline(False)
    assert error["kind"] == "offline" and error["offline"] is True and error["status"] == 0
    assert error["message"].startswith("You are offline.")


def test_two_tabs_refreshing_at_once_keep_the_session(signed_in):
    page = signed_in
    tabs = [page, page.context.new_page()]
    page.context.clear_cookies(name="access_token_cookie")
    for tab in tabs:  # both tabs start before either has refreshed the session
        tab.goto("/app", wait_until="commit")
    for tab in tabs:
        expect(tab.locator("#current-user")).to_have_text(page.account.full_name)
    # Had both spent the same refresh cookie, the session would have been revoked as stolen.
    page.reload()
    expect(page.locator("#current-user")).to_have_text(page.account.full_name)
    assert page.request.get("/api/v1/auth/me").ok
