"""Copy-fitting: each leaflet laid out to the fewest whole sheets, no page left nearly empty.

A duplex A4 leaflet of three pages costs a second sheet for a few lines, so after the first layout
the pages are measured (layout.measure) and, only when they do not come out right, the leaflet is
set again within the clear-print limits: the space between blocks, then the body size (never below
the variant's minimum), then page breaks that share the text out; a heading's last two words are
kept together where a word would stand alone. A pure function of the measured layouts, so the same
input gives the same bytes. The rules as a reader sees them: docs/editors.md, "Copy-fitting".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable

from .measure import LayoutReport
from .variants import Variant

LAST_PAGE_MIN = 1 / 3        # no page of a reading PDF less than a third full
GAP_MAX_LARGE_PRINT = 0.25   # large print: no page before the last more than a quarter empty
SAFETY = 0.04                # aim this far below a page boundary (page breaks are not fluid)
MAX_LAYOUTS = 5


@dataclass(frozen=True)
class FitSettings:
    """How one layout is set: `level` from -1 (tightest) over 0 (as designed) to +1 (loosest);
    blocks that start a new page (CSS selectors made by layout.measure, never from input);
    headings and key messages (their text) whose last two words are kept together."""

    level: float = 0.0
    breaks: tuple[str, ...] = ()
    binds: tuple[str, ...] = ()
    # A long practice name or a wide logo left a "·" at a line end, or the footer's practice took
    # more lines than it has: the footer without the website (it is in the header), in large
    # print (two lines at most) without the phone number too; the header's e-mail address on a
    # line of its own.
    clear_separators: bool = False

    def body_pt(self, variant: Variant) -> float:
        low, high = variant.body_range
        if self.level >= 0:
            size = variant.body_pt + (high - variant.body_pt) * self.level
        else:   # tighter: first the spacing (down to level -0.5), then the body size
            size = variant.body_pt - (variant.body_pt - low) * max(0.0, -2 * self.level - 1)
        return round(size * 4) / 4          # in quarter points: 12.5 pt, not 12.44 pt

    def space(self, variant: Variant) -> float:
        low, high = variant.space_range
        if self.level >= 0:
            return round(1 + (high - 1) * self.level, 3)
        return round(1 - (1 - low) * min(1.0, -2 * self.level), 3)

    def css_rules(self) -> str:
        """Page breaks before the chosen blocks (values are ours: integers); separators cleared."""
        rules = "".join(f"{selector} {{ break-before: page; }}\n" for selector in self.breaks)
        return rules + (CLEAR_SEPARATORS if self.clear_separators else "")


CLEAR_SEPARATORS = (":root { --footer-start-shown: var(--footer-start-cleared); }\n"
                    ".practice-contact .sep { font-size: 0; }\n"
                    '.practice-contact .sep::after { content: "\\A"; white-space: pre; font-size: 10pt; }\n')


@dataclass
class Fitted:
    """The layout chosen, how it was set, and every layout it took (for the benchmark and check)."""

    settings: FitSettings
    layout: object                      # what `lay_out` returned for those settings
    report: LayoutReport
    tried: list[tuple[FitSettings, LayoutReport]] = field(default_factory=list)
    remembered: dict | None = None      # the setting as fit_memory keeps it, with its key

    @property
    def layouts(self) -> int:
        return len(self.tried)


def sheet_pages(variant: Variant) -> int:
    """Pages a sheet holds: 4 for a folded booklet, else 2 (printed duplex)."""
    return 4 if variant.impose == "booklet" else 2


def sheets(report: LayoutReport, variant: Variant) -> int:
    return math.ceil(report.page_count / sheet_pages(variant))


def problems(report: LayoutReport, variant: Variant) -> list[str]:
    """What is wrong with a layout's pages, in words a practice understands (empty: fine)."""
    return [text for text, _ in _problems(report, variant)]


def _problems(report: LayoutReport, variant: Variant) -> list[tuple[str, int]]:
    """(problem, weight): a blank or near-empty page weighs more than a gap in large print."""
    found = []
    unit = sheet_pages(variant)
    pages = report.page_count
    if pages > 1 and pages % unit:
        blank = unit - pages % unit
        found.append((f"{pages} pages: {'a blank page' if blank == 1 else f'{blank} blank pages'} "
                      f"when printed {'as a booklet' if unit == 4 else 'double-sided'}", 2))
    if pages > 1 and report.pages[-1].fill < LAST_PAGE_MIN:
        found.append((f"the last page is only {report.pages[-1].fill:.0%} full", 2))
    sparse = [number for number, page in enumerate(report.pages[:-1], start=1)
              if page.fill < LAST_PAGE_MIN]
    if sparse:
        found.append((f"page {sparse[0]} is only {report.pages[sparse[0] - 1].fill:.0%} full", 2))
    if variant.name == "large-print" and report.largest_gap > GAP_MAX_LARGE_PRINT:
        found.append((f"a page is left {report.largest_gap:.0%} empty at the bottom", 1))
    if report.end_matter_alone:
        found.append(("the last page holds only the small print (version, author, QR code)", 1))
    return found


