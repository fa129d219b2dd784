"""leafletgen: branded, print-ready, translated patient leaflets from one Dutch source.

The flow runs one way: load → validate → translate → render HTML → render PDF → write.
Each stage is a module of plain functions over plain data.
"""

__version__ = "0.1.0"
