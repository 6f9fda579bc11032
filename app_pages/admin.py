"""Page script for st.navigation. The page lives in views.admin, imported once per process,
so a rerun neither recompiles it nor redefines its cached functions."""

from views.admin import page

page()
