"""The runtime: values, exact arithmetic and input conversions, standard library only.

The interpreter imports it; a generated module carries its text."""
