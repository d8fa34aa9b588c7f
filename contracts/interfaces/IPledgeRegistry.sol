// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @dev What a pledge secures (担保范围, 民法典 art. 389): bits of PledgeTerms.scope.
uint8 constant SCOPE_PRINCIPAL = 1;
uint8 constant SCOPE_INTEREST = 2;
uint8 constant SCOPE_PENALTIES = 4;
uint8 constant SCOPE_DAMAGES = 8;
uint8 constant SCOPE_ENFORCEMENT_COSTS = 16;

/// @dev What pledges rank on and restrict: an asset (its holding and revenue) by its id, or a rights certificate by
/// CERT_KEY | certId. Asset ids are below 2^64, so the keys never meet.
uint256 constant CERT_KEY = 1 << 255;

/// @notice Called by the exchange at settlement for revenue that live pledges capture.
interface IPledgeRouter {
    /// @notice Splits `amount` of `token`, a holder's revenue from `key` (an asset id, or CERT_KEY | a certificate id
    /// the pledge registry sold) in order `orderId` (the seller's net when `asSeller`, else a royalty the asset earns
    /// as a parent), among its pledgees in rank order up to what each is owed, the rest to `holder` (zero: the
    /// asset's holder). In an enforcement sale, the enforcement costs come first and the rest goes to the pledgor.
    /// The parts sum exactly to `amount`.
    function route(uint256 key, address token, uint256 amount, uint256 orderId, address holder, bool asSeller)
        external
        returns (address[] memory to, uint256[] memory amounts);
}

/// @title Pledges (质押) of data assets
/// @notice Mirrors a pledge registered with the legal registry (the PBOC's unified registry 中登网, or an IP
/// authority): the record carries that registration's registry, number and time, and ranks by that time. Filed by
/// the pledgor, accepted by the pledgee; live pledges restrict the asset in the data asset registry (transfer,
/// cancellation, licensing), capture the holder's revenue (revenue pledges), and are enforced only by a sale on the
/// exchange whose proceeds pay the enforcement costs, then the pledgees in rank order, then the pledgor.
interface IPledgeRegistry is IPledgeRouter {
    /// @notice What is pledged.
    enum Collateral {
        Holding, // the holding right (the registration certificate)
        Revenue, // the holder's revenue from the asset (收益权): its net from sales and its royalties as a parent
        Certificate // a transferable processing-use or product-operation rights certificate of the asset (certId)
    }

    enum PledgeStatus {
        None,
        Filed, // by the pledgor, awaiting the pledgee's acceptance
        Live,
        Defaulted, // declared by the pledgee after the term, or ruled by an arbiter; still live
        Released, // 注销 by the pledgee
        Enforced, // discharged by an enforcement sale of the asset
        Voided, // an objection upheld
        Withdrawn // by the pledgor before acceptance
    }

    /// @notice Standing consents a pledgee gives (arts. 443-445): bits of Pledge.consents.
    enum Consent {
        Transfer,
        Cancellation,
        Licensing
    }

    struct PledgeTerms {
        uint256 assetId;
        Collateral collateral;
        uint256 certId; // the pledged rights certificate (Collateral.Certificate); 0 otherwise
        address debtor; // may differ from the pledgor
        address pledgee;
        address token; // the currency of the secured amount
        uint256 securedAmount; // in the token's units; for a maximum-amount pledge, the maximum
        uint8 scope; // SCOPE_* bits
        bool maximumAmount; // 最高额质押 (art. 439)
        uint64 termEnd; // the secured debt's due date
        bytes32 mainContractHash; // hash of the main (loan) contract
        bool licensingAllowed; // the holder may license without consent (art. 444 otherwise needs it)
        bool selfSaleAllowed; // on default the pledgee may sell without the pledgor's agreement or an order
        // The lowest price a self-sale may ask (in the token's units; 0: none), agreed at filing, e.g. a share of the
        // latest appraisal (art. 436: a price with reference to the market). Juniors see it before they lend. A sale
        // the pledgor agreed to, or an arbiter ordered, may ask less.
        uint256 reservePrice;
        bytes32 externalRegistry; // the legal registry, as short text (e.g. "PBOC-ZDW")
        string externalNumber; // its registration number (登记证明编号)
        uint64 externalRegisteredAt; // its registration time: the rank
    }

