// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/**
 * @title IDocumentRegistry
 * @notice Documents anchored in Merkle batches, and what happens to each of them afterwards.
 *
 * A document is named by its issuing member and its id together, and a batch by its
 * issuing member and its root: what one member anchors or does never reaches another
 * member's documents or batches, even when it reuses their ids or roots.
 *
 * Anchoring writes one storage slot per batch, whatever its size: the Merkle root with
 * the issuing member, the count and the block. Each leaf commits to the facts the chain
 * enforces later (see {Leaf}). The leaves themselves travel as a public batch manifest in
 * the payload store, named by the CID in {BatchAnchored}: any member rebuilds the tree from
 * it and checks it against the root, so nobody needs the issuer to index a batch.
 *
 * Storage per document is written only when something happens to it: utilisation,
 * rejection, revocation, supersession, verification. Each such call carries the leaf and
 * its proof. The leaf hash is `keccak256(bytes.concat(keccak256(abi.encode(leaf))))` and
 * the tree uses OpenZeppelin's sorted-pair hashing ({MerkleProof}).
 */
interface IDocumentRegistry {
    /// @notice The facts of one document that the chain commits to and enforces.
    struct Leaf {
        bytes32 documentId; // keccak256("origo:" + issuer + ":" + REFERENCE)
        bytes32 documentType; // keccak256("atiga-form-d/1"), ...
        bytes32 digest; // SHA-256 of the RFC 8785 canonical document
        bytes2 issuer; // issuing member
        bytes2 importer; // importing member: the only one who may claim it
        uint64 issuedAt; // unix seconds
        uint64 expiresAt; // unix seconds; 0 = does not expire
        uint64[] quantities; // per item, in the document's order: thousandths of that item's own unit
        // (gloves in pairs, finger cots in pieces); 0 = the item gives no quantity
        bytes32 payloadCid; // keccak256 of the encrypted payload's CID string
    }

    /// @notice One item's part of a claim: `item` indexes the leaf's `quantities` (0-based);
    /// `quantity` is in thousandths of that item's unit, 0 meaning everything that remains on it.
    struct Claim {
        uint8 item;
        uint64 quantity;
    }

    /// @notice What is stored for one batch: one slot.
    struct Batch {
        bytes2 issuer;
        uint32 count;
        uint48 blockNumber;
        uint48 timestamp;
    }

    /// @notice What is stored for one document (one issuer's id) once something happens to it. The
    /// registry keeps it packed in one slot (the six flags as bits of one byte, with a tag of the
    /// first claim's declaration and what was claimed of the first item), plus the replacement id if
    /// superseded and what was claimed of the other items ({claimedOf}).
    struct DocumentState {
        bytes16 leafTag; // first 16 bytes of the leaf hash the document was first acted on with
        bool fullyUtilised;
        bool revoked;
        bool rejected;
        bool verificationOpen;
        bool verificationAnswered;
        bool verificationConfirmed;
        uint16 reasonCode; // the revocation's, else the rejection's
        bytes32 supersededBy; // 0 unless superseded
    }

    /// @notice A document's full status, as {statusOf} derives it from its leaf and proof.
    struct Status {
        bool anchored;
        Batch batch;
        bool expired;
        uint64[] remaining; // per item of the leaf given: thousandths left to claim (all 0 once fully utilised)
        DocumentState state;
    }

    // ---------------------------------------------------------------- events
    // Every document event carries the document id as its first topic and the issuing member as
    // its second, so logs are filtered by (issuer, id), the document's full name.

    /// @notice Emitted when an issuer anchors a batch. `manifestCid` names the public list of
    /// the batch's leaves in the payload store.
    event BatchAnchored(
        bytes32 indexed root,
        bytes2 indexed issuer,
        address indexed account,
        uint32 count,
        string manifestCid
    );
    /// @notice Emitted when the issuing member revokes a document.
    event DocumentRevoked(
        bytes32 indexed documentId,
        bytes2 indexed issuer,
        address account,
        uint16 reasonCode,
        string reason
    );
    /// @notice Emitted when the issuing member replaces a document with `replacementId`.
    event DocumentSuperseded(
        bytes32 indexed documentId,
        bytes2 indexed issuer,
        bytes32 indexed replacementId,
        address account
    );
    /// @notice Emitted when the importing member records a utilisation. `claims` is what this claim
    /// took of each item (a quantity 0 asked for is given as what it took); it is empty when the whole
    /// certificate was claimed, every item's remainder at once. What remains on each item follows
    /// from the leaf's quantities and the earlier claims.
    event DocumentAccepted(
        bytes32 indexed documentId,
        bytes2 indexed issuer,
        bytes2 indexed importer,
        address account,
        bytes32 declaration,
        Claim[] claims,
        bool fullyUtilised
    );
    /// @notice Emitted when the importing member refuses the preference (Box 4 "not given").
    event DocumentRejected(
        bytes32 indexed documentId,
        bytes2 indexed issuer,
        bytes2 indexed importer,
        address account,
        uint16 reasonCode,
        string reason
    );
    /// @notice Emitted when the importing member opens a verification request.
    event VerificationRequested(
        bytes32 indexed documentId,
        bytes2 indexed issuer,
        bytes2 indexed importer,
        address account,
        string reason
    );
    /// @notice Emitted when the issuing member answers the open verification request.
    event VerificationAnswered(
        bytes32 indexed documentId,
        bytes2 indexed issuer,
        address account,
        bool confirmed,
        string reason
    );

