// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/**
 * @title IMembership
 * @notice Who is a member of the consortium, decided by the members' own votes.
 *
 * A member is a customs authority, named by its ISO 3166-1 alpha-2 country code
 * (`bytes2`, e.g. "VN"). Each member has one admin account (votes, manages the
 * member's own settings), one validator address (for Besu QBFT's validator
 * contract mode), a set of issuer accounts (sign and send document
 * transactions), an encryption public key and a node endpoint.
 *
 * Membership changes only through proposals that reach the quorum. The contract
 * keeps the history of issuer accounts and member status as block-number
 * checkpoints, so "was this account an issuer of member X at block B?" has an
 * answer after the member is suspended or removed.
 */
interface IMembership {
    enum MemberStatus {
        None,
        Active,
        Suspended,
        Removed
    }

    enum ProposalKind {
        AddMember,
        SuspendMember,
        ReinstateMember,
        RemoveMember,
        ChangeQuorum
    }

    /// @notice The data that creates a member (genesis or an AddMember proposal).
    struct MemberInit {
        bytes2 code;
        string name;
        address admin;
        address validator;
        address[] issuers;
        bytes encryptionKey;
        string endpoint;
    }

    /// @notice A member as the views return it.
    struct MemberInfo {
        bytes2 code;
        string name;
        address admin;
        address validator;
        MemberStatus status;
        bytes encryptionKey;
        string endpoint;
        uint64 joinedAtBlock;
    }

    /// @notice A proposal as the views return it. `target` is unused for ChangeQuorum,
    /// `newQuorumBps` is used only by ChangeQuorum.
    struct ProposalInfo {
        uint256 id;
        ProposalKind kind;
        bytes2 proposer;
        bytes2 target;
        uint16 newQuorumBps;
        uint64 deadline;
        uint32 yesVotes;
        uint32 requiredVotes;
        bool executed;
        bool expired;
    }

    // ---------------------------------------------------------------- events

    /// @notice Emitted when a member is created (at genesis or by an executed proposal).
    event MemberAdded(
        bytes2 indexed code,
        string name,
        address admin,
        address validator,
        bytes encryptionKey,
        string endpoint,
        uint256 proposalId
    );
    /// @notice Emitted when a member's status changes by an executed proposal.
    event MemberStatusChanged(bytes2 indexed code, MemberStatus previous, MemberStatus current, uint256 proposalId);
    /// @notice Emitted when `account` becomes an issuer account of member `code`.
    event IssuerAdded(bytes2 indexed code, address indexed account);
    /// @notice Emitted when `account` stops being an issuer account of member `code`.
    event IssuerRemoved(bytes2 indexed code, address indexed account);
    /// @notice Emitted when a member rotates its encryption public key.
    event EncryptionKeyRotated(bytes2 indexed code, bytes encryptionKey);
    /// @notice Emitted when a member changes its node endpoint.
    event EndpointChanged(bytes2 indexed code, string endpoint);
    /// @notice Emitted when a member hands its admin role to another account.
    event AdminChanged(bytes2 indexed code, address previousAdmin, address newAdmin);
    /// @notice Emitted when a member changes its validator address.
    event ValidatorChanged(bytes2 indexed code, address previousValidator, address newValidator);
    /// @notice Emitted when the quorum changes by an executed proposal.
    event QuorumChanged(uint16 previousBps, uint16 newBps, uint256 proposalId);
    /// @notice Emitted when a member's admin opens a proposal. `data` is the ABI-encoded
    /// MemberInit for AddMember, empty otherwise.
    event ProposalCreated(
        uint256 indexed id,
        ProposalKind kind,
        bytes2 indexed proposer,
        bytes2 target,
        uint16 newQuorumBps,
        uint64 deadline,
        bytes data
    );
    /// @notice Emitted for each vote, with the tally after it.
    event Voted(uint256 indexed id, bytes2 indexed voter, uint32 yesVotes, uint32 requiredVotes);
    /// @notice Emitted when a proposal reaches the quorum and takes effect (in the same transaction).
    event ProposalExecuted(uint256 indexed id);

    // ---------------------------------------------------------------- errors

    /// @notice `account` is not the admin of an active member.
    error MembershipNotAdmin(address account);
    /// @notice No member has code `code`.
    error MembershipUnknownMember(bytes2 code);
    /// @notice A member with code `code` exists already (in any status).
    error MembershipMemberExists(bytes2 code);
    /// @notice The member data is unusable (empty code, zero admin, empty key...).
    error MembershipInvalidMember(bytes2 code);
    /// @notice The proposal kind cannot apply to a member in status `status`.
    error MembershipInvalidTransition(bytes2 code, MemberStatus status, ProposalKind kind);
    /// @notice No proposal has id `id`.
    error MembershipUnknownProposal(uint256 id);
    /// @notice The proposal was executed already.
    error MembershipProposalExecuted(uint256 id);
    /// @notice The proposal's voting period ended at `deadline` without reaching the quorum.
    error MembershipProposalExpired(uint256 id, uint64 deadline);
    /// @notice Member `voter` voted on proposal `id` already.
    error MembershipAlreadyVoted(uint256 id, bytes2 voter);
    /// @notice The quorum must be within (0, 10000] basis points.
    error MembershipInvalidQuorum(uint16 bps);
    /// @notice `account` is already an issuer account of member `owner`.
    error MembershipIssuerTaken(address account, bytes2 owner);
    /// @notice Validator address `validator` belongs to member `owner` already.
    error MembershipValidatorTaken(address validator, bytes2 owner);
    /// @notice `account` is not an issuer account of member `code`.
    error MembershipNotIssuer(address account, bytes2 code);

