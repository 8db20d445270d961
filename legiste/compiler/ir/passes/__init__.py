"""Passes over the typed IR (stage 3 → stage 3), one module per pass, named for what it makes
explicit or computes. Consumes a checked `ir.Program`; `analysis` gives facts any back end
can use (can an expression fail, is it surely a Decimal, how often is a rule read)."""
