"""Test-wide settings.

Property tests draw the same examples on every run by default (``derandomize``), so that a CI run in
a fresh clone never fails on an example no earlier run met. To explore new examples, run with
``HYPOTHESIS_PROFILE=explore`` (random draws, more of them).
"""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=300, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
