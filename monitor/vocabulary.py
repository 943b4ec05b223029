"""The contract's vocabulary: the seven statuses and the five story kinds.

A module of its own, importing nothing, so that reading the settings does not
load the extractor's lexicon code.
"""

from __future__ import annotations

STATUSES = ("proposed", "planned", "at_risk", "paused", "postponed", "cancelled", "held")
KINDS = ("meeting", "call", "launch", "vote", "event")
