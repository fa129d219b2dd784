"""Stage 4: the HTML laid out by WeasyPrint and written as a tagged PDF."""
