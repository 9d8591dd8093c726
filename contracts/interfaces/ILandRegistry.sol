// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ILandRegistry
/// @notice A land title registry: every title is an ERC-721 token whose id is the cadastral
/// parcel number itself, so the chain answers who owns a parcel and how they came to own it.
/// Titles move only through the registry's process: a sale that swaps title and payment in one
/// transaction, a court order, or a registrar's subdivision or merge. Plain ERC-721 transfers
/// revert.
/// @dev Parcel id = the parcel number's ASCII bytes, left-aligned in 32 bytes, read as a uint256
/// (`uint256(bytes32("0042-17"))`): reversible, so the number itself is on chain with no storage.
interface ILandRegistry {
    // ---------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------

    /// @notice Life of a title: registered (live), then possibly retired by a subdivision or merge.
    enum ParcelStatus {
        None,
        Live,
        Retired
    }

    /// @notice What the registrar records for a parcel. `area` in square metres; `landUse` a
    /// code of the national classification; hashes of the GeoJSON geometry and of the deed.
    struct ParcelData {
        bytes32 geometryHash;
        uint64 area;
        uint16 landUse;
    }

    /// @notice A parcel as stored (three slots).
    /// @dev `activeLiens` counts liens not yet released; `frozen` is set by a court.
    struct Parcel {
        bytes32 geometryHash;
        bytes32 deedHash;
        uint64 area;
        uint16 landUse;
        ParcelStatus status;
        bool frozen;
        uint16 activeLiens;
        uint16 lienCount;
        uint48 registeredAt;
    }

    /// @notice An open sale of a parcel to a named buyer (two slots).
    struct Sale {
        address buyer;
        uint48 deadline;
        bool approved;
        IERC20 token;
        uint96 price;
    }

    /// @notice A mortgage or other charge on a title.
    struct Lien {
        address holder;
        uint88 amount;
        bool released;
    }

    /// @notice Everything a notary asks about a title today.
    struct Title {
        uint256 parcelId;
        address owner;
        Parcel parcel;
        Sale sale;
        uint256[] activeLienIds;
        uint256[] parents;
        uint256[] children;
    }

    // ---------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------

    /// @notice The id is not a parcel number: 1 to 32 printable ASCII bytes (not starting with a
    /// space), then zero padding.
    error LandInvalidParcelNumber(uint256 parcelId);
    /// @notice The parcel was registered before (it may be retired).
    error LandAlreadyRegistered(uint256 parcelId);
    /// @notice The parcel is not a live title.
    error LandNotLive(uint256 parcelId);
    /// @notice Titles move only through the registry's process, never by plain ERC-721 transfer.
    error LandTransferOutsideRegistry(uint256 parcelId);
    /// @notice Only the title's owner may do this.
    error LandNotOwner(uint256 parcelId, address account);
    /// @notice The title is frozen by a court.
    error LandFrozen(uint256 parcelId);
    /// @notice The title is not frozen.
    error LandNotFrozen(uint256 parcelId);
    /// @notice The title carries active liens and cannot be sold, subdivided or merged.
    error LandHasLiens(uint256 parcelId, uint256 activeLiens);
    /// @notice There is no open sale of the parcel.
    error LandNoSale(uint256 parcelId);
    /// @notice Only the sale's named buyer may accept it.
    error LandNotBuyer(uint256 parcelId, address account);
    /// @notice The sale's deadline has passed.
    error LandSaleExpired(uint256 parcelId, uint64 deadline);
    /// @notice The buyer's expected terms are not the sale's terms.
    error LandSaleTermsChanged(uint256 parcelId, uint256 price, address token);
    /// @notice The registry requires the registrar's approval of the sale first.
    error LandSaleNotApproved(uint256 parcelId);
    /// @notice A sale to oneself, a zero buyer, or a zero price or token.
    error LandInvalidSale(uint256 parcelId);
    /// @notice No such lien on the parcel, or it was released already.
    error LandUnknownLien(uint256 parcelId, uint256 lienId);
    /// @notice Only the lienholder may release its lien.
    error LandNotLienholder(uint256 parcelId, uint256 lienId, address account);
    /// @notice Only a LENDER_ROLE or REGISTRAR_ROLE holder may record a lien.
    error LandNotLender(address account);
    /// @notice The children's areas do not add up to the parents'.
    error LandAreaMismatch(uint256 parentsArea, uint256 childrenArea);
    /// @notice A subdivision or merge has too few or too many parcels.
    error LandPartCount(uint256 count);
    /// @notice Merged parcels must all have the same owner.
    error LandOwnersDiffer(uint256 parcelId, address owner, address expected);
    /// @notice A lien amount of zero or above 2^88-1.
    error LandInvalidLienAmount(uint256 amount);
    /// @notice Transfer tax above {MAX_TAX_BPS}, or a tax without a treasury.
    error LandInvalidTax(address treasury, uint256 bps);

    // ---------------------------------------------------------------------------------------
    // Events (parcel id indexed on every one: the chain of title is a log query)
    // ---------------------------------------------------------------------------------------

