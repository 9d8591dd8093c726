// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IWelfareDisbursement
/// @notice Merkle-rooted welfare payments: many programmes, each paying rounds of beneficiaries
/// from its own funding account. An eligibility officer proposes who gets how much (a Merkle
/// root), the programme manager publishes the round and thereby funds it, an auditor may veto it
/// during the programme's delay, and then beneficiaries claim (pull), agents claim with a
/// beneficiary's EIP-712 authorisation, or an agency payer pushes payments in batches.
/// @dev Leaves are OpenZeppelin StandardMerkleTree leaves over `(uint256 index, address
/// beneficiary, uint256 amount)`: `keccak256(bytes.concat(keccak256(abi.encode(index,
/// beneficiary, amount))))`, pairs hashed sorted. No personal data is stored or emitted: only
/// addresses, amounts and hashes of off-chain documents.
interface IWelfareDisbursement {
    // ---------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------

    /// @notice Life cycle of a round: Proposed -> Published -> (Vetoed | ClawedBack).
    enum RoundStatus {
        None,
        Proposed,
        Published,
        Vetoed,
        ClawedBack
    }

    /// @notice A welfare programme: who pays, in what, and which two officials run it.
    /// @dev `claimDelay`: seconds from publication before claims open (the auditors' veto
    /// window). `documentHash`: hash of the programme's legal basis; `name` is public, not personal.
    struct Programme {
        IERC20 token;
        uint32 claimDelay;
        address funding;
        address manager;
        address officer;
        bytes32 documentHash;
        string name;
    }

    /// @notice A payment round. A claim reads its first three storage slots and writes the third.
    /// @dev `claimableAt`: later of the requested start and publication + `claimDelay`; claims
    /// are accepted from `claimableAt` to `end` inclusive. `token` is cached from the programme at
    /// publication so that a claim needs no programme read. `documentHash`: the eligibility decision.
    /// @dev Accounting, once published: `total = claimed + revoked + clawedBack + remaining`,
    /// where `claimed` is not stored (see {roundAccounts}). `remaining` is what the round may
    /// still pay; nothing, not even a root promising more, can take a round below zero.
    struct Round {
        bytes32 merkleRoot;
        IERC20 token;
        uint48 claimableAt;
        uint48 end;
        uint96 remaining;
        uint32 programmeId;
        RoundStatus status;
        uint32 beneficiaryCount;
        uint48 publishedAt;
        uint96 total;
        address proposer;
        uint96 revoked;
        uint96 clawedBack;
        bytes32 documentHash;
    }

    /// @notice One leaf of a round: beneficiary `beneficiary` is owed `amount` under `index`.
    struct Entry {
        uint256 index;
        address beneficiary;
        uint256 amount;
    }

    /// @notice A beneficiary's EIP-712 authorisation for `agent` to claim and pay `payee`.
    struct ClaimAuthorization {
        uint256 roundId;
        uint256 index;
        address beneficiary;
        uint256 amount;
        address agent;
        address payee;
        uint256 deadline;
    }

    // ---------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------

    /// @notice `programmeId` does not exist.
    error WelfareUnknownProgramme(uint256 programmeId);

    /// @notice `roundId` does not exist.
    error WelfareUnknownRound(uint256 roundId);

    /// @notice The same account would act as both manager and eligibility officer (of a
    /// programme, or of a round: its proposer may not publish it).
    error WelfareSameOfficial(address account);

    /// @notice `account` is not the programme manager of `programmeId`.
    error WelfareNotProgrammeManager(uint256 programmeId, address account);

    /// @notice `account` is not the eligibility officer of `programmeId`.
    error WelfareNotEligibilityOfficer(uint256 programmeId, address account);

    /// @notice Round `roundId` is in status `actual`; the action needs `expected`.
    error WelfareRoundWrongStatus(uint256 roundId, RoundStatus actual, RoundStatus expected);

    /// @notice Round `roundId` pays only from `claimableAt` to `end` inclusive (unix seconds).
    error WelfareRoundNotOpen(uint256 roundId, uint64 claimableAt, uint64 end);

