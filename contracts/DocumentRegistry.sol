// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IDocumentRegistry} from "./IDocumentRegistry.sol";
import {IMembership} from "./IMembership.sol";

/**
 * @title DocumentRegistry
 * @notice Merkle batches of documents and each document's life cycle after anchoring.
 *
 * A document's stored state is packed in one slot (the six booleans of {DocumentState}
 * become bits of one byte) and written only when something happens to it; the replacement
 * id of a superseded document lives in a second mapping.
 *
 * Two leaves with the same document id can both be anchored (an issuer may anchor a
 * reference twice by mistake). The first action on the id records the first 20 bytes of
 * its leaf hash, and every later action must present the same leaf: the chain never
 * lets two leaves share a state.
 */
contract DocumentRegistry is IDocumentRegistry {
    struct StoredState {
        bytes20 leafTag;
        uint64 claimed;
        uint8 flags;
        uint16 reasonCode;
    }

    uint8 private constant _FULLY_UTILISED = 1;
    uint8 private constant _REVOKED = 1 << 1;
    uint8 private constant _REJECTED = 1 << 2;
    uint8 private constant _VERIFICATION_OPEN = 1 << 3;
    uint8 private constant _VERIFICATION_ANSWERED = 1 << 4;
    uint8 private constant _VERIFICATION_CONFIRMED = 1 << 5;
    uint8 private constant _SUPERSEDED = 1 << 6;

    IMembership private immutable _membership;

    mapping(bytes32 root => Batch) private _batches;
    mapping(bytes32 documentId => StoredState) private _states;
    mapping(bytes32 documentId => bytes32 replacementId) private _supersededBy;

    constructor(address membership_) {
        _membership = IMembership(membership_);
    }

    // ---------------------------------------------------------------- writes

    /// @inheritdoc IDocumentRegistry
    function anchorBatch(bytes32 root, uint32 count, string calldata manifestCid) external {
        bytes2 issuer = _membership.activeIssuerMember(msg.sender);
        if (issuer == bytes2(0)) revert RegistryNotIssuer(msg.sender);
        if (count == 0) revert RegistryEmptyBatch();
        if (_batches[root].count != 0) revert RegistryBatchExists(root);
        _batches[root] = Batch(issuer, count, uint48(block.number), uint48(block.timestamp));
        emit BatchAnchored(root, issuer, msg.sender, count, manifestCid);
    }

    /// @inheritdoc IDocumentRegistry
    function revoke(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        uint16 reasonCode,
        string calldata reason
    ) external {
        _authorise(leaf.issuer);
        StoredState memory s = _load(leaf, root, proof);
        _requireNotEnded(leaf.documentId, s);
        s.flags |= _REVOKED;
        s.reasonCode = reasonCode;
        _states[leaf.documentId] = s;
        emit DocumentRevoked(leaf.documentId, leaf.issuer, msg.sender, reasonCode, reason);
    }

    /// @inheritdoc IDocumentRegistry
    function supersede(
        Leaf calldata old,
        bytes32 oldRoot,
        bytes32[] calldata oldProof,
        Leaf calldata replacement,
        bytes32 replacementRoot,
        bytes32[] calldata replacementProof
    ) external {
        _authorise(old.issuer);
        bytes32 oldId = old.documentId;
        bytes32 newId = replacement.documentId;
        if (newId == oldId || replacement.issuer != old.issuer) revert RegistryInvalidReplacement(oldId, newId);
        StoredState memory s = _load(old, oldRoot, oldProof);
        _requireNotEnded(oldId, s);
        // The replacement must be live itself, which also rules out cycles of supersession.
        _requireNotEnded(newId, _load(replacement, replacementRoot, replacementProof));
        s.flags |= _SUPERSEDED;
        _states[oldId] = s;
        _supersededBy[oldId] = newId;
        emit DocumentSuperseded(oldId, newId, old.issuer, msg.sender);
    }

    /// @inheritdoc IDocumentRegistry
    function accept(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        bytes32 declaration,
        uint64 quantity
    ) external {
        _authorise(leaf.importer);
        bytes32 id = leaf.documentId;
        StoredState memory s = _load(leaf, root, proof);
        _requireNotEnded(id, s);
        if (leaf.expiresAt != 0 && block.timestamp >= leaf.expiresAt) revert RegistryExpired(id, leaf.expiresAt);
        if (s.flags & _REJECTED != 0) revert RegistryRejected(id);
        if (s.flags & _FULLY_UTILISED != 0) revert RegistryFullyUtilised(id);
        uint64 remaining;
        if (leaf.quantity == 0) {
            if (quantity != 0) revert RegistryQuantityNotTracked(id);
        } else {
            remaining = leaf.quantity - s.claimed;
            if (quantity > remaining) revert RegistryQuantityExceeded(id, quantity, remaining);
            if (quantity == 0) quantity = remaining;
            remaining -= quantity;
            s.claimed += quantity;
        }
        bool full = remaining == 0;
        if (full) s.flags |= _FULLY_UTILISED;
        _states[id] = s;
        emit DocumentAccepted(id, leaf.importer, msg.sender, declaration, quantity, remaining, full);
    }

    /// @inheritdoc IDocumentRegistry
    function reject(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        uint16 reasonCode,
        string calldata reason
    ) external {
        _authorise(leaf.importer);
        StoredState memory s = _load(leaf, root, proof);
        if (s.flags & _REJECTED != 0) revert RegistryRejected(leaf.documentId);
        s.flags |= _REJECTED;
        // A revocation's reason code outranks the rejection's.
        if (s.flags & _REVOKED == 0) s.reasonCode = reasonCode;
        _states[leaf.documentId] = s;
        emit DocumentRejected(leaf.documentId, leaf.importer, msg.sender, reasonCode, reason);
    }

    /// @inheritdoc IDocumentRegistry
    function requestVerification(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        string calldata reason
    ) external {
        _authorise(leaf.importer);
        StoredState memory s = _load(leaf, root, proof);
        if (s.flags & _VERIFICATION_OPEN != 0) revert RegistryVerificationOpen(leaf.documentId);
        s.flags = (s.flags | _VERIFICATION_OPEN) & ~(_VERIFICATION_ANSWERED | _VERIFICATION_CONFIRMED);
        _states[leaf.documentId] = s;
        emit VerificationRequested(leaf.documentId, leaf.importer, msg.sender, reason);
    }

    /// @inheritdoc IDocumentRegistry
    function answerVerification(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        bool confirmed,
        string calldata reason
    ) external {
        _authorise(leaf.issuer);
        StoredState memory s = _load(leaf, root, proof);
        if (s.flags & _VERIFICATION_OPEN == 0) revert RegistryNoVerificationOpen(leaf.documentId);
        s.flags = (s.flags & ~_VERIFICATION_OPEN) | _VERIFICATION_ANSWERED;
        if (confirmed) s.flags |= _VERIFICATION_CONFIRMED;
        _states[leaf.documentId] = s;
        emit VerificationAnswered(leaf.documentId, leaf.issuer, msg.sender, confirmed, reason);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDocumentRegistry
    function membership() external view returns (address) {
        return address(_membership);
    }

    /// @inheritdoc IDocumentRegistry
    function batch(bytes32 root) external view returns (Batch memory) {
        return _batches[root];
    }

    /// @inheritdoc IDocumentRegistry
    function documentState(bytes32 documentId) public view returns (DocumentState memory) {
        StoredState storage s = _states[documentId];
        uint8 f = s.flags;
        return
            DocumentState({
                leafTag: s.leafTag,
                claimed: s.claimed,
                fullyUtilised: f & _FULLY_UTILISED != 0,
                revoked: f & _REVOKED != 0,
                rejected: f & _REJECTED != 0,
                verificationOpen: f & _VERIFICATION_OPEN != 0,
                verificationAnswered: f & _VERIFICATION_ANSWERED != 0,
                verificationConfirmed: f & _VERIFICATION_CONFIRMED != 0,
                reasonCode: s.reasonCode,
                supersededBy: _supersededBy[documentId]
            });
    }

    /// @inheritdoc IDocumentRegistry
    function leafHash(Leaf calldata leaf) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(leaf))));
    }

    /// @inheritdoc IDocumentRegistry
    function isAnchored(Leaf calldata leaf, bytes32 root, bytes32[] calldata proof) public view returns (bool) {
        Batch storage b = _batches[root];
        return b.count != 0 && b.issuer == leaf.issuer && MerkleProof.verifyCalldata(proof, root, leafHash(leaf));
    }

    /**
     * @inheritdoc IDocumentRegistry
     * @dev The state returned is the document id's, whichever leaf it was first acted on with:
     * a caller holding a different leaf of the same id sees `state.leafTag` differ from its hash.
     * `remaining` is computed for the leaf given.
     */
    function statusOf(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof
    ) external view returns (Status memory status) {
        status.anchored = isAnchored(leaf, root, proof);
        status.batch = _batches[root];
        status.expired = leaf.expiresAt != 0 && block.timestamp >= leaf.expiresAt;
        status.state = documentState(leaf.documentId);
        if (leaf.quantity > status.state.claimed && !status.state.fullyUtilised) {
            status.remaining = leaf.quantity - status.state.claimed;
        }
    }

    // ---------------------------------------------------------------- internals

    /// The caller must be an issuer account of the active member `expected`.
    function _authorise(bytes2 expected) private view {
        bytes2 actual = _membership.activeIssuerMember(msg.sender);
        if (actual == bytes2(0)) revert RegistryNotIssuer(msg.sender);
        if (actual != expected) revert RegistryWrongMember(msg.sender, actual, expected);
    }

    /// Proves the leaf is in its issuer's batch under `root` and returns the document's state,
    /// tagged with this leaf if nothing happened to the document before.
    function _load(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof
    ) private view returns (StoredState memory s) {
        bytes32 h = leafHash(leaf);
        Batch storage b = _batches[root];
        if (b.count == 0 || b.issuer != leaf.issuer || !MerkleProof.verifyCalldata(proof, root, h)) {
            revert RegistryNotAnchored(leaf.documentId, root);
        }
        s = _states[leaf.documentId];
        if (s.leafTag == bytes20(0)) {
            s.leafTag = bytes20(h);
        } else if (s.leafTag != bytes20(h)) {
            revert RegistryLeafMismatch(leaf.documentId);
        }
    }

    function _requireNotEnded(bytes32 id, StoredState memory s) private view {
        if (s.flags & _REVOKED != 0) revert RegistryRevoked(id, s.reasonCode);
        if (s.flags & _SUPERSEDED != 0) revert RegistrySuperseded(id, _supersededBy[id]);
    }
}
