"""Pictures from third parties become small clean WebP files, or are refused whole."""

from __future__ import annotations

import io

import pytest
from factories import picture, png_declaring
from PIL import Image

from music_time_machine.metadata.errors import ImageRejected
from music_time_machine.metadata.image_store import ImageStore, image_key
from music_time_machine.metadata.imaging import MAX_PIXELS, SIZES, render


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP", "GIF"])
def test_every_accepted_format_becomes_square_webp_at_each_size(kind):
    out = render(picture(640, 480, kind=kind))
    assert sorted(out) == sorted(SIZES)
    for size, data in out.items():
        image = opened(data)
        assert (image.format, image.size) == ("WEBP", (size, size))


def test_metadata_of_the_original_is_not_kept():
    exif = Image.Exif()
    exif[0x010E] = "SECRET-DESCRIPTION"  # ImageDescription
    exif[0x013B] = "SECRET-ARTIST"  # Artist
    source = picture(
        400,
        400,
        kind="JPEG",
        exif=exif.tobytes(),
        icc_profile=b"SECRET-ICC" * 8,
        comment=b"SECRET-COMMENT",
    )
    assert b"SECRET" in source  # the control: the original carries it
    for data in render(source).values():
        assert b"SECRET" not in data
        image = opened(data)
        assert not image.getexif() and "icc_profile" not in image.info


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><script>alert(1)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b'<rect width="9" height="9"/></svg>',
        b"\x89PNG\r\n\x1a\n" + b"<html>not really a png</html>",
        b"",
        b"%PDF-1.7\n",
    ],
    ids=["html", "svg", "png-signature-then-html", "empty", "pdf"],
)
def test_anything_but_a_picture_is_refused(body):
    with pytest.raises(ImageRejected) as refused:
        render(body)
    assert refused.value.cause == "not_an_image"


def test_a_decompression_bomb_is_refused_from_its_header():
    side = int(MAX_PIXELS**0.5) + 100
    with pytest.raises(ImageRejected) as refused:
        render(png_declaring(side, side))
    assert refused.value.cause == "too_large"
    with pytest.raises(ImageRejected):  # far beyond Pillow's own limit, too
        render(png_declaring(100_000, 100_000))


def test_the_store_writes_each_picture_once_under_its_content_key(tmp_path):
    store = ImageStore.in_data_dir(tmp_path)
    data = picture(100, 80)
    key = store.put(data)
    assert key == image_key(data) and store.has(key)
    files = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    renditions = {f"images/{key[:2]}/{key}-{size}.webp" for size in SIZES}
    assert files == renditions | {"images/.lock"}  # the lock put and prune share
    before = store.path(key, SIZES[0]).stat()
    assert store.put(data) == key  # the same bytes again: nothing rendered or written
    after = store.path(key, SIZES[0]).stat()
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)  # not replaced
    assert store.put(picture(100, 80, colour=(1, 2, 3))) != key


def test_the_store_writes_nothing_for_a_refused_picture_and_knows_only_its_own_names(tmp_path):
    store = ImageStore.in_data_dir(tmp_path)
    with pytest.raises(ImageRejected):
        store.put(b"<html></html>")
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    for key, size in (("../../etc/passwd", 64), ("A" * 32, 64), ("a" * 32, 65)):
        with pytest.raises(ValueError):
            store.path(key, size)