    /// @notice First registration of a title.
    event ParcelRegistered(
        uint256 indexed parcelId,
        address indexed owner,
        bytes32 geometryHash,
        uint64 area,
        uint16 landUse,
        bytes32 deedHash,
        address registrar
    );
    /// @notice The owner offered the title to a named buyer.
    event SaleOffered(
        uint256 indexed parcelId, address indexed seller, address indexed buyer, IERC20 token, uint256 price, uint64 deadline
    );
    /// @notice The owner withdrew an unaccepted offer.
    event SaleWithdrawn(uint256 indexed parcelId, address indexed seller);
    /// @notice The registrar approved an open sale.
    event SaleApproved(uint256 indexed parcelId, address indexed registrar);
    /// @notice Title and payment swapped: `tax` went to the treasury, the rest to the seller.
    event SaleCompleted(
        uint256 indexed parcelId,
        address indexed seller,
        address indexed buyer,
        IERC20 token,
        uint256 price,
        uint256 tax,
        bytes32 deedHash
    );
    /// @notice A lien was recorded on the title.
    event LienRecorded(
        uint256 indexed parcelId, uint256 indexed lienId, address indexed holder, uint256 amount, bytes32 documentHash
    );
    /// @notice The lienholder released a lien.
    event LienReleased(uint256 indexed parcelId, uint256 indexed lienId, address indexed holder);
    /// @notice A court froze the title.
    event TitleFrozen(uint256 indexed parcelId, bytes32 caseReference, address court);
    /// @notice A court lifted its freeze.
    event TitleUnfrozen(uint256 indexed parcelId, bytes32 caseReference, address court);
    /// @notice A court ordered the title transferred (inheritance, judgment).
    event ForcedTransfer(
        uint256 indexed parcelId, address indexed from, address indexed to, bytes32 orderHash, address court
    );
    /// @notice A parent title was retired by a subdivision or merge into `children`.
    event ParcelRetired(uint256 indexed parcelId, uint256[] children, bytes32 deedHash);
    /// @notice A child title was created from `parents`.
    event ParcelDerived(uint256 indexed parcelId, uint256[] parents);
    /// @notice Governance changed whether sales need the registrar's approval.
    event SaleApprovalRequired(bool required);
    /// @notice Governance changed the transfer tax.
    event TransferTaxSet(address treasury, uint16 bps);
    /// @notice Governance changed the metadata base URI.
    event BaseURISet(string baseURI);

    // ---------------------------------------------------------------------------------------
    // Registration
    // ---------------------------------------------------------------------------------------

    /// @notice Register a title for the first time. REGISTRAR_ROLE.
    function register(uint256 parcelId, address owner, ParcelData calldata data, bytes32 deedHash) external;

    /// @notice Split a title into parts whose areas add up to it; the parts go to its owner.
    /// REGISTRAR_ROLE.
    function subdivide(uint256 parcelId, uint256[] calldata childIds, ParcelData[] calldata children, bytes32 deedHash)
        external;

    /// @notice Merge titles of one owner into one whose area is theirs combined. REGISTRAR_ROLE.
    function merge(uint256[] calldata parcelIds, uint256 childId, ParcelData calldata child, bytes32 deedHash)
        external;

    // ---------------------------------------------------------------------------------------
    // Sales
    // ---------------------------------------------------------------------------------------

    /// @notice Offer the caller's title to `buyer` for `price` in `token` until `deadline`,
    /// replacing any earlier offer.
    function offerSale(uint256 parcelId, address buyer, IERC20 token, uint256 price, uint64 deadline) external;

    /// @notice Withdraw an unaccepted offer. The owner only.
    function withdrawSale(uint256 parcelId) external;

    /// @notice Approve an open sale, when the registry requires it. REGISTRAR_ROLE.
    function approveSale(uint256 parcelId) external;

    /// @notice Accept the open sale: the caller (the named buyer, who approved the payment)
    /// pays and receives the title in this one transaction. `price` and `token` are what the
    /// buyer expects, so a changed offer cannot take more.
    function acceptSale(uint256 parcelId, IERC20 token, uint256 price, bytes32 deedHash) external;

    // ---------------------------------------------------------------------------------------
    // Liens and court orders
    // ---------------------------------------------------------------------------------------

    /// @notice Record a lien held by `holder`. LENDER_ROLE (holder must be the caller) or
    /// REGISTRAR_ROLE (any holder).
    /// @return lienId The lien's id within the parcel (from 1).
    function recordLien(uint256 parcelId, address holder, uint256 amount, bytes32 documentHash)
        external
        returns (uint256 lienId);

    /// @notice Release a lien. Its holder only.
    function releaseLien(uint256 parcelId, uint256 lienId) external;

    /// @notice Freeze a title. COURT_ROLE.
    function freeze(uint256 parcelId, bytes32 caseReference) external;

    /// @notice Lift a freeze. COURT_ROLE.
    function unfreeze(uint256 parcelId, bytes32 caseReference) external;

    /// @notice Transfer a title by court order, frozen or not; liens stay attached. COURT_ROLE.
    function forcedTransfer(uint256 parcelId, address to, bytes32 orderHash) external;

    // ---------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------

    /// @notice Highest transfer tax governance may set, in basis points.
    function MAX_TAX_BPS() external view returns (uint256);

    /// @notice Most parts in one subdivision or merge.
    function MAX_PARTS() external view returns (uint256);

    /// @notice Current owner, parcel record, open sale, active liens and lineage.
    function title(uint256 parcelId) external view returns (Title memory);

    /// @notice The stored parcel record (retired parcels included).
    function parcel(uint256 parcelId) external view returns (Parcel memory);

    /// @notice A lien on a parcel.
    function lien(uint256 parcelId, uint256 lienId) external view returns (Lien memory);

    /// @notice The parcel number of a parcel id, as text.
    function parcelNumber(uint256 parcelId) external pure returns (string memory);
}
