"""copkit for Python: communities of practice for health professionals.

`Copkit` owns the services (in memory here); `Copkit.session(user, name,
email)` gives one signed-in person's `Session`, whose methods are
coroutines. Model types (records and enums) and `CopkitError` come from the
Rust core. See bindings/README.md.
"""

from .copkit_core import *  # noqa: F401,F403  (model types, ids, CopkitError)
from .copkit import *  # noqa: F401,F403  (Copkit, Session, CopkitListener, pages)
