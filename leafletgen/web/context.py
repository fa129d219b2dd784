"""What every page of the web app reaches: the project, the document service, the error page.

Kept apart from app.py (which assembles the app from the pages' blueprints) so that a page's
module imports these without importing the app that imports it.
"""

from __future__ import annotations

from flask import current_app, render_template

from ..inputs.project import Project
from .documents import DocumentService


def error_page(code: int, message: str, lines: list[str] | None = None):
    return render_template("error.html", code=code, message=message, lines=lines or [])


def project() -> Project:
    return current_app.extensions["leafletgen.inputs.project"]


def documents() -> DocumentService:
    return current_app.extensions["leafletgen.documents"]
