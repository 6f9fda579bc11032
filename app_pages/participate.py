"""Page script for st.navigation. The page lives in views.participate, imported once per process,
so a rerun neither recompiles it nor redefines its cached functions."""

from views.participate import page

page()
