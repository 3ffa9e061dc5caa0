"""`origo cert accept` with items and the per-item status, without a node: options, words, tables."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest
from origo_cli.commands_cert import claim_options, quantity_option
from origo_cli.main import main
from origo_cli.render import claimed_text, items_table, status_card
from origo_sdk import DocumentStatus, OrigoClient, Utilisation
from rich.console import Console

STATUS = DocumentStatus.model_validate(
    {
        "document_id": "0x" + "ab" * 32,
        "reference": "MY-PEN-2026-070215",
        "type": "atiga-form-d",
        "version": "1",
        "issuer": "MY",
        "importer": "TH",
        "state": "partially_accepted",
        "items": [
            {"item": 1, "unit": "PR", "total": "12000.000", "claimed": "0.000", "remaining": "12000.000"},
            {"item": 2, "unit": "PCE", "total": "9000.000", "claimed": "40.000", "remaining": "8960.000"},
            {"item": 3, "unit": None, "total": None, "claimed": None, "remaining": None},
        ],
        "utilisations": [
            {
                "declaration": "TH-IMP-0001",
                "claims": [{"item": 2, "unit": "PCE", "quantity": "40.000", "remaining": "8960.000"}],
                "whole_certificate": False,
                "fully_utilised": False,
                "block": 7,
                "tx": "0x" + "cd" * 32,
            }
        ],
    }
)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["--node", closed_port_url(), "--api-key", "k", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def text(renderable: Any) -> str:
    console = Console(width=160, record=True)
    console.print(renderable)
    return console.export_text()


def test_claim_options_name_items_with_or_without_a_quantity() -> None:
    assert claim_options(["1=3000", "2", "3=0.125"]) == {1: "3000", 2: None, 3: "0.125"}
    assert claim_options([]) is None
    assert quantity_option(" 12,000.5 ", "--quantity") == "12000.5"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--claim", "x=1"], "--claim takes ITEM=QUANTITY"),
        (["--claim", "0=1"], "--claim takes ITEM=QUANTITY"),
        (["--claim", "2=abc"], "--claim 2=abc takes a positive quantity"),
        (["--claim", "2="], "takes a positive quantity"),
        (["--claim", "1", "--claim", "1=4"], "names item 1 twice"),
        (["--claim", "1", "--item", "2"], "without --item and --quantity"),
        (["--claim", "1", "--quantity", "2"], "without --item and --quantity"),
        (["--quantity", "-4"], "--quantity takes a positive quantity"),
        (["--quantity", "1.0001"], "at most three decimals"),
        (["--item", "0"], "Invalid value for '--item'"),
    ],
)
def test_mistakes_in_claims_are_told_in_words(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    code, out = run(capsys, "cert", "accept", "MY:MY-PEN-2026-070215", "--declaration", "TH-1", *argv)
    assert code != 0 and says in out, out


def test_the_sdk_sends_what_the_officer_named(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        action = {"id": 1, "kind": "accept", "document_id": "0x01", "params": {}, "state": "done"}
        return httpx.Response(200, json=action)

    origo = OrigoClient("http://node.test", api_key="k", transport=httpx.MockTransport(answer))
    origo.accept("K", "TH-1")
    origo.accept("K", "TH-2", "40", item=2)
    origo.accept("K", "TH-3", claims={1: None, 2: "40.5"})
    assert sent == [
        {"declaration": "TH-1"},
        {"declaration": "TH-2", "item": 2, "quantity": "40"},
        {"declaration": "TH-3", "claims": [{"item": 1}, {"item": 2, "quantity": "40.5"}]},
    ]


def test_the_status_shows_a_table_of_items_in_their_units() -> None:
    table = text(items_table(STATUS))
    assert table.splitlines()[0].strip() == "Items"
    rows = [line.split(line[0]) for line in table.splitlines() if line[:1] in ("┃", "│")]
    cells = [[c.strip() for c in row[1:-1]] for row in rows]
    assert cells[0] == ["item", "unit", "total", "claimed", "remaining"]
    assert cells[1] == ["1", "PR", "12,000.000", "0.000", "12,000.000"]
    assert cells[2] == ["2", "PCE", "9,000.000", "40.000", "8,960.000"]
    assert cells[3] == ["3", "-", "-", "-", "whole certificate only"]
    card = text(status_card(STATUS, {}))
    assert "Claims at import" in card and "TH-IMP-0001" in card and "40.000 PCE of item 2" in card


def test_what_a_claim_took_is_said_item_by_item() -> None:
    whole = Utilisation.model_validate(
        {
            "declaration": "TH-9",
            "whole_certificate": True,
            "claims": [
                {"item": 1, "unit": "PR", "quantity": "12000.000", "remaining": "0.000"},
                {"item": 2, "unit": "PCE", "quantity": "8960.000", "remaining": "0.000"},
            ],
        }
    )
    assert claimed_text(whole) == "whole certificate (12,000.000 PR of item 1; 8,960.000 PCE of item 2)"
    assert claimed_text(STATUS.utilisations[0]) == "40.000 PCE of item 2"
