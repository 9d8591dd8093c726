// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICustoms
/// @notice Customs declarations assessed on chain from a public tariff schedule, paid in one
/// token straight to the treasury, released only once paid, with appeals refunded from a pool
/// and trade-finance escrows that pay the exporter when the goods are released.
/// @dev Duty of a line = floor(customsValue × rate / 10,000), rate in basis points: the
/// preferential rate for the line's origin if one is in force at filing time, else the general
/// rate of its HS code. VAT of a line = floor((customsValue + duty) × vatRate / 10,000). Both are
/// rounded down per line, in the trader's favour; the declaration's totals are the sums.
interface ICustoms {
    // ---------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------

    /// @notice Where a declaration stands. Filing assesses it at once (Assessed).
    enum DeclarationStatus {
        None,
        Assessed,
        Paid,
        Held,
        Released,
        Seized
    }

    /// @notice Where an appeal against an assessment stands.
    enum AppealStatus {
        None,
        Lodged,
        Upheld,
        Dismissed
    }

    /// @notice Where a trade-finance escrow stands.
    enum EscrowStatus {
        None,
        Open,
        Released,
        Refunded
    }

    /// @notice One line of a declaration: HS code (6 digits), origin (ISO 3166-1 numeric),
    /// customs value in the payment token's units, quantity (in the HS code's unit).
    struct Line {
        uint32 hsCode;
        uint16 origin;
        uint96 customsValue;
        uint64 quantity;
    }

    /// @notice A declaration as stored; its lines are in {DeclarationFiled}/{DeclarationAmended}
    /// and `linesHash = keccak256(abi.encode(lines))` binds them.
    /// @dev `paid`: duty and VAT paid in full (a held declaration may be paid or not).
    struct Declaration {
        address trader;
        DeclarationStatus status;
        bool paid;
        AppealStatus appeal;
        uint48 filedAt;
        uint16 lineCount;
        uint96 duty;
        uint96 vat;
        uint128 refunded;
        bytes32 documentHash;
        bytes32 linesHash;
    }

    /// @notice A trade-finance escrow: `amount` from `funder`, for `exporter` once the
    /// declaration is Released; back to `funder` if it is Seized or `deadline` passes first.
    struct Escrow {
        address funder;
        uint96 amount;
        address exporter;
        uint48 deadline;
        EscrowStatus status;
        uint256 declarationId;
    }

    // ---------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------

    /// @notice Not a 6-digit HS code (010000 to 999999).
    error CustomsInvalidHsCode(uint32 hsCode);
    /// @notice Not an ISO 3166-1 numeric country code (1 to 999), in the schedule or on a line.
    error CustomsInvalidOrigin(uint16 origin);
    /// @notice A rate change must take effect after the current block: history never changes.
    error CustomsRateNotInFuture(uint64 effectiveFrom);
    /// @notice No duty rate is in force for the HS code at filing time.
    error CustomsNoTariffLine(uint32 hsCode, uint64 timestamp);
    /// @notice `account` is not a registered trader.
    error CustomsNotRegisteredTrader(address account);
    /// @notice A declaration needs 1 to {MAX_LINES} lines.
    error CustomsLineCount(uint256 count);
    /// @notice A line has a zero customs value.
    error CustomsZeroValue(uint256 line);
    /// @notice No declaration with this id.
    error CustomsUnknownDeclaration(uint256 declarationId);
    /// @notice The declaration is not in a status this action accepts.
    error CustomsWrongStatus(uint256 declarationId, DeclarationStatus status);
    /// @notice Only the declaring trader may do this.
    error CustomsNotTrader(uint256 declarationId, address account);
    /// @notice Only the trader or a broker it authorised may pay.
    error CustomsNotAuthorizedPayer(uint256 declarationId, address account);
    /// @notice The declaration has been paid already.
    error CustomsAlreadyPaid(uint256 declarationId);
    /// @notice The declaration is not paid in full; goods stay.
    error CustomsNotPaid(uint256 declarationId);
    /// @notice The amount offered is not what is due.
    error CustomsPaymentMismatch(uint256 declarationId, uint256 due, uint256 offered);
    /// @notice An assessment already has an appeal.
    error CustomsAppealExists(uint256 declarationId, AppealStatus appeal);
    /// @notice There is no lodged appeal to decide.
    error CustomsNoAppeal(uint256 declarationId);
    /// @notice An upheld appeal must lower the assessment below what was paid.
    error CustomsInvalidReassessment(uint256 declarationId, uint256 paid, uint256 reassessed);
    /// @notice The refund pool holds less than the refund.
    error CustomsRefundPoolShort(uint256 needed, uint256 available);
    /// @notice An assessment or escrow amount does not fit 96 bits.
    error CustomsAmountTooLarge(uint256 amount);
    /// @notice No escrow with this id.
    error CustomsUnknownEscrow(uint256 escrowId);
    /// @notice The escrow is not open.
    error CustomsEscrowClosed(uint256 escrowId, EscrowStatus status);
    /// @notice The goods are not released: the exporter cannot be paid yet.
    error CustomsNotReleased(uint256 escrowId, DeclarationStatus status);
    /// @notice The goods are neither seized nor the deadline passed: the funder cannot have it back yet.
    error CustomsEscrowNotRefundable(uint256 escrowId, uint64 deadline);

