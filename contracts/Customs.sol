// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

import {GovchainInvalidWindow, GovchainZeroAddress, GovchainZeroAmount} from "./common/Errors.sol";
import {GovchainAccess} from "./common/GovchainAccess.sol";
import {Roles} from "./common/Roles.sol";
import {ICustoms} from "./interfaces/ICustoms.sol";

/// @title Customs
/// @notice Declarations assessed by rule from an on-chain tariff schedule; duty and VAT paid in
/// one token straight to the treasury; goods released only once paid; appeals refunded from a
/// pool; trade-finance escrows paid to the exporter when the goods are released.
///
/// The schedule keeps every rate with the time it took effect (OpenZeppelin Checkpoints), and
/// a rate can only be set for the future, so a declaration is always assessed at the rates in
/// force when it was filed, and anyone can recompute it. Officers' discretion is visible: an
/// override emits the old and new amounts with a reason code.
/// @dev WARNING: the payment token must move exact amounts (no fee-on-transfer token).
/// Appeals, escrow claims and refunds ignore the pause: they only return or pay out money
/// already decided.
contract Customs is ICustoms, GovchainAccess, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace224;

    // ---------------------------------------------------------------------------------------
    // Storage and constants
    // ---------------------------------------------------------------------------------------

    /// @notice Role identifier of the tariff authority (sets duty and VAT rates).
    bytes32 public constant TARIFF_AUTHORITY_ROLE = Roles.TARIFF_AUTHORITY_ROLE;
    /// @notice Role identifier of the trader registrar.
    bytes32 public constant TRADER_REGISTRAR_ROLE = Roles.TRADER_REGISTRAR_ROLE;
    /// @notice Role identifier of customs officers (override, hold, release held goods, seize).
    bytes32 public constant CUSTOMS_OFFICER_ROLE = Roles.CUSTOMS_OFFICER_ROLE;
    /// @notice Role identifier of appeals officers.
    bytes32 public constant APPEALS_OFFICER_ROLE = Roles.APPEALS_OFFICER_ROLE;
    /// @notice Role identifier of pausers.
    bytes32 public constant PAUSER_ROLE = Roles.PAUSER_ROLE;

    /// @inheritdoc ICustoms
    uint256 public constant MAX_LINES = 50;
    uint256 private constant _BPS = 10_000;

    /// @notice The token duties, VAT, refunds and escrows are paid in.
    IERC20 public immutable paymentToken;
    /// @notice Where duties and VAT go.
    address public immutable treasury;

    /// @inheritdoc ICustoms
    uint256 public refundPool;
    /// @inheritdoc ICustoms
    uint256 public escrowHeld;
    uint256 private _declarationCount;
    uint256 private _escrowCount;

    // Rates are stored as bps + 1 so that 0 means "no rate in force".
    mapping(uint32 hsCode => Checkpoints.Trace224) private _tariffs;
    mapping(uint32 hsCode => mapping(uint16 origin => Checkpoints.Trace224)) private _preferential;
    Checkpoints.Trace224 private _vat;

    mapping(uint256 declarationId => Declaration) private _declarations;
    mapping(uint256 escrowId => Escrow) private _escrows;
    mapping(address account => bool) private _traders;
    mapping(address trader => mapping(address broker => bool)) private _brokers;

    // ---------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE; grants every other role.
    /// @param token The payment token.
    /// @param treasury_ The account receiving duties and VAT (and funding the refund pool).
    constructor(address admin, IERC20 token, address treasury_) GovchainAccess(admin, _operationalRoles()) {
        if (address(token) == address(0)) revert GovchainZeroAddress("token");
        if (treasury_ == address(0)) revert GovchainZeroAddress("treasury");
        paymentToken = token;
        treasury = treasury_;
    }

    // ---------------------------------------------------------------------------------------
    // Tariff schedule
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc ICustoms
    function setTariff(uint32 hsCode, uint16 rateBps, uint64 effectiveFrom)
        external
        onlyRole(TARIFF_AUTHORITY_ROLE)
    {
        _checkHsCode(hsCode);
        _schedule(_tariffs[hsCode], rateBps, effectiveFrom);
        emit TariffSet(hsCode, rateBps, effectiveFrom);
    }

    /// @inheritdoc ICustoms
    function setPreferentialTariff(uint32 hsCode, uint16 origin, uint16 rateBps, uint64 effectiveFrom)
        external
        onlyRole(TARIFF_AUTHORITY_ROLE)
    {
        _checkHsCode(hsCode);
        _checkOrigin(origin);
        _schedule(_preferential[hsCode][origin], rateBps, effectiveFrom);
        emit PreferentialTariffSet(hsCode, origin, rateBps, effectiveFrom);
    }

    /// @inheritdoc ICustoms
    function setVatRate(uint16 rateBps, uint64 effectiveFrom) external onlyRole(TARIFF_AUTHORITY_ROLE) {
        _schedule(_vat, rateBps, effectiveFrom);
        emit VatRateSet(rateBps, effectiveFrom);
    }

    // ---------------------------------------------------------------------------------------
    // Traders
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc ICustoms
    function setTrader(address trader, bool registered, bytes32 documentHash)
        external
        onlyRole(TRADER_REGISTRAR_ROLE)
    {
        if (trader == address(0)) revert GovchainZeroAddress("trader");
        _traders[trader] = registered;
        emit TraderRegistered(trader, registered, documentHash);
    }

    /// @inheritdoc ICustoms
    function authorizeBroker(address broker, bool authorized) external {
        if (broker == address(0)) revert GovchainZeroAddress("broker");
        _brokers[msg.sender][broker] = authorized;
        emit BrokerAuthorized(msg.sender, broker, authorized);
    }

    /// @inheritdoc ICustoms
    function file(Line[] calldata lines, bytes32 documentHash)
        external
        whenNotPaused
        returns (uint256 declarationId)
    {
        if (!_traders[msg.sender]) revert CustomsNotRegisteredTrader(msg.sender);
        declarationId = ++_declarationCount;
        Declaration storage d = _declarations[declarationId];
        d.trader = msg.sender;
        d.filedAt = uint48(block.timestamp);
        emit DeclarationFiled(declarationId, msg.sender, documentHash, lines);
        _assess(declarationId, d, lines, documentHash);
    }

    /// @inheritdoc ICustoms
    function amend(uint256 declarationId, Line[] calldata lines, bytes32 documentHash) external whenNotPaused {
        Declaration storage d = _declaration(declarationId);
        if (msg.sender != d.trader) revert CustomsNotTrader(declarationId, msg.sender);
        _requireUnpaid(declarationId, d);
        emit DeclarationAmended(declarationId, documentHash, lines);
        _assess(declarationId, d, lines, documentHash);
    }

    /// @inheritdoc ICustoms
    function pay(uint256 declarationId, uint256 amount) external whenNotPaused nonReentrant {
        Declaration storage d = _declaration(declarationId);
        address trader = d.trader;
        if (msg.sender != trader && !_brokers[trader][msg.sender]) {
            revert CustomsNotAuthorizedPayer(declarationId, msg.sender);
        }
        _requireUnpaid(declarationId, d);
        uint256 due = uint256(d.duty) + d.vat;
        if (amount != due) revert CustomsPaymentMismatch(declarationId, due, amount);
        d.paid = true;
        if (d.status == DeclarationStatus.Assessed) d.status = DeclarationStatus.Paid;
        emit DutyPaid(declarationId, trader, msg.sender, amount);
        if (amount != 0) paymentToken.safeTransferFrom(msg.sender, treasury, amount);
    }

    /// @inheritdoc ICustoms
    function appeal(uint256 declarationId, bytes32 documentHash) external {
        Declaration storage d = _declaration(declarationId);
        if (msg.sender != d.trader) revert CustomsNotTrader(declarationId, msg.sender);
        if (!d.paid) revert CustomsNotPaid(declarationId);
        if (d.appeal != AppealStatus.None) revert CustomsAppealExists(declarationId, d.appeal);
        d.appeal = AppealStatus.Lodged;
        emit AppealLodged(declarationId, documentHash);
    }

    // ---------------------------------------------------------------------------------------
    // Customs officers and appeals
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc ICustoms
    function overrideAssessment(uint256 declarationId, uint256 duty, uint256 vat, uint16 reasonCode)
        external
        onlyRole(CUSTOMS_OFFICER_ROLE)
    {
        Declaration storage d = _declaration(declarationId);
        _requireUnpaid(declarationId, d);
        _checkAmount(duty);
        _checkAmount(vat);
        emit AssessmentOverridden(declarationId, d.duty, d.vat, duty, vat, reasonCode);
        d.duty = uint96(duty);
        d.vat = uint96(vat);
    }

    /// @inheritdoc ICustoms
    function hold(uint256 declarationId, uint16 reasonCode) external onlyRole(CUSTOMS_OFFICER_ROLE) {
        Declaration storage d = _declaration(declarationId);
        if (d.status != DeclarationStatus.Assessed && d.status != DeclarationStatus.Paid) {
            revert CustomsWrongStatus(declarationId, d.status);
        }
        d.status = DeclarationStatus.Held;
        emit DeclarationHeld(declarationId, reasonCode, msg.sender);
    }

    /// @inheritdoc ICustoms
    function release(uint256 declarationId) external whenNotPaused {
        Declaration storage d = _declaration(declarationId);
        DeclarationStatus status = d.status;
        if (status == DeclarationStatus.Held) {
            _checkRole(CUSTOMS_OFFICER_ROLE);
            if (!d.paid) revert CustomsNotPaid(declarationId);
        } else if (status != DeclarationStatus.Paid) {
            if (status == DeclarationStatus.Assessed) revert CustomsNotPaid(declarationId);
            revert CustomsWrongStatus(declarationId, status);
        }
        d.status = DeclarationStatus.Released;
        emit GoodsReleased(declarationId, msg.sender);
    }

    /// @inheritdoc ICustoms
    function seize(uint256 declarationId, uint16 reasonCode) external onlyRole(CUSTOMS_OFFICER_ROLE) {
        Declaration storage d = _declaration(declarationId);
        if (d.status != DeclarationStatus.Held) revert CustomsWrongStatus(declarationId, d.status);
        d.status = DeclarationStatus.Seized;
        emit GoodsSeized(declarationId, reasonCode, msg.sender);
    }

    /// @inheritdoc ICustoms
    function decideAppeal(uint256 declarationId, bool uphold, uint256 newDuty, uint256 newVat, uint16 reasonCode)
        external
        onlyRole(APPEALS_OFFICER_ROLE)
        nonReentrant
    {
        Declaration storage d = _declaration(declarationId);
        if (d.appeal != AppealStatus.Lodged) revert CustomsNoAppeal(declarationId);
        if (!uphold) {
            d.appeal = AppealStatus.Dismissed;
            emit AppealDecided(declarationId, false, d.duty, d.vat, 0, reasonCode);
            return;
        }
        _checkAmount(newDuty);
        _checkAmount(newVat);
        uint256 paid = uint256(d.duty) + d.vat;
        uint256 reassessed = newDuty + newVat;
        if (reassessed >= paid) revert CustomsInvalidReassessment(declarationId, paid, reassessed);
        uint256 refund = paid - reassessed;
        uint256 pool = refundPool;
        if (refund > pool) revert CustomsRefundPoolShort(refund, pool);
        refundPool = pool - refund;
        d.appeal = AppealStatus.Upheld;
        d.duty = uint96(newDuty);
        d.vat = uint96(newVat);
        d.refunded = uint128(refund); // below `paid`, the sum of two uint96

        emit AppealDecided(declarationId, true, newDuty, newVat, refund, reasonCode);
        paymentToken.safeTransfer(d.trader, refund);
    }

    /// @inheritdoc ICustoms
    function fundRefundPool(uint256 amount) external nonReentrant {
        if (amount == 0) revert GovchainZeroAmount("amount");
        refundPool += amount;
        emit RefundPoolFunded(msg.sender, amount);
        paymentToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    // ---------------------------------------------------------------------------------------
    // Trade-finance escrow
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc ICustoms
    function openEscrow(uint256 declarationId, address exporter, uint256 amount, uint64 deadline)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 escrowId)
    {
        Declaration storage d = _declaration(declarationId);
        if (d.status == DeclarationStatus.Released || d.status == DeclarationStatus.Seized) {
            revert CustomsWrongStatus(declarationId, d.status);
        }
        if (exporter == address(0)) revert GovchainZeroAddress("exporter");
        if (amount == 0) revert GovchainZeroAmount("amount");
        _checkAmount(amount);
        if (deadline <= block.timestamp || deadline > type(uint48).max) {
            revert GovchainInvalidWindow(uint64(block.timestamp), deadline);
        }
        escrowId = ++_escrowCount;
        _escrows[escrowId] = Escrow({
            funder: msg.sender,
            amount: uint96(amount),
            exporter: exporter,
            deadline: uint48(deadline),
            status: EscrowStatus.Open,
            declarationId: declarationId
        });
        escrowHeld += amount;
        emit EscrowOpened(escrowId, declarationId, exporter, msg.sender, amount, deadline);
        paymentToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc ICustoms
    function claimEscrow(uint256 escrowId) external nonReentrant {
        Escrow storage e = _openEscrow(escrowId);
        DeclarationStatus status = _declarations[e.declarationId].status;
        if (status != DeclarationStatus.Released) revert CustomsNotReleased(escrowId, status);
        _settle(escrowId, e, e.exporter, true);
    }

    /// @inheritdoc ICustoms
    function refundEscrow(uint256 escrowId) external nonReentrant {
        Escrow storage e = _openEscrow(escrowId);
        DeclarationStatus status = _declarations[e.declarationId].status;
        // Released goods always pay the exporter, even after the deadline.
        bool refundable = status == DeclarationStatus.Seized
            || (status != DeclarationStatus.Released && block.timestamp > e.deadline);
        if (!refundable) revert CustomsEscrowNotRefundable(escrowId, e.deadline);
        _settle(escrowId, e, e.funder, false);
    }

    // ---------------------------------------------------------------------------------------
    // Pause
    // ---------------------------------------------------------------------------------------

    /// @notice Stop filing, payment, release and new escrows. PAUSER_ROLE.
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

    /// @inheritdoc ICustoms
    function dutyRateAt(uint32 hsCode, uint16 origin, uint64 timestamp) public view returns (uint16 rateBps, bool preferential) {
        uint32 key = _key(timestamp);
        uint224 stored = _preferential[hsCode][origin].upperLookupRecent(key);
        if (stored != 0) return (uint16(stored - 1), true);
        stored = _tariffs[hsCode].upperLookupRecent(key);
        if (stored == 0) revert CustomsNoTariffLine(hsCode, timestamp);
        return (uint16(stored - 1), false);
    }

    /// @inheritdoc ICustoms
    function vatRateAt(uint64 timestamp) public view returns (uint16) {
        uint224 stored = _vat.upperLookupRecent(_key(timestamp));
        return stored == 0 ? 0 : uint16(stored - 1);
    }

    /// @inheritdoc ICustoms
    function declaration(uint256 declarationId) external view returns (Declaration memory) {
        return _declaration(declarationId);
    }

    /// @inheritdoc ICustoms
    function escrow(uint256 escrowId) external view returns (Escrow memory) {
        Escrow storage e = _escrows[escrowId];
        if (e.status == EscrowStatus.None) revert CustomsUnknownEscrow(escrowId);
        return e;
    }

    /// @inheritdoc ICustoms
    function isTrader(address account) external view returns (bool) {
        return _traders[account];
    }

    /// @inheritdoc ICustoms
    function isBroker(address trader, address broker) external view returns (bool) {
        return _brokers[trader][broker];
    }

    // ---------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------

    /// @dev Assess `lines` at the rates in force at the declaration's filing time (see the
    /// interface for the formula and rounding) and store the totals and the lines' hash.
    function _assess(uint256 declarationId, Declaration storage d, Line[] calldata lines, bytes32 documentHash)
        private
    {
        uint256 count = lines.length;
        if (count == 0 || count > MAX_LINES) revert CustomsLineCount(count);
        uint64 timestamp = d.filedAt;
        uint256 vatBps = vatRateAt(timestamp);
        uint16[] memory rates = new uint16[](count);
        uint256[] memory lineDuties = new uint256[](count);
        uint256 duty;
        uint256 vat;
        for (uint256 i = 0; i < count; ++i) {
            // Bounded by MAX_LINES.
            Line calldata line = lines[i];
            if (line.customsValue == 0) revert CustomsZeroValue(i);
            _checkOrigin(line.origin);
            (uint16 rate,) = dutyRateAt(line.hsCode, line.origin, timestamp);
            uint256 lineDuty = uint256(line.customsValue) * rate / _BPS;
            rates[i] = rate;
            lineDuties[i] = lineDuty;
            duty += lineDuty;
            vat += (uint256(line.customsValue) + lineDuty) * vatBps / _BPS;
        }
        _checkAmount(duty);
        _checkAmount(vat);
        // An amendment re-assesses; it never lifts an officer's hold.
        if (d.status != DeclarationStatus.Held) d.status = DeclarationStatus.Assessed;
        d.lineCount = uint16(count);
        d.duty = uint96(duty);
        d.vat = uint96(vat);
        d.documentHash = documentHash;
        d.linesHash = keccak256(abi.encode(lines));
        emit DeclarationAssessed(declarationId, duty, vat, rates, lineDuties);
    }

    function _settle(uint256 escrowId, Escrow storage e, address to, bool released) private {
        uint256 amount = e.amount;
        e.status = released ? EscrowStatus.Released : EscrowStatus.Refunded;
        escrowHeld -= amount;
        emit EscrowSettled(escrowId, e.declarationId, to, released, amount);
        paymentToken.safeTransfer(to, amount);
    }

    function _schedule(Checkpoints.Trace224 storage trace, uint16 rateBps, uint64 effectiveFrom) private {
        if (effectiveFrom <= block.timestamp || effectiveFrom > type(uint32).max) {
            revert CustomsRateNotInFuture(effectiveFrom);
        }
        // Keys only grow (Checkpoints reverts otherwise); a later call for the same future time
        // replaces a rate that has not taken effect yet. The replaced and new values it returns
        // are not needed.
        // slither-disable-next-line unused-return
        trace.push(uint32(effectiveFrom), uint224(rateBps) + 1);
    }

    function _declaration(uint256 declarationId) private view returns (Declaration storage d) {
        d = _declarations[declarationId];
        if (d.status == DeclarationStatus.None) revert CustomsUnknownDeclaration(declarationId);
    }

    function _openEscrow(uint256 escrowId) private view returns (Escrow storage e) {
        e = _escrows[escrowId];
        if (e.status == EscrowStatus.None) revert CustomsUnknownEscrow(escrowId);
        if (e.status != EscrowStatus.Open) revert CustomsEscrowClosed(escrowId, e.status);
    }

    function _requireUnpaid(uint256 declarationId, Declaration storage d) private view {
        if (d.paid) revert CustomsAlreadyPaid(declarationId);
        if (d.status != DeclarationStatus.Assessed && d.status != DeclarationStatus.Held) {
            revert CustomsWrongStatus(declarationId, d.status);
        }
    }

    /// @dev Rates only take effect at times that fit 32 bits, so a later time sees the latest.
    function _key(uint64 timestamp) private pure returns (uint32) {
        return timestamp > type(uint32).max ? type(uint32).max : uint32(timestamp);
    }

    function _checkAmount(uint256 amount) private pure {
        if (amount > type(uint96).max) revert CustomsAmountTooLarge(amount);
    }

    function _checkHsCode(uint32 hsCode) private pure {
        if (hsCode < 10_000 || hsCode > 999_999) revert CustomsInvalidHsCode(hsCode);
    }

    function _checkOrigin(uint16 origin) private pure {
        if (origin == 0 || origin > 999) revert CustomsInvalidOrigin(origin);
    }

    function _operationalRoles() private pure returns (bytes32[] memory roles) {
        roles = new bytes32[](5);
        roles[0] = Roles.TARIFF_AUTHORITY_ROLE;
        roles[1] = Roles.TRADER_REGISTRAR_ROLE;
        roles[2] = Roles.CUSTOMS_OFFICER_ROLE;
        roles[3] = Roles.APPEALS_OFFICER_ROLE;
        roles[4] = Roles.PAUSER_ROLE;
    }
}
