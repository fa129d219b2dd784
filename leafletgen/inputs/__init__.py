"""Stage 1: the inputs of a document, read once and validated."""
