"""Sanitised contribution HTML as blocks of styled runs, for the office formats.

The input is ``render_markdown``'s output, so only its allow-listed tags occur; links
keep their text and show their address in brackets, since a printed page cannot click.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

_BLOCKS = {"p", "li"}  # render_markdown makes no other blocks


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


Block = list[Run]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block = []
        self.bold = 0
        self.italic = 0
        self.href: list[str | None] = []
        self.lists: list[str] = []

    def _flush(self) -> None:
        if any(r.text.strip() for r in self.current):
            self.blocks.append(self.current)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            self.lists.append(tag)
        elif tag in _BLOCKS:
            self._flush()
            if tag == "li":
                self.current.append(Run("• " if not self.lists or self.lists[-1] == "ul" else ""))
        elif tag == "br":
            self.current.append(Run("\n"))
        elif tag == "strong":
            self.bold += 1
        elif tag == "em":
            self.italic += 1
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag in _BLOCKS:
            self._flush()
        elif tag == "strong":
            self.bold -= 1
        elif tag == "em":
            self.italic -= 1
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href:
                self.current.append(Run(f" ({href})"))

    def handle_data(self, data: str) -> None:
        self.current.append(Run(data, self.bold > 0, self.italic > 0))


def blocks(html: str) -> list[Block]:
    """The paragraphs of sanitised HTML, each a list of runs."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._flush()
    return reader.blocks


def plain(block: Block) -> str:
    return "".join(r.text for r in block)
