"""The text proof: what a document shows is what was approved, and nothing else."""
