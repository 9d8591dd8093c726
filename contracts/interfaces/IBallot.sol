// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBallot
/// @notice Secret-ballot elections anyone can recount. An election authority publishes the voter
/// roll as a Merkle root; a voter proves membership when committing
/// `keccak256(abi.encode(electionId, voter, choice, salt))`, may re-commit during the commit
/// window (the last commitment counts), and reveals after it. Tallies grow at each reveal, so
/// finalising costs the same for any number of voters; every reveal is an event, so anyone can
/// recount from the logs alone.
/// @dev Roll leaves are OpenZeppelin StandardMerkleTree leaves over `(address voter)`:
/// `keccak256(bytes.concat(keccak256(abi.encode(voter))))`. Votes per option are uint32.
interface IBallot {
    // ---------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------

    /// @notice What the election authority fixes when creating an election.
    /// @dev Commits are accepted in [commitStart, commitEnd], reveals in (commitEnd, revealEnd].
    /// `quorum`: revealed ballots needed for the result to count (0: none). `optionLabels`:
    /// hashes of the options' labels (the labels themselves are in the election document).
    struct ElectionTerms {
        bytes32 documentHash;
        bytes32 rollRoot;
        uint32 voterCount;
        uint64 commitStart;
        uint64 commitEnd;
        uint64 revealEnd;
        uint32 quorum;
        bytes32[] optionLabels;
        string title;
    }

    /// @notice An election as stored (four slots). `committed` counts distinct voters who
    /// committed; revealed ballots are the sum of the tallies, so a reveal writes no counter.
    struct Election {
        bytes32 rollRoot;
        uint48 commitStart;
        uint48 commitEnd;
        uint48 revealEnd;
        uint8 optionCount;
        bool finalized;
        uint32 quorum;
        uint32 voterCount;
        uint32 committed;
        address authority;
        bytes32 documentHash;
    }

    /// @notice The result: votes per option, distinct voters who committed (turnout), revealed
    /// and never revealed ballots, whether the quorum was met, and whether it is final.
    struct Result {
        uint256[] tallies;
        uint256 turnout;
        uint256 revealed;
        uint256 unrevealed;
        bool quorumMet;
        bool finalized;
    }

    // ---------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------

    /// @notice No election with this id.
    error BallotUnknownElection(uint256 electionId);
    /// @notice An election needs 2 to {MAX_OPTIONS} options.
    error BallotOptionCount(uint256 count);
    /// @notice The voter roll is empty (zero root or zero voters).
    error BallotEmptyRoll();
    /// @notice The time now is outside the window this action needs.
    error BallotOutsideWindow(uint256 electionId, uint64 opens, uint64 closes);
    /// @notice The roll can only be replaced before voting opens.
    error BallotVotingStarted(uint256 electionId, uint64 commitStart);
    /// @notice Only the election's authority may do this.
    error BallotNotAuthority(uint256 electionId, address account);
    /// @notice The proof does not place `voter` on the election's roll.
    error BallotNotOnRoll(uint256 electionId, address voter);
    /// @notice A commitment of zero was submitted.
    error BallotEmptyCommitment();
    /// @notice `voter` has not committed a ballot.
    error BallotNoCommitment(uint256 electionId, address voter);
    /// @notice `voter`'s ballot has been revealed already.
    error BallotAlreadyRevealed(uint256 electionId, address voter);
    /// @notice The choice and salt do not hash to `voter`'s commitment.
    error BallotCommitmentMismatch(uint256 electionId, address voter);
    /// @notice The choice is not one of the election's options.
    error BallotInvalidChoice(uint256 electionId, uint256 choice, uint256 optionCount);
    /// @notice The reveal window has not ended.
    error BallotRevealNotOver(uint256 electionId, uint64 revealEnd);
    /// @notice The election has been finalised already.
    error BallotAlreadyFinalized(uint256 electionId);
    /// @notice The relayed commitment's signature has expired.
    error BallotSignatureExpired(uint256 deadline);
    /// @notice The relayed commitment is not signed by `voter`.
    error BallotInvalidSignature(address voter);
    /// @notice The signature replaces a ballot that is no longer the voter's current one: it was
    /// used already, or the voter has committed since signing it.
    error BallotStaleSignature(uint256 electionId, address voter);

