"""leafletgen: branded, print-ready, translated patient leaflets from one Dutch source.

The flow runs one way: load → validate → translate → render HTML → render PDF → write.
Each stage is a module of plain functions over plain data; `render.render_document` runs them
all for one document, and docs/architecture.md names the function of each stage.
"""

__version__ = "0.1.0"
