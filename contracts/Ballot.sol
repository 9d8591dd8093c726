// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {GovchainInvalidWindow} from "./common/Errors.sol";
import {GovchainAccess} from "./common/GovchainAccess.sol";
import {Roles} from "./common/Roles.sol";
import {IBallot} from "./interfaces/IBallot.sol";

/// @title Ballot
/// @notice Elections with a Merkle-rooted voter roll, sealed commit-reveal ballots, one counted
/// ballot per voter and a public tally anyone can recount from events.
///
/// A voter's slot holds their latest commitment, then, once revealed, a marker: re-committing
/// overwrites (the last commitment counts, which blunts coercion: a voter shown committing under
/// pressure can commit again later), and a ballot is counted once, when revealed. Nothing about
/// a choice is on chain before its reveal.
/// @dev No pause, on purpose: an election's windows run on the clock and a pause could only
/// disenfranchise. The authority's power ends when voting opens (the roll is frozen then).
contract Ballot is IBallot, GovchainAccess, EIP712 {
    // ---------------------------------------------------------------------------------------
    // Storage and constants
    // ---------------------------------------------------------------------------------------

    /// @notice Role identifier of election authorities.
    bytes32 public constant ELECTION_AUTHORITY_ROLE = Roles.ELECTION_AUTHORITY_ROLE;

    /// @inheritdoc IBallot
    uint256 public constant MAX_OPTIONS = 64;
    /// @inheritdoc IBallot
    bytes32 public constant COMMIT_TYPEHASH = keccak256(
        "Commit(uint256 electionId,address voter,bytes32 commitment,bytes32 previous,uint256 deadline)"
    );

    /// @dev Stored in a voter's slot once the ballot is revealed: no real commitment equals it.
    bytes32 private constant _REVEALED = bytes32(uint256(1));
    uint256 private constant _PER_WORD = 8; // uint32 tallies, eight per storage word

    uint256 private _electionCount;
    mapping(uint256 electionId => Election) private _elections;
    mapping(uint256 electionId => mapping(address voter => bytes32 commitment)) private _ballots;
    mapping(uint256 electionId => mapping(uint256 word => uint256 tallies)) private _tallies;

    // ---------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE; grants every other role.
    constructor(address admin) GovchainAccess(admin, _operationalRoles()) EIP712("Ballot", "1") {}

    // ---------------------------------------------------------------------------------------
    // Authority
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IBallot
    function createElection(ElectionTerms calldata terms)
        external
        onlyRole(ELECTION_AUTHORITY_ROLE)
        returns (uint256 electionId)
    {
        uint256 options = terms.optionLabels.length;
        if (options < 2 || options > MAX_OPTIONS) revert BallotOptionCount(options);
        if (terms.rollRoot == bytes32(0) || terms.voterCount == 0) revert BallotEmptyRoll();
        if (
            terms.commitStart < block.timestamp || terms.commitEnd < terms.commitStart
                || terms.revealEnd <= terms.commitEnd || terms.revealEnd > type(uint48).max
        ) revert GovchainInvalidWindow(terms.commitStart, terms.revealEnd);

        electionId = ++_electionCount;
        Election storage e = _elections[electionId];
        e.rollRoot = terms.rollRoot;
        e.commitStart = uint48(terms.commitStart);
        e.commitEnd = uint48(terms.commitEnd);
        e.revealEnd = uint48(terms.revealEnd);
        e.optionCount = uint8(options);
        e.quorum = terms.quorum;
        e.voterCount = terms.voterCount;
        e.authority = msg.sender;
        e.documentHash = terms.documentHash;
        _emitCreated(electionId, terms);
    }

    /// @inheritdoc IBallot
    function replaceRoll(uint256 electionId, bytes32 rollRoot, uint32 voterCount) external {
        Election storage e = _election(electionId);
        if (msg.sender != e.authority) revert BallotNotAuthority(electionId, msg.sender);
        if (block.timestamp >= e.commitStart) revert BallotVotingStarted(electionId, e.commitStart);
        if (rollRoot == bytes32(0) || voterCount == 0) revert BallotEmptyRoll();
        e.rollRoot = rollRoot;
        e.voterCount = voterCount;
        emit RollReplaced(electionId, rollRoot, voterCount);
    }

    // ---------------------------------------------------------------------------------------
    // Voting
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IBallot
    /// @dev Storage touched: the election's root and window slots, its counters (first
    /// commitment only) and the voter's slot.
    function commit(uint256 electionId, bytes32 commitment, bytes32[] calldata proof) external {
        _commit(electionId, msg.sender, commitment, proof);
    }

    /// @inheritdoc IBallot
    /// @dev A signature names the commitment it replaces (`previous`, zero for a first ballot),
    /// so it is good only while that is still the voter's ballot: once anything is committed
    /// after it — the relayed ballot itself, or a newer one the voter sent directly — an old
    /// signature no longer applies and cannot override the voter's later choice.
    /// NOTE: re-sending the very same sealed ballot (same salt) makes it current again, and with
    /// it any signature that replaced it; clients seal every ballot with a fresh salt.
    function commitBySig(
        uint256 electionId,
        address voter,
        bytes32 commitment,
        bytes32[] calldata proof,
        bytes32 previous,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert BallotSignatureExpired(deadline);
        bytes32 digest = commitDigest(electionId, voter, commitment, previous, deadline);
        if (!SignatureChecker.isValidSignatureNow(voter, digest, signature)) revert BallotInvalidSignature(voter);
        if (_ballots[electionId][voter] != previous) revert BallotStaleSignature(electionId, voter);
        _commit(electionId, voter, commitment, proof);
    }

    /// @inheritdoc IBallot
    function reveal(uint256 electionId, address voter, uint256 choice, bytes32 salt) external {
        Election storage e = _election(electionId);
        if (block.timestamp <= e.commitEnd || block.timestamp > e.revealEnd) {
            revert BallotOutsideWindow(electionId, uint64(e.commitEnd) + 1, e.revealEnd);
        }
        bytes32 stored = _ballots[electionId][voter];
        if (stored == bytes32(0)) revert BallotNoCommitment(electionId, voter);
        if (stored == _REVEALED) revert BallotAlreadyRevealed(electionId, voter);
        if (ballotCommitment(electionId, voter, choice, salt) != stored) {
            revert BallotCommitmentMismatch(electionId, voter);
        }
        if (choice >= e.optionCount) revert BallotInvalidChoice(electionId, choice, e.optionCount);

        _ballots[electionId][voter] = _REVEALED;
        // Cannot overflow: at most 2^32-1 voters commit (uint32 counter).
        _tallies[electionId][choice / _PER_WORD] += 1 << (32 * (choice % _PER_WORD));
        emit VoteRevealed(electionId, voter, choice);
    }

    /// @inheritdoc IBallot
    function finalize(uint256 electionId) external {
        Election storage e = _election(electionId);
        if (block.timestamp <= e.revealEnd) revert BallotRevealNotOver(electionId, e.revealEnd);
        if (e.finalized) revert BallotAlreadyFinalized(electionId);
        e.finalized = true;
        Result memory r = result(electionId);
        emit ElectionFinalized(electionId, r.tallies, r.turnout, r.revealed, r.unrevealed, r.quorumMet);
    }

    // ---------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IBallot
    function electionCount() external view returns (uint256) {
        return _electionCount;
    }

    /// @inheritdoc IBallot
    function election(uint256 electionId) external view returns (Election memory) {
        return _election(electionId);
    }

    /// @inheritdoc IBallot
    function result(uint256 electionId) public view returns (Result memory r) {
        Election storage e = _election(electionId);
        uint256 options = e.optionCount;
        r.tallies = new uint256[](options);
        uint256 revealed;
        unchecked {
            // Bounded by MAX_OPTIONS: eight words at most; sums of uint32 tallies cannot overflow.
            for (uint256 i = 0; i < options; i += _PER_WORD) {
                uint256 word = _tallies[electionId][i / _PER_WORD];
                uint256 end = i + _PER_WORD < options ? i + _PER_WORD : options;
                for (uint256 j = i; j < end; ++j) {
                    uint256 tally = uint32(word);
                    r.tallies[j] = tally;
                    revealed += tally;
                    word >>= 32;
                }
            }
        }
        r.revealed = revealed;
        r.turnout = e.committed;
        r.unrevealed = r.turnout - revealed;
        r.quorumMet = revealed >= e.quorum;
        r.finalized = e.finalized;
    }

    /// @inheritdoc IBallot
    function commitmentOf(uint256 electionId, address voter) external view returns (bytes32) {
        bytes32 stored = _ballots[electionId][voter];
        return stored == _REVEALED ? bytes32(0) : stored;
    }

    /// @inheritdoc IBallot
    function hasRevealed(uint256 electionId, address voter) external view returns (bool) {
        return _ballots[electionId][voter] == _REVEALED;
    }

    /// @inheritdoc IBallot
    function ballotCommitment(uint256 electionId, address voter, uint256 choice, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(electionId, voter, choice, salt));
    }

    /// @inheritdoc IBallot
    function commitDigest(uint256 electionId, address voter, bytes32 commitment, bytes32 previous, uint256 deadline)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(COMMIT_TYPEHASH, electionId, voter, commitment, previous, deadline)));
    }

    // ---------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------

    function _commit(uint256 electionId, address voter, bytes32 commitment, bytes32[] calldata proof) private {
        Election storage e = _election(electionId);
        if (block.timestamp < e.commitStart || block.timestamp > e.commitEnd) {
            revert BallotOutsideWindow(electionId, e.commitStart, e.commitEnd);
        }
        if (commitment == bytes32(0) || commitment == _REVEALED) revert BallotEmptyCommitment();
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(voter))));
        if (!MerkleProof.verifyCalldata(proof, e.rollRoot, leaf)) revert BallotNotOnRoll(electionId, voter);

        mapping(address => bytes32) storage ballots = _ballots[electionId];
        bool replaced = ballots[voter] != bytes32(0);
        if (!replaced) ++e.committed;
        ballots[voter] = commitment;
        emit VoteCommitted(electionId, voter, commitment, replaced);
    }

    /// @dev Separate frame: the event's eleven fields do not fit beside createElection's locals.
    function _emitCreated(uint256 electionId, ElectionTerms calldata terms) private {
        emit ElectionCreated(
            electionId,
            msg.sender,
            terms.documentHash,
            terms.rollRoot,
            terms.voterCount,
            terms.commitStart,
            terms.commitEnd,
            terms.revealEnd,
            terms.quorum,
            terms.optionLabels,
            terms.title
        );
    }

    /// @dev Existence is read from the windows' slot, which every vote reads anyway.
    function _election(uint256 electionId) private view returns (Election storage e) {
        e = _elections[electionId];
        if (e.revealEnd == 0) revert BallotUnknownElection(electionId);
    }

    function _operationalRoles() private pure returns (bytes32[] memory roles) {
        roles = new bytes32[](1);
        roles[0] = Roles.ELECTION_AUTHORITY_ROLE;
    }
}