    // ---------------------------------------------------------------------------------------
    // Events (election id indexed on every one)
    // ---------------------------------------------------------------------------------------

    /// @notice An election was created. Option `i` is `optionLabels[i]`.
    event ElectionCreated(
        uint256 indexed electionId,
        address indexed authority,
        bytes32 documentHash,
        bytes32 rollRoot,
        uint32 voterCount,
        uint64 commitStart,
        uint64 commitEnd,
        uint64 revealEnd,
        uint32 quorum,
        bytes32[] optionLabels,
        string title
    );
    /// @notice The roll was replaced before voting opened.
    event RollReplaced(uint256 indexed electionId, bytes32 rollRoot, uint32 voterCount);
    /// @notice A voter committed a sealed ballot (`replaced`: over an earlier one).
    event VoteCommitted(uint256 indexed electionId, address indexed voter, bytes32 commitment, bool replaced);
    /// @notice A ballot was revealed and counted for `choice`.
    event VoteRevealed(uint256 indexed electionId, address indexed voter, uint256 choice);
    /// @notice The result is final.
    event ElectionFinalized(
        uint256 indexed electionId, uint256[] tallies, uint256 turnout, uint256 revealed, uint256 unrevealed, bool quorumMet
    );

    // ---------------------------------------------------------------------------------------
    // Functions
    // ---------------------------------------------------------------------------------------

    /// @notice Create an election. ELECTION_AUTHORITY_ROLE; the caller becomes its authority.
    /// @return electionId The new election's id (from 1).
    function createElection(ElectionTerms calldata terms) external returns (uint256 electionId);

    /// @notice Replace the roll before voting opens. The election's authority only.
    function replaceRoll(uint256 electionId, bytes32 rollRoot, uint32 voterCount) external;

    /// @notice Commit (or re-commit) the caller's sealed ballot, proving it is on the roll.
    function commit(uint256 electionId, bytes32 commitment, bytes32[] calldata proof) external;

    /// @notice Commit for `voter`, who signed the EIP-712 `Commit` (sent by a relayer, so that
    /// voters need no ether). `previous` is the voter's commitment the signature replaces (zero
    /// for a first ballot): it must still be the current one.
    function commitBySig(
        uint256 electionId,
        address voter,
        bytes32 commitment,
        bytes32[] calldata proof,
        bytes32 previous,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Reveal `voter`'s ballot during the reveal window. Anyone holding the choice and
    /// salt may send it (the commitment binds the voter), so a relayer can reveal too.
    function reveal(uint256 electionId, address voter, uint256 choice, bytes32 salt) external;

    /// @notice Store and emit the final result after the reveal window. Anyone may call.
    function finalize(uint256 electionId) external;

    /// @notice Most options an election may have.
    function MAX_OPTIONS() external view returns (uint256);

    /// @notice The EIP-712 type hash of a relayed commitment.
    function COMMIT_TYPEHASH() external view returns (bytes32);

    /// @notice Number of elections created so far.
    function electionCount() external view returns (uint256);

    /// @notice The stored election.
    function election(uint256 electionId) external view returns (Election memory);

    /// @notice The running (or, once finalised, final) result.
    function result(uint256 electionId) external view returns (Result memory);

    /// @notice `voter`'s current commitment (zero if none; see {hasRevealed}).
    function commitmentOf(uint256 electionId, address voter) external view returns (bytes32);

    /// @notice Whether `voter`'s ballot has been revealed (and counted).
    function hasRevealed(uint256 electionId, address voter) external view returns (bool);

    /// @notice The commitment a voter submits for `choice` and `salt`.
    function ballotCommitment(uint256 electionId, address voter, uint256 choice, bytes32 salt)
        external
        pure
        returns (bytes32);

    /// @notice The EIP-712 digest a voter signs for {commitBySig}.
    function commitDigest(uint256 electionId, address voter, bytes32 commitment, bytes32 previous, uint256 deadline)
        external
        view
        returns (bytes32);
}
