"""Tests of the text proof (leafletgen/prove/)."""
