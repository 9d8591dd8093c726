// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IProcurement
/// @notice Public tendering with sealed bids: a procurement officer opens a tender, suppliers
/// commit to hidden prices and post a bid bond, reveal them after the bidding deadline, and the
/// lowest compliant price wins by rule (ties go to the earliest commitment). The award becomes
/// final after a standstill period during which any bidder may challenge it before a reviewer.
/// The buyer then escrows the awarded price in milestones, each released to the supplier when
/// an inspector (never the tender's own officer) confirms delivery.
/// @dev A commitment is `keccak256(abi.encode(tenderId, bidder, price, salt, offerDocHash))`:
/// bound to the tender and to the bidder, so copying another supplier's commitment cannot be
/// revealed by the copier. Tender ids are unique to one deployment.
interface IProcurement {
    // ---------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------

    /// @notice Stored life cycle of a tender. Whether an `Open` tender is taking bids, taking
    /// reveals or waiting for its award follows from the clock; see {phase}.
    enum TenderStatus {
        None,
        Open,
        Awarded,
        Reaward,
        NoAward,
        Cancelled,
        Contracted,
        Completed,
        Terminated
    }

    /// @notice What a tender is doing now, from its status and the clock.
    enum Phase {
        None,
        Bidding,
        Revealing,
        AwaitingAward,
        Standstill,
        Challenged,
        AwardFinal,
        Reaward,
        NoAward,
        Cancelled,
        Contracted,
        Completed,
        Terminated
    }

    /// @notice State of one supplier's bid on one tender.
    enum BidStatus {
        None,
        Committed,
        Revealed,
        NonCompliant
    }

    /// @notice Standing of an account in the supplier registry.
    enum SupplierStatus {
        None,
        Approved,
        Debarred
    }

    /// @notice State of a challenge against an award.
    enum ChallengeStatus {
        None,
        Open,
        Dismissed,
        Upheld
    }

    /// @notice A reviewer's decision on a challenge.
    enum Resolution {
        Dismiss,
        Reaward,
        Cancel
    }

    /// @notice What a procurement officer fixes when opening a tender.
    /// @dev `ceiling` and `bond` are in `token` units and must fit 96 bits. `standstill` is in
    /// seconds. `registeredOnly`: only suppliers approved in the registry may bid.
    struct TenderTerms {
        address buyer;
        IERC20 token;
        bytes32 documentHash;
        uint256 ceiling;
        uint256 bond;
        uint64 biddingDeadline;
        uint64 revealDeadline;
        uint32 standstill;
        bool registeredOnly;
        string title;
    }

    /// @notice A tender as stored (five slots; opening a tender writes four).
    /// @dev The specification's document hash is not stored: it is in {TenderCreated} and in
    /// each {TenderAmended}, and nothing on chain reads it. `leader`/`leadingPrice`: the best
    /// compliant revealed bid so far; once awarded, the winner. `awardedAt`: time of the current award, or of the start of a re-award.
    /// `refundAllBonds`: the tender was cancelled before its award, so no bond is forfeited.
    /// `awardRound`: counts awards set aside, so that old challenges cannot be resolved.
    struct Tender {
        IERC20 token;
        uint48 biddingDeadline;
        uint48 revealDeadline;
        address buyer;
        uint96 bond;
        address officer;
        uint96 ceiling;
        uint32 standstill;
        TenderStatus status;
        bool registeredOnly;
        bool refundAllBonds;
        bool forfeitsPaid;
        uint32 bidCount;
        uint32 revealedCount;
        uint32 commitSeq;
        uint32 openChallenges;
        uint16 awardRound;
        uint48 awardedAt;
        address leader;
        uint96 leadingPrice;
    }

    /// @notice One supplier's bid. `seq` orders commitments within a tender (ties go to the
    /// lower); `price` is the revealed price, saturated at 2^96-1 for non-compliant bids.
    struct Bid {
        bytes32 commitment;
        uint96 price;
        uint32 seq;
        BidStatus status;
        bool bondReturned;
        bool disqualified;
        uint16 challengedInRound;
    }

    /// @notice A challenge lodged against an award during its standstill.
    struct Challenge {
        address challenger;
        uint16 awardRound;
        ChallengeStatus status;
        bytes32 documentHash;
    }

    /// @notice The escrowed contract price of an awarded tender and what has been paid from it.
    /// @dev `paidMask`: bit `i` set once milestone `i` has been paid.
    struct Escrow {
        uint96 funded;
        uint96 released;
        uint8 milestoneCount;
        uint32 paidMask;
    }

