"""Facts read back from real PDFs (pypdf, pikepdf) and page images (pdftoppm)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
from pypdf import PdfReader


def pdf_text(path: Path) -> str:
    """All text of the PDF, whitespace folded to single spaces."""
    reader = PdfReader(str(path))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages)).strip()


def embedded_fonts(path: Path) -> dict[str, bool]:
    """Every font used by the pages → whether its program is embedded."""
    fonts = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for _, font in (page.Resources.get("/Font") or {}).items():
                descendants = font.get("/DescendantFonts")
                target = descendants[0] if descendants is not None else font
                descriptor = target.get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts[str(font.get("/BaseFont"))] = embedded
    return fonts


def render_png(pdf: Path, out_prefix: Path, dpi: int = 60) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out_prefix)], check=True)
    return sorted(out_prefix.parent.glob(out_prefix.name + "-*.png"))
