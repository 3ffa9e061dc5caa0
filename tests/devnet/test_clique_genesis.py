"""The Clique genesis: the sealers in extraData as Clique reads them, and no fork beyond London."""

from __future__ import annotations

import pytest
from origo_devnet.clique_genesis import clique_extra_data, clique_genesis

A = "0x" + "bb" * 20
B = "0x" + "0a" * 20


def test_extra_data_is_vanity_then_sorted_sealers_then_an_empty_seal() -> None:
    extra = bytes.fromhex(clique_extra_data([A, B]).removeprefix("0x"))
    assert len(extra) == 32 + 2 * 20 + 65
    assert extra[:32] == b"\0" * 32 and extra[-65:] == b"\0" * 65
    assert extra[32:52] == bytes.fromhex("0a" * 20) and extra[52:72] == bytes.fromhex("bb" * 20)


@pytest.mark.parametrize("sealers", [[], [A, A], ["0x1234"]])
def test_bad_sealer_lists_are_refused(sealers: list[str]) -> None:
    with pytest.raises(ValueError):
        clique_extra_data(sealers)


def test_genesis_stops_at_london_and_funds_the_accounts() -> None:
    genesis = clique_genesis(chain_id=4242, sealers=[A], balances={B: 10**18}, period_s=2)
    config = genesis["config"]
    assert config["chainId"] == 4242 and config["clique"] == {"period": 2, "epoch": 30_000}
    assert config["londonBlock"] == 0 and config["berlinBlock"] == 0
    assert not [key for key in config if key.endswith("Time") or "merge" in key.lower()]
    assert "terminalTotalDifficulty" not in config
    assert genesis["alloc"] == {"0a" * 20: {"balance": hex(10**18)}}
    with pytest.raises(ValueError, match="at least 1 second"):
        clique_genesis(chain_id=1, sealers=[A], balances={}, period_s=0)