    // ---------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------

    /// @notice No tender with this id.
    error ProcurementUnknownTender(uint256 tenderId);
    /// @notice The tender is not in the status this action needs.
    error ProcurementWrongStatus(uint256 tenderId, TenderStatus actual);
    /// @notice A ceiling or bond does not fit 96 bits.
    error ProcurementAmountTooLarge(string parameter, uint256 amount);
    /// @notice Bids were committed already, so the tender can no longer be amended.
    error ProcurementAlreadyBid(uint256 tenderId);
    /// @notice The bidding deadline has passed.
    error ProcurementBiddingClosed(uint256 tenderId, uint64 biddingDeadline);
    /// @notice The reveal window (after the bidding deadline, up to the reveal deadline) is not open.
    error ProcurementRevealNotOpen(uint256 tenderId, uint64 biddingDeadline, uint64 revealDeadline);
    /// @notice The award can only be made after the reveal deadline (or the re-award window).
    error ProcurementAwardTooEarly(uint256 tenderId, uint64 notBefore);
    /// @notice A commitment of zero was submitted.
    error ProcurementEmptyCommitment();
    /// @notice `account` holds a procurement role or is the tender's buyer and may not bid.
    error ProcurementOfficialCannotBid(address account);
    /// @notice `account` is debarred from bidding.
    error ProcurementSupplierDebarred(address account);
    /// @notice The tender accepts registered suppliers only and `account` is not one.
    error ProcurementSupplierNotRegistered(address account);
    /// @notice `bidder` has no bid on the tender.
    error ProcurementNoBid(uint256 tenderId, address bidder);
    /// @notice `bidder`'s bid has been revealed already.
    error ProcurementAlreadyRevealed(uint256 tenderId, address bidder);
    /// @notice The revealed price, salt and offer do not hash to `bidder`'s commitment.
    error ProcurementCommitmentMismatch(uint256 tenderId, address bidder);
    /// @notice `bidder`'s bond cannot be returned (not revealed, or returned already).
    error ProcurementBondNotRefundable(uint256 tenderId, address bidder);
    /// @notice There are no forfeited bonds to pay to the buyer.
    error ProcurementNoForfeits(uint256 tenderId);
    /// @notice The standstill period is over (or there is no award to challenge).
    error ProcurementChallengeClosed(uint256 tenderId);
    /// @notice Only a bidder on the tender may challenge its award.
    error ProcurementNotBidder(uint256 tenderId, address account);
    /// @notice `bidder` already has a challenge against the current award.
    error ProcurementAlreadyChallenged(uint256 tenderId, address bidder);
    /// @notice The challenge is not open against the current award.
    error ProcurementChallengeNotOpen(uint256 tenderId, uint256 challengeId);
    /// @notice The re-award nomination window is closed.
    error ProcurementNominationClosed(uint256 tenderId, uint64 windowEnd);
    /// @notice The bid cannot be nominated: not a compliant revealed bid, or disqualified.
    error ProcurementBidNotEligible(uint256 tenderId, address bidder);
    /// @notice The award is not final yet (standstill running, or challenges open).
    error ProcurementAwardNotFinal(uint256 tenderId);
    /// @notice Only the tender's buyer may do this.
    error ProcurementNotBuyer(uint256 tenderId, address account);
    /// @notice Only the tender's buyer or a procurement officer may do this.
    error ProcurementNotAuthorized(uint256 tenderId, address account);
    /// @notice Milestones must be 1 to {MAX_MILESTONES} positive amounts summing to the award.
    error ProcurementMilestones(uint256 tenderId, uint256 count, uint256 sum, uint256 awardedPrice);
    /// @notice The inspector ran the tender or won it, and may not confirm its milestones.
    error ProcurementInspectorConflict(uint256 tenderId, address inspector);
    /// @notice No milestone with this index.
    error ProcurementUnknownMilestone(uint256 tenderId, uint256 milestone);
    /// @notice The milestone has been paid already.
    error ProcurementMilestonePaid(uint256 tenderId, uint256 milestone);
    /// @notice A payment would take more from the escrow than it holds.
    error ProcurementEscrowExceeded(uint256 tenderId, uint256 requested, uint256 available);
    /// @notice The token delivered less than was sent (fee-on-transfer tokens are not supported).
    error ProcurementFundingShortfall(uint256 tenderId, uint256 expected, uint256 received);

    // ---------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------

