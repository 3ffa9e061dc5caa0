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


def test_the_sdk_imports_none_of_the_node_and_its_heavy_dependencies() -> None:
    code = (
        "import sys, origo_sdk, origo_cli.main;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('origo_node', 'fastapi', 'starlette', 'web3', 'uvicorn', 'eth_account')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_no_public_name_escapes_all() -> None:
    public = {n for n in vars(origo_sdk) if not n.startswith("_")}
    assert public - set(origo_sdk.__all__) == set()


def test_errors_form_one_tree() -> None:
    sdk = origo_sdk
    assert issubclass(sdk.ConnectionError, sdk.OrigoError)
    assert issubclass(sdk.ApiError, sdk.OrigoError)
    for cls in (sdk.ValidationError, sdk.NotFoundError, sdk.ConflictError, sdk.AuthError, sdk.ServerError):
        assert issubclass(cls, sdk.ApiError)
    assert issubclass(sdk.ChainRuleError, sdk.ConflictError)
    assert issubclass(sdk.ForbiddenError, sdk.AuthError)
    assert not issubclass(sdk.ConnectionError, sdk.ApiError)
