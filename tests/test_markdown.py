"""The one Markdown subset contributions are written in: paragraphs, line breaks, lists,
emphasis and links; indentation, headings, code and raw HTML stay the text they were."""

from __future__ import annotations

import lxml.html

from hostkit.text.markdown import render_markdown

REPLY = """Thanks, Sioned, for starting this.

    I have used the library every week since 1987. It is **where the village meets**.
    See [the survey](https://example.org/survey).

1. keep it open
2. add a café"""


def tags(html: str) -> set[str]:
    return {e.tag for e in lxml.html.fragment_fromstring(html, create_parent="div").iter()}


def test_an_indented_paragraph_stays_a_paragraph_not_code() -> None:
    html = render_markdown(REPLY)
    assert tags(html) == {"div", "p", "strong", "br", "a", "ol", "li"}
    assert "<p>I have used the library every week since 1987." in html


def test_a_single_newline_breaks_the_line() -> None:
    assert render_markdown("Buses\nafter six") == "<p>Buses<br>\nafter six</p>"


def test_emphasis_lists_and_links_are_kept() -> None:
    html = render_markdown("*really* **yes**\n\n- one\n- two\n\n<https://example.org/a>")
    assert "<em>really</em> <strong>yes</strong>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert 'href="https://example.org/a"' in html


def test_headings_code_quotes_images_and_raw_html_stay_text() -> None:
    text = "# Title\n\n> quoted\n\n`code`\n\n![map](https://example.org/m.png)\n\n<b>x</b><script>y</script>"
    html = render_markdown(text)
    assert tags(html) == {"div", "p"}
    assert "# Title" in html and "&gt; quoted" in html and "`code`" in html
    assert "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;y&lt;/script&gt;" in html


def test_only_web_and_mail_links_survive() -> None:
    html = render_markdown("[x](javascript:alert(1)) [y](mailto:a@example.org)")
    assert "javascript" not in html and "<a>x</a>" in html
    assert 'href="mailto:a@example.org"' in html


def test_no_word_is_lost_around_angle_brackets_and_ampersands() -> None:
    html = render_markdown("a < b & c <3 x<y and the rest")
    assert html == "<p>a &lt; b &amp; c &lt;3 x&lt;y and the rest</p>"


def test_a_list_typed_straight_after_a_sentence_or_indented_is_a_list() -> None:
    html = render_markdown("Three things:\n- evenings\n- mornings\n\n    1. first\n    2. second")
    assert "<p>Three things:</p>\n<ul>\n<li>evenings</li>\n<li>mornings</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


def test_one_text_never_shapes_the_next() -> None:
    """The parser is reused between texts (one per thread): a list, a link or a stashed
    piece of raw HTML in one note must leave nothing behind for the note after it."""
    render = render_markdown.__wrapped__  # past the cache: every call parses
    first = render("- tea\n- <b>cake</b>\n\n[the survey](https://example.org/s)")
    assert "<li>" in first and "&lt;b&gt;" in first
    assert render("Buses after six") == "<p>Buses after six</p>"
    assert render("<i>x</i> and y") == "<p>&lt;i&gt;x&lt;/i&gt; and y</p>"


def test_threads_render_alike() -> None:
    """Exports render on worker threads while the loop renders live notes."""
    from concurrent.futures import ThreadPoolExecutor

    render = render_markdown.__wrapped__
    texts = [f"Note {n}\n- a **{n}**\n- b" for n in range(200)]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(render, texts)) == [render(t) for t in texts]
