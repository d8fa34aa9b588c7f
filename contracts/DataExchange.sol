// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Relayable} from "./metatx/Relayable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IDataExchange} from "./interfaces/IDataExchange.sol";
import {IDataAssetRegistry, ROYALTY_DENOMINATOR} from "./interfaces/IDataAssetRegistry.sol";
import {IRightsCertificate} from "./interfaces/IRightsCertificate.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IPledgeRouter, CERT_KEY} from "./interfaces/IPledgeRegistry.sol";

/// @title DataExchange
/// @notice Listings, escrowed orders, delivery, disputes and settlement with fee, commission and royalty splits.
/// Invariant: for every token, balanceOf(this) >= liabilitiesOf(token) == open escrow + unwithdrawn credits, with
/// equality unless tokens were sent outside an order (the admin sweeps those). Deadlines run on trading time: the
/// time the exchange is paused does not count against a party who could not act.
contract DataExchange is IDataExchange, Relayable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");

    uint256 public constant BPS = 10_000;
    uint16 public constant MAX_FEE_BPS = 3_000;
    uint16 public constant MAX_COMMISSION_BPS = 3_000;
    uint32 public constant MIN_WINDOW = 1 hours;
    uint32 public constant MAX_WINDOW = 90 days;
    uint64 public constant MAX_LICENCE_TERM = 10 * 365 days;
    /// @notice A dispute no arbiter resolves within this (trading time) is refunded to the buyer.
    uint32 public constant DISPUTE_TIMEOUT = 30 days;
    /// @notice How long past the acceptance end a paused registry or rights contract may hold a delivered order.
    uint32 public constant STRANDED_GRACE = 7 days;
    bytes32 private constant EXCHANGE_ROLE = keccak256("EXCHANGE_ROLE");

    struct Venue {
        address treasury;
        uint16 feeBps;
    }

    /// @dev A listing as stored: ListingTerms packed into 4 slots plus the scope hash (licences only), so listing
    /// writes and settlement reads touch 4-5 slots instead of 11. Widths are enforced in `list`.
    struct StoredListing {
        // slot 0: read by every order and settlement
        address seller;
        uint64 assetId;
        uint32 scopeMask;
        // slot 1: with slots 0, 3 and 4, all that settlement reads
        address token;
        uint16 venueId;
        Offer offer;
        bool active;
        bool licenceSublicensable;
        bool licenceTransferable;
        uint32 licenceTerm;
        // slot 2: what orders and delivery read and change
        uint128 price;
        uint32 maxQuantity;
        uint32 sold;
        uint32 deliveryWindow;
        uint32 acceptanceWindow;
        // slot 3: zero (never written) without a merchant or seller certificate
        address merchant;
        uint16 merchantBps;
        uint64 sellerCertId;
        // slot 4: the licence scope document (not required for a holding transfer)
        bytes32 scopeHash;
    }

    IDataAssetRegistry public immutable registry;
    IRightsCertificate public immutable rights;

    uint256 private _listingCount;
    /// @dev One slot for the order counter and the trading clock: ordering, delivering and the pause check all read
    /// it, so they pay for one cold read, not three. The exchange keeps its own pause flag here (`paused()` is
    /// overridden); OpenZeppelin's Pausable supplies the modifiers and events.
    uint64 private _orderCount;
    bool private _tradingPaused;
    uint40 private _pausedAt; // when the current pause began
    uint40 private _pausedTotal; // seconds paused before it
    mapping(uint16 venueId => Venue) private _venues;
    mapping(address token => bool) private _tokenAllowed;
    mapping(uint256 listingId => StoredListing) private _listings;
    mapping(uint256 orderId => Order) private _orders;
    mapping(address account => mapping(address token => uint256)) private _credits;
    mapping(address token => uint256) private _liabilities;

    constructor(address admin, IDataAssetRegistry registry_, IRightsCertificate rights_, address trustedForwarder_)
        Relayable(trustedForwarder_)
    {
        if (admin == address(0) || address(registry_) == address(0) || address(rights_) == address(0)) {
            revert InvalidRecipient(address(0));
        }
        registry = registry_;
        rights = rights_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    // ---------------------------------------------------------------- administration

    /// @inheritdoc IDataExchange
    function setVenue(uint16 venueId, address treasury, uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        registry.registrar(venueId); // reverts for an unknown registrar
        if (treasury == address(0)) revert InvalidRecipient(treasury);
        if (feeBps > MAX_FEE_BPS) revert FeeTooHigh(feeBps, MAX_FEE_BPS);
        _venues[venueId] = Venue(treasury, feeBps);
        emit VenueSet(venueId, treasury, feeBps, _msgSender());
    }

    /// @inheritdoc IDataExchange
    function setTokenAllowed(address token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0)) revert TokenNotAllowed(token);
        _tokenAllowed[token] = allowed;
        emit TokenAllowed(token, allowed, _msgSender());
    }

    /// @notice Stop trading (emergency); refunds of undelivered orders and withdrawals still work. Order deadlines
    /// stop running until the unpause.
    function pause() external onlyRole(PAUSER_ROLE) whenNotPaused {
        _pausedAt = uint40(block.timestamp);
        _tradingPaused = true;
        emit Paused(_msgSender());
    }

    /// @notice Resume after a pause; the pauser role only. Every running deadline moves by the time paused.
    function unpause() external onlyRole(PAUSER_ROLE) whenPaused {
        uint40 pausedFor = uint40(block.timestamp) - _pausedAt;
        uint40 total = _pausedTotal + pausedFor;
        _pausedTotal = total;
        _tradingPaused = false;
        emit Unpaused(_msgSender());
        emit TradingClockResumed(_pausedAt, uint64(block.timestamp), pausedFor, total);
    }

    /// @notice Whether trading is paused.
    function paused() public view override returns (bool) {
        return _tradingPaused;
    }

    /// @inheritdoc IDataExchange
    function sweep(address token, address to) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert InvalidRecipient(to);
        uint256 balance = IERC20(token).balanceOf(address(this));
        uint256 owed = _liabilities[token];
        if (balance <= owed) revert NothingToSweep(token);
        amount = balance - owed;
        _send(token, to, amount);
        emit Swept(token, to, amount, _msgSender(), uint64(block.timestamp));
    }

    // ---------------------------------------------------------------- listings

    /// @inheritdoc IDataExchange
    function list(ListingTerms calldata t) external whenNotPaused returns (uint256 listingId) {
        address seller = _msgSender();
        if (!_tokenAllowed[t.token]) revert TokenNotAllowed(t.token);
        if (_venues[t.venueId].treasury == address(0)) revert UnknownVenue(t.venueId);
        _checkPrice(t.price);
        _checkWindow(t.deliveryWindow);
        _checkWindow(t.acceptanceWindow);
        if (t.merchantBps > MAX_COMMISSION_BPS || (t.merchantBps != 0 && t.merchant == address(0))) {
            revert InvalidMerchant(t.merchant, t.merchantBps);
        }
        if (t.offer == Offer.HoldingTransfer) {
            if (t.maxQuantity != 1) revert InvalidQuantity(t.maxQuantity);
        } else {
            if (t.licenceTerm == 0) revert InvalidLicenceTerm(t.licenceTerm);
            if (t.scopeHash == bytes32(0)) revert ZeroHash();
        }
        if (t.licenceTerm > MAX_LICENCE_TERM) revert InvalidLicenceTerm(t.licenceTerm);
        // Ids wider than the registry's and certificate contract's own (uint64) cannot name an active asset or a
        // valid certificate; refuse them before packing rather than truncate.
        if (t.assetId > type(uint64).max) revert AssetNotActive(t.assetId);
        if (t.sellerCertId > type(uint64).max) revert SellerCertUnsuitable(t.sellerCertId);
        _checkSeller(t.assetId, t.sellerCertId, t.offer, _coverNeeded(t.offer, t.licenceTerm, t.deliveryWindow, t.acceptanceWindow), t.scopeMask, seller);

        listingId = ++_listingCount;
        _listings[listingId] = StoredListing({
            seller: seller,
            assetId: uint64(t.assetId),
            scopeMask: t.scopeMask,
            token: t.token,
            venueId: t.venueId,
            offer: t.offer,
            active: true,
            licenceSublicensable: t.licenceSublicensable,
            licenceTransferable: t.licenceTransferable,
            deliveryWindow: t.deliveryWindow,
            price: uint128(t.price),
            maxQuantity: t.maxQuantity,
            sold: 0,
            licenceTerm: uint32(t.licenceTerm),
            acceptanceWindow: t.acceptanceWindow,
            merchant: t.merchant,
            merchantBps: t.merchantBps,
            sellerCertId: uint64(t.sellerCertId),
            scopeHash: t.scopeHash
        });
        emit Listed(listingId, t.assetId, seller, t, uint64(block.timestamp));
    }

    /// @inheritdoc IDataExchange
    function updateListing(uint256 listingId, uint256 price, uint32 maxQuantity, bool active) external whenNotPaused {
        StoredListing storage l = _listing(listingId);
        _onlySeller(l.seller, listingId);
        _checkPrice(price);
        if (l.offer == Offer.HoldingTransfer && maxQuantity != 1) revert InvalidQuantity(maxQuantity);
        l.price = uint128(price);
        l.maxQuantity = maxQuantity;
        l.active = active;
        emit ListingUpdated(listingId, price, maxQuantity, active, uint64(block.timestamp));
    }

    // ---------------------------------------------------------------- orders

    /// @inheritdoc IDataExchange
    function order(uint256 listingId, uint256 expectedPrice) external whenNotPaused nonReentrant returns (uint256) {
        return _order(listingId, expectedPrice);
    }

    /// @inheritdoc IDataExchange
    function orderWithPermit(uint256 listingId, uint256 expectedPrice, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        whenNotPaused
        nonReentrant
        returns (uint256)
    {
        // A permit can be front-run (used by someone else first); the allowance it set still works, so a failed
        // permit call is not an error by itself: the transfer below fails if there is no allowance.
        try IERC20Permit(_listing(listingId).token).permit(_msgSender(), address(this), expectedPrice, deadline, v, r, s) {}
            catch {}
        return _order(listingId, expectedPrice);
    }

    /// @inheritdoc IDataExchange
    function deliver(uint256 orderId, bytes32 deliveryHash) external whenNotPaused {
        Order storage o = _order(orderId);
        StoredListing storage l = _listings[o.listingId];
        _onlySeller(l.seller, o.listingId);
        if (o.status != OrderStatus.Paid) revert WrongOrderStatus(orderId, o.status);
        uint64 deadline = _deliveryDeadline(o);
        if (block.timestamp > deadline) revert DeliveryDeadlinePassed(orderId, deadline);
        if (deliveryHash == bytes32(0)) revert ZeroHash();
        o.status = OrderStatus.Delivered;
        o.deliveredAt = uint40(block.timestamp);
        o.pauseMark = _pausedTotal; // the acceptance clock starts now (not paused: delivery is refused while paused)
        emit Delivered(
            orderId, _msgSender(), deliveryHash, uint64(block.timestamp) + l.acceptanceWindow, uint64(block.timestamp)
        );
    }

    /// @inheritdoc IDataExchange
    function accept(uint256 orderId) external whenNotPaused nonReentrant {
        Order storage o = _order(orderId);
        _onlyBuyer(o.buyer, orderId);
        if (o.status != OrderStatus.Delivered) revert WrongOrderStatus(orderId, o.status);
        _settle(orderId, o, o.price, false);
    }

    /// @inheritdoc IDataExchange
    function settle(uint256 orderId) external whenNotPaused nonReentrant {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Delivered) revert WrongOrderStatus(orderId, o.status);
        uint64 endsAt = _acceptanceEndsAt(o);
        if (block.timestamp <= endsAt) revert AcceptanceWindowOpen(orderId, endsAt);
        _settle(orderId, o, o.price, false);
    }

    /// @inheritdoc IDataExchange
    function dispute(uint256 orderId, bytes32 evidenceHash) external whenNotPaused {
        Order storage o = _order(orderId);
        _onlyBuyer(o.buyer, orderId);
        if (o.status != OrderStatus.Delivered) revert WrongOrderStatus(orderId, o.status);
        uint64 endsAt = _acceptanceEndsAt(o);
        if (block.timestamp > endsAt) revert AcceptanceWindowClosed(orderId, endsAt);
        if (evidenceHash == bytes32(0)) revert ZeroHash();
        o.status = OrderStatus.Disputed;
        o.disputedAt = uint40(block.timestamp);
        o.pauseMark = _pausedSoFar(); // the dispute timeout starts now
        emit Disputed(orderId, _msgSender(), evidenceHash, uint64(block.timestamp));
    }

    /// @inheritdoc IDataExchange
    function resolveDispute(uint256 orderId, uint256 refund, bytes32 resolutionHash)
        external
        whenNotPaused
        nonReentrant
        onlyRole(ARBITER_ROLE)
    {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Disputed) revert WrongOrderStatus(orderId, o.status);
        uint256 price = o.price;
        if (refund > price) revert RefundExceedsPrice(refund, price);
        if (resolutionHash == bytes32(0)) revert ZeroHash();
        emit DisputeResolved(orderId, _msgSender(), refund, price - refund, resolutionHash, uint64(block.timestamp));
        if (refund == price) {
            _refund(orderId, o, refund, RefundReason.Arbitration);
            return;
        }
        if (refund != 0) {
            address token = _listings[o.listingId].token;
            _credit(o.buyer, token, refund);
            emit Refunded(orderId, o.buyer, token, refund, RefundReason.Arbitration, uint64(block.timestamp));
        }
        _settle(orderId, o, price - refund, true);
    }

    /// @inheritdoc IDataExchange
    function refundUnresolvedDispute(uint256 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Disputed) revert WrongOrderStatus(orderId, o.status);
        uint64 endsAt = o.disputedAt + DISPUTE_TIMEOUT + (_pausedSoFar() - o.pauseMark);
        if (block.timestamp <= endsAt) revert DisputeTimeoutNotPassed(orderId, endsAt);
        _refund(orderId, o, o.price, RefundReason.DisputeTimeout);
    }

    /// @inheritdoc IDataExchange
    function refundStranded(uint256 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        _onlyBuyer(o.buyer, orderId);
        if (o.status != OrderStatus.Delivered) revert WrongOrderStatus(orderId, o.status);
        // Settlement needs the exchange's role in the registry (it moves the holding, or records the paid licence)
        // and, for a licence, in the rights contract that issues it; and both unpaused.
        bool lostRole = !IAccessControl(address(registry)).hasRole(EXCHANGE_ROLE, address(this))
            || ((_listings[o.listingId].offer != Offer.HoldingTransfer || _listings[o.listingId].sellerCertId != 0)
                && !IAccessControl(address(rights)).hasRole(EXCHANGE_ROLE, address(this)));
        bool longPaused = (Pausable(address(registry)).paused() || Pausable(address(rights)).paused())
            && block.timestamp > _acceptanceEndsAt(o) + STRANDED_GRACE;
        if (!lostRole && !longPaused) revert NotStranded(orderId);
        _refund(orderId, o, o.price, RefundReason.Stranded);
    }

    /// @inheritdoc IDataExchange
    function remedyLicence(uint256 orderId, uint256 certId, uint256 refund, bytes32 resolutionHash)
        external
        whenNotPaused
        nonReentrant
        onlyRole(ARBITER_ROLE)
    {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Settled) revert WrongOrderStatus(orderId, o.status);
        StoredListing storage l = _listings[o.listingId];
        if (l.offer == Offer.HoldingTransfer) revert NotALicenceOf(orderId, certId);
        if (refund > o.price) revert RefundExceedsPrice(refund, o.price);
        if (resolutionHash == bytes32(0)) revert ZeroHash();
        // The order's own licence: issued by the exchange from this listing's right, of its kind, held by the buyer
        // (a buyer's several licences from one listing are alike; another buyer's never qualifies).
        uint8 licence = rights.exchangeLicenceCheck(
            certId, l.assetId, l.sellerCertId, IRightsCertificate.RightKind(uint8(l.offer)), o.buyer
        );
        if (licence == 0) revert NotALicenceOf(orderId, certId);
        o.status = OrderStatus.Remedied; // one remedy per order

        // Only what the seller has not withdrawn can be moved back; the event records any shortfall.
        uint256 paid = _moveCredit(l.seller, o.buyer, l.token, refund);
        emit LicenceRemedied(
            orderId, certId, _msgSender(), o.buyer, l.seller, l.token, refund, paid, resolutionHash, uint64(block.timestamp)
        );
        // The trusted rights contract, behind nonReentrant; state above is already final.
        if (licence == 1) rights.revokeByExchange(certId, "arbiter ruling");
    }

    function _moveCredit(address from, address to, address token, uint256 amount) private returns (uint256 moved) {
        uint256 available = _credits[from][token];
        moved = amount < available ? amount : available;
        if (moved != 0) {
            _credits[from][token] = available - moved;
            _credits[to][token] += moved;
        }
    }

    /// @inheritdoc IDataExchange
    function refundUndelivered(uint256 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        _onlyBuyer(o.buyer, orderId);
        if (o.status != OrderStatus.Paid) revert WrongOrderStatus(orderId, o.status);
        uint64 deadline = _deliveryDeadline(o);
        if (block.timestamp <= deadline) revert DeliveryDeadlineNotPassed(orderId, deadline);
        _refund(orderId, o, o.price, RefundReason.NotDelivered);
    }

    /// @inheritdoc IDataExchange
    function withdraw(address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert InvalidRecipient(to);
        address sender = _msgSender();
        amount = _credits[sender][token];
        if (amount == 0) revert NothingToWithdraw();
        _credits[sender][token] = 0;
        _liabilities[token] -= amount;
        _send(token, to, amount);
        emit Withdrawn(sender, token, to, amount, uint64(block.timestamp));
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDataExchange
    function listingOf(uint256 listingId) external view returns (Listing memory) {
        StoredListing storage l = _listing(listingId);
        return Listing({
            terms: ListingTerms({
                assetId: l.assetId,
                sellerCertId: l.sellerCertId,
                venueId: l.venueId,
                offer: l.offer,
                token: l.token,
                price: l.price,
                maxQuantity: l.maxQuantity,
                licenceTerm: l.licenceTerm,
                scopeHash: l.scopeHash,
                scopeMask: l.scopeMask,
                licenceSublicensable: l.licenceSublicensable,
                licenceTransferable: l.licenceTransferable,
                merchant: l.merchant,
                merchantBps: l.merchantBps,
                deliveryWindow: l.deliveryWindow,
                acceptanceWindow: l.acceptanceWindow
            }),
            seller: l.seller,
            active: l.active,
            sold: l.sold
        });
    }

    /// @inheritdoc IDataExchange
    function orderOf(uint256 orderId) external view returns (Order memory) {
        return _order(orderId);
    }

    /// @inheritdoc IDataExchange
    function creditOf(address account, address token) external view returns (uint256) {
        return _credits[account][token];
    }

    /// @inheritdoc IDataExchange
    function liabilitiesOf(address token) external view returns (uint256) {
        return _liabilities[token];
    }

    /// @notice A venue's treasury and fee (zero treasury: not configured).
    function venueOf(uint16 venueId) external view returns (Venue memory) {
        return _venues[venueId];
    }

    /// @notice Whether `token` may be used in new listings and orders.
    function isTokenAllowed(address token) external view returns (bool) {
        return _tokenAllowed[token];
    }

    /// @notice Number of listings ever made (ids run from 1).
    function listingCount() external view returns (uint256) {
        return _listingCount;
    }

    /// @notice Number of orders ever placed (ids run from 1).
    function orderCount() external view returns (uint256) {
        return _orderCount;
    }

    // ---------------------------------------------------------------- internals

    function _order(uint256 listingId, uint256 expectedPrice) private returns (uint256 orderId) {
        StoredListing storage l = _listing(listingId);
        if (!l.active) revert ListingInactive(listingId);
        if (l.price != expectedPrice) revert PriceChanged(expectedPrice, l.price);
        if (l.maxQuantity != 0 && l.sold >= l.maxQuantity) revert SoldOut(listingId);
        address buyer = _msgSender();
        if (buyer == l.seller) revert SelfPurchase();
        address token = l.token;
        if (!_tokenAllowed[token]) revert TokenNotAllowed(token);
        _checkSeller(l.assetId, l.sellerCertId, l.offer, _coverNeeded(l.offer, l.licenceTerm, l.deliveryWindow, l.acceptanceWindow), l.scopeMask, l.seller);

        l.sold += 1;
        orderId = ++_orderCount; // 2^64 orders: unreachable
        uint16 feeBps = _venues[l.venueId].feeBps;
        _orders[orderId] = Order({
            listingId: uint64(listingId),
            buyer: buyer,
            status: OrderStatus.Paid,
            feeBps: feeBps,
            price: uint128(expectedPrice),
            orderedAt: uint40(block.timestamp),
            deliveredAt: 0,
            pauseMark: _pausedTotal, // not paused: orders are taken only while trading
            disputedAt: 0
        });
        _liabilities[token] += expectedPrice;

        // Checked as received: a token that takes a fee on transfer (or lies about transfers) is refused.
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(buyer, address(this), expectedPrice);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != expectedPrice) revert AmountNotReceived(expectedPrice, received);

        emit Ordered(
            orderId,
            listingId,
            buyer,
            l.assetId,
            l.seller,
            token,
            expectedPrice,
            feeBps,
            uint64(block.timestamp) + l.deliveryWindow,
            uint64(block.timestamp)
        );
    }

    /// @dev Issues what was sold, then splits `amount`. If the seller can no longer grant it in full (asset
    /// cancelled or expired, right revoked or ending before the licence term, holding moved), the buyer is refunded
    /// instead: escrow never gets stuck. An arbiter's ruling (`ruled`) stands either way: the licence is clamped to
    /// what the seller can still grant, or none is issued, and the money goes as ruled.
    function _settle(uint256 orderId, Order storage o, uint256 amount, bool ruled) private {
        StoredListing storage l = _listings[o.listingId];
        o.status = OrderStatus.Settled;

        // Trusted contracts fixed at construction; they mint without receiver callbacks, and this function is
        // behind nonReentrant, so calling them before the credits are written cannot be exploited. If either is
        // paused the call reverts and the order stays Delivered/Disputed until it can settle (see refundStranded).
        (bool ok, uint256 certId) = _issue(orderId, o.buyer, l, ruled);
        if (!ok && !ruled) {
            _refund(orderId, o, amount, RefundReason.RightsLapsed);
            return;
        }

        Settlement memory s;
        s.orderId = orderId;
        s.listingId = o.listingId;
        s.assetId = l.assetId;
        s.offer = l.offer;
        s.buyer = o.buyer;
        s.seller = l.seller;
        s.token = l.token;
        s.gross = amount;
        s.venueId = l.venueId;
        s.venueTreasury = _venues[l.venueId].treasury;
        s.exchangeFee = (amount * o.feeBps) / BPS;
        s.merchant = l.merchant;
        s.merchantCommission = (amount * l.merchantBps) / BPS;
        s.certId = certId;
        s.settledAt = uint64(block.timestamp);

        // Royalties are shares of what is left after the exchange fee and the commission.
        uint256 net = amount - s.exchangeFee - s.merchantCommission;
        // A share whose holder's revenue is pledged (bit i of `pledged`; bit 255: the seller's own, as holder) goes
        // through the pledge registry, which names the pledgees to credit in rank order and the holder's rest.
        (IDataAssetRegistry.RoyaltyEntry[] memory table, address[] memory payees, uint256 pledged) =
            registry.royaltyPayeesOf(s.assetId);
        s.royalties = new RoyaltyPayment[](table.length);
        uint256 paid;
        for (uint256 i = 0; i < table.length; i++) {
            uint256 share = (net * table[i].share) / ROYALTY_DENOMINATOR;
            address payee = payees[i];
            s.royalties[i] = RoyaltyPayment(table[i].assetId, payee, share);
            paid += share;
            if (pledged & (1 << i) == 0) _credit(payee, s.token, share);
            else _route(payee, table[i].assetId, s.token, share, orderId, address(0), false);
        }
        s.sellerNet = net - paid; // rounding remainders go to the seller: the parts sum exactly to `amount`
        _credit(s.venueTreasury, s.token, s.exchangeFee);
        _credit(s.merchant, s.token, s.merchantCommission);
        // The seller's net goes through the pledge registry when the holder's revenue or holding is pledged, and for
        // every certificate sold (keyed CERT_KEY | certId there), which pays the certificate's pledges first.
        if (l.sellerCertId == 0 ? pledged >> 255 == 0 : l.offer != Offer.HoldingTransfer) {
            _credit(s.seller, s.token, s.sellerNet);
        } else {
            uint256 key = l.sellerCertId == 0 ? s.assetId : CERT_KEY | l.sellerCertId;
            _route(registry.pledgeRegistry(), key, s.token, s.sellerNet, orderId, s.seller, true);
        }
        emit Settled(orderId, s.buyer, s.seller, s);
    }

    /// @dev Issues the buyer's certificate, or moves the holding right. Returns false, touching nothing, when the
    /// seller can no longer grant what it sold: the licence's whole term, or (`clamp`, an arbiter's ruling) any
    /// part of it. The decision is a view check, not a try/catch: a caller must not be able to force the refund path
    /// by starving the inner call of gas.
    function _issue(uint256 orderId, address buyer, StoredListing storage t, bool clamp)
        private
        returns (bool ok, uint256 certId)
    {
        address seller = t.seller;
        uint64 now_ = uint64(block.timestamp);
        if (t.offer == Offer.HoldingTransfer) {
            if (!_canIssue(t, seller, now_)) return (false, 0);
            if (t.sellerCertId != 0) {
                rights.transferByExchange(t.sellerCertId, seller, buyer);
                return (true, t.sellerCertId);
            }
            registry.transferByExchange(t.assetId, seller, buyer, orderId);
            return (true, t.assetId);
        }
        uint64 validUntil = now_ + t.licenceTerm;
        if (!_canIssue(t, seller, validUntil)) {
            if (!clamp || !_canIssue(t, seller, now_)) return (false, 0);
            // A ruled licence ends where the seller's right or the registration ends.
            validUntil = registry.validUntilOf(t.assetId);
            if (t.sellerCertId != 0) {
                uint64 parentUntil = rights.validUntilOf(t.sellerCertId);
                if (parentUntil < validUntil) validUntil = parentUntil;
            }
            if (validUntil <= now_) return (false, 0); // it ends this very second
        }
        IRightsCertificate.GrantTerms memory g = IRightsCertificate.GrantTerms({
            assetId: t.assetId,
            parentId: t.sellerCertId,
            kind: t.offer == Offer.ProcessingUse
                ? IRightsCertificate.RightKind.ProcessingUse
                : IRightsCertificate.RightKind.ProductOperation,
            scopeHash: t.scopeHash,
            scopeMask: t.scopeMask,
            validFrom: 0,
            validUntil: validUntil,
            sublicensable: t.licenceSublicensable,
            transferable: t.licenceTransferable
        });
        // The holder may not cancel the registration while this licence is in term.
        registry.recordPaidLicence(t.assetId, validUntil);
        return (true, rights.grantFor(seller, g, buyer));
    }

    /// @dev Whether the seller can grant now a right lasting until `until`: the registration is active through
    /// it, and the seller still holds the asset, or holds a certificate valid through it (a certificate's start
    /// was checked at listing, and its ancestors start no later).
    function _canIssue(StoredListing storage t, address seller, uint64 until) private view returns (bool) {
        if (t.sellerCertId == 0) return registry.sellerOf(t.assetId, t.offer != Offer.HoldingTransfer, until) == seller;
        // The certificate valid through `until` implies the registration active through it (isValid asks).
        return rights.sellerCheck(t.sellerCertId, t.assetId, t.scopeMask, until, seller, t.offer != Offer.HoldingTransfer, false) == 0;
    }

    function _refund(uint256 orderId, Order storage o, uint256 amount, RefundReason reason) private {
        o.status = OrderStatus.Refunded;
        StoredListing storage l = _listings[o.listingId];
        l.sold -= 1; // the unit is available again
        _credit(o.buyer, l.token, amount);
        emit Refunded(orderId, o.buyer, l.token, amount, reason, uint64(block.timestamp));
    }

    /// @dev Credits a pledged holder's revenue as the pledge registry splits it; the parts must sum to `amount`.
    function _route(
        address router,
        uint256 assetId,
        address token,
        uint256 amount,
        uint256 orderId,
        address holder,
        bool asSeller
    ) private {
        (address[] memory to, uint256[] memory amounts) =
            IPledgeRouter(router).route(assetId, token, amount, orderId, holder, asSeller);
        uint256 total;
        for (uint256 i = 0; i < to.length; i++) {
            _credit(to[i], token, amounts[i]);
            total += amounts[i];
        }
        if (total != amount) revert TransferNotExact(token, amount);
    }

    function _credit(address account, address token, uint256 amount) private {
        if (amount != 0) _credits[account][token] += amount;
    }

    /// @dev Sends `amount` and checks that the exchange's balance fell by exactly that: a token that charges the
    /// sender a fee would otherwise pay creditors out of other creditors' money.
    function _send(address token, address to, uint256 amount) private {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransfer(to, amount);
        uint256 after_ = IERC20(token).balanceOf(address(this));
        if (after_ > before || before - after_ != amount) revert TransferNotExact(token, amount);
    }

    /// @dev Seconds the exchange has been paused since deployment, the running pause included.
    function _pausedSoFar() private view returns (uint40) {
        return paused() ? _pausedTotal + (uint40(block.timestamp) - _pausedAt) : _pausedTotal;
    }

    /// @dev How far from now the seller's right must reach when listing and ordering: a licence settled at the
    /// latest undisputed moment (delivery and acceptance windows used in full) must still run its whole term.
    function _coverNeeded(Offer offer, uint64 licenceTerm, uint32 deliveryWindow, uint32 acceptanceWindow)
        private
        pure
        returns (uint64)
    {
        return offer == Offer.HoldingTransfer ? 0 : uint64(deliveryWindow) + acceptanceWindow + licenceTerm;
    }

    /// @dev The seller must be able to grant what it lists: the asset's holder, or the holder of a valid,
    /// sublicensable product-operation right over the asset that covers the scope; the registration (and the
    /// seller's right) must last `cover` seconds from now, so a licence settled within the windows runs in full.
    function _checkSeller(uint256 assetId, uint256 certId, Offer offer, uint64 cover, uint32 scopeMask, address seller)
        private
        view
    {
        uint64 until = uint64(block.timestamp) + cover;
        // Active until `until` implies active now (approved before now, not ended since); one call on success.
        if (!registry.isActive(assetId, until)) {
            if (!registry.isActive(assetId, uint64(block.timestamp))) revert AssetNotActive(assetId);
            revert RegistrationEndsBeforeTerm(assetId, until);
        }
        if (certId == 0) {
            // The holder, unless live pledges restrict it (the registry reverts with Encumbered); the pledge
            // registry in an enforcement sale.
            if (!registry.checkSeller(assetId, seller, offer != Offer.HoldingTransfer)) revert NotAuthorisedSeller(assetId, seller);
            return;
        }
        rights.sellerCheck(certId, assetId, scopeMask, until, seller, offer != Offer.HoldingTransfer, true); // reverts if not
    }

    function _listing(uint256 listingId) private view returns (StoredListing storage l) {
        l = _listings[listingId];
        if (l.seller == address(0)) revert UnknownListing(listingId);
    }

    function _order(uint256 orderId) private view returns (Order storage o) {
        o = _orders[orderId];
        if (o.buyer == address(0)) revert UnknownOrder(orderId);
    }

    function _deliveryDeadline(Order storage o) private view returns (uint64) {
        return o.orderedAt + _listings[o.listingId].deliveryWindow + (_pausedSoFar() - o.pauseMark);
    }

    function _acceptanceEndsAt(Order storage o) private view returns (uint64) {
        return o.deliveredAt + _listings[o.listingId].acceptanceWindow + (_pausedSoFar() - o.pauseMark);
    }

    function _checkPrice(uint256 price) private pure {
        if (price == 0) revert ZeroPrice();
        if (price > type(uint128).max) revert PriceTooLarge(price);
    }

    function _checkWindow(uint32 window) private pure {
        if (window < MIN_WINDOW || window > MAX_WINDOW) revert InvalidWindow(window);
    }

    function _onlyBuyer(address buyer, uint256 orderId) private view {
        if (buyer != _msgSender()) revert NotBuyer(orderId, _msgSender());
    }

    function _onlySeller(address seller, uint256 listingId) private view {
        if (seller != _msgSender()) revert NotSeller(listingId, _msgSender());
    }
}
