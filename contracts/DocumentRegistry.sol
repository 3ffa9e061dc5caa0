// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IDocumentRegistry} from "./IDocumentRegistry.sol";
import {IMembership} from "./IMembership.sol";

/**
 * @title DocumentRegistry
 * @notice Merkle batches of documents and each document's life cycle after anchoring.
 *
 * A document is named by its issuing member and its id together: the chain cannot check
 * that an id was derived from its issuer's reference, so any member may anchor a leaf
 * carrying another member's id, and that leaf must never touch the other member's
 * document. Every per-document record is therefore keyed by (issuer, documentId), and
 * every batch by (issuer, root): whatever another member anchors, under whatever root or
 * id, lives beside the victim's records, never on them.
 *
 * A document's stored state is packed in one slot (the six booleans of {DocumentState}
 * become bits of one byte) and written only when something happens to it; the replacement
 * id of a superseded document lives in a second mapping.
 *
 * Two leaves of one issuer with the same document id can both be anchored (an issuer may
 * anchor a reference twice by mistake). The first action on the document records the first
 * 16 bytes of its leaf hash, and every later action must present the same leaf: the chain
 * never lets two leaves share a state.
 *
 * One import declaration claims a document at most once. The first claim's declaration is
 * remembered as a 40-bit tag inside the state slot (so the usual single claim writes no
 * second slot); each later claim also marks its declaration in a mapping of its own.
 *
 * Claims are counted per item, in each item's own unit. What was claimed of the first item
 * lives in the state slot too (a one-item certificate's claim writes one slot, as before);
 * every other item's count gets a slot of its own the first time it is claimed. A claim of
 * the whole certificate only sets the fully-utilised flag: it writes no item counts at all.
 */
