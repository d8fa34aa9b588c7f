// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IRightsCertificate, MAX_SUBLICENCE_DEPTH} from "./interfaces/IRightsCertificate.sol";
import {IDataAssetRegistry} from "./interfaces/IDataAssetRegistry.sol";

/// @title RightsCertificate
/// @notice ERC-721 certificates of processing-use and product-operation rights granted over registered assets.
/// Non-transferable certificates never move; transferable ones move only while valid.
contract RightsCertificate is IRightsCertificate, ERC721, AccessControl, Pausable {
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant EXCHANGE_ROLE = keccak256("EXCHANGE_ROLE");

    /// @notice Bound on sublicence chains, so `isValid` stays cheap.
    uint256 public constant MAX_DEPTH = MAX_SUBLICENCE_DEPTH;
    uint256 public constant MAX_TEXT = 512;

    IDataAssetRegistry public immutable registry;

    uint256 private _count;
    mapping(uint256 certId => Right) private _rights;

    constructor(address admin, IDataAssetRegistry registry_) ERC721("Data Rights Certificate", "DRC") {
        if (admin == address(0) || address(registry_) == address(0)) revert InvalidRecipient(address(0));
        registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    /// @inheritdoc IRightsCertificate
    function grant(GrantTerms calldata terms, address to) external whenNotPaused returns (uint256) {
        return _grant(msg.sender, terms, to);
    }

    /// @inheritdoc IRightsCertificate
    function grantFor(address grantor, GrantTerms calldata terms, address to)
        external
        whenNotPaused
        onlyRole(EXCHANGE_ROLE)
        returns (uint256)
    {
        return _grant(grantor, terms, to);
    }

    /// @inheritdoc IRightsCertificate
    function revoke(uint256 certId, string calldata reason) external whenNotPaused {
        Right storage r = _existing(certId);
        if (r.grantor != msg.sender && !registry.isRegistrarOf(r.assetId, msg.sender)) {
            revert NotGrantorOrRegistrar(certId, msg.sender);
        }
        if (r.revokedAt != 0) revert AlreadyRevoked(certId);
        if (bytes(reason).length > MAX_TEXT) revert TextTooLong(bytes(reason).length, MAX_TEXT);
        r.revokedAt = uint40(block.timestamp);
        emit RightRevoked(certId, r.assetId, msg.sender, reason, uint64(block.timestamp));
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
        Right storage r = _rights[certId];
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
    function rightOf(uint256 certId) external view returns (Right memory) {
        return _existing(certId);
    }

    /// @inheritdoc IRightsCertificate
    function certificateCount() external view returns (uint256) {
        return _count;
    }

    /// @notice ERC-165: ERC-721 and AccessControl.
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    /// @dev Moves (not mints) need a transferable certificate that is valid now, and an unpaused contract.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) {
            _requireNotPaused();
            if (!_rights[tokenId].transferable) revert NotTransferable(tokenId);
            if (!isValid(tokenId, uint64(block.timestamp))) revert RightNotValid(tokenId);
        }
        return super._update(to, tokenId, auth);
    }

    function _grant(address grantor, GrantTerms calldata t, address to) private returns (uint256 certId) {
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
            if (registry.holderOf(t.assetId) != grantor) revert NotAssetHolder(t.assetId, grantor);
        } else {
            Right storage p = _existing(t.parentId);
            if (_ownerOf(t.parentId) != grantor) revert NotCertificateHolder(t.parentId, grantor);
            if (p.assetId != t.assetId) revert ParentAssetMismatch(t.parentId, t.assetId);
            if (!p.sublicensable) revert NotSublicensable(t.parentId);
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
        _rights[certId] = Right({
            assetId: uint64(t.assetId),
            kind: t.kind,
            sublicensable: t.sublicensable,
            transferable: t.transferable,
            depth: depth,
            validFrom: uint40(validFrom),
            validUntil: uint40(t.validUntil),
            revokedAt: 0,
            scopeMask: t.scopeMask,
            grantor: grantor,
            parentId: uint64(t.parentId)
        });
        // _mint, not _safeMint: no callback into the recipient while a grant is being written.
        _mint(to, certId);
        GrantTerms memory effective = t;
        effective.validFrom = validFrom;
        emit RightGranted(certId, t.assetId, to, grantor, msg.sender, effective, depth, now_);
    }

    function _existing(uint256 certId) private view returns (Right storage r) {
        r = _rights[certId];
        if (r.assetId == 0) revert UnknownCertificate(certId);
    }
}