    // ---------------------------------------------------------------------------------------
    // Events (declaration id indexed on every declaration event)
    // ---------------------------------------------------------------------------------------

    /// @notice A general duty rate for an HS code, from `effectiveFrom`.
    event TariffSet(uint32 indexed hsCode, uint16 rateBps, uint64 effectiveFrom);
    /// @notice A preferential rate for an HS code and origin, from `effectiveFrom`.
    event PreferentialTariffSet(uint32 indexed hsCode, uint16 indexed origin, uint16 rateBps, uint64 effectiveFrom);
    /// @notice The VAT rate on customs value plus duty, from `effectiveFrom`.
    event VatRateSet(uint16 rateBps, uint64 effectiveFrom);
    /// @notice The registry added or removed a trader.
    event TraderRegistered(address indexed trader, bool registered, bytes32 documentHash);
    /// @notice A trader authorised or revoked a customs broker.
    event BrokerAuthorized(address indexed trader, address indexed broker, bool authorized);
    /// @notice A declaration was filed.
    event DeclarationFiled(uint256 indexed declarationId, address indexed trader, bytes32 documentHash, Line[] lines);
    /// @notice A declaration's lines were amended before payment.
    event DeclarationAmended(uint256 indexed declarationId, bytes32 documentHash, Line[] lines);
    /// @notice The schedule assessed the declaration: per-line duties and VAT, and totals.
    event DeclarationAssessed(
        uint256 indexed declarationId, uint256 duty, uint256 vat, uint16[] rates, uint256[] lineDuties
    );
    /// @notice An officer overrode the assessment.
    event AssessmentOverridden(
        uint256 indexed declarationId, uint256 oldDuty, uint256 oldVat, uint256 newDuty, uint256 newVat, uint16 reasonCode
    );
    /// @notice Duty and VAT were paid in full to the treasury (the receipt).
    event DutyPaid(uint256 indexed declarationId, address indexed trader, address indexed payer, uint256 amount);
    /// @notice The goods were held for inspection.
    event DeclarationHeld(uint256 indexed declarationId, uint16 reasonCode, address officer);
    /// @notice The goods were released.
    event GoodsReleased(uint256 indexed declarationId, address releasedBy);
    /// @notice The goods were seized.
    event GoodsSeized(uint256 indexed declarationId, uint16 reasonCode, address officer);
    /// @notice The trader appealed the assessment.
    event AppealLodged(uint256 indexed declarationId, bytes32 documentHash);
    /// @notice An appeals officer decided; an upheld appeal refunded `refund`.
    event AppealDecided(
        uint256 indexed declarationId, bool upheld, uint256 newDuty, uint256 newVat, uint256 refund, uint16 reasonCode
    );
    /// @notice The refund pool received `amount` from `funder`.
    event RefundPoolFunded(address indexed funder, uint256 amount);
    /// @notice A trade-finance escrow was opened.
    event EscrowOpened(
        uint256 indexed escrowId,
        uint256 indexed declarationId,
        address indexed exporter,
        address funder,
        uint256 amount,
        uint64 deadline
    );
    /// @notice The escrow paid the exporter (goods released) or went back to the funder.
    event EscrowSettled(uint256 indexed escrowId, uint256 indexed declarationId, address indexed to, bool released, uint256 amount);

    // ---------------------------------------------------------------------------------------
    // Tariff schedule (TARIFF_AUTHORITY_ROLE)
    // ---------------------------------------------------------------------------------------

    /// @notice Set the general duty rate of `hsCode` from `effectiveFrom` (after this block).
    function setTariff(uint32 hsCode, uint16 rateBps, uint64 effectiveFrom) external;

    /// @notice Set a preferential rate of `hsCode` for goods from `origin`.
    function setPreferentialTariff(uint32 hsCode, uint16 origin, uint16 rateBps, uint64 effectiveFrom) external;

