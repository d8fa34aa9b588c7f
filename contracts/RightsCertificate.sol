// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Relayable} from "./metatx/Relayable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IRightsCertificate, MAX_SUBLICENCE_DEPTH} from "./interfaces/IRightsCertificate.sol";
import {
    IDataAssetRegistry, ENC_TRANSFER, ENC_LICENSING, ENC_ENFORCING
} from "./interfaces/IDataAssetRegistry.sol";

/// @title RightsCertificate
/// @notice ERC-721 certificates of processing-use and product-operation rights granted over registered assets.
/// Non-transferable certificates never move; transferable ones move only while valid.
/// @dev A minimal ERC-721 whose holder is kept in the certificate's second storage slot, beside its parent link:
/// issuing a licence at settlement writes two slots, not three. The grantor is stored only for grants made outside
/// the exchange, the only ones it may revoke.
contract RightsCertificate is IRightsCertificate, IERC721Metadata, IERC721Errors, Relayable {
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant EXCHANGE_ROLE = keccak256("EXCHANGE_ROLE");

    /// @notice Bound on sublicence chains, so `isValid` stays cheap.
    uint256 public constant MAX_DEPTH = MAX_SUBLICENCE_DEPTH;
    uint256 public constant MAX_TEXT = 512;

    struct StoredRight {
        // slot 0: all that validity checks read
        uint64 assetId;
        RightKind kind;
        bool sublicensable;
        bool transferable;
        uint8 depth;
        uint40 validFrom;
        uint40 validUntil;
        uint40 revokedAt;
        uint32 scopeMask;
        // slot 1: the ERC-721 owner and the chain link
        address holder;
        uint64 parentId;
        bool issuedByExchange;
        uint8 encumbrance; // ENC_* flags from the certificate's live pledges (PledgeRegistry)
    }

    IDataAssetRegistry public immutable registry;

    uint256 private _count;
    mapping(uint256 certId => StoredRight) private _rights;
    mapping(uint256 certId => address) private _grantors;
    mapping(address owner => uint256) private _balances;
    mapping(uint256 certId => address) private _tokenApprovals;
    mapping(address owner => mapping(address operator => bool)) private _operatorApprovals;

    constructor(address admin, IDataAssetRegistry registry_, address trustedForwarder_) Relayable(trustedForwarder_) {
        if (admin == address(0) || address(registry_) == address(0)) revert InvalidRecipient(address(0));
        registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    /// @inheritdoc IRightsCertificate
    function grant(GrantTerms calldata terms, address to) external whenNotPaused returns (uint256) {
        return _grant(_msgSender(), terms, to, false);
    }

    /// @inheritdoc IRightsCertificate
    function grantFor(address grantor, GrantTerms calldata terms, address to)
        external
        whenNotPaused
        onlyRole(EXCHANGE_ROLE)
        returns (uint256)
    {
        return _grant(grantor, terms, to, true);
    }

    /// @inheritdoc IRightsCertificate
    function revoke(uint256 certId, string calldata reason) external whenNotPaused {
        StoredRight storage r = _existing(certId);
        if (r.issuedByExchange) {
            // A paid licence: the seller must not void what the buyer paid for. The registrar acts for cause only.
            if (!registry.isRegistrarOf(r.assetId, _msgSender())) revert NotGrantorOrRegistrar(certId, _msgSender());
            if (bytes(reason).length == 0) revert ReasonRequired(certId);
        } else if (_grantors[certId] != _msgSender() && !registry.isRegistrarOf(r.assetId, _msgSender())) {
            revert NotGrantorOrRegistrar(certId, _msgSender());
        }
        _revoke(certId, r, reason);
    }

    /// @inheritdoc IRightsCertificate
    function revokeByExchange(uint256 certId, string calldata reason) external whenNotPaused onlyRole(EXCHANGE_ROLE) {
        StoredRight storage r = _existing(certId);
        if (!r.issuedByExchange) revert NotIssuedByExchange(certId);
        _revoke(certId, r, reason);
    }

    /// @notice Stop every state change (emergency); the pauser role only.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume after a pause; the pauser role only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @inheritdoc IRightsCertificate
    function isValid(uint256 certId, uint64 at) public view returns (bool) {
        StoredRight storage r = _rights[certId];
        if (r.assetId == 0) return false;
        uint256 assetId = r.assetId;
        // Walk up the sublicence chain; depth is bounded by MAX_DEPTH at grant time.
        while (true) {
            if (r.revokedAt != 0 && at >= r.revokedAt) return false;
            if (at < r.validFrom || at > r.validUntil) return false;
            if (r.parentId == 0) break;
            r = _rights[r.parentId];
        }
        return registry.isActive(assetId, at);
    }

    /// @inheritdoc IRightsCertificate
    function sellerCheck(
        uint256 certId,
        uint256 assetId,
        uint32 scopeMask,
        uint64 until,
        address seller,
        bool licence,
        bool strict
    ) external view returns (uint8 unfit) {
        unfit = _sellerCheck(certId, assetId, scopeMask, until, seller, licence);
        if (!strict || unfit == 0) return unfit;
        if (unfit == 2) revert NotAuthorisedSeller(assetId, seller);
        if (unfit == 3) revert CertificateEncumbered(certId, _rights[certId].encumbrance);
        revert SellerCertUnsuitable(certId);
    }

    /// @dev sellerCheck's codes, and 3 for a restriction by pledges.
    function _sellerCheck(uint256 certId, uint256 assetId, uint32 scopeMask, uint64 until, address seller, bool licence)
        private
        view
        returns (uint8)
    {
        StoredRight storage c = _rights[certId];
        if (c.assetId == 0 || c.assetId != assetId) return 1;
        uint8 e = c.encumbrance;
        uint8 restricted;
        if (licence) {
            if (
                c.kind != RightKind.ProductOperation || !c.sublicensable
                    || c.depth >= MAX_DEPTH // its sublicences could never be issued: escrow would stick
                    || scopeMask & ~c.scopeMask != 0 || until > c.validUntil
            ) return 1;
            if (c.holder != seller) return 2;
            restricted = e & (ENC_LICENSING | ENC_ENFORCING);
        } else {
            // The exchange pays a certificate's sale through the pledge registry: none, no sale.
            address pledgeRegistry = registry.pledgeRegistry();
            if (!c.transferable || pledgeRegistry == address(0)) return 1;
            // In an enforcement sale the pledge registry sells for the pledgor; otherwise the holder, unrestricted.
            if (e & ENC_ENFORCING == 0 || seller != pledgeRegistry) {
                if (c.holder != seller) return 2;
                restricted = e & (ENC_TRANSFER | ENC_ENFORCING);
            }
        }
        if (!isValid(certId, uint64(block.timestamp)) || !isValid(certId, until)) return 1;
        return restricted != 0 ? 3 : 0;
    }

    /// @inheritdoc IRightsCertificate
    function transferByExchange(uint256 certId, address from, address to)
        external
        whenNotPaused
        onlyRole(EXCHANGE_ROLE)
    {
        StoredRight storage r = _existing(certId);
        if (to == address(0)) revert ERC721InvalidReceiver(to);
        // In an enforcement sale the pledge registry sells the pledgor's certificate (the pledgor may buy it back).
        if (r.encumbrance & ENC_ENFORCING != 0 && from == registry.pledgeRegistry()) {
            from = r.holder;
        } else {
            if (r.holder != from) revert ERC721IncorrectOwner(from, certId, r.holder);
            _unencumbered(certId, r, ENC_TRANSFER | ENC_ENFORCING);
        }
        _move(certId, r, from, to);
    }

    /// @inheritdoc IRightsCertificate
    /// @dev No event of its own: the pledge registry's CertificateEncumbranceChanged says it, and why.
    function setEncumbrance(uint256 certId, uint8 encumbrance) external {
        if (msg.sender != registry.pledgeRegistry() || msg.sender == address(0)) revert NotPledgeRegistry(msg.sender);
        _existing(certId).encumbrance = encumbrance;
    }

    /// @inheritdoc IRightsCertificate
    function encumbranceOf(uint256 certId) external view returns (uint8) {
        return _rights[certId].encumbrance;
    }

    /// @inheritdoc IRightsCertificate
    function exchangeLicenceCheck(uint256 certId, uint256 assetId, uint256 parentId, RightKind kind, address holder)
        external
        view
        returns (uint8)
    {
        StoredRight storage r = _rights[certId];
        if (
            !r.issuedByExchange || r.assetId != assetId || r.parentId != parentId || r.kind != kind
                || r.holder != holder || holder == address(0)
        ) return 0;
        return r.revokedAt == 0 ? 1 : 2;
    }

    /// @inheritdoc IRightsCertificate
    function validUntilOf(uint256 certId) external view returns (uint64) {
        return _rights[certId].validUntil;
    }

    /// @inheritdoc IRightsCertificate
    function rightOf(uint256 certId) external view returns (Right memory) {
        StoredRight storage r = _existing(certId);
        return Right({
            assetId: r.assetId,
            kind: r.kind,
            sublicensable: r.sublicensable,
            transferable: r.transferable,
            depth: r.depth,
            validFrom: r.validFrom,
            validUntil: r.validUntil,
            revokedAt: r.revokedAt,
            scopeMask: r.scopeMask,
            grantor: _grantors[certId],
            parentId: r.parentId,
            issuedByExchange: r.issuedByExchange
        });
    }

    /// @inheritdoc IRightsCertificate
    function certificateCount() external view returns (uint256) {
        return _count;
    }

    /// @notice ERC-165: ERC-721 with metadata, and AccessControl.
    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC721).interfaceId || interfaceId == type(IERC721Metadata).interfaceId
            || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- ERC-721

    /// @notice Certificate name.
    function name() external pure returns (string memory) {
        return "Data Rights Certificate";
    }

    /// @notice Certificate symbol.
    function symbol() external pure returns (string memory) {
        return "DRC";
    }

    /// @notice Empty: the certificate's terms are in this contract's views and events, not behind a URI.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId);
        return "";
    }

    /// @notice Certificates held by `owner`.
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        return _balances[owner];
    }

    /// @notice Holder of certificate `tokenId`.
    function ownerOf(uint256 tokenId) public view returns (address owner) {
        owner = _rights[tokenId].holder;
        if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
    }

    /// @notice Approve `to` to move one certificate (only transferable ones can actually move).
    function approve(address to, uint256 tokenId) external {
        address owner = ownerOf(tokenId);
        if (_msgSender() != owner && !_operatorApprovals[owner][_msgSender()]) revert ERC721InvalidApprover(_msgSender());
        _tokenApprovals[tokenId] = to;
        emit Approval(owner, to, tokenId);
    }

    /// @notice Approve or remove `operator` for all of the caller's certificates.
    function setApprovalForAll(address operator, bool approved) external {
        if (operator == address(0)) revert ERC721InvalidOperator(operator);
        _operatorApprovals[_msgSender()][operator] = approved;
        emit ApprovalForAll(_msgSender(), operator, approved);
    }

    /// @notice The account approved for `tokenId`.
    function getApproved(uint256 tokenId) external view returns (address) {
        ownerOf(tokenId);
        return _tokenApprovals[tokenId];
    }

    /// @notice Whether `operator` may move all of `owner`'s certificates.
    function isApprovedForAll(address owner, address operator) external view returns (bool) {
        return _operatorApprovals[owner][operator];
    }

    /// @notice Move a transferable certificate that is valid now; refused while paused.
    function transferFrom(address from, address to, uint256 tokenId) public {
        _transfer(from, to, tokenId);
    }

    /// @notice As `transferFrom`, checking that a contract recipient accepts ERC-721 tokens.
    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    /// @notice As `transferFrom`, checking that a contract recipient accepts ERC-721 tokens.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        _transfer(from, to, tokenId);
        ERC721Utils.checkOnERC721Received(_msgSender(), from, to, tokenId, data);
    }

    // ---------------------------------------------------------------- internals

    function _transfer(address from, address to, uint256 tokenId) private {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        StoredRight storage r = _rights[tokenId];
        address owner = r.holder;
        if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
        if (owner != from) revert ERC721IncorrectOwner(from, tokenId, owner);
        if (_msgSender() != owner && !_operatorApprovals[owner][_msgSender()] && _tokenApprovals[tokenId] != _msgSender()) {
            revert ERC721InsufficientApproval(_msgSender(), tokenId);
        }
        _unencumbered(tokenId, r, ENC_TRANSFER | ENC_ENFORCING);
        _move(tokenId, r, from, to);
    }

    /// @dev Moves a transferable certificate that is valid now; refused while paused.
    function _move(uint256 tokenId, StoredRight storage r, address from, address to) private {
        _requireNotPaused();
        if (!r.transferable) revert NotTransferable(tokenId);
        if (!isValid(tokenId, uint64(block.timestamp))) revert RightNotValid(tokenId);
        delete _tokenApprovals[tokenId];
        unchecked {
            _balances[from] -= 1;
            _balances[to] += 1;
        }
        r.holder = to;
        emit Transfer(from, to, tokenId);
    }

    function _unencumbered(uint256 certId, StoredRight storage r, uint8 restricting) private view {
        if (r.encumbrance & restricting != 0) revert CertificateEncumbered(certId, r.encumbrance);
    }

    function _revoke(uint256 certId, StoredRight storage r, string calldata reason) private {
        if (r.revokedAt != 0) revert AlreadyRevoked(certId);
        if (bytes(reason).length > MAX_TEXT) revert TextTooLong(bytes(reason).length, MAX_TEXT);
        r.revokedAt = uint40(block.timestamp);
        emit RightRevoked(certId, r.assetId, _msgSender(), reason, uint64(block.timestamp));
    }

    function _grant(address grantor, GrantTerms calldata t, address to, bool byExchange) private returns (uint256 certId) {
        if (to == address(0)) revert InvalidRecipient(to);
        if (t.scopeHash == bytes32(0)) revert ZeroHash();
        uint64 now_ = uint64(block.timestamp);
        uint64 validFrom = t.validFrom == 0 ? now_ : t.validFrom;
        if (validFrom < now_ || t.validUntil <= validFrom || t.validUntil > type(uint40).max) {
            revert InvalidTerm(validFrom, t.validUntil);
        }
        if (!registry.isActive(t.assetId, now_)) revert AssetNotActive(t.assetId);

        uint8 depth;
        if (t.parentId == 0) {
            // The exchange checked the registry's sellerOf (pledges included) just before; a direct grant asks the
            // registry, which refuses (Encumbered) a holder whose live pledges restrict licensing.
            bool holds = byExchange
                ? registry.holderOf(t.assetId) == grantor
                : registry.checkSeller(t.assetId, grantor, true);
            if (!holds) revert NotAssetHolder(t.assetId, grantor);
        } else {
            StoredRight storage p = _existing(t.parentId);
            if (p.holder != grantor) revert NotCertificateHolder(t.parentId, grantor);
            if (p.assetId != t.assetId) revert ParentAssetMismatch(t.parentId, t.assetId);
            if (!p.sublicensable) revert NotSublicensable(t.parentId);
            _unencumbered(t.parentId, p, ENC_LICENSING | ENC_ENFORCING);
            // Kinds are ordered: a product-operation right covers granting processing-use; never the reverse.
            if (t.kind > p.kind) revert KindMismatch(t.parentId);
            if (t.scopeMask & ~p.scopeMask != 0) revert ScopeExceedsParent(t.scopeMask, p.scopeMask);
            if (validFrom < p.validFrom || t.validUntil > p.validUntil) {
                revert TermExceedsParent(validFrom, t.validUntil, p.validFrom, p.validUntil);
            }
            // The parent must hold when the child starts, which may be later than now (sublicensing ahead of a
            // term); a parent revoked by now, or whose chain or asset has lapsed by then, cannot sublicense.
            if (!isValid(t.parentId, validFrom)) revert RightNotValid(t.parentId);
            if (p.depth + 1 > MAX_DEPTH) revert SublicenceTooDeep(p.depth + 1, MAX_DEPTH);
            depth = p.depth + 1;
        }

        certId = ++_count;
        _rights[certId] = StoredRight({
            assetId: uint64(t.assetId),
            kind: t.kind,
            sublicensable: t.sublicensable,
            transferable: t.transferable,
            depth: depth,
            validFrom: uint40(validFrom),
            validUntil: uint40(t.validUntil),
            revokedAt: 0,
            scopeMask: t.scopeMask,
            holder: to,
            parentId: uint64(t.parentId),
            issuedByExchange: byExchange,
            encumbrance: 0
        });
        if (!byExchange) _grantors[certId] = grantor;
        unchecked {
            _balances[to] += 1;
        }
        // No receiver callback: nothing runs in the recipient while a grant is being written.
        emit Transfer(address(0), to, certId);
        GrantTerms memory effective = t;
        effective.validFrom = validFrom;
        emit RightGranted(certId, t.assetId, to, grantor, _msgSender(), effective, depth, now_);
    }

    function _existing(uint256 certId) private view returns (StoredRight storage r) {
        r = _rights[certId];
        if (r.assetId == 0) revert UnknownCertificate(certId);
    }
}
