"""The `origo` command without a node: parsing, exit codes, renderings, no traceback for a user's mistake."""

from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path

import pytest
from origo_api.answers import PayloadCheckAnswer
from origo_api.states import FILTER_WORDS, DocumentState, Verdict, filter_state
from origo_cli._context import UserError
from origo_cli.commands_desk import state_cell
from origo_cli.commands_more import proposal_body
from origo_cli.commands_verify import parse_target
from origo_cli.exit_codes import VERDICT_EXIT, ExitCode, for_error, for_verdict
from origo_cli.main import hoist_global_options, main
from origo_cli.render import (
    action_line,
    declaration_text,
    item_left,
    payload_line,
    trail_csv,
    trail_markdown,
)
from origo_sdk import (
    Action,
    ApiError,
    AuthError,
    BadRequestError,
    ChainRuleError,
    ConflictError,
    ConnectionError,
    DocumentStatus,
    ForbiddenError,
    NotFoundError,
    OrigoError,
    Quantity,
    Revocation,
    ServerError,
    TrailEvent,
    ValidationError,
)

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "form-d" / "vn-sg-coffee.json"


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------------------------------ exit codes


def test_every_verdict_has_a_distinct_code_and_only_usable_ones_are_zero() -> None:
    verdicts = {v.value for v in Verdict}  # the one definition of the verdicts (origo_api.states)
    assert set(VERDICT_EXIT) == verdicts
    zero = {v for v in verdicts if for_verdict(v) == ExitCode.OK}
    assert zero == {"valid", "partially_accepted"}
    bad = [for_verdict(v) for v in verdicts - zero]
    assert len(set(bad)) == len(bad), "each invalid verdict has its own code"
    assert for_verdict("tampered") == 10
    assert for_verdict("revoked") == 11
    assert for_verdict("superseded") == 12
    assert for_verdict("expired") == 13
    assert for_verdict("rejected") == 14
    assert for_verdict("unknown") == 15
    assert for_verdict("under_verification") == 16
    assert for_verdict("pending") == 17
    assert for_verdict("accepted") == 18
    assert for_verdict("refused") == 19
    assert for_verdict("not_confirmed") == 20
    assert for_verdict("something-new") == ExitCode.UNKNOWN


def test_a_claims_answer_says_what_it_left_on_each_item_in_its_unit() -> None:
    done = Action.model_validate(
        {
            "id": 7, "kind": "accept", "state": "done", "document_id": "0x" + "ab" * 32, "block": 12,
            "claimed": [
                {"item": 2, "unit": "PCE", "quantity": "40.000", "remaining": "8960.000"},
                {"item": 1, "unit": "PR", "quantity": "3000.000", "remaining": "0.000"},
            ],
        }
    )  # fmt: skip
    assert action_line(done, "MY:MY-KL-1").plain == (
        "claim #7 on MY:MY-KL-1: done; took 40.000 PCE of item 2, 8,960.000 PCE left on it; "
        "took 3,000.000 PR of item 1, nothing left on it, block 12"
    )


def test_work_list_words_are_the_verdicts_words() -> None:
    assert filter_state("used") == "accepted" and filter_state("Not confirmed") == "not_confirmed"
    assert filter_state(" under_verification ") == "under_verification"
    assert filter_state("awaiting-claim") == "awaiting_claim" and filter_state("lost") is None
    assert {filter_state(word) for word in FILTER_WORDS} >= {s.value for s in DocumentState}


def test_nothing_is_left_to_claim_on_a_certificate_that_cannot_be_used() -> None:
    item = Quantity(item=1, unit="KGM", total="19200.000", claimed="200.000", remaining="19000.000")
    assert item_left(item, "partially_accepted") == "19,000.000 KGM left of 19,200.000 KGM"
    assert item_left(item, "revoked") == (
        "19,200.000 KGM on the certificate, 200.000 KGM claimed; cannot be claimed (revoked)"
    )
    assert "left" not in item_left(item, "not_confirmed") and "left" not in item_left(item, "accepted")


