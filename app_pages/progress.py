"""Page script for st.navigation. The page lives in views.progress, imported once per process,
so a rerun neither recompiles it nor redefines its cached functions."""

from views.progress import page

page()
