"""Back ends: one module per target that consumes the typed IR (generated Python, JSON IR,
SQL, documentation). Each is a function of `legiste.compiler.ir.Program`."""