FOOTER_LINES = 2      # the most lines a box of the footer is designed for, in every variant


def crowded(report: LayoutReport) -> bool:
    """Whether the header or the footer wants its separators cleared (FitSettings)."""
    return report.dangling or report.footer_lines > FOOTER_LINES


class _Layouts:
    """The layouts tried for one document, with their settings and reports."""

    def __init__(self, lay_out, binds: tuple[str, ...]):
        self.lay_out = lay_out
        self.tried: list[tuple[FitSettings, object, LayoutReport]] = []
        self.binds: set[str] = set(binds)
        self.clear_separators = False

    def __call__(self, candidate: FitSettings, made: tuple[object, LayoutReport] | None = None) -> LayoutReport:
        # Headings found with a word alone (and room to bind) are bound in every later layout;
        # a "·" found at a line end is cleared in every later one (a footer of more lines than
        # designed is tried cleared once, in step 4: clearing may not shorten it).
        candidate = replace(candidate, binds=tuple(sorted(self.binds | set(candidate.binds))),
                            clear_separators=candidate.clear_separators or self.clear_separators)
        layout, report = made or self.lay_out(candidate)
        self.tried.append((candidate, layout, report))
        self.binds.update(report.bindable)
        self.clear_separators |= report.dangling
        return report

    def settings_of(self, report: LayoutReport) -> FitSettings:
        return next(settings for settings, _, tried in self.tried if tried is report)

    @property
    def spare(self) -> bool:
        return len(self.tried) < MAX_LAYOUTS


def fit(variant: Variant, lay_out: Callable[[FitSettings], tuple[object, LayoutReport]],
        settings: FitSettings = FitSettings(),
        first: tuple[object, LayoutReport] | None = None) -> Fitted:
    """Lay out with `settings` (as designed, by default); if the pages do not come out right,
    again, tighter or looser (see the module's description). `lay_out(settings)` returns the
    layout (a WeasyPrint document) and its measured report; `first`, that of `settings` when
    it is made already."""
    attempt = _Layouts(lay_out, settings.binds)
    first = attempt(settings, first)
    current = first
    # 1. Fewer sheets: when the tightest setting may save one, find the least tightening that does.
    target = _fewer_sheets_target(first, variant)
    if target:
        current = _search(attempt, variant, settings, first, target, tighten=True) or first
    # 2. Whole sheets, no near-empty page: when pages are left over, share the space out.
    if problems(current, variant) and attempt.spare:
        _share_out(attempt, variant, current)
    # 3. A word alone on the last line of a heading or the key message: bind its last two words.
    chosen = _best(attempt.tried, variant)
    if chosen[2].lone_words and attempt.spare:
        bound = tuple(sorted(set(chosen[0].binds) | set(chosen[2].bindable)))
        if bound != chosen[0].binds:
            attempt(replace(chosen[0], binds=bound))
            chosen = _best(attempt.tried, variant)
    # 4. A "·" left at a line end in the header or footer, or a footer of more lines than it
    #    has: cleared (one more layout at most).
    if crowded(chosen[2]) and not chosen[0].clear_separators:
        attempt(replace(chosen[0], clear_separators=True))
        chosen = _best(attempt.tried, variant)
    return Fitted(chosen[0], chosen[1], chosen[2], [(s, r) for s, _, r in attempt.tried])


def _share_out(attempt: _Layouts, variant: Variant, current: LayoutReport) -> None:
    """Set more openly to whole sheets; then page breaks where a page is still left (nearly)
    empty. Each layout is kept in `attempt`, for fit() to choose from."""
    unit = sheet_pages(variant)
    pages = current.page_count
    target = unit * math.ceil(pages / unit) if pages > 1 else 1
    # A blank or nearly empty page may take a third try; a gap in large print two.
    heavy = any(weight > 1 for _, weight in _problems(current, variant))
    loosened = _search(attempt, variant, attempt.settings_of(current), current, target,
                       tighten=False, budget=3 if heavy else 2)
    current = loosened or current
    base = attempt.settings_of(current)
    measured, capacity = current, PAGE_CAPACITY
    while problems(current, variant) and attempt.spare:
        # Measured again with the breaks in place (a forced break keeps the margin a natural one
        # drops), the shares come out a little different: a second pass evens them; one that ran
        # over a page is shared out again from the same layout, each page less full.
        breaks = balancing_breaks(measured, target, variant, capacity)
        if not breaks or breaks == attempt.settings_of(current).breaks:
            break
        current = attempt(replace(base, breaks=breaks))
        if current.page_count > target:
            capacity -= 0.08
        else:
            measured = current


