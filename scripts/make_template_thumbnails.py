"""Regenerate the editor design pane's assets in app/static/app/templates-thumbs/: a thumbnail
of the demo portfolio in each template, and `design.json`, the renderer's own tables the pane
needs (app/web/rendering/): each template's default theme (shown while the portfolio sets no
colour or font of its own), the font stacks, and the sections with their default heading,
column and order (a layout that does not name a section places it so).

    .venv/bin/python scripts/make_template_thumbnails.py

Run it after changing a template, those tables or the demo content: tests/test_design_assets.py
fails while design.json is out of date.

MongoDB: MONGODB_URI, else a throw-away local mongod (scripts/local_mongod.py). The app is
served on a free local port and each page is shot by Playwright with the system Chromium, then
reduced with Pillow to a small WebP.
"""
import io
import json
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import local_mongod  # noqa: E402

OUTPUT = ROOT / "app" / "static" / "app" / "templates-thumbs"
DATABASE = "vitrine_thumbnails"
VIEWPORT = {"width": 1280, "height": 960}
THUMBNAIL_SIZE = (320, 240)
WEBP_QUALITY = 80
# What the picker says of each template (their looks are described in app/templates/portfolio/).
TEMPLATE_LABELS = {
    "classic": ("Classic", "A résumé on paper: serif type, a quiet sidebar."),
    "modern": ("Modern", "A bold band in your colour, sections as cards."),
    "minimal": ("Minimal", "Black on white, plenty of space."),
}
FONT_LABELS = {"system": "System", "sans": "Sans-serif", "serif": "Serif", "mono": "Monospace",
               "humanist": "Humanist sans", "geometric": "Geometric sans"}


def design_tables():
    """What design.json holds."""
    from app.models.portfolio import TEMPLATES
    from app.web.rendering import (
        DEFAULT_HEADINGS, DEFAULT_ORDER, FONT_STACKS, SIDE_BY_DEFAULT, TEMPLATE_THEMES,
    )
    return {
        "templates": [{"name": name, "label": TEMPLATE_LABELS[name][0],
                       "description": TEMPLATE_LABELS[name][1], "thumbnail": f"{name}.webp",
                       "theme": TEMPLATE_THEMES[name]} for name in TEMPLATES],
        "fonts": [{"name": name, "label": FONT_LABELS[name], "stack": stack}
                  for name, stack in FONT_STACKS.items()],
        # `proofs` (a gallery of every document) shows only when the layout names it.
        "sections": [{"name": name, "heading": DEFAULT_HEADINGS[name],
                      "column": "side" if name in SIDE_BY_DEFAULT else "main",
                      "shown_by_default": name != "proofs"} for name in DEFAULT_ORDER],
    }


def serve(app):
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def shoot_templates(base_url, set_template):
    """{template: PNG bytes} of the demo page in each template."""
    from playwright.sync_api import sync_playwright
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    shots = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport=VIEWPORT)
        for entry in design_tables()["templates"]:
            set_template(entry["name"])
            page.goto(f"{base_url}/p/camille-martin")
            shots[entry["name"]] = page.screenshot()
        browser.close()
    return shots


def thumbnail(png):
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.thumbnail(THUMBNAIL_SIZE, Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=WEBP_QUALITY, method=6)
    return out.getvalue()


def main():
    from app import create_app
    from app.cli import seed_demo_portfolio, seed_demo_user
    from app.services import portfolios
    from config import TestConfig

    with local_mongod.throwaway_database(DATABASE) as (_, database_uri):
        config = type("ThumbnailConfig", (TestConfig,), {
            "MONGODB_URI": database_uri, "VISITS_ENABLED": False})
        app = create_app(config)
        with app.app_context():
            user = seed_demo_user()
            demo = seed_demo_portfolio(user)

        def set_template(name):
            """The template with its own colours and fonts (the demo content sets some)."""
            cleared = dict.fromkeys(demo.theme)
            with app.app_context():
                portfolios.write(demo.id, user, lambda loaded: portfolios.apply_changes(
                    loaded, {"template": name, "theme": cleared}))

        server = serve(app)
        try:
            shots = shoot_templates(f"http://127.0.0.1:{server.server_port}", set_template)
        finally:
            server.shutdown()

    OUTPUT.mkdir(parents=True, exist_ok=True)
    for name, png in shots.items():
        path = OUTPUT / f"{name}.webp"
        path.write_bytes(thumbnail(png))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")
    (OUTPUT / "design.json").write_text(
        json.dumps(design_tables(), indent=2, ensure_ascii=False) + "\n")
    print(f"{(OUTPUT / 'design.json').relative_to(ROOT)} written")


if __name__ == "__main__":
    main()
