// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IRightsCertificate} from "./IRightsCertificate.sol";

/// @title On-exchange trading of data assets: listings, escrowed orders, delivery, disputes and settlement.
/// @notice Buyers pay an ERC-20 price into escrow; the seller posts a delivery proof; the buyer accepts (or the
/// acceptance window lapses) and settlement splits the price into the exchange fee, the data merchant's commission,
/// the upstream royalties of the asset's lineage and the seller's net, and issues the buyer's licence (or moves the
/// holding right). Every party withdraws its own credits (pull payments).
interface IDataExchange {
    enum Offer {
        ProcessingUse, // licence of the processing-use right
        ProductOperation, // licence of the product-operation right
        HoldingTransfer // what the seller holds: the registration certificate, or with sellerCertId that rights
        // certificate (transferable), as in an enforcement sale of a pledged certificate
    }

    enum OrderStatus {
        None,
        Paid, // in escrow, awaiting delivery
        Delivered, // proof posted, acceptance window running
        Disputed,
        Settled,
        Refunded,
        Remedied // settled, then an arbiter's remedy ended the licence (see LicenceRemedied)
    }

    enum RefundReason {
        NotDelivered, // delivery deadline passed
        Arbitration, // arbiter refunded all or part
        RightsLapsed, // at settlement the seller could no longer grant the whole licence term that was sold
        DisputeTimeout, // no arbiter ruled within DISPUTE_TIMEOUT of the dispute
        Stranded, // delivered, but the exchange lost its role in, or was long paused by, the registry or rights contract
        LicenceRemedy // an arbiter's remedy for a paid licence revoked before its term ended
    }

    /// @notice Terms fixed when listing. Only price, quantity cap and the active flag can change later.
    struct ListingTerms {
        uint256 assetId;
        uint256 sellerCertId; // 0: the seller is the asset's holder; else its sublicensable product-operation right
        uint16 venueId; // the exchange (registrar id) the listing is filed with; its fee applies
        Offer offer;
        address token;
        uint256 price;
        uint32 maxQuantity; // 0 = unlimited (always 1 for a holding transfer)
        uint64 licenceTerm; // seconds from settlement (licences only)
        bytes32 scopeHash; // licence scope document (licences only)
        uint32 scopeMask;
        bool licenceSublicensable;
        bool licenceTransferable;
        address merchant; // data merchant (数商) sponsoring the seller; zero for none
        uint16 merchantBps;
        uint32 deliveryWindow; // seconds after ordering within which the seller must deliver
        uint32 acceptanceWindow; // seconds after delivery during which the buyer may dispute
    }

    struct Listing {
        ListingTerms terms;
        address seller;
        bool active;
        uint32 sold; // orders taken and not refunded in full
    }

    /// @dev Deadlines run on trading time: time the exchange was paused after `pauseMark` extends them.
    struct Order {
        uint64 listingId;
        address buyer;
        OrderStatus status;
        uint16 feeBps; // venue fee at ordering time
        uint128 price;
        uint40 orderedAt;
        uint40 deliveredAt;
        uint40 pauseMark; // the exchange's paused total when the running clock (delivery, acceptance, dispute) started
        uint40 disputedAt;
    }

    struct RoyaltyPayment {
        uint256 assetId;
        address payee;
        uint256 amount;
    }

    /// @notice Everything an accountant needs about one settlement; parts sum exactly to `gross`.
    struct Settlement {
        uint256 orderId;
        uint256 listingId;
        uint256 assetId;
        Offer offer;
        address buyer;
        address seller;
        address token;
        uint256 gross; // the amount settled (the price, less any arbitrated refund)
        uint16 venueId;
        address venueTreasury;
        uint256 exchangeFee;
        address merchant;
        uint256 merchantCommission;
        RoyaltyPayment[] royalties;
        uint256 sellerNet;
        uint256 certId; // the buyer's rights certificate; for a holding transfer, the registration certificate or
        // the rights certificate sold
        uint64 settledAt;
    }

