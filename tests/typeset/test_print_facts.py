"""Clear print, measured on the real PDF: body size, line length, line height, ragged right."""

from __future__ import annotations

import statistics
from collections import Counter

import pdfplumber
import pytest



@pytest.fixture(scope="module")
def body_lines(dutch_leaflet):
    """Every line of body text (13 pt) on every page: (x0, x1, top, size, text)."""
    lines, sizes = [], Counter()
    with pdfplumber.open(dutch_leaflet.pdf) as doc:
        for number, page in enumerate(doc.pages):
            sizes.update(round(c["size"], 1) for c in page.chars)
            for line in page.extract_text_lines():
                size = round(line["chars"][0]["size"], 1)
                lines.append((number, line["x0"], line["x1"], line["top"], size, line["text"]))
    body_size = sizes.most_common(1)[0][0]
    return body_size, [line for line in lines if line[4] == body_size]


def test_body_text_is_at_least_12_pt(body_lines):
    body_size, lines = body_lines
    assert body_size >= 12
    assert len(lines) > 40


def test_line_length_is_about_65_characters(body_lines):
    _, lines = body_lines
    # Lines that end a paragraph or list item are short; measure the full ones.
    full = sorted(len(text) for *_, text in lines)[len(lines) // 2:]
    assert 58 <= statistics.median(full) <= 72, full
    assert max(full) <= 75


def test_line_height_is_about_1_4(body_lines):
    body_size, lines = body_lines
    steps = [b[3] - a[3] for a, b in zip(lines, lines[1:])
             if a[0] == b[0] and 0 < b[3] - a[3] < 2 * body_size]
    assert statistics.median(steps) / body_size == pytest.approx(1.4, abs=0.05)


def test_left_aligned_never_justified(body_lines):
    _, lines = body_lines
    page_one = [line for line in lines if line[0] == 0]
    paragraph = page_one[:8]  # the opening paragraph
    assert len({round(x0, 1) for _, x0, *_ in paragraph}) == 1        # one left edge
    right_edges = [x1 for _, _, x1, *_ in paragraph[:-1]]
    assert max(right_edges) - min(right_edges) > 20                     # ragged right (pt)
