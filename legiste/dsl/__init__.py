"""Légiste's front end: grammar, parser, surface AST and diagnostics.

    text ──parser.py (Lark LALR + indentation)──▶ ast.Module ──▶ compiler/
"""
