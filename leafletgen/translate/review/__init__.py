"""Review records: who checked a translation, and whether that still holds."""
