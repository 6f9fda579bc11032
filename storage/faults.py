"""Fault-injection points for the crash tests: no effect unless MATURITY_FAULT_PAUSE names one.

A test starts a process with MATURITY_FAULT_PAUSE=<point>; when the process reaches that
point in the middle of a write it prints the point's name and waits, and the test kills
it with SIGKILL to check that the database keeps all of the write or none of it.
"""

from __future__ import annotations

import os
import sys
import time


def checkpoint(point: str) -> None:
    if os.environ.get("MATURITY_FAULT_PAUSE") != point:
        return
    print(f"paused at {point}", flush=True)
    sys.stdout.flush()
    while True:  # pragma: no cover - the test kills the process here
        time.sleep(1)