    event VenueSet(uint16 indexed venueId, address treasury, uint16 feeBps, address indexed by);
    event TokenAllowed(address indexed token, bool allowed, address indexed by);
    event Listed(uint256 indexed listingId, uint256 indexed assetId, address indexed seller, ListingTerms terms, uint64 listedAt);
    event ListingUpdated(uint256 indexed listingId, uint256 price, uint32 maxQuantity, bool active, uint64 updatedAt);
    event Ordered(
        uint256 indexed orderId,
        uint256 indexed listingId,
        address indexed buyer,
        uint256 assetId,
        address seller,
        address token,
        uint256 price,
        uint16 feeBps,
        uint64 deliveryDeadline,
        uint64 orderedAt
    );
    event Delivered(uint256 indexed orderId, address indexed seller, bytes32 deliveryHash, uint64 acceptanceEndsAt, uint64 deliveredAt);
    event Disputed(uint256 indexed orderId, address indexed buyer, bytes32 evidenceHash, uint64 disputedAt);
    event DisputeResolved(
        uint256 indexed orderId,
        address indexed arbiter,
        uint256 refunded,
        uint256 settled,
        bytes32 resolutionHash,
        uint64 resolvedAt
    );
    event Refunded(uint256 indexed orderId, address indexed buyer, address token, uint256 amount, RefundReason reason, uint64 refundedAt);
    event Settled(uint256 indexed orderId, address indexed buyer, address indexed seller, Settlement settlement);
    event Withdrawn(address indexed account, address indexed token, address to, uint256 amount, uint64 withdrawnAt);
    /// @notice Trading resumed after a pause of `pausedFor` seconds; every running order deadline moved by it.
    event TradingClockResumed(uint64 pausedAt, uint64 resumedAt, uint64 pausedFor, uint64 pausedTotal);
    /// @notice An arbiter's remedy for a paid licence: the licence ends (if still live) and `refundPaid` of
    /// `refundOrdered` moves from the seller's unwithdrawn credits to the buyer; any shortfall is left to the parties.
    event LicenceRemedied(
        uint256 indexed orderId,
        uint256 indexed certId,
        address indexed arbiter,
        address buyer,
        address seller,
        address token,
        uint256 refundOrdered,
        uint256 refundPaid,
        bytes32 resolutionHash,
        uint64 remediedAt
    );
    /// @notice Tokens sent to the exchange outside any order (balance above liabilities) were swept by the admin.
    event Swept(address indexed token, address indexed to, uint256 amount, address indexed by, uint64 sweptAt);

    error TokenNotAllowed(address token);
    error UnknownVenue(uint16 venueId);
    error FeeTooHigh(uint16 bps, uint16 max);
    error ZeroPrice();
    error PriceTooLarge(uint256 price);
    error InvalidWindow(uint32 window);
    error InvalidLicenceTerm(uint64 term);
    error InvalidMerchant(address merchant, uint16 bps);
    error InvalidQuantity(uint32 maxQuantity);
    error ZeroHash();
    error NotAuthorisedSeller(uint256 assetId, address account);
    error SellerCertUnsuitable(uint256 certId);
    error AssetNotActive(uint256 assetId);
    error UnknownListing(uint256 listingId);
    error NotSeller(uint256 listingId, address account);
    error ListingInactive(uint256 listingId);
    error SoldOut(uint256 listingId);
    error PriceChanged(uint256 expected, uint256 actual);
    error SelfPurchase();
    error UnknownOrder(uint256 orderId);
    error NotBuyer(uint256 orderId, address account);
    error WrongOrderStatus(uint256 orderId, OrderStatus status);
    error DeliveryDeadlinePassed(uint256 orderId, uint64 deadline);
    error DeliveryDeadlineNotPassed(uint256 orderId, uint64 deadline);
    error AcceptanceWindowOpen(uint256 orderId, uint64 endsAt);
    error AcceptanceWindowClosed(uint256 orderId, uint64 endsAt);
    error RefundExceedsPrice(uint256 refund, uint256 price);
    error AmountNotReceived(uint256 expected, uint256 received);
    error NothingToWithdraw();
    error InvalidRecipient(address to);
    error TransferNotExact(address token, uint256 amount);
    error NothingToSweep(address token);
    error DisputeTimeoutNotPassed(uint256 orderId, uint64 endsAt);
    error NotStranded(uint256 orderId);
    error NotALicenceOf(uint256 orderId, uint256 certId);
    error RegistrationEndsBeforeTerm(uint256 assetId, uint64 until);

