"""The typed IR (stage 3): expression nodes (`nodes.py`), declarations (`declarations.py`)
and types (`types.py`).

Consumes the checker's output; every back end, the interpreter and the tools read it.
`from legiste.compiler import ir` gives the node classes as `ir.Const`, `ir.Rule`, ….
"""

from legiste.compiler.ir.nodes import *  # noqa: F401,F403
from legiste.compiler.ir.user_rules import *  # noqa: F401,F403,E402
from legiste.compiler.ir.declarations import *  # noqa: F401,F403,E402
from legiste.compiler.ir.printer import show, show_definition  # noqa: F401,E402
from legiste.compiler.ir.walk import children, transform, walk  # noqa: F401,E402
