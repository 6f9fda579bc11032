"""Libraries imported once, by the first run of app.py, before any page can import them.

Altair's modules import each other in a circle; two sessions importing Altair at the same
time through different modules (a chart check in one, a page's `import altair` in another)
can deadlock in Python's import locks. It showed as an incident on the leader's page of a
workshop while four phones drew charts. Imported here first, whole, the others find it done.
"""

import altair
import altair.utils.schemapi
import altair.vegalite.v6.schema.core  # noqa: F401
