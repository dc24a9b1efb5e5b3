"""The API documentation page (/api/v1/docs) works offline and under the pages' CSP: Swagger UI
comes from the app's own static files and renders every documented operation."""
from playwright.sync_api import expect

# A path item's other keys ("parameters", "summary") are not operations.
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def test_the_api_docs_render_every_operation_with_nothing_from_another_host(page, live_server):
    elsewhere = []

    def this_server_only(route):
        if route.request.url.startswith(f"{live_server.url}/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", this_server_only)
    response = page.goto("/api/v1/docs")
    assert "script-src 'self';" in response.headers["content-security-policy"]

    spec = page.request.get("/api/v1/openapi.json").json()
    operations = sum(method in HTTP_METHODS for methods in spec["paths"].values()
                     for method in methods)
    blocks = page.locator(".opblock")
    expect(blocks).to_have_count(operations)
    login = page.locator(".opblock-post", has=page.get_by_text("/api/v1/auth/login", exact=True))
    login.locator(".opblock-summary-control").click()
    expect(login.get_by_role("button", name="Try it out")).to_be_visible()
    assert elsewhere == []
