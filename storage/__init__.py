"""Storage: one service module per table (see tests/test_storage_shape.py), each taking an
engine and the acting user.

Importing the package loads the services that react to one another's changes, so that a
consensus assessment sent in closes its workshops however it was sent in.
"""

from storage import workshops  # noqa: F401  (registers its reaction to a consensus sent in)
