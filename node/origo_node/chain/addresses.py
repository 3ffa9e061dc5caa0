"""Account addresses as the chain writes them: checked and checksummed here, so that nothing above the chain
layer needs an Ethereum library to read one."""

from __future__ import annotations

from eth_utils.address import is_address, to_checksum_address


def checksummed(value: object) -> str | None:
    """``value`` as a checksummed account address (``0x`` + 40 hex digits), or None if it is not one."""
    if not isinstance(value, str) or not is_address(value):
        return None
    return str(to_checksum_address(value))