    /// @notice Admin: set a venue's (exchange's) treasury and fee in basis points (at most MAX_FEE_BPS).
    function setVenue(uint16 venueId, address treasury, uint16 feeBps) external;

    /// @notice Admin: allow or disallow an ERC-20 as settlement token.
    function setTokenAllowed(address token, bool allowed) external;

    /// @notice List an asset for sale: as its holder, or through a sublicensable product-operation right.
    function list(ListingTerms calldata terms) external returns (uint256 listingId);

    /// @notice The seller changes price, quantity cap, or withdraws / reopens the listing. Open orders keep their price.
    function updateListing(uint256 listingId, uint256 price, uint32 maxQuantity, bool active) external;

    /// @notice Buy one unit: `expectedPrice` is pulled into escrow (the caller approved the token beforehand).
    function order(uint256 listingId, uint256 expectedPrice) external returns (uint256 orderId);

    /// @notice Buy with an EIP-2612 permit instead of a prior approval.
    function orderWithPermit(uint256 listingId, uint256 expectedPrice, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 orderId);

    /// @notice The seller posts the hash of its delivery proof before the delivery deadline.
    function deliver(uint256 orderId, bytes32 deliveryHash) external;

    /// @notice The buyer accepts the delivery: the order settles now. The licence runs its full term from now; if
    /// the seller's right or the registration no longer covers it, the buyer is refunded instead.
    function accept(uint256 orderId) external;

    /// @notice Anyone settles a delivered order whose acceptance window passed without dispute.
    function settle(uint256 orderId) external;

    /// @notice The buyer disputes a delivery within the acceptance window.
    function dispute(uint256 orderId, bytes32 evidenceHash) external;

    /// @notice An arbiter refunds `refund` to the buyer and settles the rest. The ruling stands: a licence is issued
    /// for what the seller can still grant (its term clamped to the seller's right), and none if it can grant nothing.
    function resolveDispute(uint256 orderId, uint256 refund, bytes32 resolutionHash) external;

    /// @notice The buyer takes a refund of an order not delivered by its deadline. Works while paused.
    function refundUndelivered(uint256 orderId) external;

    /// @notice Withdraw all of the caller's credits in `token` to `to`. Works while paused. Refused if the
    /// exchange's balance does not fall by exactly `amount` (a token that charges the sender is refused).
    function withdraw(address token, address to) external returns (uint256 amount);

    /// @notice Anyone refunds the buyer of a dispute no arbiter resolved within DISPUTE_TIMEOUT (trading time).
    function refundUnresolvedDispute(uint256 orderId) external;

    /// @notice The buyer of a delivered order takes a refund when settlement cannot run: the exchange lost its role
    /// in the registry or rights contract, or either has been paused past the acceptance end plus STRANDED_GRACE.
    function refundStranded(uint256 orderId) external;

    /// @notice An arbiter's remedy for a paid licence revoked (or to be revoked) before its term ended: revokes the
    /// licence if still live and moves up to `refund` (at most the price) from the seller's credits to the buyer.
    /// `certId` must be the order's licence: issued by the exchange from the listing's right and kind, held by the
    /// order's buyer.
    function remedyLicence(uint256 orderId, uint256 certId, uint256 refund, bytes32 resolutionHash) external;

    /// @notice Admin: send tokens held above liabilities (sent outside any order) to `to`.
    function sweep(address token, address to) external returns (uint256 amount);

    function listingOf(uint256 listingId) external view returns (Listing memory);

    /// @notice The rights certificate contract whose licences this exchange issues and whose certificates it sells.
    function rights() external view returns (IRightsCertificate);

    function orderOf(uint256 orderId) external view returns (Order memory);

    function creditOf(address account, address token) external view returns (uint256);

    /// @notice What the exchange owes in `token`: open escrow plus unwithdrawn credits. Its token balance is at least
    /// this (tokens sent outside orders add to the balance only; `sweep` removes them).
    function liabilitiesOf(address token) external view returns (uint256);
}
