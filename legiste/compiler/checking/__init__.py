"""Checking (stage 2): names, types, units and citations; the AST becomes the typed IR."""
