"""The design pane's assets (app/static/app/templates-thumbs/) match the renderer they describe.

They are made by scripts/make_template_thumbnails.py; rerun it when this fails."""
import json
from pathlib import Path

from PIL import Image

from app.schemas.portfolio import FONT_FAMILIES
from scripts.make_template_thumbnails import OUTPUT, THUMBNAIL_SIZE, design_tables

MAX_THUMBNAIL_BYTES = 20_000


def test_design_json_is_up_to_date():
    stored = json.loads(Path(OUTPUT, "design.json").read_text())
    assert stored == design_tables(), "rerun scripts/make_template_thumbnails.py"
    # The pane offers only fonts the API accepts.
    assert sorted(font["name"] for font in stored["fonts"]) == sorted(FONT_FAMILIES)


def test_every_template_has_a_small_webp_thumbnail():
    for entry in design_tables()["templates"]:
        path = Path(OUTPUT, entry["thumbnail"])
        assert path.stat().st_size <= MAX_THUMBNAIL_BYTES
        with Image.open(path) as image:
            assert image.format == "WEBP"
            assert image.size == THUMBNAIL_SIZE