    // ---------------------------------------------------------------- errors

    /// @notice `account` is not an issuer account of an active member.
    error RegistryNotIssuer(address account);
    /// @notice `account` acts for member `actual` where the rule needs member `expected`.
    error RegistryWrongMember(address account, bytes2 actual, bytes2 expected);
    /// @notice A batch must hold at least one document.
    error RegistryEmptyBatch();
    /// @notice Member `issuer` anchored root `root` already.
    error RegistryBatchExists(bytes2 issuer, bytes32 root);
    /// @notice The leaf of `documentId` is not in an anchored batch of its issuer under `root`.
    error RegistryNotAnchored(bytes32 documentId, bytes32 root);
    /// @notice `documentId` was first acted on with another leaf of its issuer (a reference anchored twice).
    error RegistryLeafMismatch(bytes32 documentId);
    /// @notice `documentId` is revoked.
    error RegistryRevoked(bytes32 documentId, uint16 reasonCode);
    /// @notice `documentId` is superseded by `replacementId`.
    error RegistrySuperseded(bytes32 documentId, bytes32 replacementId);
    /// @notice `documentId` expired at `expiresAt`.
    error RegistryExpired(bytes32 documentId, uint64 expiresAt);
    /// @notice `documentId` was rejected at import.
    error RegistryRejected(bytes32 documentId);
    /// @notice `documentId` is fully utilised.
    error RegistryFullyUtilised(bytes32 documentId);
    /// @notice A claim of `requested` thousandths of item `item` exceeds the `remaining` ones.
    error RegistryQuantityExceeded(bytes32 documentId, uint8 item, uint64 requested, uint64 remaining);
    /// @notice Item `item` gives no quantity, so it is claimed only with the whole certificate.
    error RegistryQuantityNotTracked(bytes32 documentId, uint8 item);
    /// @notice The document has `items` items, so item index `item` does not exist.
    error RegistryNoSuchItem(bytes32 documentId, uint8 item, uint256 items);
    /// @notice Nothing remains to claim on item `item`.
    error RegistryItemFullyUtilised(bytes32 documentId, uint8 item);
    /// @notice A verification request on `documentId` is open already.
    error RegistryVerificationOpen(bytes32 documentId);
    /// @notice No verification request on `documentId` is open.
    error RegistryNoVerificationOpen(bytes32 documentId);
    /// @notice A document cannot supersede itself or a document of another issuer.
    error RegistryInvalidReplacement(bytes32 documentId, bytes32 replacementId);
    /// @notice A verification request on `issuer`'s document `documentId` is open: the preference is
    /// suspended until the issuing member answers it.
    error RegistryUnderVerification(bytes2 issuer, bytes32 documentId);
    /// @notice The issuing member answered the last verification request on its document `documentId`
    /// that it does not confirm the origin: the certificate cannot be claimed for the preference.
    error RegistryNotConfirmed(bytes2 issuer, bytes32 documentId);
    /// @notice Import declaration `declaration` claimed `issuer`'s document `documentId` already.
    error RegistryDeclarationUsed(bytes2 issuer, bytes32 documentId, bytes32 declaration);
    /**
     * @notice Import declaration `declaration` is not in its canonical form: byte `position` may not
     * be there. The canonical form is what every node compares, so that `sg-d1` and ` SG-D1` are the
     * declaration `SG-D1` and claim a document once: printable ASCII without lower-case letters, left
     * aligned and padded with zero bytes, no blank at either end, next to another blank, or beside
     * `-`, `/` or `.`.
     */
    error RegistryDeclarationNotCanonical(bytes32 declaration, uint256 position);

    // ---------------------------------------------------------------- writes

