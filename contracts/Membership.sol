// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMembership} from "./IMembership.sol";

/**
 * @title Membership
 * @notice The consortium's members, changed only by proposals that reach the quorum.
 *
 * The quorum is a share of the members active *now*: a proposal's required votes are
 * recomputed at every vote, so suspending a member lowers what pending proposals need.
 * A vote cast by a member that is later suspended still counts (it was cast by a member).
 *
 * Issuer accounts and member status are kept as block-number checkpoints, so
 * {wasIssuerAt} and {wasActiveAt} answer for past blocks. A lookup for a block that is
 * not mined yet answers with the current state.
 */
contract Membership is IMembership {
    using Checkpoints for Checkpoints.Trace208;

    struct Member {
        address admin;
        MemberStatus status;
        uint64 joinedAtBlock;
        address validator;
        string name;
        bytes encryptionKey;
        string endpoint;
        address[] issuers; // in no particular order: removal moves the last one into the gap
        Checkpoints.Trace208 activeHistory;
    }

    struct Proposal {
        ProposalKind kind;
        bytes2 proposer;
        bytes2 target;
        uint16 newQuorumBps;
        uint64 deadline;
        uint32 yesVotes;
        bool executed;
        bytes data; // abi.encode(MemberInit) for AddMember
    }

    uint16 private constant _BPS = 10_000;

    uint64 private immutable _votingPeriod;
    uint16 private _quorumBps;
    uint32 private _activeCount;
    uint256 private _proposalCount;

    bytes2[] private _codes;
    mapping(bytes2 code => Member) private _members;
    mapping(address account => bytes2 code) private _issuerOwner;
    /// Where an issuer sits in its owner's `issuers` list, plus one (0: not an issuer). A set of our own,
    /// not OpenZeppelin's EnumerableSet: that one uses `mcopy`, which Clique chains (London/Paris EVM) lack.
    mapping(address account => uint256 position) private _issuerPosition;
    mapping(address account => bytes2 code) private _adminOf;
    mapping(bytes2 code => mapping(address account => Checkpoints.Trace208)) private _issuerHistory;
    mapping(uint256 id => Proposal) private _proposals;
    /// Which member a validator address belongs to: one member's validator is never another's, so
    /// suspending or removing a member always takes its validator out of the set.
    mapping(address validator => bytes2 code) private _validatorOwner;
    mapping(uint256 id => mapping(bytes2 voter => bool)) private _voted;

    /**
     * @notice Creates the consortium with its first members.
     * Requirements: at least one member, each valid (see {proposeAddMember}); 0 < quorumBps <= 10000.
     * Emits {MemberAdded} and {IssuerAdded} events for each genesis member (proposal id 0).
     */
    constructor(MemberInit[] memory genesis, uint16 quorumBps_, uint64 votingPeriodSeconds) {
        if (genesis.length == 0) revert MembershipInvalidMember(bytes2(0));
        _checkQuorum(quorumBps_);
        _quorumBps = quorumBps_;
        _votingPeriod = votingPeriodSeconds;
        for (uint256 i = 0; i < genesis.length; ++i) {
            _checkNewMember(genesis[i]);
            _addMember(genesis[i], 0);
        }
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IMembership
    function proposeAddMember(MemberInit calldata m) external returns (uint256 id) {
        bytes2 proposer = _requireAdmin();
        _checkNewMember(m);
        return _propose(proposer, ProposalKind.AddMember, m.code, 0, abi.encode(m));
    }

    /// @inheritdoc IMembership
    function proposeStatusChange(ProposalKind kind, bytes2 target) external returns (uint256 id) {
        bytes2 proposer = _requireAdmin();
        _checkStatusChange(kind, target);
        return _propose(proposer, kind, target, 0, "");
    }

    /// @inheritdoc IMembership
    function proposeQuorum(uint16 bps) external returns (uint256 id) {
        bytes2 proposer = _requireAdmin();
        _checkQuorum(bps);
        return _propose(proposer, ProposalKind.ChangeQuorum, bytes2(0), bps, "");
    }

    /// @inheritdoc IMembership
    function vote(uint256 id) external {
        bytes2 voter = _requireAdmin();
        Proposal storage p = _proposals[id];
        if (p.deadline == 0) revert MembershipUnknownProposal(id);
        if (p.executed) revert MembershipProposalExecuted(id);
        if (block.timestamp >= p.deadline) revert MembershipProposalExpired(id, p.deadline);
        if (_voted[id][voter]) revert MembershipAlreadyVoted(id, voter);
        if (p.kind == ProposalKind.AddMember) {
            _checkNewMember(abi.decode(p.data, (MemberInit)));
        } else if (p.kind != ProposalKind.ChangeQuorum) {
            _checkStatusChange(p.kind, p.target);
        }
        _castVote(id, p, voter);
    }

    // ---------------------------------------------------------------- a member's own settings

    /// @inheritdoc IMembership
    function addIssuer(address account) external {
        bytes2 code = _requireAdmin();
        if (account == address(0)) revert MembershipInvalidMember(code);
        _addIssuer(code, account);
    }

    /// @inheritdoc IMembership
    function removeIssuer(address account) external {
        bytes2 code = _requireAdmin();
        if (_issuerOwner[account] != code) revert MembershipNotIssuer(account, code);
        _removeFromIssuers(_members[code].issuers, account);
        delete _issuerOwner[account];
        _issuerHistory[code][account].push(_blockKey(), 0);
        emit IssuerRemoved(code, account);
    }

    /// @inheritdoc IMembership
    function setEncryptionKey(bytes calldata key) external {
        bytes2 code = _requireAdmin();
        if (key.length == 0) revert MembershipInvalidMember(code);
        _members[code].encryptionKey = key;
        emit EncryptionKeyRotated(code, key);
    }

    /// @inheritdoc IMembership
    function setEndpoint(string calldata endpoint) external {
        bytes2 code = _requireAdmin();
        _members[code].endpoint = endpoint;
        emit EndpointChanged(code, endpoint);
    }

    /// @inheritdoc IMembership
    function setAdmin(address newAdmin) external {
        bytes2 code = _requireAdmin();
        if (newAdmin == address(0) || _adminOf[newAdmin] != bytes2(0)) revert MembershipInvalidMember(code);
        delete _adminOf[msg.sender];
        _adminOf[newAdmin] = code;
        _members[code].admin = newAdmin;
        emit AdminChanged(code, msg.sender, newAdmin);
    }

    /// @inheritdoc IMembership
    function setValidator(address validator) external {
        bytes2 code = _requireAdmin();
        if (validator == address(0)) revert MembershipInvalidMember(code);
        bytes2 owner = _validatorOwner[validator];
        if (owner != bytes2(0) && owner != code) revert MembershipValidatorTaken(validator, owner);
        address previous = _members[code].validator;
        delete _validatorOwner[previous];
        _validatorOwner[validator] = code;
        _members[code].validator = validator;
        emit ValidatorChanged(code, previous, validator);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMembership
    function member(bytes2 code) external view returns (MemberInfo memory) {
        Member storage m = _members[code];
        if (m.status == MemberStatus.None) revert MembershipUnknownMember(code);
        return MemberInfo(code, m.name, m.admin, m.validator, m.status, m.encryptionKey, m.endpoint, m.joinedAtBlock);
    }

    /// @inheritdoc IMembership
    function memberCodes() external view returns (bytes2[] memory) {
        return _codes;
    }

    /// @inheritdoc IMembership
    function isActive(bytes2 code) external view returns (bool) {
        return _members[code].status == MemberStatus.Active;
    }

    /// @inheritdoc IMembership
    function activeIssuerMember(address account) external view returns (bytes2) {
        bytes2 code = _issuerOwner[account];
        return _members[code].status == MemberStatus.Active ? code : bytes2(0);
    }

    /// @inheritdoc IMembership
    function wasIssuerAt(address account, bytes2 code, uint256 blockNumber) external view returns (bool) {
        uint48 key = _lookupKey(blockNumber);
        return
            _issuerHistory[code][account].upperLookupRecent(key) != 0 &&
            _members[code].activeHistory.upperLookupRecent(key) != 0;
    }

    /// @inheritdoc IMembership
    function wasActiveAt(bytes2 code, uint256 blockNumber) external view returns (bool) {
        return _members[code].activeHistory.upperLookupRecent(_lookupKey(blockNumber)) != 0;
    }

    /// @inheritdoc IMembership
    function issuers(bytes2 code) external view returns (address[] memory) {
        return _members[code].issuers;
    }

    /// @inheritdoc IMembership
    function memberOfAdmin(address account) external view returns (bytes2) {
        bytes2 code = _adminOf[account];
        return _members[code].status == MemberStatus.Active ? code : bytes2(0);
    }

    /// @inheritdoc IMembership
    function proposal(uint256 id) external view returns (ProposalInfo memory) {
        Proposal storage p = _proposals[id];
        if (p.deadline == 0) revert MembershipUnknownProposal(id);
        return
            ProposalInfo({
                id: id,
                kind: p.kind,
                proposer: p.proposer,
                target: p.target,
                newQuorumBps: p.newQuorumBps,
                deadline: p.deadline,
                yesVotes: p.yesVotes,
                requiredVotes: requiredVotes(),
                executed: p.executed,
                expired: !p.executed && block.timestamp >= p.deadline
            });
    }

    /// @inheritdoc IMembership
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @inheritdoc IMembership
    function hasVoted(uint256 id, bytes2 voter) external view returns (bool) {
        return _voted[id][voter];
    }

    /// @inheritdoc IMembership
    function quorumBps() external view returns (uint16) {
        return _quorumBps;
    }

    /// @inheritdoc IMembership
    function requiredVotes() public view returns (uint32) {
        uint256 required = (uint256(_activeCount) * _quorumBps + _BPS - 1) / _BPS;
        return required == 0 ? 1 : uint32(required);
    }

    /// @inheritdoc IMembership
    function votingPeriod() external view returns (uint64) {
        return _votingPeriod;
    }

    /// @inheritdoc IMembership
    /// @dev Besu calls this at every block and halts if it fails, so it must never revert: the array is sized
    /// by the members ever added (not by the `_activeCount` counter, so no counter drift can overflow it) and
    /// trimmed in place. A validator address claimed by several active members (one member may point its
    /// validator at another's) is listed once: a repeated validator would skew Besu's quorum arithmetic.
    /// Cost is linear in the members ever added, plus a quadratic in-memory check that is cheap below ~100.
    function getValidators() external view returns (address[] memory validators) {
        uint256 total = _codes.length;
        validators = new address[](total);
        uint256 n = 0;
        for (uint256 i = 0; i < total; ++i) {
            Member storage m = _members[_codes[i]];
            if (m.status != MemberStatus.Active) continue;
            address validator = m.validator;
            bool listed = false;
            // The words already written, compared without bounds checks (they are within the array).
            assembly ("memory-safe") {
                let end := add(add(validators, 0x20), shl(5, n))
                for {
                    let p := add(validators, 0x20)
                } lt(p, end) {
                    p := add(p, 0x20)
                } {
                    if eq(mload(p), validator) {
                        listed := 1
                        break
                    }
                }
            }
            if (!listed) {
                validators[n] = validator;
                unchecked {
                    ++n;
                }
            }
        }
        assembly ("memory-safe") {
            mstore(validators, n)
        }
    }

    // ---------------------------------------------------------------- internals

    function _requireAdmin() private view returns (bytes2 code) {
        code = _adminOf[msg.sender];
        if (code == bytes2(0) || _members[code].status != MemberStatus.Active) revert MembershipNotAdmin(msg.sender);
    }

    function _checkQuorum(uint16 bps) private pure {
        if (bps == 0 || bps > _BPS) revert MembershipInvalidQuorum(bps);
    }

    function _checkNewMember(MemberInit memory m) private view {
        if (_members[m.code].status != MemberStatus.None) revert MembershipMemberExists(m.code);
        if (
            m.code[0] == 0 ||
            m.code[1] == 0 ||
            m.admin == address(0) ||
            m.validator == address(0) ||
            m.encryptionKey.length == 0 ||
            _adminOf[m.admin] != bytes2(0)
        ) revert MembershipInvalidMember(m.code);
        bytes2 validatorOwner = _validatorOwner[m.validator];
        if (validatorOwner != bytes2(0)) revert MembershipValidatorTaken(m.validator, validatorOwner);
        for (uint256 i = 0; i < m.issuers.length; ++i) {
            address account = m.issuers[i];
            if (account == address(0)) revert MembershipInvalidMember(m.code);
            bytes2 owner = _issuerOwner[account];
            if (owner != bytes2(0)) revert MembershipIssuerTaken(account, owner);
        }
    }

    /// A status change must leave at least one active member, or nobody could ever vote again.
    function _checkStatusChange(ProposalKind kind, bytes2 target) private view {
        MemberStatus status = _members[target].status;
        if (status == MemberStatus.None) revert MembershipUnknownMember(target);
        bool ok;
        if (kind == ProposalKind.SuspendMember) {
            ok = status == MemberStatus.Active && _activeCount > 1;
        } else if (kind == ProposalKind.ReinstateMember) {
            ok = status == MemberStatus.Suspended;
        } else if (kind == ProposalKind.RemoveMember) {
            ok = status == MemberStatus.Suspended || (status == MemberStatus.Active && _activeCount > 1);
        }
        if (!ok) revert MembershipInvalidTransition(target, status, kind);
    }

    function _propose(
        bytes2 proposer,
        ProposalKind kind,
        bytes2 target,
        uint16 bps,
        bytes memory data
    ) private returns (uint256 id) {
        id = ++_proposalCount;
        uint64 deadline = SafeCast.toUint64(block.timestamp + _votingPeriod);
        Proposal storage p = _proposals[id];
        p.kind = kind;
        p.proposer = proposer;
        p.target = target;
        p.newQuorumBps = bps;
        p.deadline = deadline;
        if (data.length != 0) p.data = data;
        emit ProposalCreated(id, kind, proposer, target, bps, deadline, data);
        _castVote(id, p, proposer);
    }

    function _castVote(uint256 id, Proposal storage p, bytes2 voter) private {
        _voted[id][voter] = true;
        uint32 yes = p.yesVotes + 1;
        p.yesVotes = yes;
        uint32 required = requiredVotes();
        emit Voted(id, voter, yes, required);
        if (yes >= required) _execute(id, p);
    }

    function _execute(uint256 id, Proposal storage p) private {
        p.executed = true;
        ProposalKind kind = p.kind;
        if (kind == ProposalKind.AddMember) {
            _addMember(abi.decode(p.data, (MemberInit)), id);
        } else if (kind == ProposalKind.ChangeQuorum) {
            uint16 previous = _quorumBps;
            _quorumBps = p.newQuorumBps;
            emit QuorumChanged(previous, p.newQuorumBps, id);
        } else {
            MemberStatus next = kind == ProposalKind.SuspendMember
                ? MemberStatus.Suspended
                : (kind == ProposalKind.ReinstateMember ? MemberStatus.Active : MemberStatus.Removed);
            _setStatus(p.target, next, id);
        }
        emit ProposalExecuted(id);
    }

    function _addMember(MemberInit memory init, uint256 proposalId) private {
        Member storage m = _members[init.code];
        m.admin = init.admin;
        m.status = MemberStatus.Active;
        m.joinedAtBlock = uint64(block.number);
        m.validator = init.validator;
        _validatorOwner[init.validator] = init.code;
        m.name = init.name;
        m.encryptionKey = init.encryptionKey;
        m.endpoint = init.endpoint;
        m.activeHistory.push(_blockKey(), 1);
        _codes.push(init.code);
        _adminOf[init.admin] = init.code;
        ++_activeCount;
        emit MemberAdded(
            init.code,
            init.name,
            init.admin,
            init.validator,
            init.encryptionKey,
            init.endpoint,
            proposalId
        );
        for (uint256 i = 0; i < init.issuers.length; ++i) {
            _addIssuer(init.code, init.issuers[i]);
        }
    }

    function _addIssuer(bytes2 code, address account) private {
        bytes2 owner = _issuerOwner[account];
        if (owner != bytes2(0)) revert MembershipIssuerTaken(account, owner);
        _issuerOwner[account] = code;
        address[] storage list = _members[code].issuers;
        list.push(account);
        _issuerPosition[account] = list.length;
        _issuerHistory[code][account].push(_blockKey(), 1);
        emit IssuerAdded(code, account);
    }

    function _removeFromIssuers(address[] storage list, address account) private {
        uint256 index = _issuerPosition[account] - 1;
        uint256 lastIndex = list.length - 1;
        if (index != lastIndex) {
            address moved = list[lastIndex];
            list[index] = moved;
            _issuerPosition[moved] = index + 1;
        }
        list.pop();
        delete _issuerPosition[account];
    }

    function _setStatus(bytes2 code, MemberStatus next, uint256 proposalId) private {
        Member storage m = _members[code];
        MemberStatus previous = m.status;
        m.status = next;
        if (previous == MemberStatus.Active) --_activeCount;
        if (next == MemberStatus.Active) ++_activeCount;
        m.activeHistory.push(_blockKey(), next == MemberStatus.Active ? 1 : 0);
        emit MemberStatusChanged(code, previous, next, proposalId);
    }

    function _blockKey() private view returns (uint48) {
        return SafeCast.toUint48(block.number);
    }

    function _lookupKey(uint256 blockNumber) private pure returns (uint48) {
        return blockNumber > type(uint48).max ? type(uint48).max : uint48(blockNumber);
    }
}
