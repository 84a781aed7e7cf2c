"""Import every command module so that its commands register on the app."""

from vaxutils.cli import (  # noqa: F401
    catalogue,
    contracts,
    dataset,
    demo,
    passport,
    platform,
    police,
    report,
    review,
    screen,
    synth,
    verify,
)