    /// @notice A tender was opened. `title` is public and not stored.
    event TenderCreated(
        uint256 indexed tenderId,
        address indexed buyer,
        address indexed officer,
        IERC20 token,
        bytes32 documentHash,
        uint256 ceiling,
        uint256 bond,
        uint64 biddingDeadline,
        uint64 revealDeadline,
        uint32 standstill,
        bool registeredOnly,
        string title
    );
    /// @notice A tender's documents or deadlines were amended before any bid.
    event TenderAmended(
        uint256 indexed tenderId, bytes32 documentHash, uint64 biddingDeadline, uint64 revealDeadline
    );
    /// @notice A tender was cancelled; `allBondsRefunded` when no bond is forfeited.
    event TenderCancelled(uint256 indexed tenderId, uint16 reasonCode, bool allBondsRefunded);
    /// @notice A supplier committed a sealed bid (or replaced its earlier commitment).
    event BidCommitted(uint256 indexed tenderId, address indexed bidder, bytes32 commitment, uint32 seq, bool replaced);
    /// @notice A bid was revealed; a bid above the ceiling (or of zero) is not compliant.
    event BidRevealed(
        uint256 indexed tenderId, address indexed bidder, uint256 price, bytes32 offerDocHash, bool compliant
    );
    /// @notice A tender was awarded by rule; final after `standstillEnds` if not challenged.
    event TenderAwarded(uint256 indexed tenderId, address indexed winner, uint256 price, uint64 standstillEnds);
    /// @notice No compliant bid was revealed; the tender closes without an award.
    event TenderNotAwarded(uint256 indexed tenderId);
    /// @notice A bond went back to its bidder.
    event BondReturned(uint256 indexed tenderId, address indexed bidder, uint256 amount);
    /// @notice The bonds of bids never revealed went to the buyer.
    event BondsForfeited(uint256 indexed tenderId, address indexed buyer, uint256 bids, uint256 amount);
    /// @notice A bidder challenged the award.
    event ChallengeLodged(
        uint256 indexed tenderId, uint256 indexed challengeId, address indexed challenger, bytes32 documentHash
    );
    /// @notice A reviewer decided a challenge.
    event ChallengeResolved(
        uint256 indexed tenderId, uint256 indexed challengeId, Resolution resolution, uint16 reasonCode
    );
    /// @notice An upheld challenge set the award aside; compliant bids may be nominated until `windowEnd`.
    event ReawardOpened(uint256 indexed tenderId, address indexed disqualified, uint64 windowEnd);
    /// @notice A revealed bid was put forward again for the re-award.
    event BidNominated(uint256 indexed tenderId, address indexed bidder, uint256 price);
    /// @notice The buyer escrowed the awarded price in milestones.
    event EscrowFunded(uint256 indexed tenderId, address indexed supplier, uint256 amount, uint256[] milestones);
    /// @notice An inspector confirmed a milestone and its payment went to the supplier.
    event MilestonePaid(
        uint256 indexed tenderId,
        uint256 indexed milestone,
        address indexed supplier,
        uint256 amount,
        address inspector,
        bytes32 reportHash
    );
    /// @notice The contract was terminated; the undisbursed escrow went back to the buyer.
    event ContractTerminated(uint256 indexed tenderId, uint256 refunded, uint16 reasonCode);
    /// @notice Every milestone has been paid.
    event ContractCompleted(uint256 indexed tenderId, uint256 paid);
    /// @notice The supplier registry changed `supplier`'s standing.
    event SupplierStatusChanged(address indexed supplier, SupplierStatus status, bytes32 documentHash, uint16 reasonCode);

    // ---------------------------------------------------------------------------------------
    // Tenders
    // ---------------------------------------------------------------------------------------

    /// @notice Open a tender. PROCUREMENT_OFFICER_ROLE; the caller is recorded as its officer.
    /// @return tenderId The new tender's id (from 1).
    function createTender(TenderTerms calldata terms) external returns (uint256 tenderId);

    /// @notice Replace a tender's document hash and deadlines before any bid is committed.
    /// PROCUREMENT_OFFICER_ROLE.
    function amendTender(uint256 tenderId, bytes32 documentHash, uint64 biddingDeadline, uint64 revealDeadline)
        external;

    /// @notice Cancel a tender before its award, with a reason code. PROCUREMENT_OFFICER_ROLE.
    /// Every bond becomes refundable, revealed or not. (A cancellation decided on a challenge,
    /// after the award, leaves the bonds of bids never revealed forfeited.)
    function cancelTender(uint256 tenderId, uint16 reasonCode) external;

    // ---------------------------------------------------------------------------------------
    // Bidding
    // ---------------------------------------------------------------------------------------

