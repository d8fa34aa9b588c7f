// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @dev Bound on sublicence chains (a grant by the holder is depth 0), so `isValid` stays cheap.
uint8 constant MAX_SUBLICENCE_DEPTH = 8;

/// @title Rights certificates for the processing-use and product-operation rights (三权分置).
/// @notice The holding right is the registry's certificate; this contract certifies the two rights a holder grants
/// to others, for a scope and a term, possibly sublicensable. `isValid(id, at)` is the one check to rely on.
interface IRightsCertificate {
    /// @notice Ordered narrow to wide: ProductOperation covers granting ProcessingUse.
    enum RightKind {
        ProcessingUse, // 数据加工使用权
        ProductOperation // 数据产品经营权
    }

    /// @notice Terms of a grant. `parentId` 0 is a grant by the asset's holder; otherwise a sublicence carved out
    /// of certificate `parentId`, which must be sublicensable, valid, cover the child's term and scope classes, and
    /// be of the same or a wider kind (a product-operation right may sublicense processing-use; never the reverse).
    struct GrantTerms {
        uint256 assetId;
        uint256 parentId;
        RightKind kind;
        bytes32 scopeHash; // hash of the scope document: purpose, fields, territory
        uint32 scopeMask; // scope classes (purposes/territories) from the published vocabulary; child ⊆ parent
        uint64 validFrom; // 0 = now; never in the past
        uint64 validUntil;
        bool sublicensable;
        bool transferable;
    }

    /// @notice A certificate as `rightOf` returns it. The scope document's hash is not stored: no contract reads
    /// it, and it is in the certificate's RightGranted event (its GrantTerms) for anyone verifying the scope.
    struct Right {
        uint64 assetId;
        RightKind kind;
        bool sublicensable;
        bool transferable;
        uint8 depth; // 0 for a grant by the holder, parent's depth + 1 for a sublicence
        uint40 validFrom;
        uint40 validUntil;
        uint40 revokedAt; // 0 while not revoked
        uint32 scopeMask;
        address grantor; // zero for a licence issued by the exchange: the seller is in its RightGranted event
        uint64 parentId;
        bool issuedByExchange; // sold through the exchange: its grantor (the seller) cannot revoke it
    }

    /// @notice A right was granted to `holder`. `issuedBy` is the grantor, or the exchange that issued it at
    /// settlement on the grantor's behalf.
    event RightGranted(
        uint256 indexed certId,
        uint256 indexed assetId,
        address indexed holder,
        address grantor,
        address issuedBy,
        GrantTerms terms,
        uint8 depth,
        uint64 grantedAt
    );
    event RightRevoked(uint256 indexed certId, uint256 indexed assetId, address indexed by, string reason, uint64 revokedAt);

    error UnknownCertificate(uint256 certId);
    error NotAssetHolder(uint256 assetId, address account);
    error NotCertificateHolder(uint256 certId, address account);
    error AssetNotActive(uint256 assetId);
    error ParentAssetMismatch(uint256 parentId, uint256 assetId);
    error NotSublicensable(uint256 parentId);
    error KindMismatch(uint256 parentId);
    error ScopeExceedsParent(uint32 scopeMask, uint32 parentScopeMask);
    error TermExceedsParent(uint64 validFrom, uint64 validUntil, uint64 parentValidFrom, uint64 parentValidUntil);
    error InvalidTerm(uint64 validFrom, uint64 validUntil);
    error SublicenceTooDeep(uint256 depth, uint256 max);
    error RightNotValid(uint256 certId);
    error NotTransferable(uint256 certId);
    error NotGrantorOrRegistrar(uint256 certId, address account);
    error AlreadyRevoked(uint256 certId);
    error ZeroHash();
    error InvalidRecipient(address to);
    error TextTooLong(uint256 length, uint256 max);
    error ReasonRequired(uint256 certId);
    error NotIssuedByExchange(uint256 certId);
    /// @notice Live pledges of the certificate restrict this (ENC_* flags): every pledgee must consent first.
    error CertificateEncumbered(uint256 certId, uint8 encumbrance);
    error NotPledgeRegistry(address account);
    /// @dev The exchange's own errors (same selectors), raised here for its listing and ordering checks.
    error NotAuthorisedSeller(uint256 assetId, address account);
    error SellerCertUnsuitable(uint256 certId);

    /// @notice Grant a right as the asset's holder (`parentId` 0) or sublicense from a certificate you hold.
    /// @return certId the new certificate's id (its ERC-721 token id).
    function grant(GrantTerms calldata terms, address to) external returns (uint256 certId);

    /// @notice The exchange (EXCHANGE_ROLE) issues a right on `grantor`'s behalf at the settlement of a trade;
    /// `grantor` must have the authority `grant` would demand of it.
    function grantFor(address grantor, GrantTerms calldata terms, address to) external returns (uint256 certId);

    /// @notice The grantor or the asset's registrar revokes a certificate (and with it every sublicence under it).
    /// A licence issued by the exchange (a paid licence) cannot be revoked by its grantor: only by the asset's
    /// registrar, for cause (a non-empty reason), or by the exchange carrying out an arbiter's ruling.
    function revoke(uint256 certId, string calldata reason) external;

    /// @notice The exchange (EXCHANGE_ROLE) revokes a licence it issued, carrying out an arbiter's ruling.
    function revokeByExchange(uint256 certId, string calldata reason) external;

    /// @notice True if at time `at` the certificate is not revoked, within its term, every ancestor certificate is
    /// valid, and the asset is active.
    function isValid(uint256 certId, uint64 at) external view returns (bool);

    function rightOf(uint256 certId) external view returns (Right memory);

    /// @notice Whether `seller` may sell, under certificate `certId` of `assetId`, sublicences covering `scopeMask`
    /// until `until` (`licence`), or else the certificate itself: 0 yes; 1 the certificate is unsuitable (another
    /// asset; for a licence not a sublicensable product-operation right, too deep, narrower scope, ending before
    /// `until`; for a sale not transferable, or no pledge registry to pay it through; invalid); 2 `seller` does not
    /// hold it; 3 its live pledges restrict it. The pledge registry sells a certificate whose pledge it enforces.
    /// With `strict` (listing and ordering), any refusal reverts: SellerCertUnsuitable, NotAuthorisedSeller or
    /// CertificateEncumbered. The exchange's check in one call.
    function sellerCheck(
        uint256 certId,
        uint256 assetId,
        uint32 scopeMask,
        uint64 until,
        address seller,
        bool licence,
        bool strict
    ) external view returns (uint8);

    /// @notice The exchange moves a transferable certificate it sold from `from` (the holder, or the pledge registry
    /// in an enforcement sale, for the pledgor) to `to`.
    function transferByExchange(uint256 certId, address from, address to) external;

    /// @notice What the certificate's live pledges restrict (ENC_* flags); only the pledge registry sets it.
    function setEncumbrance(uint256 certId, uint8 encumbrance) external;

    function encumbranceOf(uint256 certId) external view returns (uint8);

    /// @notice Whether `certId` is a licence the exchange issued of `assetId` under `parentId` (0: the holder's), of
    /// `kind`, held by `holder`: 0 no; 1 yes; 2 yes, and revoked. The exchange's check before a licence remedy.
    function exchangeLicenceCheck(uint256 certId, uint256 assetId, uint256 parentId, RightKind kind, address holder)
        external
        view
        returns (uint8);

    /// @notice The certificate's own end of term (0 if it does not exist).
    function validUntilOf(uint256 certId) external view returns (uint64);

    function certificateCount() external view returns (uint256);
}