    /**
     * @notice Anchors `count` documents under Merkle root `root` for the caller's member.
     * Requirements: caller is an issuer account of an active member; `count` > 0; `root` not
     * anchored by this member before (other members' roots do not matter).
     * Emits a {BatchAnchored} event.
     */
    function anchorBatch(bytes32 root, uint32 count, string calldata manifestCid) external;

    /**
     * @notice Revokes a document, with a reason code and optional text.
     * Requirements: caller is an issuer account of the leaf's (active) issuing member; the leaf is
     * anchored under `root`; the document is not revoked or superseded.
     * Emits a {DocumentRevoked} event.
     */
    function revoke(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        uint16 reasonCode,
        string calldata reason
    ) external;

    /**
     * @notice Replaces document `old` with the anchored document `replacement` of the same issuer.
     * Requirements: caller acts for the issuing member; both leaves anchored; `old` neither revoked
     * nor superseded; the replacement differs from `old`.
     * Emits a {DocumentSuperseded} event.
     */
    function supersede(
        Leaf calldata old,
        bytes32 oldRoot,
        bytes32[] calldata oldProof,
        Leaf calldata replacement,
        bytes32 replacementRoot,
        bytes32[] calldata replacementProof
    ) external;

    /**
     * @notice Records a utilisation at import: of the items `claims` names, each in its own unit, or
     * of the whole certificate (everything that remains on every item) when `claims` is empty.
     * Requirements: caller acts for the leaf's importing member; anchored; not revoked, superseded,
     * expired, rejected or fully utilised; no verification request open on it (the preference is
     * suspended meanwhile) and the last one answered, if any, confirmed the origin; `declaration` is in
     * canonical form (see {RegistryDeclarationNotCanonical}) and has not claimed this document before; each
     * claim names an item of the leaf that gives a quantity and asks at most what remains on it.
     * The document becomes fully utilised when nothing remains on any item.
     * Emits a {DocumentAccepted} event.
     */
    function accept(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        bytes32 declaration,
        Claim[] calldata claims
    ) external;

    /**
     * @notice Refuses the preference at import (Box 4), with a reason.
     * Requirements: caller acts for the leaf's importing member; anchored; not rejected already.
     * Emits a {DocumentRejected} event.
     */
    function reject(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        uint16 reasonCode,
        string calldata reason
    ) external;

    /**
     * @notice Opens a verification request on a document, by its importing member. Until it is
     * answered the document cannot be claimed ({accept}); a new request after an answer clears it.
     * Requirements: caller acts for the leaf's importing member; anchored; no request open.
     * Emits a {VerificationRequested} event.
     */
    function requestVerification(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        string calldata reason
    ) external;

    /**
     * @notice Answers the open verification request, by the issuing member. Not `confirmed`, the
     * document cannot be claimed ({accept}) unless a later request is answered confirmed.
     * Requirements: caller acts for the leaf's issuing member; a request is open.
     * Emits a {VerificationAnswered} event.
     */
    function answerVerification(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof,
        bool confirmed,
        string calldata reason
    ) external;

    // ---------------------------------------------------------------- views

    /// @notice The membership contract that says who may act.
    function membership() external view returns (address);

    /// @notice The batch member `issuer` anchored under `root` (count 0 if none).
    function batch(bytes2 issuer, bytes32 root) external view returns (Batch memory);

    /// @notice What is stored for `issuer`'s document `documentId` (all zero if nothing happened to it).
    function documentState(bytes2 issuer, bytes32 documentId) external view returns (DocumentState memory);

    /// @notice Thousandths of item `item` (0-based) of `issuer`'s document `documentId` claimed so far,
    /// item by item (a whole-certificate claim sets `fullyUtilised` instead).
    function claimedOf(bytes2 issuer, bytes32 documentId, uint8 item) external view returns (uint64);

    /// @notice Whether import declaration `declaration` claimed `issuer`'s document `documentId`.
    function declarationUsed(bytes2 issuer, bytes32 documentId, bytes32 declaration) external view returns (bool);

    /// @notice The leaf hash the tree commits to.
    function leafHash(Leaf calldata leaf) external pure returns (bytes32);

    /// @notice Whether `leaf` is in the batch the leaf's own issuer anchored under `root`.
    function isAnchored(Leaf calldata leaf, bytes32 root, bytes32[] calldata proof) external view returns (bool);

    /// @notice The full status of a document from its leaf and proof.
    function statusOf(
        Leaf calldata leaf,
        bytes32 root,
        bytes32[] calldata proof
    ) external view returns (Status memory);
}