    /// @notice Commit a sealed bid, posting the tender's bond on the first commitment (the
    /// caller must have approved it). Committing again before the deadline replaces the bid.
    function commitBid(uint256 tenderId, bytes32 commitment) external;

    /// @notice Reveal the caller's bid between the bidding and reveal deadlines.
    function revealBid(uint256 tenderId, uint256 price, bytes32 salt, bytes32 offerDocHash) external;

    /// @notice Award the tender by rule once the reveal deadline (or re-award window) has passed.
    /// Anyone may call.
    function award(uint256 tenderId) external;

    /// @notice Return the caller's bond: after the award (or no award) if revealed, or after a
    /// cancellation before the award.
    function withdrawBond(uint256 tenderId) external;

    /// @notice Pay the bonds of bids never revealed to the buyer. Anyone may call, once, after
    /// the award (or no award).
    function payForfeitedBonds(uint256 tenderId) external;

    // ---------------------------------------------------------------------------------------
    // Standstill and challenge
    // ---------------------------------------------------------------------------------------

    /// @notice Challenge the current award during its standstill. Bidders only, once per award.
    /// @return challengeId The challenge's id within the tender (from 1).
    function challengeAward(uint256 tenderId, bytes32 documentHash) external returns (uint256 challengeId);

    /// @notice Decide a challenge. PROCUREMENT_REVIEWER_ROLE. `Reaward` disqualifies the winner
    /// and opens a nomination window; `Cancel` cancels the tender.
    function resolveChallenge(uint256 tenderId, uint256 challengeId, Resolution resolution, uint16 reasonCode)
        external;

    /// @notice During a re-award window, put a compliant revealed bid forward again. Anyone may call.
    function nominateBid(uint256 tenderId, address bidder) external;

    // ---------------------------------------------------------------------------------------
    // Contract execution
    // ---------------------------------------------------------------------------------------

    /// @notice Escrow the awarded price, split into milestone payments. The buyer only, once
    /// the award is final.
    function fundEscrow(uint256 tenderId, uint256[] calldata milestones) external;

    /// @notice Confirm delivery of a milestone and pay it to the supplier.
    /// CONTRACT_INSPECTOR_ROLE, and never the tender's officer or its supplier.
    function confirmMilestone(uint256 tenderId, uint256 milestone, bytes32 reportHash) external;

    /// @notice Terminate the contract and return the undisbursed escrow to the buyer.
    /// The tender's buyer or a PROCUREMENT_OFFICER_ROLE holder.
    function terminateContract(uint256 tenderId, uint16 reasonCode) external;

    // ---------------------------------------------------------------------------------------
    // Supplier registry
    // ---------------------------------------------------------------------------------------

    /// @notice Approve, debar or reinstate a supplier. SUPPLIER_REGISTRAR_ROLE.
    function setSupplierStatus(address supplier, SupplierStatus status, bytes32 documentHash, uint16 reasonCode)
        external;

    // ---------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------

    /// @notice Most milestones one contract may be split into.
    function MAX_MILESTONES() external view returns (uint256);

    /// @notice Length of the re-award nomination window, in seconds.
    function NOMINATION_WINDOW() external view returns (uint256);

    /// @notice Number of tenders opened so far (ids run from 1 to this).
    function tenderCount() external view returns (uint256);

    /// @notice The stored tender.
    function tender(uint256 tenderId) external view returns (Tender memory);

    /// @notice What the tender is doing now.
    function phase(uint256 tenderId) external view returns (Phase);

    /// @notice `bidder`'s bid on the tender.
    function bid(uint256 tenderId, address bidder) external view returns (Bid memory);

    /// @notice A challenge against the tender's award.
    function challenge(uint256 tenderId, uint256 challengeId) external view returns (Challenge memory);

    /// @notice Number of challenges lodged on the tender.
    function challengeCount(uint256 tenderId) external view returns (uint256);

    /// @notice The tender's escrow and its milestone amounts.
    function escrow(uint256 tenderId) external view returns (Escrow memory, uint256[] memory milestones);

    /// @notice `account`'s standing in the supplier registry.
    function supplierStatus(address account) external view returns (SupplierStatus);

    /// @notice Whether `account` holds a procurement role and so may not bid.
    function isOfficial(address account) external view returns (bool);

    /// @notice The commitment a bidder submits for these bid terms.
    function commitmentOf(uint256 tenderId, address bidder, uint256 price, bytes32 salt, bytes32 offerDocHash)
        external
        pure
        returns (bytes32);
}
