"""Images: re-encoded with their orientation applied and every metadata block dropped, plus a
WebP thumbnail. The pixel limit guards against decompression bombs."""
import io

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from .sniffing import IMAGE_FORMATS, JPEG, WEBP, Refused

THUMBNAIL_MAX_SIDE = 480
# Image info that is rendering, not metadata: everything else (EXIF, XMP, ICC, comments, text
# chunks) is dropped before re-encoding.
KEEP_IMAGE_INFO = ("transparency", "duration", "loop", "background")


def _open_image(data):
    limit = current_app.config["PROOF_MAX_IMAGE_PIXELS"]
    too_many_pixels = Refused(413, f"This image has too many pixels (at most {limit:,} in all).")
    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
        if image.width * image.height * frames > limit:
            raise too_many_pixels
        image.load()
        return image
    except Image.DecompressionBombError as exc:  # Pillow's own guard, beyond twice its limit
        raise too_many_pixels from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise Refused(415, "This image is damaged or not a real image.") from exc


def clean_image(data, content_type):
    """Re-encode an image with its orientation applied and all metadata gone.

    Returns (stored bytes, width, height, thumbnail bytes in WebP).
    """
    image = _open_image(data)
    animated = getattr(image, "is_animated", False)
    if not animated:
        image = ImageOps.exif_transpose(image)
    image.info = {key: value for key, value in image.info.items() if key in KEEP_IMAGE_INFO}
    output = io.BytesIO()
    options = {"icc_profile": None, "exif": b""}
    if content_type == JPEG:
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        options.update(quality=90)
    elif content_type == WEBP:
        options.update(quality=90)
    if animated:
        options.update(save_all=True)
    image.save(output, IMAGE_FORMATS[content_type], **options)

    thumbnail = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    thumbnail.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE))
    thumbnail_output = io.BytesIO()
    thumbnail.save(thumbnail_output, "WEBP", quality=80)
    return output.getvalue(), image.width, image.height, thumbnail_output.getvalue()

