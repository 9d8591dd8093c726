// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {GovchainInvalidWindow, GovchainZeroAddress, GovchainZeroAmount} from "./common/Errors.sol";
import {GovchainAccess} from "./common/GovchainAccess.sol";
import {Roles} from "./common/Roles.sol";
import {IProcurement} from "./interfaces/IProcurement.sol";

/// @title Procurement
/// @notice Sealed-bid public tenders with bid bonds, an award by rule, a standstill period open
/// to challenges, and milestone escrow.
///
/// Rules, all mechanical: the lowest revealed price at or under the ceiling wins, ties going to
/// the earliest commitment; the best bid is kept as bids are revealed, so awarding costs the same
/// whatever the number of bids. Revealed bidders get their bond back; the bonds of bids never
/// revealed go to the buyer, so hiding a bad price costs the bond. Holders of any procurement
/// role, governance and the tender's buyer can never bid. Milestones are confirmed by a contract
/// inspector who is neither the officer who ran the tender nor its supplier.
/// @dev WARNING: payment tokens must move exact amounts (no fee-on-transfer or rebasing token);
/// escrow funding checks the amount received, bonds are not re-checked to keep bidding cheap.
/// Reveals, bond withdrawals, challenges and nominations ignore the pause on purpose: a pause must never make
/// a bidder miss a deadline and lose a bond or the right to challenge.
contract Procurement is IProcurement, GovchainAccess, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------
    // Storage and constants
    // ---------------------------------------------------------------------------------------

    /// @notice Role identifier of procurement officers (open, amend and cancel tenders).
    bytes32 public constant PROCUREMENT_OFFICER_ROLE = Roles.PROCUREMENT_OFFICER_ROLE;
    /// @notice Role identifier of reviewers (decide challenges).
    bytes32 public constant PROCUREMENT_REVIEWER_ROLE = Roles.PROCUREMENT_REVIEWER_ROLE;
    /// @notice Role identifier of contract inspectors (confirm milestones).
    bytes32 public constant CONTRACT_INSPECTOR_ROLE = Roles.CONTRACT_INSPECTOR_ROLE;
    /// @notice Role identifier of the supplier registrar (approve and debar suppliers).
    bytes32 public constant SUPPLIER_REGISTRAR_ROLE = Roles.SUPPLIER_REGISTRAR_ROLE;
    /// @notice Role identifier of pausers.
    bytes32 public constant PAUSER_ROLE = Roles.PAUSER_ROLE;

    /// @inheritdoc IProcurement
    uint256 public constant MAX_MILESTONES = 32; // `paidMask` is 32 bits
    /// @inheritdoc IProcurement
    uint256 public constant NOMINATION_WINDOW = 2 days;

    /// @dev One slot per account, read by every commitment: registry standing and, as a bit
    /// set, the roles that make the account an official who may not bid.
    struct Account {
        SupplierStatus status;
        uint8 officialRoles;
    }

    uint256 private _tenderCount;
    mapping(uint256 tenderId => Tender) private _tenders;
    mapping(uint256 tenderId => mapping(address bidder => Bid)) private _bids;
    mapping(uint256 tenderId => uint256) private _challengeCounts;
    mapping(uint256 tenderId => mapping(uint256 challengeId => Challenge)) private _challenges;
    mapping(uint256 tenderId => Escrow) private _escrows;
    mapping(uint256 tenderId => mapping(uint256 milestone => uint256 amount)) private _milestones;
    mapping(address account => Account) private _accounts;

    // ---------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE; grants every other role.
    constructor(address admin) GovchainAccess(admin, _operationalRoles()) {}

    // ---------------------------------------------------------------------------------------
    // Tenders
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IProcurement
    function createTender(TenderTerms calldata terms)
        external
        onlyRole(PROCUREMENT_OFFICER_ROLE)
        whenNotPaused
        returns (uint256 tenderId)
    {
        if (terms.buyer == address(0)) revert GovchainZeroAddress("buyer");
        if (address(terms.token) == address(0)) revert GovchainZeroAddress("token");
        if (terms.ceiling == 0) revert GovchainZeroAmount("ceiling");
        if (terms.ceiling > type(uint96).max) revert ProcurementAmountTooLarge("ceiling", terms.ceiling);
        if (terms.bond > type(uint96).max) revert ProcurementAmountTooLarge("bond", terms.bond);
        _checkDeadlines(terms.biddingDeadline, terms.revealDeadline);

        tenderId = ++_tenderCount;
        Tender storage t = _tenders[tenderId];
        t.token = terms.token;
        t.biddingDeadline = uint48(terms.biddingDeadline);
        t.revealDeadline = uint48(terms.revealDeadline);
        t.buyer = terms.buyer;
        t.bond = uint96(terms.bond);
        t.officer = msg.sender;
        t.ceiling = uint96(terms.ceiling);
        t.standstill = terms.standstill;
        t.status = TenderStatus.Open;
        t.registeredOnly = terms.registeredOnly;
        emit TenderCreated(
            tenderId,
            terms.buyer,
            msg.sender,
            terms.token,
            terms.documentHash,
            terms.ceiling,
            terms.bond,
            terms.biddingDeadline,
            terms.revealDeadline,
            terms.standstill,
            terms.registeredOnly,
            terms.title
        );
    }

    /// @inheritdoc IProcurement
    function amendTender(uint256 tenderId, bytes32 documentHash, uint64 biddingDeadline, uint64 revealDeadline)
        external
        onlyRole(PROCUREMENT_OFFICER_ROLE)
    {
        Tender storage t = _tenderIn(tenderId, TenderStatus.Open);
        if (t.bidCount != 0) revert ProcurementAlreadyBid(tenderId);
        _checkDeadlines(biddingDeadline, revealDeadline);
        t.biddingDeadline = uint48(biddingDeadline);
        t.revealDeadline = uint48(revealDeadline);
        emit TenderAmended(tenderId, documentHash, biddingDeadline, revealDeadline);
    }

    /// @inheritdoc IProcurement
    function cancelTender(uint256 tenderId, uint16 reasonCode) external onlyRole(PROCUREMENT_OFFICER_ROLE) {
        Tender storage t = _tenderIn(tenderId, TenderStatus.Open);
        // The buyer's side called the process off, so no bidder pays for it, revealed or not.
        t.status = TenderStatus.Cancelled;
        t.refundAllBonds = true;
        emit TenderCancelled(tenderId, reasonCode, true);
    }

    // ---------------------------------------------------------------------------------------
    // Bidding
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IProcurement
    /// @dev Storage touched: the pause flag, three tender slots (one written), the caller's
    /// account slot and two bid slots; then the bond's `transferFrom`.
    function commitBid(uint256 tenderId, bytes32 commitment) external whenNotPaused nonReentrant {
        Tender storage t = _tenderIn(tenderId, TenderStatus.Open);
        if (block.timestamp > t.biddingDeadline) revert ProcurementBiddingClosed(tenderId, t.biddingDeadline);
        if (commitment == bytes32(0)) revert ProcurementEmptyCommitment();
        Account memory account = _accounts[msg.sender];
        if (account.officialRoles != 0 || msg.sender == t.buyer) revert ProcurementOfficialCannotBid(msg.sender);
        if (account.status == SupplierStatus.Debarred) revert ProcurementSupplierDebarred(msg.sender);
        if (t.registeredOnly && account.status != SupplierStatus.Approved) {
            revert ProcurementSupplierNotRegistered(msg.sender);
        }

        Bid storage b = _bids[tenderId][msg.sender];
        bool replaced = b.status != BidStatus.None;
        uint32 seq = ++t.commitSeq;
        if (!replaced) {
            ++t.bidCount;
            b.status = BidStatus.Committed;
        }
        b.commitment = commitment;
        b.seq = seq;
        emit BidCommitted(tenderId, msg.sender, commitment, seq, replaced);

        uint256 bond = t.bond;
        if (!replaced && bond != 0) t.token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IProcurement
    /// @dev The commitment slot is cleared (its value is in the event), which refunds gas.
    function revealBid(uint256 tenderId, uint256 price, bytes32 salt, bytes32 offerDocHash) external {
        Tender storage t = _tenderIn(tenderId, TenderStatus.Open);
        if (block.timestamp <= t.biddingDeadline || block.timestamp > t.revealDeadline) {
            revert ProcurementRevealNotOpen(tenderId, t.biddingDeadline, t.revealDeadline);
        }
        Bid storage b = _bids[tenderId][msg.sender];
        if (b.status == BidStatus.None) revert ProcurementNoBid(tenderId, msg.sender);
        if (b.status != BidStatus.Committed) revert ProcurementAlreadyRevealed(tenderId, msg.sender);
        if (commitmentOf(tenderId, msg.sender, price, salt, offerDocHash) != b.commitment) {
            revert ProcurementCommitmentMismatch(tenderId, msg.sender);
        }

        bool compliant = price != 0 && price <= t.ceiling;
        ++t.revealedCount;
        delete b.commitment;
        b.status = compliant ? BidStatus.Revealed : BidStatus.NonCompliant;
        b.price = price > type(uint96).max ? type(uint96).max : uint96(price);
        emit BidRevealed(tenderId, msg.sender, price, offerDocHash, compliant);

        if (compliant) _consider(t, tenderId, msg.sender, uint96(price), b.seq);
    }

    /// @inheritdoc IProcurement
    function award(uint256 tenderId) external whenNotPaused {
        Tender storage t = _tender(tenderId);
        uint256 notBefore;
        if (t.status == TenderStatus.Open) notBefore = t.revealDeadline;
        else if (t.status == TenderStatus.Reaward) notBefore = t.awardedAt + NOMINATION_WINDOW;
        else revert ProcurementWrongStatus(tenderId, t.status);
        if (block.timestamp <= notBefore) revert ProcurementAwardTooEarly(tenderId, uint64(notBefore));

        address winner = t.leader;
        if (winner == address(0)) {
            t.status = TenderStatus.NoAward;
            emit TenderNotAwarded(tenderId);
            return;
        }
        t.status = TenderStatus.Awarded;
        t.awardedAt = uint48(block.timestamp);
        emit TenderAwarded(tenderId, winner, t.leadingPrice, uint64(block.timestamp + t.standstill));
    }

    /// @inheritdoc IProcurement
    function withdrawBond(uint256 tenderId) external nonReentrant {
        Tender storage t = _tender(tenderId);
        Bid storage b = _bids[tenderId][msg.sender];
        if (b.status == BidStatus.None) revert ProcurementNoBid(tenderId, msg.sender);
        bool revealedAndDecided = b.status != BidStatus.Committed && t.status != TenderStatus.Open;
        if (b.bondReturned || !(revealedAndDecided || t.refundAllBonds)) {
            revert ProcurementBondNotRefundable(tenderId, msg.sender);
        }
        b.bondReturned = true;
        uint256 bond = t.bond;
        emit BondReturned(tenderId, msg.sender, bond);
        if (bond != 0) t.token.safeTransfer(msg.sender, bond);
    }

    /// @inheritdoc IProcurement
    function payForfeitedBonds(uint256 tenderId) external nonReentrant {
        Tender storage t = _tender(tenderId);
        if (t.status == TenderStatus.Open) revert ProcurementWrongStatus(tenderId, t.status);
        uint256 unrevealed = t.bidCount - t.revealedCount;
        uint256 amount = unrevealed * t.bond;
        if (t.refundAllBonds || t.forfeitsPaid || amount == 0) revert ProcurementNoForfeits(tenderId);
        t.forfeitsPaid = true;
        emit BondsForfeited(tenderId, t.buyer, unrevealed, amount);
        t.token.safeTransfer(t.buyer, amount);
    }

    // ---------------------------------------------------------------------------------------
    // Standstill and challenge
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IProcurement
    function challengeAward(uint256 tenderId, bytes32 documentHash) external returns (uint256 challengeId) {
        Tender storage t = _tender(tenderId);
        if (t.status != TenderStatus.Awarded || block.timestamp > uint256(t.awardedAt) + t.standstill) {
            revert ProcurementChallengeClosed(tenderId);
        }
        Bid storage b = _bids[tenderId][msg.sender];
        if (b.status == BidStatus.None) revert ProcurementNotBidder(tenderId, msg.sender);
        uint16 round = t.awardRound + 1; // 0 in a bid means "never challenged"
        if (b.challengedInRound == round) revert ProcurementAlreadyChallenged(tenderId, msg.sender);
        b.challengedInRound = round;
        ++t.openChallenges;
        challengeId = ++_challengeCounts[tenderId];
        _challenges[tenderId][challengeId] = Challenge({
            challenger: msg.sender, awardRound: t.awardRound, status: ChallengeStatus.Open, documentHash: documentHash
        });
        emit ChallengeLodged(tenderId, challengeId, msg.sender, documentHash);
    }

    /// @inheritdoc IProcurement
    function resolveChallenge(uint256 tenderId, uint256 challengeId, Resolution resolution, uint16 reasonCode)
        external
        onlyRole(PROCUREMENT_REVIEWER_ROLE)
    {
        Tender storage t = _tender(tenderId);
        Challenge storage c = _challenges[tenderId][challengeId];
        if (c.status != ChallengeStatus.Open || c.awardRound != t.awardRound || t.status != TenderStatus.Awarded) {
            revert ProcurementChallengeNotOpen(tenderId, challengeId);
        }
        if (resolution == Resolution.Dismiss) {
            c.status = ChallengeStatus.Dismissed;
            --t.openChallenges;
            emit ChallengeResolved(tenderId, challengeId, resolution, reasonCode);
            return;
        }
        c.status = ChallengeStatus.Upheld;
        // Setting the award aside makes every other challenge against it moot.
        t.openChallenges = 0;
        ++t.awardRound;
        emit ChallengeResolved(tenderId, challengeId, resolution, reasonCode);
        if (resolution == Resolution.Cancel) {
            t.status = TenderStatus.Cancelled;
            emit TenderCancelled(tenderId, reasonCode, false);
            return;
        }
        address disqualified = t.leader;
        _bids[tenderId][disqualified].disqualified = true;
        t.leader = address(0);
        t.leadingPrice = 0;
        t.status = TenderStatus.Reaward;
        t.awardedAt = uint48(block.timestamp);
        emit ReawardOpened(tenderId, disqualified, uint64(block.timestamp + NOMINATION_WINDOW));
    }

    /// @inheritdoc IProcurement
    /// @dev Not pausable: the window runs on the clock, and a pause must not turn it into NoAward.
    function nominateBid(uint256 tenderId, address bidder) external {
        Tender storage t = _tenderIn(tenderId, TenderStatus.Reaward);
        uint256 windowEnd = t.awardedAt + NOMINATION_WINDOW;
        if (block.timestamp > windowEnd) revert ProcurementNominationClosed(tenderId, uint64(windowEnd));
        Bid storage b = _bids[tenderId][bidder];
        if (b.status != BidStatus.Revealed || b.disqualified) revert ProcurementBidNotEligible(tenderId, bidder);
        emit BidNominated(tenderId, bidder, b.price);
        _consider(t, tenderId, bidder, b.price, b.seq);
    }

    // ---------------------------------------------------------------------------------------
    // Contract execution
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IProcurement
    function fundEscrow(uint256 tenderId, uint256[] calldata milestones) external whenNotPaused nonReentrant {
        Tender storage t = _tenderIn(tenderId, TenderStatus.Awarded);
        if (msg.sender != t.buyer) revert ProcurementNotBuyer(tenderId, msg.sender);
        if (t.openChallenges != 0 || block.timestamp <= uint256(t.awardedAt) + t.standstill) {
            revert ProcurementAwardNotFinal(tenderId);
        }
        uint256 count = milestones.length;
        uint256 sum;
        bool positive = true;
        for (uint256 i = 0; i < count; ++i) {
            sum += milestones[i];
        }
        if (count > MAX_MILESTONES) revert ProcurementMilestones(tenderId, count, sum, t.leadingPrice);
        for (uint256 i = 0; i < count; ++i) {
            // Bounded by MAX_MILESTONES.
            positive = positive && milestones[i] != 0;
            _milestones[tenderId][i] = milestones[i];
        }
        if (count == 0 || !positive || sum != t.leadingPrice) {
            revert ProcurementMilestones(tenderId, count, sum, t.leadingPrice);
        }
        t.status = TenderStatus.Contracted;
        _escrows[tenderId] = Escrow({funded: uint96(sum), released: 0, milestoneCount: uint8(count), paidMask: 0});
        emit EscrowFunded(tenderId, t.leader, sum, milestones);

        uint256 before = t.token.balanceOf(address(this));
        t.token.safeTransferFrom(msg.sender, address(this), sum);
        uint256 received = t.token.balanceOf(address(this)) - before;
        if (received != sum) revert ProcurementFundingShortfall(tenderId, sum, received);
    }

    /// @inheritdoc IProcurement
    function confirmMilestone(uint256 tenderId, uint256 milestone, bytes32 reportHash)
        external
        onlyRole(CONTRACT_INSPECTOR_ROLE)
        whenNotPaused
        nonReentrant
    {
        Tender storage t = _tenderIn(tenderId, TenderStatus.Contracted);
        address supplier = t.leader;
        if (msg.sender == t.officer || msg.sender == supplier) {
            revert ProcurementInspectorConflict(tenderId, msg.sender);
        }
        Escrow storage e = _escrows[tenderId];
        if (milestone >= e.milestoneCount) revert ProcurementUnknownMilestone(tenderId, milestone);
        uint32 bit = uint32(1 << milestone);
        if (e.paidMask & bit != 0) revert ProcurementMilestonePaid(tenderId, milestone);
        uint256 amount = _milestones[tenderId][milestone];
        uint256 available = e.funded - e.released;
        if (amount > available) revert ProcurementEscrowExceeded(tenderId, amount, available);

        e.paidMask |= bit;
        e.released += uint96(amount);
        emit MilestonePaid(tenderId, milestone, supplier, amount, msg.sender, reportHash);
        if (e.paidMask == (uint256(1) << e.milestoneCount) - 1) {
            t.status = TenderStatus.Completed;
            emit ContractCompleted(tenderId, e.released);
        }
        t.token.safeTransfer(supplier, amount);
    }

    /// @inheritdoc IProcurement
    function terminateContract(uint256 tenderId, uint16 reasonCode) external nonReentrant {
        Tender storage t = _tenderIn(tenderId, TenderStatus.Contracted);
        if (msg.sender != t.buyer && !hasRole(PROCUREMENT_OFFICER_ROLE, msg.sender)) {
            revert ProcurementNotAuthorized(tenderId, msg.sender);
        }
        Escrow storage e = _escrows[tenderId];
        uint256 refund = e.funded - e.released;
        e.released = e.funded;
        t.status = TenderStatus.Terminated;
        emit ContractTerminated(tenderId, refund, reasonCode);
        if (refund != 0) t.token.safeTransfer(t.buyer, refund);
    }

    // ---------------------------------------------------------------------------------------
    // Supplier registry and pause
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IProcurement
    function setSupplierStatus(address supplier, SupplierStatus status, bytes32 documentHash, uint16 reasonCode)
        external
        onlyRole(SUPPLIER_REGISTRAR_ROLE)
    {
        if (supplier == address(0)) revert GovchainZeroAddress("supplier");
        _accounts[supplier].status = status;
        emit SupplierStatusChanged(supplier, status, documentHash, reasonCode);
    }

    /// @notice Stop new tenders, bids, awards and payments. PAUSER_ROLE.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume after {pause}. PAUSER_ROLE.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IProcurement
    function tenderCount() external view returns (uint256) {
        return _tenderCount;
    }

    /// @inheritdoc IProcurement
    function tender(uint256 tenderId) external view returns (Tender memory) {
        return _tender(tenderId);
    }

    /// @inheritdoc IProcurement
    function phase(uint256 tenderId) external view returns (Phase) {
        Tender storage t = _tenders[tenderId];
        TenderStatus status = t.status;
        if (status == TenderStatus.Open) {
            if (block.timestamp <= t.biddingDeadline) return Phase.Bidding;
            if (block.timestamp <= t.revealDeadline) return Phase.Revealing;
            return Phase.AwaitingAward;
        }
        if (status == TenderStatus.Awarded) {
            if (t.openChallenges != 0) return Phase.Challenged;
            if (block.timestamp <= uint256(t.awardedAt) + t.standstill) return Phase.Standstill;
            return Phase.AwardFinal;
        }
        if (status == TenderStatus.Reaward) return Phase.Reaward;
        if (status == TenderStatus.NoAward) return Phase.NoAward;
        if (status == TenderStatus.Cancelled) return Phase.Cancelled;
        if (status == TenderStatus.Contracted) return Phase.Contracted;
        if (status == TenderStatus.Completed) return Phase.Completed;
        if (status == TenderStatus.Terminated) return Phase.Terminated;
        return Phase.None;
    }

    /// @inheritdoc IProcurement
    function bid(uint256 tenderId, address bidder) external view returns (Bid memory) {
        return _bids[tenderId][bidder];
    }

    /// @inheritdoc IProcurement
    function challenge(uint256 tenderId, uint256 challengeId) external view returns (Challenge memory) {
        return _challenges[tenderId][challengeId];
    }

    /// @inheritdoc IProcurement
    function challengeCount(uint256 tenderId) external view returns (uint256) {
        return _challengeCounts[tenderId];
    }

    /// @inheritdoc IProcurement
    function escrow(uint256 tenderId) external view returns (Escrow memory e, uint256[] memory milestones) {
        e = _escrows[tenderId];
        milestones = new uint256[](e.milestoneCount);
        for (uint256 i = 0; i < milestones.length; ++i) {
            // Bounded by MAX_MILESTONES.
            milestones[i] = _milestones[tenderId][i];
        }
    }

    /// @inheritdoc IProcurement
    function supplierStatus(address account) external view returns (SupplierStatus) {
        return _accounts[account].status;
    }

    /// @inheritdoc IProcurement
    function isOfficial(address account) external view returns (bool) {
        return _accounts[account].officialRoles != 0;
    }

    /// @inheritdoc IProcurement
    function commitmentOf(uint256 tenderId, address bidder, uint256 price, bytes32 salt, bytes32 offerDocHash)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(tenderId, bidder, price, salt, offerDocHash));
    }

    // ---------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------

    /// @dev Keeps the account's official bit set in step with the roles it holds.
    function _grantRole(bytes32 role, address account) internal override returns (bool granted) {
        granted = super._grantRole(role, account);
        uint8 bit = _officialBit(role);
        if (granted && bit != 0) _accounts[account].officialRoles |= bit;
    }

    /// @dev See {_grantRole}.
    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        uint8 bit = _officialBit(role);
        if (revoked && bit != 0) _accounts[account].officialRoles &= ~bit;
    }

    /// @dev Lowest compliant price wins; on equal prices the earlier commitment (lower `seq`).
    function _consider(Tender storage t, uint256 tenderId, address bidder, uint96 price, uint32 seq) private {
        address leader = t.leader;
        if (leader != address(0)) {
            uint96 best = t.leadingPrice;
            if (price > best || (price == best && seq > _bids[tenderId][leader].seq)) return;
        }
        t.leader = bidder;
        t.leadingPrice = price;
    }

    function _tender(uint256 tenderId) private view returns (Tender storage t) {
        t = _tenders[tenderId];
        if (t.status == TenderStatus.None) revert ProcurementUnknownTender(tenderId);
    }

    function _tenderIn(uint256 tenderId, TenderStatus status) private view returns (Tender storage t) {
        t = _tender(tenderId);
        if (t.status != status) revert ProcurementWrongStatus(tenderId, t.status);
    }

    function _checkDeadlines(uint64 biddingDeadline, uint64 revealDeadline) private view {
        if (
            biddingDeadline <= block.timestamp || revealDeadline <= biddingDeadline
                || revealDeadline > type(uint48).max
        ) revert GovchainInvalidWindow(biddingDeadline, revealDeadline);
    }

    function _officialBit(bytes32 role) private pure returns (uint8) {
        if (role == Roles.PROCUREMENT_OFFICER_ROLE) return 1;
        if (role == Roles.PROCUREMENT_REVIEWER_ROLE) return 2;
        if (role == Roles.CONTRACT_INSPECTOR_ROLE) return 4;
        if (role == Roles.SUPPLIER_REGISTRAR_ROLE) return 8;
        if (role == Roles.GOVERNANCE_ROLE) return 16;
        if (role == DEFAULT_ADMIN_ROLE) return 32;
        return 0;
    }

    function _operationalRoles() private pure returns (bytes32[] memory roles) {
        roles = new bytes32[](5);
        roles[0] = Roles.PROCUREMENT_OFFICER_ROLE;
        roles[1] = Roles.PROCUREMENT_REVIEWER_ROLE;
        roles[2] = Roles.CONTRACT_INSPECTOR_ROLE;
        roles[3] = Roles.SUPPLIER_REGISTRAR_ROLE;
        roles[4] = Roles.PAUSER_ROLE;
    }
}
