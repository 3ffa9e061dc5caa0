"""How one value reads: long hex shortened, dates, amounts in their unit, declaration numbers."""

from __future__ import annotations

from typing import Any


def short(value: str | None, keep: int = 10) -> str:
    """``0x1234abcd…9f`` for long hex; anything else unchanged."""
    if not value:
        return "-"
    if value.startswith("0x") and len(value) > 2 * keep + 2:
        return f"{value[: keep + 2]}…{value[-6:]}"
    return value


def declaration_text(value: Any) -> str:
    """The import declaration's number: the chain keeps it as bytes32, the node may send it as hex."""
    text = str(value)
    if text.startswith("0x") and len(text) == 66:
        try:
            decoded = bytes.fromhex(text[2:]).rstrip(b"\0").decode("ascii")
        except (ValueError, UnicodeDecodeError):
            return text
        if decoded.isprintable():
            return decoded
    return text


def thousandths(value: Any) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number // 1000}.{number % 1000:03d}"


def date(value: str | None) -> str:
    if not value:
        return "-"
    return value.replace("T00:00:00Z", "").replace("T", " ").replace("Z", " UTC")


def amount(value: Any, unit: str | None = None) -> str:
    """ "12000.000" (the node's decimal string) -> "12,000.000 PR"."""
    whole, _, part = str(value).partition(".")
    text = f"{int(whole):,}" if whole.isdigit() else whole
    return (f"{text}.{part}" if part else text) + (f" {unit}" if unit else "")
