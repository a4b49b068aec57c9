"""QR codes: every rendering decodes back to the URL with a real decoder (zxing-cpp)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import cairosvg
import pytest
import zxingcpp
from PIL import Image

from hostkit.joining.qr import qr_png, qr_svg, qr_terminal

SVG_NS = "{http://www.w3.org/2000/svg}"
URL = "http://192.168.1.20:8000/join/ACDEFG"
LONG_URL = "https://hall.example.org/hosting/sessions/join/ACDEFG?from=projector&lang=cy"


def decode(image: Image.Image) -> list[str]:
    return [
        result.text
        for result in zxingcpp.read_barcodes(image)
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


def rasterise_svg(svg: str, size: int) -> Image.Image:
    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=size, output_height=size)
    return Image.open(io.BytesIO(png)).convert("L")


def rasterise_terminal(text: str, *, drawn_is_dark: bool, scale: int = 6) -> Image.Image:
    """Turn half-block text back into pixels: each character is two stacked modules."""
    halves = {" ": (False, False), "\xa0": (False, False), "▀": (True, False)}
    halves |= {"▄": (False, True), "█": (True, True)}
    lines = text.rstrip("\n").split("\n")
    width = max(len(line) for line in lines)
    image = Image.new("L", (width, 2 * len(lines)), 255)
    for y, line in enumerate(lines):
        for x, char in enumerate(line):
            for half, drawn in enumerate(halves[char]):
                if drawn == drawn_is_dark:
                    image.putpixel((x, 2 * y + half), 0)
    return image.resize((width * scale, 2 * len(lines) * scale), Image.Resampling.NEAREST)


@pytest.mark.parametrize("url", [URL, LONG_URL])
@pytest.mark.parametrize("size", [150, 1200])
def test_svg_decodes_to_the_url_at_any_rendered_size(url: str, size: int) -> None:
    assert decode(rasterise_svg(qr_svg(url, title="Join"), size)) == [url]


@pytest.mark.parametrize("url", [URL, LONG_URL])
def test_png_decodes_to_the_url(url: str) -> None:
    image = Image.open(io.BytesIO(qr_png(url)))
    assert image.format == "PNG"
    assert decode(image) == [url]


def test_png_box_size_sets_pixels_per_module() -> None:
    small = Image.open(io.BytesIO(qr_png(URL, box_size=3)))
    large = Image.open(io.BytesIO(qr_png(URL, box_size=12)))
    assert large.size == (small.size[0] * 4, small.size[1] * 4)
    assert decode(small) == [URL]


def test_png_refuses_a_box_size_below_one_pixel() -> None:
    with pytest.raises(ValueError, match="box_size"):
        qr_png(URL, box_size=0)


def test_png_is_black_on_white_with_a_four_module_quiet_zone() -> None:
    box = 5
    image = Image.open(io.BytesIO(qr_png(URL, box_size=box))).convert("L")
    width, height = image.size
    quiet = 4 * box
    border_pixels = [
        image.getpixel((x, y))
        for x in range(width)
        for y in range(height)
        if min(x, y) < quiet or max(x, y) >= width - quiet
    ]
    assert set(border_pixels) == {255}
    assert {colour for _, colour in image.getcolors() or []} == {0, 255}
    # The top-left finder pattern starts right inside the quiet zone.
    assert image.getpixel((quiet, quiet)) == 0


def test_svg_rendering_has_a_white_quiet_zone_around_black_modules() -> None:
    image = rasterise_svg(qr_svg(URL, title="Join"), 370)  # 37 modules: 10 px each
    edge = [image.getpixel((x, y)) for x in range(370) for y in range(370) if min(x, y) < 40]
    assert set(edge) == {255}
    assert image.getpixel((45, 45)) == 0


def test_svg_is_a_scalable_labelled_image() -> None:
    root = ET.fromstring(qr_svg(URL, title="Join the Harvest Hall conversation"))
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") is not None
    assert root.get("width") is None
    assert root.get("height") is None
    first = root[0]
    assert first.tag == f"{SVG_NS}title"
    assert first.text == "Join the Harvest Hall conversation"


def test_svg_title_is_escaped_and_the_svg_carries_no_script() -> None:
    title = '</title><script>alert("x")</script> & <b onload="x()">'
    svg = qr_svg(URL, title=title)
    assert "<script" not in svg
    assert "&lt;/title&gt;&lt;script&gt;" in svg
    assert "&amp;" in svg
    root = ET.fromstring(svg)
    title_element = root.find(f"{SVG_NS}title")
    assert title_element is not None
    assert title_element.text == title
    for element in root.iter():
        assert element.tag.rsplit("}", 1)[-1] not in {"script", "foreignObject"}
        assert not any(name.lower().startswith("on") for name in element.attrib)


def test_svg_has_no_fixed_ids_to_clash_when_inlined_twice() -> None:
    root = ET.fromstring(qr_svg(URL, title="Join"))
    assert all(element.get("id") is None for element in root.iter())


def test_terminal_text_decodes_to_the_url() -> None:
    text = qr_terminal(URL)
    assert decode(rasterise_terminal(text, drawn_is_dark=True)) == [URL]


def test_inverted_terminal_text_decodes_on_a_dark_background() -> None:
    text = qr_terminal(URL, invert=True)
    assert text != qr_terminal(URL)
    assert decode(rasterise_terminal(text, drawn_is_dark=False)) == [URL]
