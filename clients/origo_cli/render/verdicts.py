"""The words and colour of each verdict and state, taken from their one definition (origo_api.states)."""

from __future__ import annotations

from origo_api import states

#: The words of each verdict and state, defined once with them (origo_api.states).
VERDICT_TITLES = {verdict.value: title for verdict, title in states.TITLES.items()}


_STYLES = {"good": "bold green", "wait": "bold yellow", "done": "bold blue", "bad": "bold red"}


def verdict_style(verdict: str) -> str:
    return _STYLES[states.tone(verdict)]