    /// @notice Set the VAT rate on customs value plus duty.
    function setVatRate(uint16 rateBps, uint64 effectiveFrom) external;

    // ---------------------------------------------------------------------------------------
    // Traders
    // ---------------------------------------------------------------------------------------

    /// @notice Register or deregister a trader. TRADER_REGISTRAR_ROLE.
    function setTrader(address trader, bool registered, bytes32 documentHash) external;

    /// @notice Authorise (or stop authorising) `broker` to pay the caller's declarations.
    function authorizeBroker(address broker, bool authorized) external;

    /// @notice File a declaration; it is assessed in the same transaction.
    /// @return declarationId The new declaration's id (from 1).
    function file(Line[] calldata lines, bytes32 documentHash) external returns (uint256 declarationId);

    /// @notice Replace an unpaid declaration's lines; re-assessed at the rates of its filing time.
    function amend(uint256 declarationId, Line[] calldata lines, bytes32 documentHash) external;

    /// @notice Pay `amount`, which must be exactly what is due, to the treasury. The trader or
    /// an authorised broker; the payer must have approved the amount.
    function pay(uint256 declarationId, uint256 amount) external;

    /// @notice Appeal a paid assessment, once.
    function appeal(uint256 declarationId, bytes32 documentHash) external;

    // ---------------------------------------------------------------------------------------
    // Customs officers and appeals
    // ---------------------------------------------------------------------------------------

    /// @notice Replace the assessment of an unpaid declaration. CUSTOMS_OFFICER_ROLE.
    function overrideAssessment(uint256 declarationId, uint256 duty, uint256 vat, uint16 reasonCode) external;

    /// @notice Hold goods for inspection. CUSTOMS_OFFICER_ROLE.
    function hold(uint256 declarationId, uint16 reasonCode) external;

    /// @notice Release the goods: anyone once paid (the rule), a CUSTOMS_OFFICER_ROLE holder
    /// for held goods that are paid.
    function release(uint256 declarationId) external;

    /// @notice Seize held goods. CUSTOMS_OFFICER_ROLE.
    function seize(uint256 declarationId, uint16 reasonCode) external;

    /// @notice Decide an appeal; upholding it lowers the assessment and refunds the difference
    /// from the refund pool. APPEALS_OFFICER_ROLE.
    function decideAppeal(uint256 declarationId, bool uphold, uint256 newDuty, uint256 newVat, uint16 reasonCode)
        external;

    /// @notice Add `amount` (approved by the caller) to the refund pool.
    function fundRefundPool(uint256 amount) external;

    // ---------------------------------------------------------------------------------------
    // Trade-finance escrow
    // ---------------------------------------------------------------------------------------

    /// @notice Escrow `amount` from the caller for `exporter`, payable when the declaration's
    /// goods are released, refundable if they are seized or `deadline` passes first.
    /// @return escrowId The new escrow's id (from 1).
    function openEscrow(uint256 declarationId, address exporter, uint256 amount, uint64 deadline)
        external
        returns (uint256 escrowId);

    /// @notice Pay an escrow to its exporter once the goods are released. Anyone may call.
    function claimEscrow(uint256 escrowId) external;

    /// @notice Return an escrow to its funder once the goods are seized or the deadline passed
    /// without release. Anyone may call.
    function refundEscrow(uint256 escrowId) external;

    // ---------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------

    /// @notice Most lines in one declaration.
    function MAX_LINES() external view returns (uint256);

    /// @notice The duty rate applied to `hsCode` from `origin` at time `timestamp`, and whether it is
    /// preferential. Reverts {CustomsNoTariffLine} if none is in force.
    function dutyRateAt(uint32 hsCode, uint16 origin, uint64 timestamp) external view returns (uint16 rateBps, bool preferential);

    /// @notice The VAT rate in force at time `timestamp` (0 if none was ever set).
    function vatRateAt(uint64 timestamp) external view returns (uint16);

    /// @notice The stored declaration.
    function declaration(uint256 declarationId) external view returns (Declaration memory);

    /// @notice The stored escrow.
    function escrow(uint256 escrowId) external view returns (Escrow memory);

    /// @notice Whether `account` is a registered trader.
    function isTrader(address account) external view returns (bool);

    /// @notice Whether `broker` may pay `trader`'s declarations.
    function isBroker(address trader, address broker) external view returns (bool);

    /// @notice Funds available for appeal refunds.
    function refundPool() external view returns (uint256);

    /// @notice Funds held in open escrows.
    function escrowHeld() external view returns (uint256);
}
