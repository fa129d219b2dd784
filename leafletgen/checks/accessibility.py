"""Accessibility and readability checks: `generate.py check`, and before every build.

- contrast of every text/background pair on the laid-out pages (WCAG AA, 4.5:1), read from
  WeasyPrint's layout, so what is checked is what the templates and the practice's colours
  really produce, margin boxes included;
- the smallest text size used against the variant's minimum (large print: 18 pt);
- images without alt text;
- readability of each leaflet per language: average words a sentence and the share of long words
  (more than 6 letters, as in LIX); for Dutch the B1 target is at most 15 words a sentence;
- a review date that has passed.

A build turns every warning but readability into a warning of the build (an error with
--strict). Readability is a property of the medical text, which is copied exactly and not
the practice's to change: `check` reports it, a build does not fail on it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..typeset import engine  # noqa: F401  (imports WeasyPrint first: typeset/engine.py)
from weasyprint.formatting_structure import boxes

from .contrast import AA_NORMAL, contrast_ratio
from ..errors import shorten
from ..markup.inline import plain_text
from ..inputs.model import Leaflet
from ..typeset.variants import Variant

PAPER = "#ffffff"


# Average words a sentence, per language, for plain language (B1). Only Dutch has a target here.
SENTENCE_TARGET = {"nl": 15}
LONG_WORD_LETTERS = 6          # a word of more than 6 letters is long (LIX)
PX_PER_PT = 4 / 3              # CSS: 1pt = 4/3 px


@dataclass(frozen=True)
class Finding:
    level: str        # "warning" or "info"
    subject: str      # what it is about: "lage-rugklachten [nl] large-print"
    message: str

    @property
    def text(self) -> str:
        return f"{self.subject}: {self.message}"


# ---- Facts read from WeasyPrint's layout ----------------------------------------------------------

def _hex(color, background: str) -> str | None:
    """A tinycss2 colour as #rrggbb, blended over `background` if translucent; None if invisible."""
    red, green, blue = color.to("srgb").coordinates
    alpha = color.alpha
    if alpha == 0:
        return None
    if alpha < 1:
        bg = [int(background[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        red, green, blue = (alpha * c + (1 - alpha) * b for c, b in zip((red, green, blue), bg))
    return "#" + "".join(f"{max(0, min(255, round(c * 255))):02x}" for c in (red, green, blue))


@dataclass
class LayoutFacts:
    """What the laid-out pages use: text colour pairs, text sizes, images and their alt text.

    `collect` has the signature of WeasyPrint's `finisher` (document, pdf), so it can be handed
    to `write_pdf` and sees the very layout that becomes the PDF.
    """

    pairs: dict[tuple[str, str], str] = field(default_factory=dict)   # (text, background) → sample
    sizes: dict[float, str] = field(default_factory=dict)             # pt → sample
    images_without_alt: list[str] = field(default_factory=list)

    def collect(self, document, pdf=None) -> None:
        def walk(box, background):
            own = _hex(box.style["background_color"], background)
            background = own or background
            if isinstance(box, boxes.TextBox) and box.text.strip():
                sample = box.text.strip()[:40]
                color = _hex(box.style["color"], background)
                if color is not None:
                    self.pairs.setdefault((color, background), sample)
                    self.sizes.setdefault(round(box.style["font_size"] / PX_PER_PT, 2), sample)
            if isinstance(box, boxes.ReplacedBox):
                element = getattr(box, "element", None)
                if element is not None and element.tag.rsplit("}", 1)[-1] == "img" \
                        and not (element.get("alt") or "").strip():
                    src = element.get("src") or ""
                    name = "an embedded image" if src.startswith("data:") else \
                        src.rsplit("/", 1)[-1][:80] or "an image without src"
                    self.images_without_alt.append(name)
            for child in getattr(box, "children", None) or ():
                walk(child, background)

        for page in document.pages:
            walk(page._page_box, PAPER)

    @property
    def min_text_pt(self) -> float | None:
        return min(self.sizes) if self.sizes else None


# ---- Readability ----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?؟。])[\"'”’)]*\s+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@dataclass(frozen=True)
class Readability:
    sentences: int        # sentences of running prose (paragraphs and the key message)
    sentence_words: int   # words in those sentences
    words: int            # every word of the running text, list items included
    long_words: int
    list_items: int

    @property
    def words_per_sentence(self) -> float:
        return self.sentence_words / self.sentences if self.sentences else 0.0

    @property
    def long_share(self) -> float:
        return self.long_words / self.words if self.words else 0.0


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def readability(leaflet: Leaflet) -> Readability:
    """Over the running text: paragraphs, list items and the key message; titles, headings and
    alt texts are not running text.

    Sentences are counted in the prose only. A list item is a fragment ("Zeurende pijn onderin
    de rug"), not a sentence: counting it as one would make any leaflet with lists look simple.
    The lead-in of a list ("Veelvoorkomende symptomen van lage rugpijn:") is not a sentence
    either. Long words (more than 6 letters) are counted over all of it.
    """
    sentences = sentence_words = words = long_words = items = 0
    for block in leaflet.blocks:
        if block.kind == "list":
            texts, prose = list(block.items), False
            items += len(block.items)
        elif block.kind in ("paragraph", "callout"):
            texts = [block.text]
            prose = not plain_text(block.text).rstrip().endswith(":")
        else:
            continue
        for text in texts:
            for sentence in _SENTENCE_END.split(plain_text(text).strip()):
                found = _words(sentence)
                words += len(found)
                long_words += sum(1 for w in found if len(w.replace("-", "")) > LONG_WORD_LETTERS)
                if prose and found:
                    sentences += 1
                    sentence_words += len(found)
    return Readability(sentences, sentence_words, words, long_words, items)


def readability_finding(leaflet: Leaflet) -> Finding:
    r = readability(leaflet)
    lang = leaflet.language
    figures = (f"{r.words_per_sentence:.1f} words a sentence on average ({r.sentences} sentences "
               f"of prose; {r.list_items} list items not counted as sentences), "
               f"{100 * r.long_share:.0f}% long words (more than {LONG_WORD_LETTERS} letters, "
               f"of {r.words})")
    target = SENTENCE_TARGET.get(lang.split("_")[0])
    subject = f"{leaflet.id} [{lang}]"
    if target is None:
        return Finding("info", subject, f"readability: {figures}")
    if r.words_per_sentence > target:
        return Finding("warning", subject, f"readability: {figures}; above the B1 target of at most "
                                           f"{target} words a sentence")
    return Finding("info", subject, f"readability: {figures}; within the B1 target of {target}")


# ---- Findings --------------------------------------------------------------------------------------

def review_finding(leaflet: Leaflet, today: dt.date | None = None) -> Finding | None:
    today = today or dt.date.today()
    if leaflet.review < today:
        return Finding("warning", leaflet.id, f"review date {leaflet.review.isoformat()} has passed "
                                              f"({leaflet.rel_path}: update the text and `review:`)")
    return None


def layout_findings(subject: str, variant: Variant, facts: LayoutFacts) -> list[Finding]:
    findings = []
    for (text, background), sample in sorted(facts.pairs.items()):
        ratio = contrast_ratio(text, background)
        if ratio < AA_NORMAL:
            findings.append(Finding("warning", subject, f"contrast {ratio:.2f}:1 of text {text} on "
                                                        f"{background} is below {AA_NORMAL}:1 (WCAG AA), "
                                                        f"e.g. '{shorten(sample)}'"))
    smallest = facts.min_text_pt
    if smallest is not None and smallest < variant.min_text_pt - 0.01:
        findings.append(Finding("warning", subject, f"text of {smallest:g} pt, e.g. "
                                                    f"'{shorten(facts.sizes[smallest])}', is smaller than the "
                                                    f"{variant.name} variant's minimum of "
                                                    f"{variant.min_text_pt:g} pt"))
    for src in facts.images_without_alt:
        findings.append(Finding("warning", subject, f"image without alt text: {src}"))
    return findings


def leaflet_findings(leaflet: Leaflet, today: dt.date | None = None) -> list[Finding]:
    """What the leaflet's text itself shows: images without alt text, the review date."""
    findings = []
    for block in leaflet.blocks:
        if block.kind == "image" and not plain_text(block.text).strip():
            findings.append(Finding("warning", f"{leaflet.rel_path}:{block.line}",
                                    f"image {block.src} has no alt text"))
    review = review_finding(leaflet, today)
    if review:
        findings.append(review)
    return findings


def document_findings(leaflet: Leaflet, variant: Variant, facts: LayoutFacts,
                      today: dt.date | None = None) -> list[Finding]:
    """The checks run before every build, on the document being built (no readability)."""
    subject = f"{leaflet.id} [{leaflet.language}] {variant.name}"
    return leaflet_findings(leaflet, today) + layout_findings(subject, variant, facts)