def test_verdict_codes_do_not_collide_with_error_codes() -> None:
    errors = {ExitCode.FAILURE, ExitCode.USAGE, ExitCode.AUTH, ExitCode.NODE, ExitCode.NOT_FOUND}
    errors |= {ExitCode.REFUSED, ExitCode.CONFLICT, ExitCode.TRAIL_BROKEN}
    assert not errors & {c for c in VERDICT_EXIT.values() if c != ExitCode.OK}


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConnectionError("down"), ExitCode.NODE),
        (ServerError(503), ExitCode.NODE),
        (AuthError(401), ExitCode.AUTH),
        (ForbiddenError(403), ExitCode.AUTH),
        (NotFoundError(404), ExitCode.NOT_FOUND),
        (ValidationError(422), ExitCode.REFUSED),
        (BadRequestError(400), ExitCode.REFUSED),
        (ConflictError(409), ExitCode.CONFLICT),
        (ChainRuleError(409, rule="RegistryRevoked"), ExitCode.CONFLICT),
        (ApiError(418), ExitCode.REFUSED),
        (OrigoError("still pending"), ExitCode.FAILURE),
    ],
)
def test_errors_map_to_codes(error: OrigoError, code: ExitCode) -> None:
    assert for_error(error) == code


# ------------------------------------------------------------------------------------------------ parsing


def test_global_options_are_hoisted_from_anywhere() -> None:
    argv = ["verify", "x.json", "--json", "--node", "http://n:1", "--api-key=k", "--digest", "0xab"]
    assert hoist_global_options(argv) == [
        "--json",
        "--node",
        "http://n:1",
        "--api-key=k",
        "verify",
        "x.json",
        "--digest",
        "0xab",
    ]
    assert hoist_global_options(["cert", "revoke", "--", "--json"]) == ["cert", "revoke", "--", "--json"]


def test_targets_are_files_keys_or_page_urls(tmp_path: Path) -> None:
    file = tmp_path / "cert.json"
    file.write_text("{}")
    assert parse_target(str(file)) == (file, None, None)
    assert parse_target("VN:VN-HCM-2026-004512") == (None, "VN:VN-HCM-2026-004512", None)
    assert parse_target("VN-HCM-2026-004512") == (None, "VN-HCM-2026-004512", None)
    digest = "0x" + "cd" * 32
    url = f"http://node:8701/?id=0x{'ab' * 32}&digest={digest}"
    assert parse_target(url) == (None, "0x" + "ab" * 32, digest)
    assert parse_target("-") == (Path("-"), None, None)
    with pytest.raises(UserError):
        parse_target(str(tmp_path / "missing.json"))
    with pytest.raises(UserError):
        parse_target("http://node:8701/?nothing=1")


def test_proposals_are_built_from_short_kinds(tmp_path: Path) -> None:
    assert proposal_body("suspend", "th", None) == {"kind": "suspend_member", "target": "TH"}
    assert proposal_body("remove", "MY", None) == {"kind": "remove_member", "target": "MY"}
    assert proposal_body("change-quorum", "6000", None) == {"kind": "change_quorum", "quorum_bps": 6000}
    member = tmp_path / "bn.json"
    member.write_text(
        json.dumps(
            {
                "code": "BN",
                "name": "Brunei",
                "admin": "0x" + "1" * 40,
                "encryption_key": "0x01",
                "endpoint": "http://bn:8701",
            }
        )
    )
    body = proposal_body("add-member", None, member)
    assert body["kind"] == "add_member" and body["member"]["code"] == "BN"
    for bad in [("dissolve", "TH", None), ("suspend", None, None), ("suspend", "THA", None),
                ("change-quorum", "0", None), ("add-member", None, None)]:  # fmt: skip
        with pytest.raises(UserError):
            proposal_body(*bad)


# ------------------------------------------------------------------------------------------------ renderings


EVENTS = [
    TrailEvent(kind="anchored", member="VN", account="0xAa", block=3, tx="0x01", log_index=0,
               timestamp="2026-11-20T01:02:03Z", fields={"root": "0xr", "digest": "0xd", "importer": "SG"}),
    TrailEvent(kind="accepted", member="SG", account="0xBb", block=4, tx="0x02", log_index=1,
               timestamp="2026-11-21T00:00:00Z",
               fields={"declaration": "0x" + b"SG-IMP-1".hex().ljust(64, "0"),
                       "claims": [{"item": 1, "quantity": 250125}, {"item": 0, "quantity": 3000}],
                       "fullyUtilised": False}),
    TrailEvent(kind="revoked", member="VN", account="0xAa", block=5, tx="0x03", log_index=0,
               timestamp=None, fields={"reasonCode": 3, "reason": 'wrong HS code | "see, box 8"'}),
]  # fmt: skip
STATUS = DocumentStatus(
    document_id="0xid",
    type="atiga-form-d",
    version="1",
    issuer="VN",
    importer="SG",
    digest="0xd",
    state="revoked",
)


