"""QR codes for the room: an SVG for the projector page, a PNG, and terminal text.

All three are drawn by ``qrcode``, black on white with the standard four-module quiet
zone, at error-correction level M: enough to survive glare on a projector screen
without making the code denser (and so harder to scan from the back of a hall).
"""

from __future__ import annotations

import io
from typing import TypeVar

import qrcode
import qrcode.constants
from qrcode.image.base import BaseImage
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathFillImage

_QUIET_ZONE = 4  # modules; the minimum the QR specification asks for

_Image = TypeVar("_Image", bound=BaseImage)


def qr_svg(data: str, *, title: str) -> str:
    """Return a standalone SVG document encoding ``data``, labelled ``title``.

    It has a viewBox and no fixed width or height, so it fills whatever box the page
    gives it; ``role="img"`` and the ``<title>`` give screen readers its name.
    """
    image = _code(data, SvgPathFillImage).make_image()
    svg = image.get_image()
    for fixed_size in ("width", "height"):
        svg.attrib.pop(fixed_size, None)
    svg.set("role", "img")
    # Keep module edges sharp when scaled, with no hairline seams between modules.
    svg.set("shape-rendering", "crispEdges")
    if image.path is not None:
        # A fixed id would clash when two codes are inlined into one HTML page.
        image.path.attrib.pop("id", None)
    # makeelement keeps us on whichever ElementTree implementation qrcode chose;
    # the serializer escapes the text, so any title is safe.
    title_element = svg.makeelement("title", {})
    title_element.text = title
    svg.insert(0, title_element)
    return image.to_string(encoding="unicode")


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    """Return a PNG encoding ``data``, each module ``box_size`` pixels square."""
    if box_size < 1:
        raise ValueError(f"box_size must be at least 1 pixel, got {box_size}")
    image = _code(data, PilImage, box_size=box_size).make_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_terminal(data: str, *, invert: bool = False) -> str:
    """Return ``data`` as a QR code drawn with block characters, two rows per line.

    Drawn characters are dark modules, which suits dark text on a light terminal;
    pass ``invert=True`` for a light-on-dark terminal.
    """
    buffer = io.StringIO()
    _code(data, PilImage).print_ascii(out=buffer, invert=invert)
    return buffer.getvalue()


def _code(data: str, factory: type[_Image], *, box_size: int = 10) -> qrcode.QRCode[_Image]:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=box_size,
        border=_QUIET_ZONE,
        image_factory=factory,
    )
    code.add_data(data)
    code.make(fit=True)
    return code
