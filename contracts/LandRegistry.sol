// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {GovchainInvalidWindow, GovchainZeroAddress, GovchainZeroAmount} from "./common/Errors.sol";
import {GovchainAccess} from "./common/GovchainAccess.sol";
import {Roles} from "./common/Roles.sol";
import {ILandRegistry} from "./interfaces/ILandRegistry.sol";

/// @title LandRegistry
/// @notice Land titles as ERC-721 tokens that move only through the registry's legal process.
///
/// A registrar registers titles (and subdivides or merges them, retiring the parents and
/// recording the lineage on the children); owners sell to a named buyer, and the buyer's
/// acceptance swaps title and payment atomically (delivery versus payment), with a transfer tax
/// to the treasury and, if governance requires it, the registrar's approval first. Lenders record
/// liens and only they release them; a title with an active lien cannot be sold, split or merged.
/// Courts freeze titles and order forced transfers. Every change emits an event with the parcel
/// id indexed, so a log query is the chain of title.
/// @dev Every legitimate move sets a transient flag around OpenZeppelin's `_update`; any other
/// path into `_update` (`transferFrom`, `safeTransferFrom`, by owner or approved operator)
/// reverts with {LandTransferOutsideRegistry}. Approvals remain possible, as ERC-721 requires,
/// and move nothing.
/// WARNING: the sale's payment token is the seller's choice; a buyer must only accept a token
/// it trusts. Fee-on-transfer tokens would pay the seller less than the price.
contract LandRegistry is ILandRegistry, ERC721, GovchainAccess, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------
    // Storage and constants
    // ---------------------------------------------------------------------------------------

    /// @notice Role identifier of land registrars (register, subdivide, merge, approve sales).
    bytes32 public constant REGISTRAR_ROLE = Roles.REGISTRAR_ROLE;
    /// @notice Role identifier of lenders (record and release their own liens).
    bytes32 public constant LENDER_ROLE = Roles.LENDER_ROLE;
    /// @notice Role identifier of courts (freeze, unfreeze, forced transfer).
    bytes32 public constant COURT_ROLE = Roles.COURT_ROLE;
    /// @notice Role identifier of pausers.
    bytes32 public constant PAUSER_ROLE = Roles.PAUSER_ROLE;

    /// @inheritdoc ILandRegistry
    uint256 public constant MAX_TAX_BPS = 2_000;
    /// @inheritdoc ILandRegistry
    uint256 public constant MAX_PARTS = 16;

    /// @notice Whether every sale needs the registrar's approval before it can be accepted.
    bool public saleApprovalRequired;
    /// @notice Transfer tax in basis points of the price, paid to {treasury} out of each sale.
    uint16 public taxBps;
    /// @notice Account receiving the transfer tax.
    address public treasury;

    string private _base;
    mapping(uint256 parcelId => Parcel) private _parcels;
    mapping(uint256 parcelId => Sale) private _sales;
    mapping(uint256 parcelId => mapping(uint256 lienId => Lien)) private _liens;
    mapping(uint256 parcelId => uint256[]) private _parents;
    mapping(uint256 parcelId => uint256[]) private _children;
    bool private transient _registryMove;

    // ---------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE; grants every other role.
    constructor(address admin) ERC721("govchain Land Title", "TITLE") GovchainAccess(admin, _operationalRoles()) {}

    // ---------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------

    /// @notice Require (or stop requiring) the registrar's approval of every sale. GOVERNANCE_ROLE.
    function setSaleApprovalRequired(bool required) external onlyRole(GOVERNANCE_ROLE) {
        saleApprovalRequired = required;
        emit SaleApprovalRequired(required);
    }

    /// @notice Set the transfer tax taken from each sale. GOVERNANCE_ROLE.
    function setTransferTax(address treasury_, uint16 bps) external onlyRole(GOVERNANCE_ROLE) {
        if (bps > MAX_TAX_BPS || (bps != 0 && treasury_ == address(0))) revert LandInvalidTax(treasury_, bps);
        treasury = treasury_;
        taxBps = bps;
        emit TransferTaxSet(treasury_, bps);
    }

    /// @notice Set the base of every title's metadata URI (the parcel number is appended).
    /// GOVERNANCE_ROLE.
    function setBaseURI(string calldata baseURI) external onlyRole(GOVERNANCE_ROLE) {
        _base = baseURI;
        emit BaseURISet(baseURI);
    }

    /// @notice Stop registrations, sales and liens. PAUSER_ROLE. Court orders are never paused.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume after {pause}. PAUSER_ROLE.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------------------------------
    // Registration
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc ILandRegistry
    function register(uint256 parcelId, address owner, ParcelData calldata data, bytes32 deedHash)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        if (owner == address(0)) revert GovchainZeroAddress("owner");
        _create(parcelId, owner, data, deedHash);
    }

    /// @inheritdoc ILandRegistry
    function subdivide(uint256 parcelId, uint256[] calldata childIds, ParcelData[] calldata children, bytes32 deedHash)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        uint256 count = childIds.length;
        if (count < 2 || count > MAX_PARTS || children.length != count) revert LandPartCount(count);
        address owner = _checkDivisible(parcelId);
        uint256 childrenArea;
        uint256[] memory parents = new uint256[](1);
        parents[0] = parcelId;
        for (uint256 i = 0; i < count; ++i) {
            // Bounded by MAX_PARTS.
            childrenArea += children[i].area;
            _create(childIds[i], owner, children[i], deedHash);
            _parents[childIds[i]] = parents;
            emit ParcelDerived(childIds[i], parents);
        }
        uint256 parentArea = _parcels[parcelId].area;
        if (childrenArea != parentArea) revert LandAreaMismatch(parentArea, childrenArea);
        _retire(parcelId, childIds, deedHash);
    }

    /// @inheritdoc ILandRegistry
    function merge(uint256[] calldata parcelIds, uint256 childId, ParcelData calldata child, bytes32 deedHash)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        uint256 count = parcelIds.length;
        if (count < 2 || count > MAX_PARTS) revert LandPartCount(count);
        address owner = _checkDivisible(parcelIds[0]);
        uint256[] memory children = new uint256[](1);
        children[0] = childId;
        uint256 parentsArea;
        _create(childId, owner, child, deedHash);
        for (uint256 i = 0; i < count; ++i) {
            // Bounded by MAX_PARTS. A parcel listed twice is retired by then: LandNotLive.
            address other = _checkDivisible(parcelIds[i]);
            if (other != owner) revert LandOwnersDiffer(parcelIds[i], other, owner);
            parentsArea += _parcels[parcelIds[i]].area;
            _retire(parcelIds[i], children, deedHash);
        }
        if (parentsArea != child.area) revert LandAreaMismatch(parentsArea, child.area);
        _parents[childId] = parcelIds;
        emit ParcelDerived(childId, parcelIds);
    }

    // ---------------------------------------------------------------------------------------
    // Sales
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc ILandRegistry
    function offerSale(uint256 parcelId, address buyer, IERC20 token, uint256 price, uint64 deadline)
        external
        whenNotPaused
    {
        address owner = _requireOwner(parcelId);
        Parcel storage p = _parcels[parcelId];
        _checkSellable(parcelId, p);
        if (buyer == address(0) || buyer == owner || address(token) == address(0) || price == 0) {
            revert LandInvalidSale(parcelId);
        }
        if (price > type(uint96).max) revert LandInvalidSale(parcelId);
        if (deadline <= block.timestamp || deadline > type(uint48).max) {
            revert GovchainInvalidWindow(uint64(block.timestamp), deadline);
        }
        _sales[parcelId] =
            Sale({buyer: buyer, deadline: uint48(deadline), approved: false, token: token, price: uint96(price)});
        emit SaleOffered(parcelId, owner, buyer, token, price, deadline);
    }

    /// @inheritdoc ILandRegistry
    function withdrawSale(uint256 parcelId) external {
        address owner = _requireOwner(parcelId);
        if (_sales[parcelId].buyer == address(0)) revert LandNoSale(parcelId);
        delete _sales[parcelId];
        emit SaleWithdrawn(parcelId, owner);
    }

    /// @inheritdoc ILandRegistry
    function approveSale(uint256 parcelId) external onlyRole(REGISTRAR_ROLE) {
        Sale storage s = _sales[parcelId];
        if (s.buyer == address(0)) revert LandNoSale(parcelId);
        s.approved = true;
        emit SaleApproved(parcelId, msg.sender);
    }

    /// @inheritdoc ILandRegistry
    /// @dev The offer is deleted and the title moved before the payment is pulled (CEI); the
    /// payment token is the seller's choice, so the call is also guarded against reentrancy.
    function acceptSale(uint256 parcelId, IERC20 token, uint256 price, bytes32 deedHash)
        external
        whenNotPaused
        nonReentrant
    {
        Sale memory s = _sales[parcelId];
        if (s.buyer == address(0)) revert LandNoSale(parcelId);
        if (msg.sender != s.buyer) revert LandNotBuyer(parcelId, msg.sender);
        if (block.timestamp > s.deadline) revert LandSaleExpired(parcelId, s.deadline);
        if (address(token) != address(s.token) || price != s.price) revert LandSaleTermsChanged(parcelId, s.price, address(s.token));
        if (saleApprovalRequired && !s.approved) revert LandSaleNotApproved(parcelId);
        Parcel storage p = _parcels[parcelId];
        _checkSellable(parcelId, p);

        address seller = _ownerOf(parcelId);
        uint256 tax = price * taxBps / 10_000; // rounds down, in the seller's favour
        p.deedHash = deedHash;
        _move(msg.sender, parcelId);
        emit SaleCompleted(parcelId, seller, msg.sender, token, price, tax, deedHash);

        if (tax != 0) token.safeTransferFrom(msg.sender, treasury, tax);
        token.safeTransferFrom(msg.sender, seller, price - tax);
    }

    // ---------------------------------------------------------------------------------------
    // Liens and court orders
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc ILandRegistry
    function recordLien(uint256 parcelId, address holder, uint256 amount, bytes32 documentHash)
        external
        whenNotPaused
        returns (uint256 lienId)
    {
        bool ownLien = holder == msg.sender && hasRole(LENDER_ROLE, msg.sender);
        if (!ownLien && !hasRole(REGISTRAR_ROLE, msg.sender)) revert LandNotLender(msg.sender);
        if (holder == address(0)) revert GovchainZeroAddress("holder");
        if (amount == 0 || amount > type(uint88).max) revert LandInvalidLienAmount(amount);
        Parcel storage p = _live(parcelId);
        lienId = ++p.lienCount;
        ++p.activeLiens;
        _liens[parcelId][lienId] = Lien({holder: holder, amount: uint88(amount), released: false});
        emit LienRecorded(parcelId, lienId, holder, amount, documentHash);
    }

    /// @inheritdoc ILandRegistry
    function releaseLien(uint256 parcelId, uint256 lienId) external {
        Lien storage record = _liens[parcelId][lienId];
        if (record.holder == address(0) || record.released) revert LandUnknownLien(parcelId, lienId);
        if (msg.sender != record.holder) revert LandNotLienholder(parcelId, lienId, msg.sender);
        record.released = true;
        --_parcels[parcelId].activeLiens;
        emit LienReleased(parcelId, lienId, msg.sender);
    }

    /// @inheritdoc ILandRegistry
    function freeze(uint256 parcelId, bytes32 caseReference) external onlyRole(COURT_ROLE) {
        Parcel storage p = _live(parcelId);
        if (p.frozen) revert LandFrozen(parcelId);
        p.frozen = true;
        emit TitleFrozen(parcelId, caseReference, msg.sender);
    }

    /// @inheritdoc ILandRegistry
    function unfreeze(uint256 parcelId, bytes32 caseReference) external onlyRole(COURT_ROLE) {
        Parcel storage p = _live(parcelId);
        if (!p.frozen) revert LandNotFrozen(parcelId);
        p.frozen = false;
        emit TitleUnfrozen(parcelId, caseReference, msg.sender);
    }

    /// @inheritdoc ILandRegistry
    function forcedTransfer(uint256 parcelId, address to, bytes32 orderHash) external onlyRole(COURT_ROLE) {
        _live(parcelId);
        if (to == address(0)) revert GovchainZeroAddress("to");
        address from = _ownerOf(parcelId);
        _move(to, parcelId);
        emit ForcedTransfer(parcelId, from, to, orderHash, msg.sender);
    }

    // ---------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc ILandRegistry
    function title(uint256 parcelId) external view returns (Title memory t) {
        Parcel storage p = _parcels[parcelId];
        if (p.status == ParcelStatus.None) revert LandNotLive(parcelId);
        t.parcelId = parcelId;
        t.owner = _ownerOf(parcelId);
        t.parcel = p;
        t.sale = _sales[parcelId];
        t.activeLienIds = new uint256[](p.activeLiens);
        uint256 found;
        for (uint256 id = 1; id <= p.lienCount; ++id) {
            // View only; bounded by the liens recorded on this one parcel.
            if (!_liens[parcelId][id].released) t.activeLienIds[found++] = id;
        }
        t.parents = _parents[parcelId];
        t.children = _children[parcelId];
    }

    /// @inheritdoc ILandRegistry
    function parcel(uint256 parcelId) external view returns (Parcel memory) {
        return _parcels[parcelId];
    }

    /// @inheritdoc ILandRegistry
    function lien(uint256 parcelId, uint256 lienId) external view returns (Lien memory) {
        return _liens[parcelId][lienId];
    }

    /// @inheritdoc ILandRegistry
    function parcelNumber(uint256 parcelId) public pure returns (string memory text) {
        bytes32 raw = bytes32(parcelId);
        uint256 length;
        while (length < 32 && raw[length] != 0) ++length;
        text = new string(length);
        if (length == 0) return text;
        assembly ("memory-safe") {
            // One word: `new string` rounded the allocation up to 32 bytes.
            mstore(add(text, 32), raw)
        }
    }

    /// @notice Metadata URI: the base URI followed by the parcel number.
    function tokenURI(uint256 parcelId) public view override returns (string memory) {
        _requireOwned(parcelId);
        return string.concat(_base, parcelNumber(parcelId));
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------

    /// @dev The only door into ERC-721 ownership changes; see the contract's @dev.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (!_registryMove) revert LandTransferOutsideRegistry(tokenId);
        return super._update(to, tokenId, auth);
    }

    function _move(address to, uint256 parcelId) private {
        delete _sales[parcelId];
        _registryMove = true;
        _update(to, parcelId, address(0));
        _registryMove = false;
    }

    function _create(uint256 parcelId, address owner, ParcelData calldata data, bytes32 deedHash) private {
        if (!_isParcelNumber(parcelId)) revert LandInvalidParcelNumber(parcelId);
        if (data.area == 0) revert GovchainZeroAmount("area");
        Parcel storage p = _parcels[parcelId];
        if (p.status != ParcelStatus.None) revert LandAlreadyRegistered(parcelId);
        p.geometryHash = data.geometryHash;
        p.deedHash = deedHash;
        p.area = data.area;
        p.landUse = data.landUse;
        p.status = ParcelStatus.Live;
        p.registeredAt = uint48(block.timestamp);
        _registryMove = true;
        _mint(owner, parcelId);
        _registryMove = false;
        emit ParcelRegistered(parcelId, owner, data.geometryHash, data.area, data.landUse, deedHash, msg.sender);
    }

    /// @dev Printable ASCII (a space only inside), then zero padding: what {parcelNumber} reverses.
    function _isParcelNumber(uint256 parcelId) private pure returns (bool) {
        bytes32 raw = bytes32(parcelId);
        if (raw[0] == 0x20) return false;
        uint256 length;
        while (length < 32 && raw[length] != 0) {
            if (uint8(raw[length]) < 0x20 || uint8(raw[length]) > 0x7e) return false;
            ++length;
        }
        // The number's bytes shifted out leave only the padding, which must be zero.
        return length != 0 && (length == 32 || uint256(raw) << (8 * length) == 0);
    }

    function _retire(uint256 parcelId, uint256[] memory children, bytes32 deedHash) private {
        _parcels[parcelId].status = ParcelStatus.Retired;
        _children[parcelId] = children;
        delete _sales[parcelId];
        _registryMove = true;
        _burn(parcelId);
        _registryMove = false;
        emit ParcelRetired(parcelId, children, deedHash);
    }

    function _live(uint256 parcelId) private view returns (Parcel storage p) {
        p = _parcels[parcelId];
        if (p.status != ParcelStatus.Live) revert LandNotLive(parcelId);
    }

    function _requireOwner(uint256 parcelId) private view returns (address owner) {
        _live(parcelId);
        owner = _ownerOf(parcelId);
        if (msg.sender != owner) revert LandNotOwner(parcelId, msg.sender);
    }

    function _checkSellable(uint256 parcelId, Parcel storage p) private view {
        if (p.frozen) revert LandFrozen(parcelId);
        if (p.activeLiens != 0) revert LandHasLiens(parcelId, p.activeLiens);
    }

    /// @dev A title that may be split or merged: live, not frozen, no active lien. Its owner.
    function _checkDivisible(uint256 parcelId) private view returns (address) {
        _checkSellable(parcelId, _live(parcelId));
        return _ownerOf(parcelId);
    }

    function _operationalRoles() private pure returns (bytes32[] memory roles) {
        roles = new bytes32[](4);
        roles[0] = Roles.REGISTRAR_ROLE;
        roles[1] = Roles.LENDER_ROLE;
        roles[2] = Roles.COURT_ROLE;
        roles[3] = Roles.PAUSER_ROLE;
    }
}
