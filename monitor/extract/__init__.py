"""Extraction: articles in, claims about event statuses out.

The stages live in their own modules: `sentences`, `entities`, `events`,
`dates` and `claims`; `lexicon` compiles the config files they read.

The names below are imported on first use, so that importing one light module
of the package (the settings read `lexicon.KINDS`) does not load the extractor:
commands that only read the state start faster.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.extract.claims import Claim, ClaimExtractor
    from monitor.extract.lexicon import KINDS, STATUSES, Lexicon, load_lexicon

__all__ = ["Claim", "ClaimExtractor", "KINDS", "Lexicon", "STATUSES", "load_lexicon"]

_HOMES = {"Claim": "claims", "ClaimExtractor": "claims", "KINDS": "lexicon",
          "Lexicon": "lexicon", "STATUSES": "lexicon", "load_lexicon": "lexicon"}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
