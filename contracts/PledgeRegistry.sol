// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Relayable} from "./metatx/Relayable.sol";
import {
    IDataAssetRegistry,
    ENC_TRANSFER,
    ENC_CANCEL,
    ENC_LICENSING,
    ENC_REVENUE,
    ENC_ENFORCING,
    ENC_PROCEEDS
} from "./interfaces/IDataAssetRegistry.sol";
import {IDataExchange} from "./interfaces/IDataExchange.sol";
import {IRightsCertificate} from "./interfaces/IRightsCertificate.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IPledgeRegistry, SCOPE_ENFORCEMENT_COSTS, CERT_KEY} from "./interfaces/IPledgeRegistry.sol";

/// @title PledgeRegistry
/// @notice Pledges of data assets (DOMAIN.md section 4, "Financing: pledges"). A contract of its own beside the
/// registry, which consults it through the encumbrance flags this contract keeps on each asset (ENC_*): the registry
/// refuses restricted transfers, cancellations and licences, and pays pledged revenue through `route`, which the
/// exchange calls at settlement. A pledged rights certificate carries its own flags in the rights contract, which
/// refuses its restricted transfers and sublicences. This contract holds no money: it only tells the exchange whom
/// to credit.
/// @dev Pledges rank, restrict and are enforced per key: the asset's id for its holding and revenue, CERT_KEY | id
/// for a certificate.
contract PledgeRegistry is IPledgeRegistry, Relayable {
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Rules defaults, orders enforcement sales and resolves objections.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice Live pledges per asset: bounds the rank-order work of every settlement of a pledged asset.
    uint256 public constant MAX_LIVE_PLEDGES = 16;
    uint256 public constant MAX_NUMBER_LENGTH = 64;

    IDataAssetRegistry public immutable registry;
    IDataExchange public immutable exchange;
    IRightsCertificate public immutable rights;

    uint256 private _pledgeCount;
    mapping(uint256 pledgeId => Pledge) private _pledges;
    /// @dev Live and defaulted pledges per key, unordered (ranked when read).
    mapping(uint256 key => uint256[]) private _live;
    /// @dev The pledge whose enforcement sale is listed, per key (0: none), and the holder it sells for.
    mapping(uint256 key => uint256 pledgeId) private _enforcing;
    mapping(uint256 key => address holder) private _enforcedHolder;
    mapping(uint256 key => uint8) private _encumbrance;
    mapping(address account => bool) private _publicInstitution;

    constructor(address admin, IDataAssetRegistry registry_, IDataExchange exchange_, address trustedForwarder_)
        Relayable(trustedForwarder_)
    {
        if (admin == address(0) || address(registry_) == address(0) || address(exchange_) == address(0)) {
            revert InvalidPledgeTerms("address");
        }
        registry = registry_;
        exchange = exchange_;
        rights = exchange_.rights();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    // ---------------------------------------------------------------- filing and acceptance

    /// @inheritdoc IPledgeRegistry
    function file(PledgeTerms calldata t) external whenNotPaused returns (uint256 pledgeId) {
        address pledgor = _msgSender();
        if ((t.collateral == Collateral.Certificate) != (t.certId != 0)) revert InvalidPledgeTerms("certId");
        _checkPledgor(t.collateral, t.assetId, t.certId, pledgor);
        if (t.pledgee == address(0) || t.pledgee == pledgor) revert InvalidPledgeTerms("pledgee");
        if (t.debtor == address(0)) revert InvalidPledgeTerms("debtor");
        if (t.token == address(0)) revert InvalidPledgeTerms("token");
        if (t.securedAmount == 0 || t.securedAmount > type(uint128).max) revert InvalidPledgeTerms("securedAmount");
        if (t.scope == 0 || t.scope >= 32) revert InvalidPledgeTerms("scope");
        if (t.termEnd <= block.timestamp) revert InvalidPledgeTerms("termEnd");
        if (t.mainContractHash == bytes32(0)) revert InvalidPledgeTerms("mainContractHash");
        if (t.externalRegistry == bytes32(0)) revert InvalidPledgeTerms("externalRegistry");
        uint256 n = bytes(t.externalNumber).length;
        if (n == 0 || n > MAX_NUMBER_LENGTH) revert InvalidPledgeTerms("externalNumber");
        if (t.externalRegisteredAt == 0 || t.externalRegisteredAt > block.timestamp) {
            revert InvalidPledgeTerms("externalRegisteredAt");
        }

        pledgeId = ++_pledgeCount;
        Pledge storage p = _pledges[pledgeId];
        p.terms = t;
        p.pledgor = pledgor;
        p.registrarId = registry.assetOf(t.assetId).registrarId;
        p.status = PledgeStatus.Filed;
        p.filedAt = uint64(block.timestamp);
        emit PledgeFiled(pledgeId, t.assetId, pledgor, p.registrarId, t, uint64(block.timestamp));
    }

    /// @inheritdoc IPledgeRegistry
    function withdraw(uint256 pledgeId) external whenNotPaused {
        Pledge storage p = _pledge(pledgeId);
        if (p.pledgor != _msgSender()) revert NotPledgor(pledgeId, _msgSender());
        _expect(pledgeId, p, PledgeStatus.Filed);
        _end(p, PledgeStatus.Withdrawn);
        emit PledgeWithdrawn(pledgeId, p.terms.assetId, _msgSender(), uint64(block.timestamp));
    }

    /// @inheritdoc IPledgeRegistry
    function accept(uint256 pledgeId) external whenNotPaused {
        Pledge storage p = _onlyPledgee(pledgeId);
        _expect(pledgeId, p, PledgeStatus.Filed);
        _checkPledgor(p.terms.collateral, p.terms.assetId, p.terms.certId, p.pledgor); // still holds, may pledge
        uint256 key = _key(p.terms);
        if (_live[key].length >= MAX_LIVE_PLEDGES) revert TooManyPledges(key, MAX_LIVE_PLEDGES);
        p.status = PledgeStatus.Live;
        p.acceptedAt = uint64(block.timestamp);
        _live[key].push(pledgeId);
        emit PledgeAccepted(pledgeId, p.terms.assetId, _msgSender(), uint64(block.timestamp));
        _sync(key, p.terms.assetId);
    }

    // ---------------------------------------------------------------- the pledgee's changes

    /// @inheritdoc IPledgeRegistry
    /// @dev The amount only lower (a senior's higher amount would take from the juniors ranked after it), the term
    /// only later (an earlier one would put the debtor in default sooner than agreed).
    function change(uint256 pledgeId, uint256 securedAmount, uint64 termEnd, bool licensingAllowed)
        external
        whenNotPaused
    {
        Pledge storage p = _onlyPledgee(pledgeId);
        _expectLive(pledgeId, p);
        if (securedAmount > p.terms.securedAmount) revert AmountIncrease(p.terms.securedAmount, securedAmount);
        if (securedAmount == 0) revert InvalidPledgeTerms("securedAmount");
        if (termEnd < p.terms.termEnd) revert InvalidPledgeTerms("termEnd");
        p.terms.securedAmount = securedAmount;
        p.terms.termEnd = termEnd;
        p.terms.licensingAllowed = licensingAllowed;
        emit PledgeChanged(
            pledgeId, p.terms.assetId, securedAmount, termEnd, licensingAllowed, _msgSender(), uint64(block.timestamp)
        );
        _sync(_key(p.terms), p.terms.assetId);
    }

    /// @inheritdoc IPledgeRegistry
    function release(uint256 pledgeId) external whenNotPaused {
        Pledge storage p = _onlyPledgee(pledgeId);
        _expectLive(pledgeId, p);
        uint256 key = _key(p.terms);
        if (_enforcing[key] == pledgeId) _stopEnforcement(key);
        _unlink(key, pledgeId);
        _end(p, PledgeStatus.Released);
        emit PledgeReleased(pledgeId, p.terms.assetId, _msgSender(), uint64(block.timestamp));
        _sync(key, p.terms.assetId);
    }

    /// @inheritdoc IPledgeRegistry
    function consent(uint256 pledgeId, Consent what) external whenNotPaused {
        Pledge storage p = _onlyPledgee(pledgeId);
        _expectLive(pledgeId, p);
        p.consents |= uint8(1 << uint8(what));
        emit PledgeConsented(pledgeId, p.terms.assetId, what, _msgSender(), uint64(block.timestamp));
        _sync(_key(p.terms), p.terms.assetId);
    }

    // ---------------------------------------------------------------- objections

    /// @inheritdoc IPledgeRegistry
    /// @dev Interested parties (another creditor, a buyer) cannot be told apart on chain: anyone but the pledgee may
    /// object, with evidence, and an arbiter decides. As 异议登记, an objection is a notice: it blocks nothing until
    /// upheld (else anyone could stall a pledge, or its enforcement, by objecting), one open at a time.
    function object(uint256 pledgeId, bytes32 evidenceHash) external whenNotPaused {
        Pledge storage p = _pledge(pledgeId);
        if (p.terms.pledgee == _msgSender()) revert PledgeeCannotObject(pledgeId);
        if (p.status != PledgeStatus.Filed && p.status != PledgeStatus.Live && p.status != PledgeStatus.Defaulted) {
            revert WrongPledgeStatus(pledgeId, p.status);
        }
        if (p.objected) revert ObjectionOpen(pledgeId);
        if (evidenceHash == bytes32(0)) revert InvalidPledgeTerms("evidenceHash");
        p.objected = true;
        emit PledgeObjected(pledgeId, p.terms.assetId, _msgSender(), evidenceHash, uint64(block.timestamp));
    }

    /// @inheritdoc IPledgeRegistry
    function resolveObjection(uint256 pledgeId, bool upheld, bytes32 resolutionHash)
        external
        whenNotPaused
        onlyRole(ARBITER_ROLE)
    {
        Pledge storage p = _pledge(pledgeId);
        if (!p.objected) revert NoObjection(pledgeId);
        if (resolutionHash == bytes32(0)) revert InvalidPledgeTerms("resolutionHash");
        p.objected = false;
        emit PledgeObjectionResolved(
            pledgeId, p.terms.assetId, upheld, resolutionHash, _msgSender(), uint64(block.timestamp)
        );
        if (!upheld) return;
        uint256 key = _key(p.terms);
        bool wasLive = p.status != PledgeStatus.Filed;
        if (_enforcing[key] == pledgeId) _stopEnforcement(key);
        if (wasLive) _unlink(key, pledgeId);
        _end(p, PledgeStatus.Voided);
        if (wasLive) _sync(key, p.terms.assetId);
    }

    // ---------------------------------------------------------------- default and enforcement

    /// @inheritdoc IPledgeRegistry
    function declareDefault(uint256 pledgeId) external whenNotPaused {
        Pledge storage p = _onlyPledgee(pledgeId);
        _expect(pledgeId, p, PledgeStatus.Live);
        if (block.timestamp <= p.terms.termEnd) revert NotDue(pledgeId, p.terms.termEnd);
        _default(pledgeId, p, false, bytes32(0));
    }

    /// @inheritdoc IPledgeRegistry
    function ruleDefault(uint256 pledgeId, bytes32 rulingHash) external whenNotPaused onlyRole(ARBITER_ROLE) {
        Pledge storage p = _pledge(pledgeId);
        _expect(pledgeId, p, PledgeStatus.Live);
        if (rulingHash == bytes32(0)) revert InvalidPledgeTerms("rulingHash");
        _default(pledgeId, p, true, rulingHash);
    }

    /// @inheritdoc IPledgeRegistry
    function authoriseSale(uint256 pledgeId, bytes32 rulingHash) external whenNotPaused {
        Pledge storage p = _pledge(pledgeId);
        _expect(pledgeId, p, PledgeStatus.Defaulted);
        bool byArbiter = hasRole(ARBITER_ROLE, _msgSender());
        if (!byArbiter && p.pledgor != _msgSender()) revert NotPledgorOrArbiter(pledgeId, _msgSender());
        if (byArbiter && rulingHash == bytes32(0)) revert InvalidPledgeTerms("rulingHash");
        p.saleAuthorised = true;
        emit SaleAuthorised(pledgeId, p.terms.assetId, _msgSender(), byArbiter, rulingHash, uint64(block.timestamp));
    }

    /// @inheritdoc IPledgeRegistry
    /// @dev The listing is the exchange's ordinary holding-transfer listing (of the certificate, for a certificate
    /// pledge) with this contract as seller: buyers order, dispute and accept as for any sale, and the registry (or
    /// the rights contract) moves the holding from the pledgor to the buyer at settlement. The pledged right never
    /// passes to a pledgee without a sale (流质 is void, art. 428).
    function enforce(uint256 pledgeId, EnforcementSale calldata sale) external whenNotPaused returns (uint256 listingId) {
        Pledge storage p = _onlyPledgee(pledgeId);
        _expect(pledgeId, p, PledgeStatus.Defaulted);
        if (p.terms.collateral == Collateral.Revenue) revert CollateralNotSupported(p.terms.collateral);
        if (!p.terms.selfSaleAllowed && !p.saleAuthorised) revert SaleNotAuthorised(pledgeId);
        if (!p.saleAuthorised && sale.price < p.terms.reservePrice) {
            revert BelowReservePrice(pledgeId, sale.price, p.terms.reservePrice);
        }
        // (an open objection does not stop it: see object)
        uint256 assetId = p.terms.assetId;
        uint256 key = _key(p.terms);
        if (_enforcing[key] != 0) revert EnforcementUnderway(key, _enforcing[key]);
        if (sale.costs > sale.price || (sale.costs != 0 && p.terms.scope & SCOPE_ENFORCEMENT_COSTS == 0)) {
            revert InvalidPledgeTerms("costs");
        }
        if (sale.costs != 0 && sale.costsEvidenceHash == bytes32(0)) revert InvalidPledgeTerms("costsEvidenceHash");

        address holder = _holderOf(p.terms);
        _enforcing[key] = pledgeId;
        _enforcedHolder[key] = holder;
        p.enforcementCosts = sale.costs;
        _sync(key, assetId); // ENC_ENFORCING: the registry (or rights contract) now lets this contract sell it
        listingId = exchange.list(
            IDataExchange.ListingTerms({
                assetId: assetId,
                sellerCertId: p.terms.certId,
                venueId: sale.venueId,
                offer: IDataExchange.Offer.HoldingTransfer,
                token: p.terms.token,
                price: sale.price,
                maxQuantity: 1,
                licenceTerm: 0,
                scopeHash: bytes32(0),
                scopeMask: 0,
                licenceSublicensable: false,
                licenceTransferable: false,
                merchant: address(0),
                merchantBps: 0,
                deliveryWindow: sale.deliveryWindow,
                acceptanceWindow: sale.acceptanceWindow
            })
        );
        p.listingId = listingId;
        emit EnforcementListed(
            pledgeId, assetId, listingId, holder, sale.price, sale.costs, sale.costsEvidenceHash, uint64(block.timestamp)
        );
    }

    /// @inheritdoc IPledgeRegistry
    function deliverEnforcementSale(uint256 pledgeId, uint256 orderId, bytes32 deliveryHash) external whenNotPaused {
        Pledge storage p = _onlyPledgee(pledgeId);
        if (_enforcing[_key(p.terms)] != pledgeId) revert NotEnforcing(pledgeId);
        if (exchange.orderOf(orderId).listingId != p.listingId) revert NotEnforcementOrder(pledgeId, orderId);
        exchange.deliver(orderId, deliveryHash);
    }

    /// @inheritdoc IPledgeRegistry
    /// @dev Not while an order of the sale is open (see _stopEnforcement).
    function withdrawEnforcement(uint256 pledgeId) external whenNotPaused {
        Pledge storage p = _onlyPledgee(pledgeId);
        uint256 key = _key(p.terms);
        if (_enforcing[key] != pledgeId) revert NotEnforcing(pledgeId);
        uint256 listingId = p.listingId;
        _stopEnforcement(key);
        emit EnforcementWithdrawn(pledgeId, p.terms.assetId, listingId, _msgSender(), uint64(block.timestamp));
        _sync(key, p.terms.assetId);
    }

    // ---------------------------------------------------------------- settlement

    /// @notice The exchange's split of a pledged holder's revenue (IPledgeRouter.route).
    /// @dev Only the exchange, inside a settlement (which it guards against reentrancy). Ranks are the live pledges'
    /// order by the legal registration time, then by id. A certificate key comes from any sale of a certificate: its
    /// live pledges are paid first, whether the sale enforces one of them or was agreed to.
    function route(uint256 key, address token, uint256 amount, uint256 orderId, address holder, bool asSeller)
        external
        returns (address[] memory to, uint256[] memory amounts)
    {
        if (msg.sender != address(exchange)) revert NotExchange(msg.sender);
        uint256 enforcer = asSeller ? _enforcing[key] : 0;
        uint256[] memory ranked = _ranked(key);
        if (key & CERT_KEY != 0 && enforcer == 0 && ranked.length == 0) {
            // A certificate its holder sold, unpledged: all to the holder.
            to = new address[](1);
            amounts = new uint256[](1);
            (to[0], amounts[0]) = (holder, amount);
            return (to, amounts);
        }
        uint256 assetId = key & CERT_KEY == 0 ? key : _pledges[enforcer != 0 ? enforcer : ranked[0]].terms.assetId;
        to = new address[](ranked.length + 2);
        amounts = new uint256[](ranked.length + 2);
        uint256 left = amount;
        uint256 n;
        uint256 costs;
        address costsTo;
        if (enforcer != 0) {
            // An enforcement sale: its costs first, then every live pledge in rank order, then the pledgor.
            Pledge storage e = _pledges[enforcer];
            costs = e.enforcementCosts < left ? e.enforcementCosts : left;
            costsTo = e.terms.pledgee;
            if (costs != 0) {
                (to[n], amounts[n]) = (costsTo, costs);
                n++;
                left -= costs;
            }
            holder = _enforcedHolder[key];
        } else if (holder == address(0)) {
            holder = registry.holderOf(assetId);
        }
        for (uint256 i = 0; i < ranked.length; i++) {
            Pledge storage p = _pledges[ranked[i]];
            // A sale's proceeds (the seller's net) pay every live pledge of what was sold: an enforcement sale's,
            // and an agreed transfer's or licence's (arts. 443-444); royalties as a parent pay revenue pledges only.
            if (p.terms.token != token || (!asSeller && p.terms.collateral != Collateral.Revenue)) continue;
            uint256 owed = p.terms.securedAmount - p.received;
            uint256 pay = owed < left ? owed : left;
            if (pay != 0) {
                p.received += pay;
                left -= pay;
                (to[n], amounts[n]) = (p.terms.pledgee, pay);
                n++;
                emit ProceedsApplied(ranked[i], assetId, orderId, p.terms.pledgee, pay);
            }
        }
        (to[n], amounts[n]) = (holder, left);
        n++;
        assembly ("memory-safe") {
            mstore(to, n)
            mstore(amounts, n)
        }
        emit ProceedsRouted(assetId, orderId, token, amount, asSeller, enforcer != 0, costsTo, costs, holder, left);
        if (enforcer != 0) {
            // The holding was sold: every pledge on it is discharged, paid in full or not (the shortfall stays the
            // debtor's debt, off chain).
            for (uint256 i = 0; i < ranked.length; i++) {
                _end(_pledges[ranked[i]], PledgeStatus.Enforced);
                emit PledgeEnforced(ranked[i], assetId, orderId, uint64(block.timestamp));
            }
            delete _live[key];
            delete _enforcing[key];
            delete _enforcedHolder[key];
            _sync(key, assetId);
        }
    }

    // ---------------------------------------------------------------- administration

    /// @inheritdoc IPledgeRegistry
    function setPublicInstitution(address account, bool isPublic) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _publicInstitution[account] = isPublic;
        emit PublicInstitutionSet(account, isPublic, _msgSender());
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPledgeRegistry
    function pledgeOf(uint256 pledgeId) external view returns (Pledge memory) {
        return _pledge(pledgeId);
    }

    /// @inheritdoc IPledgeRegistry
    function livePledgesOf(uint256 assetId) external view returns (uint256[] memory) {
        return _ranked(assetId);
    }

    /// @inheritdoc IPledgeRegistry
    function livePledgesOfCertificate(uint256 certId) external view returns (uint256[] memory) {
        return _ranked(CERT_KEY | certId);
    }

    /// @inheritdoc IPledgeRegistry
    function rankOf(uint256 pledgeId) external view returns (uint256) {
        Pledge storage p = _pledge(pledgeId);
        uint256[] memory ranked = _ranked(_key(p.terms));
        for (uint256 i = 0; i < ranked.length; i++) {
            if (ranked[i] == pledgeId) return i + 1;
        }
        return 0;
    }

    /// @inheritdoc IPledgeRegistry
    function outstandingOf(uint256 pledgeId) external view returns (uint256) {
        Pledge storage p = _pledge(pledgeId);
        return p.terms.securedAmount - p.received;
    }

    /// @inheritdoc IPledgeRegistry
    function pledgeCount() external view returns (uint256) {
        return _pledgeCount;
    }

    /// @inheritdoc IPledgeRegistry
    function isPublicInstitution(address account) external view returns (bool) {
        return _publicInstitution[account];
    }

    // ---------------------------------------------------------------- internals

    /// @dev The pledgor must hold what it pledges, now: the active asset, or a transferable certificate of the asset
    /// valid now (one that could not be sold could not be enforced).
    function _checkPledgor(Collateral collateral, uint256 assetId, uint256 certId, address pledgor) private view {
        if (_publicInstitution[pledgor]) revert PublicInstitution(pledgor);
        if (collateral != Collateral.Certificate) {
            if (!registry.isActive(assetId, uint64(block.timestamp)) || registry.holderOf(assetId) != pledgor) {
                revert NotHolder(assetId, pledgor);
            }
            return;
        }
        if (certId > type(uint64).max) revert CertificateNotPledgeable(certId);
        IRightsCertificate.Right memory r = rights.rightOf(certId); // reverts for an unknown certificate
        if (r.assetId != assetId || !r.transferable || !rights.isValid(certId, uint64(block.timestamp))) {
            revert CertificateNotPledgeable(certId);
        }
        if (IERC721(address(rights)).ownerOf(certId) != pledgor) revert NotCertificateHolder(certId, pledgor);
    }

    function _holderOf(PledgeTerms storage t) private view returns (address) {
        return t.collateral == Collateral.Certificate ? IERC721(address(rights)).ownerOf(t.certId) : registry.holderOf(t.assetId);
    }

    function _key(PledgeTerms storage t) private view returns (uint256) {
        return t.collateral == Collateral.Certificate ? CERT_KEY | t.certId : t.assetId;
    }

    function _default(uint256 pledgeId, Pledge storage p, bool byArbiter, bytes32 rulingHash) private {
        p.status = PledgeStatus.Defaulted;
        p.defaultedAt = uint64(block.timestamp);
        emit PledgeDefaulted(pledgeId, p.terms.assetId, _msgSender(), byArbiter, rulingHash, uint64(block.timestamp));
    }

    /// @dev Takes a listed enforcement sale off the exchange (the caller re-syncs the flags). Refused while an order
    /// of it is open (the listing's one unit is taken): its buyer's settlement, even one an arbiter rules, must find
    /// the sale still enforcing, so that the proceeds go through the waterfall and never rest with this contract.
    function _stopEnforcement(uint256 key) private {
        Pledge storage e = _pledges[_enforcing[key]];
        uint256 listingId = e.listingId;
        IDataExchange.Listing memory l = exchange.listingOf(listingId);
        if (l.sold != 0) revert EnforcementOrderOpen(listingId);
        delete _enforcing[key];
        delete _enforcedHolder[key];
        e.listingId = 0;
        e.enforcementCosts = 0;
        if (l.active) exchange.updateListing(listingId, l.terms.price, 1, false);
    }

    /// @dev Recomputes what the key's live pledges restrict and tells the registry (or, for a certificate, the rights
    /// contract) when it changed.
    function _sync(uint256 key, uint256 assetId) private {
        uint256[] storage live = _live[key];
        bool onAsset = key & CERT_KEY == 0;
        uint8 flags;
        for (uint256 i = 0; i < live.length; i++) {
            Pledge storage p = _pledges[live[i]];
            uint8 c = p.consents;
            // Both kinds tie the holding: a revenue pledge follows the asset's revenue whoever holds it.
            if (c & (1 << uint8(Consent.Transfer)) == 0) flags |= ENC_TRANSFER;
            // A certificate ends by its term or revocation, not by its holder: nothing to cancel.
            if (onAsset && c & (1 << uint8(Consent.Cancellation)) == 0) flags |= ENC_CANCEL;
            if (p.terms.collateral == Collateral.Revenue) {
                flags |= ENC_REVENUE; // licensing is how a revenue pledge is paid: never restricted by it
            } else {
                // What an agreed transfer or licence of the pledged holding earns goes to the pledgees first
                // (arts. 443-444). A certificate's sales reach the pledge registry without a flag.
                if (onAsset) flags |= ENC_PROCEEDS;
                if (!p.terms.licensingAllowed && c & (1 << uint8(Consent.Licensing)) == 0) flags |= ENC_LICENSING;
            }
        }
        if (_enforcing[key] != 0) flags |= ENC_ENFORCING;
        if (flags == _encumbrance[key]) return;
        _encumbrance[key] = flags;
        if (onAsset) {
            registry.setEncumbrance(key, flags);
            emit EncumbranceChanged(key, flags);
        } else {
            uint256 certId = key & ~CERT_KEY;
            rights.setEncumbrance(certId, flags);
            emit CertificateEncumbranceChanged(certId, assetId, flags);
        }
    }

    /// @dev The key's live pledges by legal registration time, then id (insertion sort: at most MAX_LIVE_PLEDGES).
    function _ranked(uint256 key) private view returns (uint256[] memory ids) {
        uint256[] storage live = _live[key];
        uint256 n = live.length;
        ids = new uint256[](n);
        uint64[] memory times = new uint64[](n);
        for (uint256 i = 0; i < n; i++) {
            uint256 id = live[i];
            uint64 t = _pledges[id].terms.externalRegisteredAt;
            uint256 j = i;
            while (j > 0 && (times[j - 1] > t || (times[j - 1] == t && ids[j - 1] > id))) {
                ids[j] = ids[j - 1];
                times[j] = times[j - 1];
                j--;
            }
            ids[j] = id;
            times[j] = t;
        }
    }

    function _unlink(uint256 key, uint256 pledgeId) private {
        uint256[] storage live = _live[key];
        uint256 n = live.length;
        for (uint256 i = 0; i < n; i++) {
            if (live[i] == pledgeId) {
                live[i] = live[n - 1];
                live.pop();
                return;
            }
        }
    }

    function _end(Pledge storage p, PledgeStatus status) private {
        p.status = status;
        p.endedAt = uint64(block.timestamp);
    }

    function _pledge(uint256 pledgeId) private view returns (Pledge storage p) {
        p = _pledges[pledgeId];
        if (p.status == PledgeStatus.None) revert UnknownPledge(pledgeId);
    }

    function _onlyPledgee(uint256 pledgeId) private view returns (Pledge storage p) {
        p = _pledge(pledgeId);
        if (p.terms.pledgee != _msgSender()) revert NotPledgee(pledgeId, _msgSender());
    }

    function _expect(uint256 pledgeId, Pledge storage p, PledgeStatus status) private view {
        if (p.status != status) revert WrongPledgeStatus(pledgeId, p.status);
    }

    function _expectLive(uint256 pledgeId, Pledge storage p) private view {
        if (p.status != PledgeStatus.Live && p.status != PledgeStatus.Defaulted) {
            revert WrongPledgeStatus(pledgeId, p.status);
        }
    }
}