def _fewer_sheets_target(report: LayoutReport, variant: Variant) -> int:
    """The page count of one sheet less, if the tightest setting may reach it; else 0."""
    unit = sheet_pages(variant)
    have = sheets(report, variant)
    if have <= 1:
        return 0
    target = (have - 1) * unit
    if report.content_pages * variant.tightest_ratio > target - SAFETY:
        return 0
    return target


def _search(attempt, variant: Variant, start: FitSettings, report: LayoutReport, target: int,
            tighten: bool, budget: int = 2) -> LayoutReport | None:
    """Move the level until the text takes `target` pages: when tightening, all of it within
    them; when loosening, no page of too little and no page more. Secant steps over the measured
    content (pages before the last plus the last one's fill); after a step that made a page
    more, halfway back (at most `budget` layouts)."""
    if target == 1 and not tighten:
        return None
    goal = target - SAFETY if tighten else target - 1 + 0.55
    ratio = variant.tightest_ratio if tighten else variant.loosest_ratio
    # First step: the content taken as linear in the level, to the limit's estimated ratio.
    slope = report.content_pages * (ratio - 1) * (-1 if tighten else 1)
    points = [(start.level, report.content_pages)]
    bracket = [start.level, None]             # loosening: levels known to keep / exceed `target`
    found = None
    for _ in range(budget):
        level, slope = _next_level(points, slope, goal, bracket, tighten)
        if level is None:
            break
        result = attempt(replace(start, level=level))
        points.append((level, result.content_pages))
        if tighten:
            if result.page_count <= target:
                return result
            continue
        if result.page_count > target:
            bracket[1] = level                # overshot: a page more
            continue
        bracket[0], found = level, result
        if (result.page_count == target and not problems(result, variant)) or level >= 1.0:
            break                             # done, or as loose as it goes: breaks do the rest
    return found


def _next_level(points, slope: float, goal: float, bracket, tighten: bool):
    """(the next level to try, or None; the slope of content over level)."""
    level_now, content_now = points[-1]
    if len(points) >= 2:
        (l0, c0), (l1, c1) = points[-2], points[-1]
        slope = (c1 - c0) / (l1 - l0) if l1 != l0 and c1 != c0 else slope
    if bracket[1] is not None:
        level = (bracket[0] + bracket[1]) / 2
    else:
        level = level_now + (goal - content_now) / slope if slope else level_now
    level = round(max(-1.0, min(0.0, level)) if tighten else max(0.0, min(1.0, level)), 3)
    if any(level == known for known, _ in points):
        return None, slope
    return level, slope


PAGE_CAPACITY = 0.96        # a page shared out is filled to at most this (keep rules need room)
FULL_ENOUGH = 0.6           # a page before the last, shared out, is at least this full if it can be


def balancing_breaks(report: LayoutReport, target: int, variant: Variant,
                     capacity: float = 0.0) -> tuple[str, ...]:
    """Page breaks that share the text out over `target` pages: the blocks (or list items) that
    start a page, chosen so every page is as far as it can be above what it needs (a page before
    the last: FULL_ENOUGH, or in large print no more than a quarter empty; the last: a third),
    each at most PAGE_CAPACITY full; a page starts at a heading where that does as well. Only
    before blocks a break may precede (not right after a heading or a list's lead-in)."""
    need = 1 - GAP_MAX_LARGE_PRINT if variant.name == "large-print" else FULL_ENOUGH
    places = sorted(report.blocks, key=lambda place: (place.page, place.top))
    if target < 2 or len(places) < target or not report.pages:
        return ()
    single = _one_break(report, places, target, need)
    if single:
        return single
    header, heights = _heights(report, places)
    # Shared out over all pages; failing that (a block taller than a page must break where the
    # flow takes it), one break that leaves the page before the last at least a third full.
    return _partition(places, header, heights, target, need, capacity or PAGE_CAPACITY,
                      _natural_pages(places)) or _one_break(report, places, target, LAST_PAGE_MIN)


