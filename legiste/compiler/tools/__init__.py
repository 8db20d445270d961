"""Tools built on the IR and the interpreter: examples, invariant verification, coverage."""
