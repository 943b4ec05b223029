"""Extraction: articles in, claims about event statuses out.

The stages live in their own modules: `sentences`, `entities`, `events`,
`dates` and `claims`; `lexicon` compiles the config files they read.
"""

from monitor.extract.claims import Claim, ClaimExtractor
from monitor.extract.lexicon import KINDS, STATUSES, Lexicon, load_lexicon

__all__ = ["Claim", "ClaimExtractor", "KINDS", "Lexicon", "STATUSES", "load_lexicon"]
