// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {GovchainInvalidWindow, GovchainZeroAddress, GovchainZeroAmount} from "./common/Errors.sol";
import {GovchainAccess} from "./common/GovchainAccess.sol";
import {Roles} from "./common/Roles.sol";
import {IWelfareDisbursement} from "./interfaces/IWelfareDisbursement.sol";

/// @title WelfareDisbursement
/// @notice Pays welfare rounds from Merkle roots, for any number of programmes.
///
/// Maker-checker: governance names, per programme, a manager and an eligibility officer, and
/// they must be different accounts. The officer alone decides who is owed what (proposes the
/// root, revokes leaves); the manager alone releases money (publishes the round, which pulls its
/// total from the programme's funding account), and never a round they proposed themselves (which
/// could otherwise happen after governance swaps the two officials). Each must also hold the matching role
/// (PROGRAMME_MANAGER_ROLE, ELIGIBILITY_OFFICER_ROLE), so governance can suspend an official
/// everywhere by revoking one role. An AUDITOR_ROLE holder can veto a round until it becomes
/// claimable, which is at least the programme's `claimDelay` after publication.
///
/// Accounting: every round is funded in full when published and pays only from its own funds
/// (`remaining`), whatever its root says, so a wrong root can never reach another round's money.
/// Claimed + revoked + clawed back + remaining = total, at all times.
/// @dev WARNING: the payment token must move exact amounts (no fee-on-transfer or rebasing
/// token); publication checks the amount received and reverts otherwise.
/// IMPORTANT: the manager and officer being different accounts is enforced on-chain; that they
/// are different people is governance's duty when it names them.
contract WelfareDisbursement is IWelfareDisbursement, GovchainAccess, Pausable, ReentrancyGuardTransient, EIP712 {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------
    // Storage and constants
    // ---------------------------------------------------------------------------------------

    /// @notice Role identifier of programme managers (publish rounds).
    bytes32 public constant PROGRAMME_MANAGER_ROLE = Roles.PROGRAMME_MANAGER_ROLE;
    /// @notice Role identifier of eligibility officers (propose roots, revoke leaves).
    bytes32 public constant ELIGIBILITY_OFFICER_ROLE = Roles.ELIGIBILITY_OFFICER_ROLE;
    /// @notice Role identifier of auditors (veto rounds during the delay).
    bytes32 public constant AUDITOR_ROLE = Roles.AUDITOR_ROLE;
    /// @notice Role identifier of agency payers (push batch payments).
    bytes32 public constant PAYER_ROLE = Roles.PAYER_ROLE;
    /// @notice Role identifier of pausers.
    bytes32 public constant PAUSER_ROLE = Roles.PAUSER_ROLE;

    /// @inheritdoc IWelfareDisbursement
    /// @dev Measured on a 100,000-leaf round, 200 entries to recipients who never held the token:
    /// 6.3M gas for consecutive indexes of a tree kept in index order, 12.1M for 200 random
    /// indexes (1,642 proof nodes, 159 new bitmap words, ~61k per entry): the worst case stays
    /// under the 16,777,216 gas cap of a transaction (EIP-7825).
    uint256 public constant MAX_BATCH = 200;

    /// @inheritdoc IWelfareDisbursement
    bytes32 public constant CLAIM_AUTHORIZATION_TYPEHASH = keccak256(
        "ClaimAuthorization(uint256 roundId,uint256 index,address beneficiary,uint256 amount,"
        "address agent,address payee,uint256 deadline)"
    );

    uint32 private _programmeCount; // programme ids are stored in rounds as uint32
    uint64 private _roundCount;
    mapping(uint256 programmeId => Programme) private _programmes;
    // Written through `Round storage` pointers (proposeRound), which slither does not follow.
    // slither-disable-next-line uninitialized-state
    mapping(uint256 roundId => Round) private _rounds;
    /// @dev 256 leaves per word; a set bit means claimed, paid or revoked. Written through a
    /// storage pointer (_settle, _settleBatch), which slither does not follow.
    // slither-disable-next-line uninitialized-state
    mapping(uint256 roundId => mapping(uint256 wordIndex => uint256 bits)) private _settled;

    // ---------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE; grants every other role.
    constructor(address admin) GovchainAccess(admin, _operationalRoles()) EIP712("WelfareDisbursement", "1") {}

    // ---------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IWelfareDisbursement
    function createProgramme(Programme calldata config)
        external
        onlyRole(GOVERNANCE_ROLE)
        returns (uint256 programmeId)
    {
        if (address(config.token) == address(0)) revert GovchainZeroAddress("token");
        if (config.funding == address(0)) revert GovchainZeroAddress("funding");
        _requireDistinctOfficials(config.manager, config.officer);
        programmeId = ++_programmeCount;
        _programmes[programmeId] = config;
        emit ProgrammeCreated(
            programmeId,
            config.token,
            config.funding,
            config.manager,
            config.officer,
            config.claimDelay,
            config.documentHash,
            config.name
        );
    }

    /// @inheritdoc IWelfareDisbursement
    function setProgrammeOfficials(uint256 programmeId, address manager, address officer)
        external
        onlyRole(GOVERNANCE_ROLE)
    {
        Programme storage p = _programme(programmeId);
        _requireDistinctOfficials(manager, officer);
        if (p.manager == manager && p.officer == officer) return;
        p.manager = manager;
        p.officer = officer;
        emit ProgrammeOfficialsChanged(programmeId, manager, officer);
    }

    /// @inheritdoc IWelfareDisbursement
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IWelfareDisbursement
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------------------------------
    // Rounds
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IWelfareDisbursement
    /// @dev Only the programme's eligibility officer. No funds move: the manager publishes.
    function proposeRound(
        uint256 programmeId,
        bytes32 merkleRoot,
        uint96 total,
        uint32 beneficiaryCount,
        bytes32 documentHash
    ) external whenNotPaused returns (uint256 roundId) {
        Programme storage p = _programme(programmeId);
        _requireOfficer(programmeId, p);
        if (total == 0) revert GovchainZeroAmount("total");
        if (beneficiaryCount == 0) revert GovchainZeroAmount("beneficiaryCount");
        roundId = ++_roundCount;
        Round storage r = _rounds[roundId];
        r.merkleRoot = merkleRoot;
        r.programmeId = uint32(programmeId); // ids come from the uint32 counter
        r.status = RoundStatus.Proposed;
        r.total = total;
        r.proposer = _msgSender();
        r.beneficiaryCount = beneficiaryCount;
        r.documentHash = documentHash;
        emit RoundProposed(programmeId, roundId, merkleRoot, total, beneficiaryCount, documentHash, _msgSender());
    }

    /// @inheritdoc IWelfareDisbursement
    /// @dev Only the programme's manager. Claims open at `start` or `claimDelay` after now,
    /// whichever is later, and close after `end`. Pulls the round's total from the funding
    /// account, which must have approved this contract.
    function publishRound(uint256 roundId, uint48 start, uint48 end) external whenNotPaused nonReentrant {
        Round storage r = _round(roundId);
        _requireStatus(roundId, r.status, RoundStatus.Proposed);
        uint256 programmeId = r.programmeId;
        Programme storage p = _programmes[programmeId];
        _requireManager(programmeId, p);
        if (_msgSender() == r.proposer) revert WelfareSameOfficial(_msgSender()); // after a rotation
        uint256 earliest = block.timestamp + p.claimDelay;
        // earliest <= now + 2^32 - 1 < 2^48 for the next eight million years
        uint48 claimableAt = start > earliest ? start : uint48(earliest);
        if (end <= claimableAt) revert GovchainInvalidWindow(claimableAt, end);
        IERC20 token = p.token;
        uint96 total = r.total;
        r.token = token;
        r.claimableAt = claimableAt;
        r.end = end;
        r.remaining = total;
        r.status = RoundStatus.Published;
        r.publishedAt = uint48(block.timestamp); // below 2^48 for the next eight million years
        uint256 balanceBefore = token.balanceOf(address(this));
        // The funding account is set by governance only, and only its approval limits the pull;
        // the manager publishing is never the officer who proposed (maker-checker).
        // slither-disable-next-line arbitrary-send-erc20
        token.safeTransferFrom(p.funding, address(this), total);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != total) revert WelfareFundingShortfall(roundId, total, received);
        emit RoundPublished(programmeId, roundId, claimableAt, end, total, _msgSender());
    }

    /// @inheritdoc IWelfareDisbursement
    /// @dev Only AUDITOR_ROLE. A proposed round can be vetoed at any time, a published one until
    /// `claimableAt`. Works while paused: funds only go back to the funding account.
    function vetoRound(uint256 roundId, uint16 reasonCode) external onlyRole(AUDITOR_ROLE) nonReentrant {
        Round storage r = _round(roundId);
        RoundStatus status = r.status;
        uint256 returned;
        if (status == RoundStatus.Published) {
            if (block.timestamp >= r.claimableAt) revert WelfareVetoPeriodOver(roundId, r.claimableAt);
            returned = r.remaining; // the total less any revocations: nothing is claimable yet
            r.remaining = 0;
            r.clawedBack = uint96(returned); // remaining <= total < 2^96
        } else if (status != RoundStatus.Proposed) {
            revert WelfareRoundWrongStatus(roundId, status, RoundStatus.Published);
        }
        r.status = RoundStatus.Vetoed;
        uint256 programmeId = r.programmeId;
        if (returned != 0) r.token.safeTransfer(_programmes[programmeId].funding, returned);
        emit RoundVetoed(programmeId, roundId, reasonCode, returned, _msgSender());
    }

    /// @inheritdoc IWelfareDisbursement
    /// @dev Anyone may call: the funds can only go to the programme's funding account. Works
    /// while paused.
    function clawback(uint256 roundId) external nonReentrant {
        Round storage r = _round(roundId);
        _requireStatus(roundId, r.status, RoundStatus.Published);
        if (block.timestamp <= r.end) revert WelfareRoundNotEnded(roundId, r.end);
        uint96 amount = r.remaining;
        r.remaining = 0;
        r.clawedBack = amount;
        r.status = RoundStatus.ClawedBack;
        uint256 programmeId = r.programmeId;
        if (amount != 0) r.token.safeTransfer(_programmes[programmeId].funding, amount);
        emit RoundClawedBack(programmeId, roundId, amount, _msgSender());
    }

    // ---------------------------------------------------------------------------------------
    // Payments
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IWelfareDisbursement
    /// @dev No reentrancy guard, deliberately: the leaf is marked settled and the round debited
    /// before the token is called (CEI), so a re-entering token finds nothing more to take; the
    /// guard would cost every claim. Storage touched: the pause flag, three round slots (root;
    /// token and window; remaining, status and programme, written back) and one bitmap word.
    function claim(uint256 roundId, uint256 index, address beneficiary, uint256 amount, bytes32[] calldata proof)
        external
        whenNotPaused
    {
        (IERC20 token, uint256 programmeId) = _claim(roundId, index, beneficiary, amount, proof);
        token.safeTransfer(beneficiary, amount);
        emit Claimed(programmeId, roundId, beneficiary, index, amount);
    }

    /// @inheritdoc IWelfareDisbursement
    /// @dev The beneficiary (an EOA, or a contract through ERC-1271) signs the EIP-712
    /// `ClaimAuthorization`, naming the agent who may submit it and the payee who receives the
    /// money: the beneficiary themself, or a guardian for people without a wallet of their own.
    /// A signature is good for one leaf once (the bitmap), on this chain and contract only (the
    /// domain separator), until `deadline`.
    /// WARNING: a payee other than the beneficiary receives the beneficiary's money; wallets
    /// must show the payee before signing.
    function claimWithAuthorization(
        ClaimAuthorization calldata authorization,
        bytes32[] calldata proof,
        bytes calldata signature
    ) external whenNotPaused {
        _checkAuthorization(authorization, signature);
        (IERC20 token, uint256 programmeId) =
            _claim(authorization.roundId, authorization.index, authorization.beneficiary, authorization.amount, proof);
        token.safeTransfer(authorization.payee, authorization.amount);
        emit Claimed(
            programmeId, authorization.roundId, authorization.beneficiary, authorization.index, authorization.amount
        );
        emit AgentClaimed(
            programmeId, authorization.roundId, authorization.agent, authorization.index, authorization.payee
        );
    }

    /// @inheritdoc IWelfareDisbursement
    /// @dev Only PAYER_ROLE. `entries` must be in the order the multiproof was built for
    /// (OpenZeppelin's `getMultiProof` orders leaves by tree position, descending). All entries
    /// are marked settled and the round debited before any token moves (CEI); then each entry is
    /// paid and announced by its own {Claimed} event.
    function batchPay(
        uint256 roundId,
        Entry[] calldata entries,
        bytes32[] calldata proof,
        bool[] calldata proofFlags
    ) external onlyRole(PAYER_ROLE) whenNotPaused nonReentrant {
        uint256 count = entries.length;
        if (count == 0 || count > MAX_BATCH) revert WelfareBatchSize(count, MAX_BATCH);
        Round storage r = _rounds[roundId];
        _requireOpen(roundId, r);
        bytes32[] memory leaves = _proveBatch(roundId, r, entries, proof, proofFlags);
        (uint256 paidAmount, uint256 skipped) = _settleBatch(roundId, entries, leaves);
        _debit(roundId, r, r.remaining, paidAmount);
        uint256 programmeId = _payBatch(roundId, r, entries, leaves);
        emit BatchPaid(programmeId, roundId, _msgSender(), count - skipped, skipped, paidAmount);
    }

    /// @inheritdoc IWelfareDisbursement
    /// @dev Only the programme's eligibility officer, while the round is published (before or
    /// during its window, or after it until the clawback). The amount goes back to the funding
    /// account at once and is counted in `revoked`. Works while paused.
    function revoke(
        uint256 roundId,
        uint256 index,
        address beneficiary,
        uint256 amount,
        bytes32[] calldata proof,
        uint16 reasonCode
    ) external nonReentrant {
        Round storage r = _round(roundId);
        _requireStatus(roundId, r.status, RoundStatus.Published);
        uint256 programmeId = r.programmeId;
        Programme storage p = _programmes[programmeId];
        _requireOfficer(programmeId, p);
        _settle(roundId, r, r.remaining, index, beneficiary, amount, proof);
        r.revoked += uint96(amount); // amount <= remaining <= total < 2^96, checked in _settle
        r.token.safeTransfer(p.funding, amount);
        emit Revoked(programmeId, roundId, index, reasonCode, amount, _msgSender());
    }

    // ---------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IWelfareDisbursement
    function programme(uint256 programmeId) external view returns (Programme memory) {
        return _programme(programmeId);
    }

    /// @inheritdoc IWelfareDisbursement
    function round(uint256 roundId) external view returns (Round memory) {
        return _round(roundId);
    }

    /// @inheritdoc IWelfareDisbursement
    /// @dev `funded` is zero until publication; `claimed` includes batch payments.
    function roundAccounts(uint256 roundId)
        external
        view
        returns (uint256 funded, uint256 claimed, uint256 revoked, uint256 clawedBack, uint256 remaining)
    {
        Round storage r = _round(roundId);
        funded = r.publishedAt == 0 ? 0 : r.total;
        revoked = r.revoked;
        clawedBack = r.clawedBack;
        remaining = r.remaining;
        claimed = funded - revoked - clawedBack - remaining;
    }

    /// @inheritdoc IWelfareDisbursement
    function isClaimed(uint256 roundId, uint256 index) external view returns (bool) {
        return _settled[roundId][index >> 8] & (1 << (index & 0xff)) != 0;
    }

    /// @inheritdoc IWelfareDisbursement
    function programmeCount() external view returns (uint256) {
        return _programmeCount;
    }

    /// @inheritdoc IWelfareDisbursement
    function roundCount() external view returns (uint256) {
        return _roundCount;
    }

    /// @inheritdoc IWelfareDisbursement
    function claimAuthorizationDigest(ClaimAuthorization calldata authorization) external view returns (bytes32) {
        return _hashTypedDataV4(_hashAuthorization(authorization));
    }

    // ---------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------

    /// @dev The pull path shared by {claim} and {claimWithAuthorization}: window, leaf, debit.
    /// Reads each hot slot of the round once (a claim's budget is counted in cold reads).
    function _claim(uint256 roundId, uint256 index, address beneficiary, uint256 amount, bytes32[] calldata proof)
        private
        returns (IERC20 token, uint256 programmeId)
    {
        Round storage r = _rounds[roundId];
        token = r.token;
        uint48 claimableAt = r.claimableAt;
        uint48 end = r.end;
        RoundStatus status = r.status;
        programmeId = r.programmeId;
        uint96 remaining = r.remaining;
        if (status != RoundStatus.Published || block.timestamp < claimableAt || block.timestamp > end) {
            _requireOpen(roundId, r); // names the cause
        }
        _settle(roundId, r, remaining, index, beneficiary, amount, proof);
    }

    /// @dev The one place a single leaf becomes settled: unsettled, proven, affordable; then
    /// marked and debited from the round, whose `remaining` the caller has just read.
    function _settle(
        uint256 roundId,
        Round storage r,
        uint96 remaining,
        uint256 index,
        address beneficiary,
        uint256 amount,
        bytes32[] calldata proof
    ) private {
        mapping(uint256 wordIndex => uint256 bits) storage bitmap = _settled[roundId];
        uint256 wordIndex = index >> 8;
        uint256 mask = 1 << (index & 0xff);
        uint256 word = bitmap[wordIndex];
        if (word & mask != 0) revert WelfareAlreadyClaimed(roundId, index);
        if (!MerkleProof.verifyCalldata(proof, r.merkleRoot, _leaf(index, beneficiary, amount))) {
            revert WelfareInvalidProof(roundId, index);
        }
        bitmap[wordIndex] = word | mask;
        _debit(roundId, r, remaining, amount);
    }

    /// @dev The entries' leaves, in their order, once the multiproof shows they are all in the round.
    function _proveBatch(
        uint256 roundId,
        Round storage r,
        Entry[] calldata entries,
        bytes32[] calldata proof,
        bool[] calldata proofFlags
    ) private view returns (bytes32[] memory leaves) {
        leaves = new bytes32[](entries.length);
        for (uint256 i = 0; i < entries.length; ++i) {
            Entry calldata e = entries[i];
            leaves[i] = _leaf(e.index, e.beneficiary, e.amount);
        }
        if (!MerkleProof.multiProofVerifyCalldata(proof, proofFlags, r.merkleRoot, leaves)) {
            revert WelfareInvalidMultiproof(roundId);
        }
    }

    /// @dev Pays every entry whose leaf {_settleBatch} left non-zero, one {Claimed} event each.
    function _payBatch(uint256 roundId, Round storage r, Entry[] calldata entries, bytes32[] memory leaves)
        private
        returns (uint256 programmeId)
    {
        IERC20 token = r.token;
        programmeId = r.programmeId;
        for (uint256 i = 0; i < entries.length; ++i) {
            if (leaves[i] == 0) continue; // settled before this batch
            Entry calldata e = entries[i];
            token.safeTransfer(e.beneficiary, e.amount);
            emit Claimed(programmeId, roundId, e.beneficiary, e.index, e.amount);
        }
    }

    /// @dev Marks the batch's unsettled entries, caching the current bitmap word (consecutive
    /// indexes share a word: a batch of them costs one word write per 256 entries). Zeroes
    /// `leaves[i]` of each entry settled before (a leaf hash is never zero in practice: that
    /// would take a keccak256 preimage of zero).
    /// A leaf repeated inside the batch is found set in the cached word and skipped too.
    function _settleBatch(uint256 roundId, Entry[] calldata entries, bytes32[] memory leaves)
        private
        returns (uint256 paidAmount, uint256 skipped)
    {
        mapping(uint256 wordIndex => uint256 bits) storage bitmap = _settled[roundId];
        uint256 cachedIndex = type(uint256).max; // no word: leaf indexes >> 8 are below 2^248
        uint256 word;
        for (uint256 i = 0; i < entries.length; ++i) {
            uint256 index = entries[i].index;
            uint256 wordIndex = index >> 8;
            if (wordIndex != cachedIndex) {
                if (cachedIndex != type(uint256).max) bitmap[cachedIndex] = word;
                cachedIndex = wordIndex;
                word = bitmap[wordIndex];
            }
            uint256 mask = 1 << (index & 0xff);
            if (word & mask != 0) {
                leaves[i] = 0;
                ++skipped;
            } else {
                word |= mask;
                paidAmount += entries[i].amount;
            }
        }
        bitmap[cachedIndex] = word;
    }

    /// @dev Takes `amount` from the round's `remaining` funds (just read by the caller), or
    /// reverts if it has not that much: a round never pays from another round's money.
    function _debit(uint256 roundId, Round storage r, uint96 remaining, uint256 amount) private {
        if (amount > remaining) revert WelfareRoundOverdrawn(roundId, amount, remaining);
        unchecked {
            r.remaining = uint96(remaining - amount); // amount <= remaining, just checked
        }
    }

    /// @dev Reverts unless the caller is the agent `authorization` names, before its deadline,
    /// with a payee, and the beneficiary signed it.
    function _checkAuthorization(ClaimAuthorization calldata authorization, bytes calldata signature) private view {
        if (block.timestamp > authorization.deadline) revert WelfareAuthorizationExpired(authorization.deadline);
        if (_msgSender() != authorization.agent) revert WelfareNotAuthorizedAgent(authorization.agent, _msgSender());
        if (authorization.payee == address(0)) revert GovchainZeroAddress("payee");
        bytes32 digest = _hashTypedDataV4(_hashAuthorization(authorization));
        if (!SignatureChecker.isValidSignatureNowCalldata(authorization.beneficiary, digest, signature)) {
            revert WelfareInvalidAuthorization(authorization.beneficiary);
        }
    }

    /// @dev Reverts, naming the cause, unless round `roundId` is published and inside its claim
    /// window (unknown round, wrong status, too early or too late).
    function _requireOpen(uint256 roundId, Round storage r) private view {
        RoundStatus status = r.status;
        if (status != RoundStatus.Published) {
            if (status == RoundStatus.None) revert WelfareUnknownRound(roundId);
            revert WelfareRoundWrongStatus(roundId, status, RoundStatus.Published);
        }
        uint48 claimableAt = r.claimableAt;
        uint48 end = r.end;
        if (block.timestamp < claimableAt || block.timestamp > end) {
            revert WelfareRoundNotOpen(roundId, claimableAt, end);
        }
    }

    function _requireStatus(uint256 roundId, RoundStatus actual, RoundStatus expected) private pure {
        if (actual != expected) revert WelfareRoundWrongStatus(roundId, actual, expected);
    }

    function _requireManager(uint256 programmeId, Programme storage p) private view {
        if (_msgSender() != p.manager) revert WelfareNotProgrammeManager(programmeId, _msgSender());
        _checkRole(PROGRAMME_MANAGER_ROLE);
    }

    function _requireOfficer(uint256 programmeId, Programme storage p) private view {
        if (_msgSender() != p.officer) revert WelfareNotEligibilityOfficer(programmeId, _msgSender());
        _checkRole(ELIGIBILITY_OFFICER_ROLE);
    }

    function _requireDistinctOfficials(address manager, address officer) private pure {
        if (manager == address(0)) revert GovchainZeroAddress("manager");
        if (officer == address(0)) revert GovchainZeroAddress("officer");
        if (manager == officer) revert WelfareSameOfficial(manager);
    }

    function _programme(uint256 programmeId) private view returns (Programme storage p) {
        p = _programmes[programmeId];
        if (address(p.token) == address(0)) revert WelfareUnknownProgramme(programmeId);
    }

    function _round(uint256 roundId) private view returns (Round storage r) {
        r = _rounds[roundId];
        if (r.status == RoundStatus.None) revert WelfareUnknownRound(roundId);
    }

    function _leaf(uint256 index, address beneficiary, uint256 amount) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, beneficiary, amount))));
    }

    function _hashAuthorization(ClaimAuthorization calldata a) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                CLAIM_AUTHORIZATION_TYPEHASH, a.roundId, a.index, a.beneficiary, a.amount, a.agent, a.payee, a.deadline
            )
        );
    }

    function _operationalRoles() private pure returns (bytes32[] memory roles) {
        roles = new bytes32[](5);
        roles[0] = Roles.PROGRAMME_MANAGER_ROLE;
        roles[1] = Roles.ELIGIBILITY_OFFICER_ROLE;
        roles[2] = Roles.AUDITOR_ROLE;
        roles[3] = Roles.PAYER_ROLE;
        roles[4] = Roles.PAUSER_ROLE;
    }
}
