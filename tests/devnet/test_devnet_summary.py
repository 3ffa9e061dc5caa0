"""The summary `make up` prints stays readable in an 80-column terminal: every key whole on one line."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from origo_devnet.network import ALL_MEMBERS, MemberNode, Network
from origo_devnet.summary import print_summary
from rich.console import Console


def eleven_members(tmp_path: Path) -> Network:
    network = Network(
        root=Path("/home/operator/origo/.devnet"),
        rpc_url="http://127.0.0.1:8545",
        chain_id=31337,
        membership="0x" + secrets.token_hex(20),
        registry="0x" + secrets.token_hex(20),
        deployment_block=1,
    )
    for index, code in enumerate(ALL_MEMBERS):
        network.members[code] = MemberNode(
            code=code,
            data_dir=tmp_path / code,
            port=8701 + index,
            # the shape create_key gives them: a prefix and 32 random bytes in base64url
            officer_key="origo_" + secrets.token_urlsafe(32),
            auditor_key="origo_" + secrets.token_urlsafe(32),
            admin_key="origo_" + secrets.token_urlsafe(32),
        )
    return network


def rendered(network: Network, width: int) -> list[str]:
    out = io.StringIO()
    print_summary(network, Console(file=out, width=width, color_system=None, force_terminal=False))
    return out.getvalue().splitlines()


def test_every_key_and_address_is_whole_on_a_line_within_80_columns(tmp_path: Path) -> None:
    network = eleven_members(tmp_path)
    lines = rendered(network, 80)
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    wanted = [network.membership, network.registry]
    for node in network.members.values():
        wanted += [node.officer_key, node.auditor_key, node.url + "/"]
    for value in wanted:
        assert sum(value in line for line in lines) == 1, f"{value} is not whole on one line"


def test_each_member_is_a_block_named_in_full(tmp_path: Path) -> None:
    lines = rendered(eleven_members(tmp_path), 80)
    assert "TL  Customs Authority of Timor-Leste" in lines
    block = lines[lines.index("VN  General Department of Vietnam Customs") :]
    assert block[1].strip() == "not started: not a member on chain yet"
    assert block[2].split() == ["node", "http://127.0.0.1:8701"]
    assert block[4].split()[:3] == ["officer", "API", "key"]
