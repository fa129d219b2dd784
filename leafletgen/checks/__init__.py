"""What a practice should hear about a document: contrast, sizes, pages."""