    struct Pledge {
        PledgeTerms terms;
        address pledgor;
        uint16 registrarId; // the asset's registrar, with whom it is filed
        PledgeStatus status;
        uint8 consents; // bit (1 << Consent)
        bool objected; // an objection is open
        bool saleAuthorised; // by the pledgor's agreement or an arbiter's order
        uint64 filedAt;
        uint64 acceptedAt;
        uint64 defaultedAt;
        uint64 endedAt;
        uint256 received; // paid to the pledgee through this record (revenue and enforcement)
        uint256 listingId; // the enforcement sale's listing, while listed
        uint256 enforcementCosts;
    }

    struct EnforcementSale {
        uint16 venueId;
        uint256 price;
        uint32 deliveryWindow;
        uint32 acceptanceWindow;
        uint256 costs; // enforcement costs paid first from the proceeds (needs SCOPE_ENFORCEMENT_COSTS)
        bytes32 costsEvidenceHash;
    }

    event PledgeFiled(
        uint256 indexed pledgeId,
        uint256 indexed assetId,
        address indexed pledgor,
        uint16 registrarId,
        PledgeTerms terms,
        uint64 at
    );
    event PledgeWithdrawn(uint256 indexed pledgeId, uint256 indexed assetId, address by, uint64 at);
    event PledgeAccepted(uint256 indexed pledgeId, uint256 indexed assetId, address indexed pledgee, uint64 at);
    event PledgeChanged(
        uint256 indexed pledgeId,
        uint256 indexed assetId,
        uint256 securedAmount,
        uint64 termEnd,
        bool licensingAllowed,
        address by,
        uint64 at
    );
    event PledgeReleased(uint256 indexed pledgeId, uint256 indexed assetId, address by, uint64 at);
    event PledgeConsented(uint256 indexed pledgeId, uint256 indexed assetId, Consent consent, address by, uint64 at);
    event PledgeObjected(
        uint256 indexed pledgeId, uint256 indexed assetId, address indexed objector, bytes32 evidenceHash, uint64 at
    );
    event PledgeObjectionResolved(
        uint256 indexed pledgeId, uint256 indexed assetId, bool upheld, bytes32 resolutionHash, address by, uint64 at
    );
    event PledgeDefaulted(
        uint256 indexed pledgeId, uint256 indexed assetId, address by, bool byArbiter, bytes32 rulingHash, uint64 at
    );
    event SaleAuthorised(
        uint256 indexed pledgeId, uint256 indexed assetId, address by, bool byArbiter, bytes32 rulingHash, uint64 at
    );
    event EnforcementListed(
        uint256 indexed pledgeId,
        uint256 indexed assetId,
        uint256 indexed listingId,
        address holder,
        uint256 price,
        uint256 costs,
        bytes32 costsEvidenceHash,
        uint64 at
    );
    event EnforcementWithdrawn(uint256 indexed pledgeId, uint256 indexed assetId, uint256 listingId, address by, uint64 at);
    /// @notice `amount` of revenue (or enforcement proceeds) from `assetId` in `orderId` was split: `costs` to
    /// `costsTo` (the enforcing pledgee), ProceedsApplied per pledge (logged just before), and `toHolder` to `holder`.
    /// `asSeller`: the seller's net of the sale (its Settled event's sellerNet), else a royalty to `assetId` as a
    /// parent (the Settled line whose payee is the pledge registry). Emitted before the exchange's Settled event.
    event ProceedsRouted(
        uint256 indexed assetId,
        uint256 indexed orderId,
        address token,
        uint256 amount,
        bool asSeller,
        bool enforcement,
        address costsTo,
        uint256 costs,
        address holder,
        uint256 toHolder
    );
    event ProceedsApplied(
        uint256 indexed pledgeId, uint256 indexed assetId, uint256 indexed orderId, address pledgee, uint256 amount
    );
    event PledgeEnforced(uint256 indexed pledgeId, uint256 indexed assetId, uint256 orderId, uint64 at);
    /// @notice What the asset's live pledges restrict now (ENC_* flags of the data asset registry).
    event EncumbranceChanged(uint256 indexed assetId, uint8 encumbrance);
    /// @notice What the certificate's live pledges restrict now (ENC_TRANSFER, ENC_LICENSING, ENC_ENFORCING).
    event CertificateEncumbranceChanged(uint256 indexed certId, uint256 indexed assetId, uint8 encumbrance);
    event PublicInstitutionSet(address indexed account, bool isPublicInstitution, address by);

