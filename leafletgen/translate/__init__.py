"""The translate stage: catalogs, their checks and quality, language tables, termbases, memory."""