    /// @notice Round `roundId` can be clawed back only after `end`.
    error WelfareRoundNotEnded(uint256 roundId, uint64 end);

    /// @notice Round `roundId` became claimable at `claimableAt`: it can no longer be vetoed.
    error WelfareVetoPeriodOver(uint256 roundId, uint64 claimableAt);

    /// @notice Leaf `index` of round `roundId` was already claimed, paid or revoked.
    error WelfareAlreadyClaimed(uint256 roundId, uint256 index);

    /// @notice The proof does not place leaf `index` with that beneficiary and amount in the round.
    error WelfareInvalidProof(uint256 roundId, uint256 index);

    /// @notice The multiproof does not prove the batch's entries in round `roundId`.
    error WelfareInvalidMultiproof(uint256 roundId);

    /// @notice Paying `requested` would exceed the `remaining` funds of round `roundId`.
    error WelfareRoundOverdrawn(uint256 roundId, uint256 requested, uint256 remaining);

    /// @notice A batch of `size` entries is empty or larger than `max`.
    error WelfareBatchSize(uint256 size, uint256 max);

    /// @notice Publishing round `roundId` should have brought in `expected` but brought `received`.
    error WelfareFundingShortfall(uint256 roundId, uint256 expected, uint256 received);

    /// @notice The claim authorisation expired at `deadline`.
    error WelfareAuthorizationExpired(uint256 deadline);

    /// @notice `caller` submitted an authorisation issued to `agent`.
    error WelfareNotAuthorizedAgent(address agent, address caller);

    /// @notice The signature is not `beneficiary`'s authorisation of this claim.
    error WelfareInvalidAuthorization(address beneficiary);

    // ---------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------

    /// @notice Governance created programme `programmeId`.
    event ProgrammeCreated(
        uint256 indexed programmeId,
        IERC20 indexed token,
        address indexed funding,
        address manager,
        address officer,
        uint32 claimDelay,
        bytes32 documentHash,
        string name
    );

    /// @notice Governance replaced the manager and eligibility officer of `programmeId`.
    event ProgrammeOfficialsChanged(uint256 indexed programmeId, address manager, address officer);

    /// @notice The eligibility officer proposed round `roundId` with its Merkle root.
    event RoundProposed(
        uint256 indexed programmeId,
        uint256 indexed roundId,
        bytes32 merkleRoot,
        uint256 total,
        uint32 beneficiaryCount,
        bytes32 documentHash,
        address officer
    );

    /// @notice The programme manager published round `roundId`, pulling `total` from funding.
    event RoundPublished(
        uint256 indexed programmeId,
        uint256 indexed roundId,
        uint64 claimableAt,
        uint64 end,
        uint256 total,
        address manager
    );

    /// @notice An auditor vetoed round `roundId`; `returned` went back to the funding account.
    event RoundVetoed(
        uint256 indexed programmeId, uint256 indexed roundId, uint16 reasonCode, uint256 returned, address auditor
    );

    /// @notice Leaf `index` of round `roundId` paid `amount` for `beneficiary` (pull or push).
    event Claimed(
        uint256 indexed programmeId, uint256 indexed roundId, address indexed beneficiary, uint256 index, uint256 amount
    );

    /// @notice `agent` claimed leaf `index` with the beneficiary's authorisation, paying `payee`.
    event AgentClaimed(
        uint256 indexed programmeId, uint256 indexed roundId, address indexed agent, uint256 index, address payee
    );

    /// @notice `payer` paid `paid` entries (`amount` in total) and skipped `skipped` settled ones.
    event BatchPaid(
        uint256 indexed programmeId,
        uint256 indexed roundId,
        address indexed payer,
        uint256 paid,
        uint256 skipped,
        uint256 amount
    );

    /// @notice The eligibility officer revoked leaf `index`; `amount` went back to funding.
    event Revoked(
        uint256 indexed programmeId,
        uint256 indexed roundId,
        uint256 indexed index,
        uint16 reasonCode,
        uint256 amount,
        address officer
    );