    error UnknownPledge(uint256 pledgeId);
    error CollateralNotSupported(Collateral collateral);
    error NotHolder(uint256 assetId, address account);
    error NotCertificateHolder(uint256 certId, address account);
    /// @notice Only a transferable certificate of the pledged asset, valid now, can be pledged (it must be saleable).
    error CertificateNotPledgeable(uint256 certId);
    error PublicInstitution(address account);
    error InvalidPledgeTerms(string field);
    error WrongPledgeStatus(uint256 pledgeId, PledgeStatus status);
    error NotPledgee(uint256 pledgeId, address account);
    error NotPledgor(uint256 pledgeId, address account);
    error NotPledgorOrArbiter(uint256 pledgeId, address account);
    error PledgeeCannotObject(uint256 pledgeId);
    error ObjectionOpen(uint256 pledgeId);
    error NoObjection(uint256 pledgeId);
    error NotDue(uint256 pledgeId, uint64 termEnd);
    error SaleNotAuthorised(uint256 pledgeId);
    error BelowReservePrice(uint256 pledgeId, uint256 price, uint256 reservePrice);
    error EnforcementUnderway(uint256 key, uint256 pledgeId);
    error NotEnforcing(uint256 pledgeId);
    error NotEnforcementOrder(uint256 pledgeId, uint256 orderId);
    error EnforcementOrderOpen(uint256 listingId);
    error TooManyPledges(uint256 key, uint256 max);
    error AmountIncrease(uint256 securedAmount, uint256 requested);
    error NotExchange(address account);

    /// @notice The pledgor (the asset's holder, or the pledged certificate's) files a pledge registered with the legal
    /// registry.
    function file(PledgeTerms calldata terms) external returns (uint256 pledgeId);

    /// @notice The pledgor withdraws a filing the pledgee has not accepted.
    function withdraw(uint256 pledgeId) external;

    /// @notice The pledgee accepts: the pledge is live and ranks among the asset's live pledges.
    function accept(uint256 pledgeId) external;

    /// @notice The pledgee records a change (变更登记): a lower secured amount, a later term, licensing allowed or not.
    function change(uint256 pledgeId, uint256 securedAmount, uint64 termEnd, bool licensingAllowed) external;

    /// @notice The pledgee releases the pledge (注销登记); juniors move up.
    function release(uint256 pledgeId) external;

    /// @notice The pledgee consents, standing, to a transfer, a cancellation or licensing of what is pledged.
    function consent(uint256 pledgeId, Consent what) external;

    /// @notice The pledgor or an interested party objects (异议登记), with evidence: a notice until an arbiter upholds it.
    function object(uint256 pledgeId, bytes32 evidenceHash) external;

    /// @notice An arbiter resolves an objection: upheld voids the pledge.
    function resolveObjection(uint256 pledgeId, bool upheld, bytes32 resolutionHash) external;

    /// @notice The pledgee declares the debtor in default, once the term has passed.
    function declareDefault(uint256 pledgeId) external;

    /// @notice An arbiter rules the debtor in default.
    function ruleDefault(uint256 pledgeId, bytes32 rulingHash) external;

    /// @notice The pledgor agrees to, or an arbiter orders, the enforcement sale.
    function authoriseSale(uint256 pledgeId, bytes32 rulingHash) external;

    /// @notice The pledgee lists the pledged holding or certificate for sale on the exchange, after default, where
    /// the pledge allows self-sale or the sale was authorised.
    function enforce(uint256 pledgeId, EnforcementSale calldata sale) external returns (uint256 listingId);

    /// @notice The enforcing pledgee delivers the data to the enforcement sale's buyer.
    function deliverEnforcementSale(uint256 pledgeId, uint256 orderId, bytes32 deliveryHash) external;

    /// @notice The enforcing pledgee takes the enforcement sale off the exchange, unless an order of it is open.
    function withdrawEnforcement(uint256 pledgeId) external;

    /// @notice The admin records whether an account is a public institution (行政事业单位), which may not pledge.
    function setPublicInstitution(address account, bool isPublicInstitution) external;

    function pledgeOf(uint256 pledgeId) external view returns (Pledge memory);

    /// @notice Live (and defaulted) pledges of the asset, in rank order.
    function livePledgesOf(uint256 assetId) external view returns (uint256[] memory pledgeIds);

    /// @notice Live (and defaulted) pledges of the rights certificate, in rank order.
    function livePledgesOfCertificate(uint256 certId) external view returns (uint256[] memory pledgeIds);

    /// @notice 1 for the senior live pledge on its asset (or certificate); 0 when not live.
    function rankOf(uint256 pledgeId) external view returns (uint256);

    /// @notice What the pledgee may still receive through this record: the secured amount less what it received.
    function outstandingOf(uint256 pledgeId) external view returns (uint256);

    function pledgeCount() external view returns (uint256);

    function isPublicInstitution(address account) external view returns (bool);
}
