"""The interpreter: the IR compiled to closures, evaluated and explained; JSON cases validated."""