contract DocumentRegistry is IDocumentRegistry {
    struct StoredState {
        bytes16 leafTag;
        uint64 firstItemClaimed; // thousandths of item 0 claimed item by item
        uint8 flags;
        uint16 reasonCode;
        bytes5 firstDeclaration; // tag of the first claim's declaration (never 0 once set)
    }

    uint8 private constant _FULLY_UTILISED = 1;
    uint8 private constant _REVOKED = 1 << 1;
    uint8 private constant _REJECTED = 1 << 2;
    uint8 private constant _VERIFICATION_OPEN = 1 << 3;
    uint8 private constant _VERIFICATION_ANSWERED = 1 << 4;
    uint8 private constant _VERIFICATION_CONFIRMED = 1 << 5;
    uint8 private constant _SUPERSEDED = 1 << 6;

    IMembership private immutable _membership;

    mapping(bytes2 issuer => mapping(bytes32 root => Batch)) private _batches;
    mapping(bytes2 issuer => mapping(bytes32 documentId => StoredState)) private _states;
    mapping(bytes2 issuer => mapping(bytes32 documentId => bytes32 replacementId)) private _supersededBy;
    /// Thousandths claimed of each item after the first (the first item's count is in the state slot).
    mapping(bytes2 issuer => mapping(bytes32 documentId => mapping(uint8 item => uint64 claimed)))
        private _itemClaimed;
    /// Declarations of every claim after a document's first (the first one's tag is in the state slot).
    mapping(bytes2 issuer => mapping(bytes32 documentId => mapping(bytes32 declaration => bool)))
        private _laterDeclarations;

    constructor(address membership_) {
        _membership = IMembership(membership_);
    }

    // ---------------------------------------------------------------- writes

    /// @inheritdoc IDocumentRegistry
    function anchorBatch(bytes32 root, uint32 count, string calldata manifestCid) external {
        bytes2 issuer = _membership.activeIssuerMember(msg.sender);
        if (issuer == bytes2(0)) revert RegistryNotIssuer(msg.sender);
        if (count == 0) revert RegistryEmptyBatch();
        // Roots are per member: another member anchoring this root first (e.g. predicted from a
        // leaked leaf) blocks nothing here.
        if (_batches[issuer][root].count != 0) revert RegistryBatchExists(issuer, root);
        _batches[issuer][root] = Batch(issuer, count, uint48(block.number), uint48(block.timestamp));
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
        _requireNotEnded(leaf.issuer, leaf.documentId, s);
        s.flags |= _REVOKED;
        s.reasonCode = reasonCode;
        _states[leaf.issuer][leaf.documentId] = s;
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
        bytes2 issuer = old.issuer;
        _requireNotEnded(issuer, oldId, s);
        // The replacement must be live itself, which also rules out cycles of supersession.
        _requireNotEnded(issuer, newId, _load(replacement, replacementRoot, replacementProof));
        s.flags |= _SUPERSEDED;
        _states[issuer][oldId] = s;
        _supersededBy[issuer][oldId] = newId;
        emit DocumentSuperseded(oldId, issuer, newId, msg.sender);
    }

    /// @inheritdoc IDocumentRegistry
    function accept(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        bytes32 declaration,
        Claim[] calldata claims
    ) external {
        _authorise(leaf.importer);
        _requireCanonicalDeclaration(declaration);
        bytes32 id = leaf.documentId;
        StoredState memory s = _load(leaf, root, proof);
        _requireNotEnded(leaf.issuer, id, s);
        if (leaf.expiresAt != 0 && block.timestamp >= leaf.expiresAt) revert RegistryExpired(id, leaf.expiresAt);
        if (s.flags & _REJECTED != 0) revert RegistryRejected(id);
        _requireOriginStands(leaf.issuer, id, s.flags);
        if (s.flags & _FULLY_UTILISED != 0) revert RegistryFullyUtilised(id);
        _claimDeclaration(leaf.issuer, id, s, declaration);
        Claim[] memory taken = new Claim[](claims.length);
        for (uint256 i; i < claims.length; ++i) {
            taken[i] = _claimItem(leaf, s, claims[i]);
        }
        // No claims is the whole certificate: whatever remains on every item, at once.
        bool full = claims.length == 0 || _nothingRemains(leaf, s);
        if (full) s.flags |= _FULLY_UTILISED;
        _states[leaf.issuer][id] = s;
        emit DocumentAccepted(id, leaf.issuer, leaf.importer, msg.sender, declaration, taken, full);
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
        _states[leaf.issuer][leaf.documentId] = s;
        emit DocumentRejected(leaf.documentId, leaf.issuer, leaf.importer, msg.sender, reasonCode, reason);
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
        _states[leaf.issuer][leaf.documentId] = s;
        emit VerificationRequested(leaf.documentId, leaf.issuer, leaf.importer, msg.sender, reason);
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
        _states[leaf.issuer][leaf.documentId] = s;
        emit VerificationAnswered(leaf.documentId, leaf.issuer, msg.sender, confirmed, reason);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDocumentRegistry
    function membership() external view returns (address) {
        return address(_membership);
    }

    /// @inheritdoc IDocumentRegistry
    function batch(bytes2 issuer, bytes32 root) external view returns (Batch memory) {
        return _batches[issuer][root];
    }

    /// @inheritdoc IDocumentRegistry
    function documentState(bytes2 issuer, bytes32 documentId) public view returns (DocumentState memory) {
        StoredState storage s = _states[issuer][documentId];
        uint8 f = s.flags;
        return
            DocumentState({
                leafTag: s.leafTag,
                fullyUtilised: f & _FULLY_UTILISED != 0,
                revoked: f & _REVOKED != 0,
                rejected: f & _REJECTED != 0,
                verificationOpen: f & _VERIFICATION_OPEN != 0,
                verificationAnswered: f & _VERIFICATION_ANSWERED != 0,
                verificationConfirmed: f & _VERIFICATION_CONFIRMED != 0,
                reasonCode: s.reasonCode,
                supersededBy: _supersededBy[issuer][documentId]
            });
    }

    /// @inheritdoc IDocumentRegistry
    function claimedOf(bytes2 issuer, bytes32 documentId, uint8 item) public view returns (uint64) {
        return item == 0 ? _states[issuer][documentId].firstItemClaimed : _itemClaimed[issuer][documentId][item];
    }

    /**
     * @inheritdoc IDocumentRegistry
     * @dev The first claim is remembered by a 40-bit tag: another declaration sharing the first
     * one's tag (a chance of about 2^-39 per claim) reads as used too, never the other way round.
     */
    function declarationUsed(bytes2 issuer, bytes32 documentId, bytes32 declaration) public view returns (bool) {
        bytes5 first = _states[issuer][documentId].firstDeclaration;
        return
            (first != bytes5(0) && first == _declarationTag(declaration)) ||
            _laterDeclarations[issuer][documentId][declaration];
    }

    /// @inheritdoc IDocumentRegistry
    function leafHash(Leaf calldata leaf) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(leaf))));
    }

    /// @inheritdoc IDocumentRegistry
    function isAnchored(Leaf calldata leaf, bytes32 root, bytes32[] calldata proof) public view returns (bool) {
        Batch storage b = _batches[leaf.issuer][root];
        return b.count != 0 && MerkleProof.verifyCalldata(proof, root, leafHash(leaf));
    }

    /**
     * @inheritdoc IDocumentRegistry
     * @dev The state returned is the (issuer, id) document's, whichever leaf it was first acted on with:
     * a caller holding a different leaf of the same id sees `state.leafTag` differ from its hash.
     * `remaining` is computed for the leaf given, item by item.
     */
    function statusOf(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof
    ) external view returns (Status memory status) {
        status.anchored = isAnchored(leaf, root, proof);
        status.batch = _batches[leaf.issuer][root];
        status.expired = leaf.expiresAt != 0 && block.timestamp >= leaf.expiresAt;
        status.state = documentState(leaf.issuer, leaf.documentId);
        uint256 items = leaf.quantities.length;
        status.remaining = new uint64[](items);
        if (status.state.fullyUtilised) return status;
        for (uint256 i; i < items && i <= type(uint8).max; ++i) {
            uint64 claimed = claimedOf(leaf.issuer, leaf.documentId, uint8(i));
            if (leaf.quantities[i] > claimed) status.remaining[i] = leaf.quantities[i] - claimed;
        }
    }

    // ---------------------------------------------------------------- internals

    /// The caller must be an issuer account of the active member `expected`.
    function _authorise(bytes2 expected) private view {
        bytes2 actual = _membership.activeIssuerMember(msg.sender);
        if (actual == bytes2(0)) revert RegistryNotIssuer(msg.sender);
        if (actual != expected) revert RegistryWrongMember(msg.sender, actual, expected);
    }

    /// Proves the leaf is in a batch its own issuer anchored under `root` (so no member can act
    /// through a leaf it did not anchor) and returns the (issuer, id) document's state, tagged
    /// with this leaf if nothing happened to the document before.
    function _load(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof
    ) private view returns (StoredState memory s) {
        bytes32 h = leafHash(leaf);
        if (_batches[leaf.issuer][root].count == 0 || !MerkleProof.verifyCalldata(proof, root, h)) {
            revert RegistryNotAnchored(leaf.documentId, root);
        }
        s = _states[leaf.issuer][leaf.documentId];
        if (s.leafTag == bytes16(0)) {
            s.leafTag = bytes16(h);
        } else if (s.leafTag != bytes16(h)) {
            revert RegistryLeafMismatch(leaf.documentId);
        }
    }

    /// Records that `declaration` claims the document, refusing one that claimed it before.
    function _claimDeclaration(bytes2 issuer, bytes32 id, StoredState memory s, bytes32 declaration) private {
        bytes5 tag = _declarationTag(declaration);
        if (s.firstDeclaration == bytes5(0)) {
            s.firstDeclaration = tag; // written with the state slot: the first claim costs no extra slot
            return;
        }
        if (s.firstDeclaration == tag || _laterDeclarations[issuer][id][declaration]) {
            revert RegistryDeclarationUsed(issuer, id, declaration);
        }
        _laterDeclarations[issuer][id][declaration] = true;
    }

    /// Refuses a declaration that is not in canonical form ({RegistryDeclarationNotCanonical}): else a
    /// node that skipped the form could claim one document twice, as `SG-D1` and as `sg-d1`. The
    /// canonical case (every claim the node sends) is judged on all 32 bytes at once
    /// ({_isCanonicalDeclaration}, ~200 gas); only a refused one is walked byte by byte, each byte
    /// judged against the one before it, to say where it fails.
    function _requireCanonicalDeclaration(bytes32 declaration) private pure {
        if (_isCanonicalDeclaration(declaration)) return;
        uint256 fault = type(uint256).max; // none
        uint256 trailing; // whether non-zero bytes follow the padding
        // Only a refused declaration gets here (the walk costs ~4k gas; {_isCanonicalDeclaration} ~200).
        assembly ("memory-safe") {
            let previous := 0x100 // nothing yet: a blank may not come first
            for {
                let i := 0
            } lt(i, 32) {
                i := add(i, 1)
            } {
                let b := byte(i, declaration)
                if iszero(b) {
                    // The padding: not first, not after a blank, and nothing after it.
                    if or(iszero(i), eq(previous, 0x20)) {
                        fault := sub(i, gt(i, 0))
                        break
                    }
                    if shl(mul(8, i), declaration) {
                        fault := i
                        trailing := 1
                    }
                    previous := 0
                    break
                }
                let separator := or(or(eq(b, 0x2d), eq(b, 0x2f)), eq(b, 0x2e)) // - / .
                switch eq(b, 0x20)
                case 1 {
                    let afterSeparator := or(or(eq(previous, 0x2d), eq(previous, 0x2f)), eq(previous, 0x2e))
                    if or(or(eq(previous, 0x100), eq(previous, 0x20)), afterSeparator) {
                        fault := i
                        break
                    }
                }
                default {
                    // printable ASCII, no lower-case letter
                    if or(or(lt(b, 0x21), gt(b, 0x7e)), and(gt(b, 0x60), lt(b, 0x7b))) {
                        fault := i
                        break
                    }
                    if and(eq(previous, 0x20), separator) {
                        fault := sub(i, 1) // the blank before - / .
                        break
                    }
                }
                previous := b
            }
            if and(eq(fault, not(0)), eq(previous, 0x20)) {
                fault := 31 // 32 characters, the last a blank
            }
        }
        if (trailing != 0) fault = _firstNonZero(declaration, fault);
        // The two judgements agree (tests/contracts/test_contracts_declarations.py); were they ever to
        // differ, the declaration is still refused.
        revert RegistryDeclarationNotCanonical(declaration, fault);
    }

    /// Whether `declaration` is canonical, judged word-at-a-time (SWAR): each mask below holds 0x80 in
    /// every byte with the property. Canonical: 1 to 32 characters, then only zero bytes; each character
    /// printable ASCII (0x20-0x7e) but no lower-case letter; a blank neither first nor last, nor beside
    /// another blank, nor before or after `-`, `/` or `.`.
    function _isCanonicalDeclaration(bytes32 declaration) private pure returns (bool canonical) {
        assembly ("memory-safe") {
            let low7 := 0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f
            let high := not(low7) // 0x80 in every byte
            let ones := div(not(0), 0xff) // 0x01 in every byte
            // A byte is non-zero iff its high bit or (its low 7 bits + 0x7f) has bit 7: no carry between bytes.
            let nonzero := and(or(add(and(declaration, low7), low7), declaration), high)
            let zero := xor(nonzero, high)
            // The zero bytes, filled to 0xff, must be one run at the end (2^k - 1): no byte after the padding.
            let zeroFill := mul(shr(7, zero), 0xff)
            let bad := or(and(zeroFill, add(zeroFill, 1)), iszero(shr(248, declaration))) // ... and not empty
            bad := or(bad, and(declaration, high)) // not ASCII
            // With each byte's high bit set, subtracting c from every byte borrows nowhere: bit 7 stays iff byte >= c.
            let withHigh := or(declaration, high)
            let printable := and(sub(withHigh, mul(ones, 0x20)), not(sub(withHigh, mul(ones, 0x7f))))
            let lower := and(sub(withHigh, mul(ones, 0x61)), not(sub(withHigh, mul(ones, 0x7b))))
            bad := or(bad, and(nonzero, or(not(printable), lower)))
            // Bytes equal to c: those where declaration xor c is zero.
            let x := xor(declaration, mul(ones, 0x20))
            let blank := xor(and(or(add(and(x, low7), low7), x), high), high)
            x := xor(declaration, mul(ones, 0x2d))
            let separator := xor(and(or(add(and(x, low7), low7), x), high), high)
            x := xor(declaration, mul(ones, 0x2f))
            separator := or(separator, xor(and(or(add(and(x, low7), low7), x), high), high))
            x := xor(declaration, mul(ones, 0x2e))
            separator := or(separator, xor(and(or(add(and(x, low7), low7), x), high), high))
            // Byte i's neighbours: shr(8, m) moves byte i-1's mark onto byte i, shl(8, m) byte i+1's.
            // Before the first byte is the start; after the last (byte 31 or before the padding), the end.
            let beforeIsEnd := or(shr(8, or(blank, separator)), shl(248, 0x80))
            let afterIsEnd := or(shl(8, zero), 0x80)
            bad := or(bad, and(blank, or(beforeIsEnd, afterIsEnd)))
            bad := or(bad, and(separator, shr(8, blank)))
            canonical := iszero(bad)
        }
    }

    /// The position of the first non-zero byte of `declaration` from byte `from` on (one exists).
    function _firstNonZero(bytes32 declaration, uint256 from) private pure returns (uint256 i) {
        for (i = from; declaration[i] == 0; ++i) {}
    }

    /// Takes one item's part of a claim from what remains on it; returns what it took.
    function _claimItem(
        Leaf calldata leaf,
        StoredState memory s,
        Claim calldata claim
    ) private returns (Claim memory) {
        bytes32 id = leaf.documentId;
        uint8 item = claim.item;
        if (item >= leaf.quantities.length) revert RegistryNoSuchItem(id, item, leaf.quantities.length);
        uint64 total = leaf.quantities[item];
        if (total == 0) revert RegistryQuantityNotTracked(id, item);
        // The leaf is the one the state was first tagged with (see _load), so claimed <= total.
        uint64 claimed = item == 0 ? s.firstItemClaimed : _itemClaimed[leaf.issuer][id][item];
        uint64 remaining = total - claimed;
        if (remaining == 0) revert RegistryItemFullyUtilised(id, item);
        uint64 quantity = claim.quantity == 0 ? remaining : claim.quantity;
        if (quantity > remaining) revert RegistryQuantityExceeded(id, item, quantity, remaining);
        if (item == 0) {
            s.firstItemClaimed = claimed + quantity;
        } else {
            _itemClaimed[leaf.issuer][id][item] = claimed + quantity;
        }
        return Claim(item, quantity);
    }

    /// Whether every item gives a quantity and all of it is claimed (items past index 255 cannot be
    /// claimed one by one, so a leaf with them is used up only by a whole-certificate claim).
    function _nothingRemains(Leaf calldata leaf, StoredState memory s) private view returns (bool) {
        uint256 items = leaf.quantities.length;
        if (items == 0 || items > uint256(type(uint8).max) + 1) return false;
        for (uint256 i; i < items; ++i) {
            uint64 claimed = i == 0 ? s.firstItemClaimed : _itemClaimed[leaf.issuer][leaf.documentId][uint8(i)];
            if (leaf.quantities[i] == 0 || claimed < leaf.quantities[i]) return false;
        }
        return true;
    }

    /// A never-zero 40-bit tag of a declaration (hashed: declarations are often short padded text).
    function _declarationTag(bytes32 declaration) private pure returns (bytes5) {
        return bytes5(keccak256(abi.encode(declaration))) | bytes5(uint40(1));
    }

    /// Under ATIGA's operational certification procedures the preference is suspended while the
    /// importing member's verification request is open, and may be denied once the issuing member
    /// answered that it does not confirm the origin: neither can be claimed until a new request is
    /// answered confirmed.
    function _requireOriginStands(bytes2 issuer, bytes32 id, uint8 flags) private pure {
        if (flags & _VERIFICATION_OPEN != 0) revert RegistryUnderVerification(issuer, id);
        if (flags & (_VERIFICATION_ANSWERED | _VERIFICATION_CONFIRMED) == _VERIFICATION_ANSWERED) {
            revert RegistryNotConfirmed(issuer, id);
        }
    }

    function _requireNotEnded(bytes2 issuer, bytes32 id, StoredState memory s) private view {
        if (s.flags & _REVOKED != 0) revert RegistryRevoked(id, s.reasonCode);
        if (s.flags & _SUPERSEDED != 0) revert RegistrySuperseded(id, _supersededBy[issuer][id]);
    }
}