def test_declarations_are_shown_as_letters() -> None:
    assert declaration_text("0x" + b"SG-IMP-1".hex().ljust(64, "0")) == "SG-IMP-1"
    assert declaration_text("SG-IMP-1") == "SG-IMP-1"
    assert declaration_text("0x" + "ff" * 32) == "0x" + "ff" * 32


def test_csv_has_one_row_per_event_and_survives_commas_and_quotes() -> None:
    rows = list(csv.reader(io.StringIO(trail_csv(EVENTS))))
    assert rows[0] == ["#", "when", "event", "member", "account", "block", "tx", "details"]
    assert [r[2] for r in rows[1:]] == ["anchored", "claimed at import", "revoked"]
    assert rows[2][7] == "declaration SG-IMP-1; item 2: 250.125; item 1: 3.000"  # items as on the form
    assert rows[3][7] == 'reason 3: wrong HS code | "see, box 8"'
    assert rows[3][1] == "-"


def test_the_trail_gives_units_and_reason_labels_where_the_status_has_them() -> None:
    status = STATUS.model_copy(
        update={
            "items": [
                Quantity(item=1, unit="PR", total="12000.000"),
                Quantity(item=2, unit="PCE", total="9.000"),
            ],
            "revocation": Revocation(
                reason_code=3, reason="x", label="wrong HS code or description of the goods"
            ),
        }
    )
    rows = list(csv.reader(io.StringIO(trail_csv(EVENTS, status))))
    assert rows[2][7] == "declaration SG-IMP-1; item 2: 250.125 PCE; item 1: 3.000 PR"
    assert rows[3][7] == 'reason 3 (wrong HS code or description of the goods): wrong HS code | "see, box 8"'


def test_an_action_is_named_as_the_officer_named_the_document_and_says_why_it_failed() -> None:
    done = Action(id=4, kind="verification_request", state="done", document_id="0x" + "ab" * 32, block=9)
    assert action_line(done, "VN:VN-HCM-2026-004512").plain == (
        "verification request #4 on VN:VN-HCM-2026-004512: done, block 9"
    )
    failed = Action(
        id=5,
        kind="accept",
        state="failed",
        document_id="0x" + "ab" * 32,
        error={"title": "This declaration (SG-IMP-1) already claimed this certificate.", "rule": "x"},
    )
    assert action_line(failed).plain == (
        "claim #5 on 0xababababab…ababab: FAILED"
        " (This declaration (SG-IMP-1) already claimed this certificate.)"
    )


def test_markdown_is_a_table_with_escaped_pipes() -> None:
    text = trail_markdown("0xid", STATUS, EVENTS)
    lines = text.splitlines()
    assert lines[0] == "# Trail of 0xid"
    assert "- State: **Revoked**" in lines
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + len(EVENTS)
    assert table[0] == "| # | when | event | member | account | block | tx | details |"
    assert table[-1].endswith('| reason 3: wrong HS code \\| "see, box 8" |')
    # escaped pipes do not add columns
    assert all(line.replace("\\|", "").count("|") == 9 for line in table)


# ------------------------------------------------------------------------------------------------ mistakes


def test_a_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "verify", str(tmp_path / "nope.json"))
    assert code == ExitCode.USAGE
    assert "no such file" in err and "Traceback" not in err + out


def test_a_file_that_is_not_json_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"type": "atiga-form-d",\n  "referenceNumber": }')
    for argv in (
        ["verify", str(bad)],
        ["cert", "issue", str(bad)],
        ["trail", "verify", str(bad), "--rpc", "http://x"],
    ):
        code, out, err = run(capsys, "--node", closed_port_url(), *argv)
        assert code == ExitCode.USAGE, argv
        assert "not valid JSON (line 2" in err and "Traceback" not in err + out


def test_json_errors_are_machine_readable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "verify", str(tmp_path / "nope.json"), "--json")
    assert code == ExitCode.USAGE
    assert json.loads(out) == {"error": {"title": f"no such file: {tmp_path / 'nope.json'}", "status": None},
                               "exit_code": 2}  # fmt: skip