    /// @notice Round `roundId` expired; its unclaimed `amount` went back to the funding account.
    event RoundClawedBack(uint256 indexed programmeId, uint256 indexed roundId, uint256 amount, address caller);

    // ---------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------

    /// @notice Create a programme: its token, funding account, officials, delay and documents.
    function createProgramme(Programme calldata config) external returns (uint256 programmeId);

    /// @notice Replace the manager and eligibility officer of `programmeId` (they must differ).
    function setProgrammeOfficials(uint256 programmeId, address manager, address officer) external;

    /// @notice Stop claims, batch payments, proposals and publications (returns stay possible).
    function pause() external;

    /// @notice Resume after {pause}.
    function unpause() external;

    // ---------------------------------------------------------------------------------------
    // Rounds
    // ---------------------------------------------------------------------------------------

    /// @notice Propose a round of `programmeId` paying `total` to `beneficiaryCount` leaves of `merkleRoot`.
    function proposeRound(
        uint256 programmeId,
        bytes32 merkleRoot,
        uint96 total,
        uint32 beneficiaryCount,
        bytes32 documentHash
    ) external returns (uint256 roundId);

    /// @notice Publish proposed round `roundId` for claims from `start` to `end`, pulling its total.
    function publishRound(uint256 roundId, uint48 start, uint48 end) external;

    /// @notice Veto round `roundId` before it becomes claimable, returning its funds.
    function vetoRound(uint256 roundId, uint16 reasonCode) external;

    /// @notice Return the unclaimed funds of round `roundId` after its end to the funding account.
    function clawback(uint256 roundId) external;

    // ---------------------------------------------------------------------------------------
    // Payments
    // ---------------------------------------------------------------------------------------

    /// @notice Pay leaf `index` of round `roundId` to `beneficiary` (anyone may submit).
    function claim(uint256 roundId, uint256 index, address beneficiary, uint256 amount, bytes32[] calldata proof)
        external;

    /// @notice Claim as the agent named in the beneficiary's signed authorisation; pays its payee.
    function claimWithAuthorization(
        ClaimAuthorization calldata authorization,
        bytes32[] calldata proof,
        bytes calldata signature
    ) external;

    /// @notice Pay `entries` of round `roundId`, proven by one multiproof; settled entries are skipped.
    function batchPay(
        uint256 roundId,
        Entry[] calldata entries,
        bytes32[] calldata proof,
        bool[] calldata proofFlags
    ) external;

    /// @notice Revoke unclaimed leaf `index` of round `roundId`, returning its amount to funding.
    function revoke(
        uint256 roundId,
        uint256 index,
        address beneficiary,
        uint256 amount,
        bytes32[] calldata proof,
        uint16 reasonCode
    ) external;

    // ---------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------

    /// @notice Largest number of entries {batchPay} accepts in one call.
    function MAX_BATCH() external view returns (uint256);

    /// @notice EIP-712 type hash of {ClaimAuthorization}.
    function CLAIM_AUTHORIZATION_TYPEHASH() external view returns (bytes32);

    /// @notice Programme `programmeId`.
    function programme(uint256 programmeId) external view returns (Programme memory);

    /// @notice Round `roundId`.
    function round(uint256 roundId) external view returns (Round memory);

    /// @notice Funded, claimed, revoked, clawed-back and remaining amounts of round `roundId`.
    function roundAccounts(uint256 roundId)
        external
        view
        returns (uint256 funded, uint256 claimed, uint256 revoked, uint256 clawedBack, uint256 remaining);

    /// @notice Whether leaf `index` of round `roundId` is settled (claimed, paid or revoked).
    function isClaimed(uint256 roundId, uint256 index) external view returns (bool);

    /// @notice Number of programmes created (ids run from 1).
    function programmeCount() external view returns (uint256);

    /// @notice Number of rounds proposed (ids run from 1, across all programmes).
    function roundCount() external view returns (uint256);

    /// @notice EIP-712 digest a beneficiary signs to authorise `authorization`.
    function claimAuthorizationDigest(ClaimAuthorization calldata authorization) external view returns (bytes32);
}