    // ---------------------------------------------------------------- governance

    /**
     * @notice Proposes to add a member. The proposer's vote counts at once.
     * Requirements: caller is the admin of an active member; `m.code` unused; `m.admin` nonzero.
     * Emits a {ProposalCreated} and a {Voted} event (and the effects' events if the quorum is one vote).
     */
    function proposeAddMember(MemberInit calldata m) external returns (uint256 id);

    /**
     * @notice Proposes to suspend, reinstate or remove member `target`.
     * Requirements: caller is the admin of an active member; `kind` is SuspendMember (target
     * active), ReinstateMember (target suspended) or RemoveMember (target active or suspended).
     * Emits a {ProposalCreated} and a {Voted} event.
     */
    function proposeStatusChange(ProposalKind kind, bytes2 target) external returns (uint256 id);

    /**
     * @notice Proposes a new quorum in basis points of the active members (5001 = more than half).
     * Requirements: caller is the admin of an active member; 0 < bps <= 10000.
     * Emits a {ProposalCreated} and a {Voted} event.
     */
    function proposeQuorum(uint16 bps) external returns (uint256 id);

    /**
     * @notice Votes yes on proposal `id`; executes it when the quorum is reached.
     * Requirements: caller is the admin of an active member that has not voted on it; the
     * proposal exists, is not executed and not past its deadline; the transition is still valid.
     * Emits a {Voted} event, and {ProposalExecuted} with the effect's events at quorum.
     */
    function vote(uint256 id) external;

    // ---------------------------------------------------------------- a member's own settings

    /// @notice Adds an issuer account to the caller's member. Emits {IssuerAdded}.
    /// Requirements: caller is the admin of an active member; `account` is no member's issuer.
    function addIssuer(address account) external;

    /// @notice Removes an issuer account from the caller's member. Emits {IssuerRemoved}.
    function removeIssuer(address account) external;

    /// @notice Rotates the caller's member's encryption public key. Emits {EncryptionKeyRotated}.
    function setEncryptionKey(bytes calldata key) external;

    /// @notice Changes the caller's member's node endpoint. Emits {EndpointChanged}.
    function setEndpoint(string calldata endpoint) external;

    /// @notice Hands the caller's member's admin role to `newAdmin`. Emits {AdminChanged}.
    function setAdmin(address newAdmin) external;

    /// @notice Changes the caller's member's validator address, which must not be another member's (a
    /// suspended member's validator would otherwise keep its seat through an accomplice). Emits {ValidatorChanged}.
    function setValidator(address validator) external;

    // ---------------------------------------------------------------- views

    /// @notice The member with code `code`. Reverts with {MembershipUnknownMember} if none.
    function member(bytes2 code) external view returns (MemberInfo memory);

    /// @notice Every member code ever added, in order of joining.
    function memberCodes() external view returns (bytes2[] memory);

    /// @notice Whether member `code` is active now.
    function isActive(bytes2 code) external view returns (bool);

    /// @notice The member whose current issuer `account` is, if that member is active; 0x0000 otherwise.
    function activeIssuerMember(address account) external view returns (bytes2);

    /// @notice Whether `account` was an issuer of `code` while `code` was active, at block `blockNumber`.
    function wasIssuerAt(address account, bytes2 code, uint256 blockNumber) external view returns (bool);

    /// @notice Whether member `code` was active at block `blockNumber`.
    function wasActiveAt(bytes2 code, uint256 blockNumber) external view returns (bool);

    /// @notice The current issuer accounts of member `code`.
    function issuers(bytes2 code) external view returns (address[] memory);

    /// @notice The active member whose admin `account` is; 0x0000 if none.
    function memberOfAdmin(address account) external view returns (bytes2);

    /// @notice Proposal `id`. Reverts with {MembershipUnknownProposal} if none.
    function proposal(uint256 id) external view returns (ProposalInfo memory);

    /// @notice How many proposals were ever created (ids are 1..count).
    function proposalCount() external view returns (uint256);

    /// @notice Whether member `voter` voted on proposal `id`.
    function hasVoted(uint256 id, bytes2 voter) external view returns (bool);

    /// @notice The quorum in basis points of the active members.
    function quorumBps() external view returns (uint16);

    /// @notice The yes votes a proposal needs now: ceil(active * quorumBps / 10000), at least 1.
    function requiredVotes() external view returns (uint32);

    /// @notice How long a proposal stays open, in seconds.
    function votingPeriod() external view returns (uint64);

    /// @notice One validator address per active member (Besu QBFT validator-contract mode).
    function getValidators() external view returns (address[] memory);
}