def test_an_unreachable_node_is_exit_4_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORIGO_RETRIES", "0")  # the SDK's tests cover the retries
    url = closed_port_url()
    for argv in (["verify", "VN:VN-1"], ["verify", str(SAMPLE)], ["cert", "status", "VN:VN-1"], ["members"],
                 ["trail", "VN:VN-1"], ["consortium", "status"]):  # fmt: skip
        code, out, err = run(capsys, "--node", url, "--timeout", "2", *argv)
        assert code == ExitCode.NODE, argv
        assert "cannot reach the node" in err and "Traceback" not in err + out


def test_bad_options_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--node", "ftp://x", "members")[0] == ExitCode.USAGE
    assert run(capsys, "cert", "revoke", "VN:X", "--reason-code", "zero")[0] == ExitCode.USAGE
    assert run(capsys, "cert", "revoke", "VN:X", "--reason-code", "0")[0] == ExitCode.USAGE
    assert run(capsys, "cert", "answer-verification", "VN:X", "--reason", "r")[0] == ExitCode.USAGE
    assert run(capsys, "verify", "VN:X", "--digest", "0x12")[0] == ExitCode.USAGE
    assert run(capsys, "frobnicate")[0] == ExitCode.USAGE
    assert run(capsys, "cert", "issue", str(SAMPLE), "--grant", "THA")[0] == ExitCode.USAGE


def test_an_rpc_that_does_not_answer_is_exit_4(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    leaf = {"documentId": "0x" + "11" * 32, "documentType": "0x" + "22" * 32, "digest": "0x" + "33" * 32,
            "issuer": "VN", "importer": "SG", "issuedAt": 1, "expiresAt": 2, "quantities": [],
            "payloadCid": "0x" + "44" * 32}  # fmt: skip
    export.write_text(json.dumps({
        "format": "origo-trail/1", "document_id": leaf["documentId"], "digest": leaf["digest"], "leaf": leaf,
        "root": "0x" + "55" * 32, "proof": [], "signature": "0x00", "signer": "0x" + "66" * 20,
        "chain_id": 31337, "registry": "0x" + "77" * 20, "membership": "0x" + "88" * 20, "events": [],
    }))  # fmt: skip
    url = closed_port_url()
    code, out, err = run(capsys, "trail", "verify", str(export), "--rpc", url)
    assert code == ExitCode.NODE
    assert f"the chain could not be reached at {url.rstrip('/')}" in " ".join(err.split())
    assert "nothing answered there" in " ".join(err.split())
    for library_words in ("HTTPConnectionPool", "NewConnectionError", "Max retries", "urllib3"):
        assert library_words not in out + err
    assert "Traceback" not in err + out
    not_export = tmp_path / "doc.json"
    not_export.write_text(SAMPLE.read_text())
    code, _, err = run(capsys, "trail", "verify", str(not_export), "--rpc", closed_port_url())
    assert code == ExitCode.USAGE and "not an Origo trail export" in err


def test_help_lists_the_audiences_and_the_operator_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for word in ("verify", "members", "cert", "manifest", "trail", "consortium", "node", "Exit codes"):
        assert word in out
    assert run(capsys, "node", "--help")[0] == 0
    code, out, _ = run(capsys, "trail", "--help")
    assert code == 0 and "verify" in out and "show" in out


def test_the_trail_says_what_this_member_found_in_the_payload() -> None:
    mismatch = PayloadCheckAnswer(
        state="facts_mismatch", detail="the chain records 1 item(s) with quantities"
    )
    shown = payload_line(mismatch)
    assert shown is not None and shown.plain == (
        "Payload: the chain's figures are not the certificate's (the chain records 1 item(s) with quantities)"
    )
    ok = payload_line(PayloadCheckAnswer(state="ok"))
    assert ok is not None and ok.plain.startswith("Payload: read and checked")
    assert payload_line(None) is None  # not a recipient: nothing to say


def test_the_work_list_marks_a_document_whose_payload_makes_it_unfit() -> None:
    flagged = {"state": "valid", "payload_check": {"state": "facts_mismatch", "detail": "x"}}
    assert state_cell(flagged) == "valid [red](the chain's figures are not the certificate's)[/red]"
    assert (
        state_cell({"state": "partially_accepted", "payload_check": {"state": "ok"}}) == "partially accepted"
    )
    assert state_cell({"state": "valid", "payload_check": None}) == "valid"