def _natural_pages(places) -> set[tuple[int, int]]:
    """(i, j): blocks i…j-1 filled a page of the measured layout, from its first block to the
    next page's top, so they fit one page however full it is (the first page of a practice with
    a tall header and a long first paragraph is full before any page break is placed)."""
    firsts = {}
    for index, place in enumerate(places):
        firsts.setdefault(place.page, index)
    return {(i, firsts[page + 1]) for page, i in firsts.items()
            if page + 1 in firsts and places[firsts[page + 1]].top < 0.02}


def _one_break(report: LayoutReport, places, target: int, need: float) -> tuple[str, ...]:
    """Only the last page short, by a little: one break on the page before it may do, keeping
    the natural flow everywhere else."""
    if report.page_count != target or target < 2 or report.pages[-1].fill >= LAST_PAGE_MIN or \
            any(page.fill < need for page in report.pages[:-1]):
        return ()
    before, last = report.pages[-2].fill, report.pages[-1].fill
    fits = [place for place in places if place.page == target - 2 and place.may_break_before
            and need <= place.top <= before - (LAST_PAGE_MIN - last)]
    if not fits:
        return ()
    # The break that leaves both pages most evenly full; a heading starting the page is worth a little.
    best = max(fits, key=lambda place: min(place.top, last + before - place.top) + 0.05 * place.heading)
    return (best.selector,)


def _heights(report: LayoutReport, places) -> tuple[float, list[float]]:
    """Above the first block (the practice block, the title), and each block's height, in
    pages: the text between its start and the next one's, without the empty foot of the pages
    in between (so it does not depend on where the pages happened to break)."""
    before = [0.0]
    for page in report.pages:
        before.append(before[-1] + page.fill)
    starts = [before[place.page] + min(place.top, report.pages[place.page].fill) for place in places]
    starts.append(before[-1])
    return starts[0], [max(0.0, b - a) for a, b in zip(starts, starts[1:])]


def _partition(places, header: float, heights: list[float], target: int,
               need: float, capacity: float, natural: set[tuple[int, int]]) -> tuple[str, ...]:
    """The blocks to start pages 2…target at: the partition of the blocks into `target` pages
    whose least margin over what a page needs is largest (dynamic programming over the blocks)."""
    count = len(places)
    allowed = [index > 0 and place.may_break_before for index, place in enumerate(places)]
    prefix = [header]
    for height in heights:
        prefix.append(prefix[-1] + height)

    def slack(i: int, j: int) -> float | None:
        """The margin of a page holding blocks i…j-1, None if it does not fit."""
        fill = prefix[j] - (prefix[i] if i else 0.0)
        if (fill > capacity and (i, j) not in natural) or (j < count and not allowed[j]) or \
                (i and not allowed[i]):
            return None
        return fill - (LAST_PAGE_MIN if j == count else need)

    # best[k][j]: (least margin, headings starting pages) of pages 1…k with page k ending before j.
    best: list[dict[int, tuple[float, int]]] = [{} for _ in range(target + 1)]
    choice: list[dict[int, int]] = [{} for _ in range(target + 1)]
    best[0][0] = (9.0, 0)
    for k in range(1, target + 1):
        for j in range(k, count + 1):
            for i, (low, headings) in best[k - 1].items():
                margin = slack(i, j) if i < j else None
                if margin is None:
                    continue
                candidate = (min(low, margin), headings + (1 if i and places[i].heading else 0))
                if candidate > best[k].get(j, (-9.0, 0)):
                    best[k][j], choice[k][j] = candidate, i
    if count not in best[target]:
        return ()
    breaks, j = [], count
    for k in range(target, 1, -1):
        j = choice[k][j]
        breaks.append(places[j].selector)
    return tuple(reversed(breaks))


def _best(tried, variant: Variant):
    """The layout to keep: fewest sheets, then fewest problems (a "·" at a line end, the
    footer's lines; its separators cleared only where that helped), then the most evenly full
    pages, then the least changed."""
    def key(item):
        settings, _, report = item
        # Among equals, the pages most evenly full (in large print: the smallest gap).
        evenness = round(report.largest_gap if variant.name == "large-print"
                         else -min(report.fills, default=0.0), 2)
        return (sheets(report, variant), sum(weight for _, weight in _problems(report, variant)),
                len(report.lone_words), report.dangling, report.footer_lines, settings.clear_separators,
                evenness, abs(settings.level),
                len(settings.breaks))
    return min(tried, key=key)
