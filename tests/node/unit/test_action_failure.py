"""An action's failure, typed: the problem the node has always recorded, from a refusal or a revert."""

from __future__ import annotations

from origo_node.chain.fake_contracts import refuse
from origo_node.documents.action_failure import ActionFailure, failure_of


def test_a_refusal_by_rule_is_recorded_as_its_words_then_its_error_and_arguments() -> None:
    exc = refuse("RegistryQuantityExceeded", b"\xab" * 32, 1, 9_000_000, 8_960_000)
    failure = ActionFailure.refused(exc)
    assert failure.rule == "RegistryQuantityExceeded" and failure.args == (
        "0x" + "ab" * 32,
        1,
        9_000_000,
        8_960_000,
    )
    # what the sender wrote before the type, key for key and in order
    before = {"title": exc.message, **exc.details}
    assert list(failure.as_json().items()) == list(before.items())
    assert failure_of(failure.as_json()) == failure


def test_a_revert_names_its_transaction_and_nothing_it_does_not_have() -> None:
    failure = ActionFailure.reverted("0x" + "7e" * 32)
    assert failure.as_json() == {
        "title": "the chain reverted the transaction",
        "rule": "Reverted",
        "tx": "0x" + "7e" * 32,
    }
    assert list(failure.as_json()) == ["title", "rule", "tx"]
    assert failure_of(failure.as_json()) == failure
