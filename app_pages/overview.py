"""Page script for st.navigation. The page lives in views.overview, imported once per process,
so a rerun neither recompiles it nor redefines its cached functions."""

from views.overview import page

page()
