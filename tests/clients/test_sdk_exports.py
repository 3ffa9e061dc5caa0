"""The SDK's public surface is exactly what `__all__` declares, and every name in it exists."""

from __future__ import annotations

import subprocess
import sys

import origo_sdk

EXPECTED = {
    "DEFAULT_NODE",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "OrigoClient",
    # errors
    "OrigoError",
    "ConnectionError",
    "ApiError",
    "BadRequestError",
    "ValidationError",
    "AuthError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "ChainRuleError",
    "ServerError",
    # answers
    "Health",
    "Member",
    "DocumentType",
    "DocumentState",
    "DocumentStatus",
    "Anchor",
    "Quantity",
    "Revocation",
    "Rejection",
    "VerificationState",
    "Utilisation",
    "ItemClaim",
    "Verdict",
    "VerificationChecks",
    "VerificationResult",
    "IssueReceipt",
    "SupersedeReceipt",
    "Problem",
    "BulkItem",
    "BulkReceipt",
    "Action",
    "LeafFacts",
    "ProofBundle",
    "IssuedFile",
    "LinkedCertificate",
    "Consignment",
    "ManifestLinks",
    "TrailEvent",
    "Trail",
    "TrailExport",
    "Proposal",
    # requests
    "RevokeRequest",
    "AcceptRequest",
    "ItemClaimRequest",
    "RejectRequest",
    "VerificationRequestBody",
    "VerificationAnswerBody",
    "NewMember",
    "AddMemberProposal",
    "StatusChangeProposal",
    "QuorumProposal",
    "ProposalCreate",
}


def test_all_is_exactly_the_public_surface() -> None:
    assert set(origo_sdk.__all__) == EXPECTED
    assert len(origo_sdk.__all__) == len(EXPECTED), "no name twice"


def test_every_exported_name_exists_and_claims_the_sdk() -> None:
    for name in origo_sdk.__all__:
        value = getattr(origo_sdk, name)
        module = getattr(value, "__module__", "origo_sdk")
        if isinstance(value, type):
            # The models are the API's contract, defined once in origo_api (shipped with the client).
            assert module.startswith(("origo_sdk", "origo_api")), (name, module)


def _modules_loaded_by(statement: str) -> list[str]:
    code = (
        f"import sys; {statement};"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('origo_node', 'fastapi', 'starlette', 'web3', 'uvicorn', 'eth_account'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return [m for m in out.strip().split(",") if m]


def test_the_sdk_imports_none_of_the_node_and_its_heavy_dependencies() -> None:
    assert _modules_loaded_by("import origo_sdk") == []


def test_the_cli_imports_only_the_nodes_own_command_definitions() -> None:
    # `origo node ...` is the node's own command group (origo_node.commands, imported one way: CLI -> node);
    # it loads the node's heavy parts only when one of its commands runs.
    assert _modules_loaded_by("import origo_cli.main") == [
        "origo_node",
        "origo_node.commands",
        "origo_node.limits",
    ]
