// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Relayable} from "./metatx/Relayable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {
    IDataAssetRegistry,
    ROYALTY_DENOMINATOR as DENOMINATOR,
    ENC_TRANSFER,
    ENC_CANCEL,
    ENC_LICENSING,
    ENC_REVENUE,
    ENC_ENFORCING,
    ENC_PROCEEDS
} from "./interfaces/IDataAssetRegistry.sol";
import {RegistrationNumber} from "./libraries/RegistrationNumber.sol";

/// @title DataAssetRegistry
/// @notice Registration of data resources and products with public notice and objections; the ERC-721
/// registration certificate (token id = asset id) is the holding right and moves only by registrar-approved
/// transfer or exchange settlement. The certificate is a minimal ERC-721 whose holder is kept in the asset's own
/// first storage slot: minting at approval and moving at transfer write no separate owner slot.
contract DataAssetRegistry is IDataAssetRegistry, IERC721Metadata, IERC721Errors, Relayable {
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Held by the DataExchange contract: moves holding rights at settlement.
    bytes32 public constant EXCHANGE_ROLE = keccak256("EXCHANGE_ROLE");

    uint256 public constant MAX_PARENTS = 16;
    uint256 public constant MAX_ROYALTY_ENTRIES = 16;
    /// @notice Royalties reach at most this many generations up; a share beyond it stays with the direct parent.
    uint8 public constant MAX_ROYALTY_DEPTH = 4;
    uint256 public constant BPS = 10_000;
    /// @notice Shares are kept over BPS ** MAX_ROYALTY_DEPTH, fine enough that products of basis points lose at most
    /// one part in 1e16 per line.
    uint64 public constant ROYALTY_DENOMINATOR = DENOMINATOR;
    uint32 public constant MIN_NOTICE_PERIOD = 1 days;
    uint32 public constant MAX_NOTICE_PERIOD = 30 days;
    uint32 public constant MIN_VALIDITY = 30 days;
    uint32 public constant MAX_VALIDITY = 10 * 365 days;
    /// @notice Cap on names, URIs and reasons, which go into events.
    uint256 public constant MAX_TEXT = 512;
    /// @notice Registration numbers carry a 6-digit sequence per registrar and year.
    uint32 public constant MAX_SEQUENCE = 999_999;
    /// @notice Items per submitBatch or approveBatch: about 100,000 gas each keeps a full batch far inside a block.
    uint256 public constant MAX_BATCH = 200;

    struct ContentRecord {
        uint64 assetId;
        uint32 version;
        uint40 registeredAt;
    }

    uint256 private _assetCount;
    /// @dev 1 + the index of the item submitBatch is submitting, 0 otherwise: a refusal raised anywhere in a
    /// submission names its item (BatchItemFailed) without an external call per item. Back to 0 by the batch's end.
    uint256 private _batchItem;
    uint16 private _registrarCount;
    uint256 private _objectionCount;

    mapping(uint16 registrarId => Registrar) private _registrars;
    mapping(bytes32 codeHash => uint16 registrarId) private _registrarByCode;
    mapping(uint16 registrarId => mapping(uint16 year => uint32 seq)) private _sequence;
    mapping(uint256 assetId => Asset) private _assets;
    /// @dev Content hash -> its latest registration. The only content index: an asset's hashes by version are in
    /// its RegistrationSubmitted and VersionAdded events, which no contract logic needs to read back.
    mapping(bytes32 contentHash => ContentRecord) private _content;
    mapping(address holder => uint256) private _balances;
    mapping(uint256 assetId => RoyaltyEntry[]) private _royalties;
    mapping(uint256 objectionId => Objection) private _objections;
    mapping(uint256 assetId => mapping(address objector => bool)) private _objecting;
    mapping(uint256 assetId => PendingTransfer) private _pendingTransfer;
    /// @dev The pledge registry, set once by the admin: it alone sets encumbrances, and it is the payee of pledged
    /// revenue and the seller in an enforcement sale.
    address private _pledgeRegistry;

    struct PendingTransfer {
        address to;
        bytes32 evidenceHash;
    }

    constructor(address admin, address trustedForwarder_) Relayable(trustedForwarder_) {
        if (admin == address(0)) revert InvalidRecipient(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    // ---------------------------------------------------------------- modifiers

    modifier onlyRegistrarOf(uint256 assetId) {
        if (!isRegistrarOf(assetId, _msgSender())) revert NotRegistrar(assetId, _msgSender());
        _;
    }

    modifier onlyHolder(uint256 assetId) {
        if (_ownerOf(assetId) != _msgSender()) revert NotHolder(assetId, _msgSender());
        _;
    }

    // ---------------------------------------------------------------- registrars

    /// @inheritdoc IDataAssetRegistry
    function addRegistrar(string calldata code, uint32 noticePeriod)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
        returns (uint16 registrarId)
    {
        _checkCode(code);
        _checkNoticePeriod(noticePeriod);
        bytes32 codeHash = keccak256(bytes(code));
        if (_registrarByCode[codeHash] != 0) revert DuplicateRegistrarCode(code);
        registrarId = ++_registrarCount;
        _registrarByCode[codeHash] = registrarId;
        _registrars[registrarId] = Registrar({code: code, noticePeriod: noticePeriod, active: true});
        emit RegistrarAdded(registrarId, code, noticePeriod, _msgSender());
    }

    /// @inheritdoc IDataAssetRegistry
    function updateRegistrar(uint16 registrarId, uint32 noticePeriod, bool active) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Registrar storage r = _registrarStorage(registrarId);
        _checkNoticePeriod(noticePeriod);
        r.noticePeriod = noticePeriod;
        r.active = active;
        emit RegistrarUpdated(registrarId, r.code, noticePeriod, active, _msgSender());
    }

    // ---------------------------------------------------------------- registration

    /// @inheritdoc IDataAssetRegistry
    function submit(Submission calldata s) external whenNotPaused returns (uint256) {
        return _submit(s, _msgSender());
    }

    /// @inheritdoc IDataAssetRegistry
    /// @dev All or nothing: one applicant's catalogue is one decision, and the ids stay consecutive. A refusal names
    /// its item: BatchItemFailed(index, the item's own error).
    function submitBatch(Submission[] calldata items) external whenNotPaused returns (uint256 firstAssetId) {
        uint256 n = items.length;
        if (n == 0 || n > MAX_BATCH) revert BatchSize(n, MAX_BATCH);
        address applicant = _msgSender();
        firstAssetId = _assetCount + 1;
        for (uint256 i = 0; i < n; i++) {
            _batchItem = i + 1;
            _submit(items[i], applicant);
        }
        _batchItem = 0;
    }

    function _submit(Submission calldata s, address applicant) private returns (uint256 assetId) {
        Registrar storage r = _registrarStorage(s.registrarId);
        if (!r.active) _fail(abi.encodeWithSelector(RegistrarInactive.selector, s.registrarId));
        if (s.contentHash == bytes32(0) || s.metadataHash == bytes32(0)) _fail(abi.encodeWithSelector(ZeroHash.selector));
        if (bytes(s.name).length == 0) _fail(abi.encodeWithSelector(EmptyName.selector));
        _checkText(s.name);
        _checkText(s.metadataURI);
        if (s.grade == Grade.Core) _fail(abi.encodeWithSelector(CoreDataRefused.selector));
        uint32 validity = s.validityPeriod;
        if (validity < MIN_VALIDITY || validity > MAX_VALIDITY || validity % 1 days != 0) {
            _fail(abi.encodeWithSelector(InvalidValidityPeriod.selector, validity));
        }
        _checkContentFree(s.contentHash);
        RoyaltyEntry[] memory royalties = _buildRoyalties(s.parentIds, s.parentSharesBps);

        assetId = ++_assetCount;
        uint32 noticeEndsAt = uint32(block.timestamp + r.noticePeriod);
        // The first slot only: status (InNotice) and the version count (1) are implied until the second is written.
        // One store of the whole (fresh) first slot, packed as the compiler lays out Asset: holder in the low 160
        // bits, then registrarId, kind, sourceType, grade, noticeEndsAt, encumbrance (none), validityDays (tests read
        // every field back).
        uint256 first = uint256(uint160(applicant)) | (uint256(s.registrarId) << 160) | (uint256(s.kind) << 176)
            | (uint256(s.sourceType) << 184) | (uint256(s.grade) << 192) | (uint256(noticeEndsAt) << 200)
            | (uint256(validity / 1 days) << 240);
        Asset storage a = _assets[assetId];
        assembly ("memory-safe") {
            sstore(a.slot, first)
        }
        _content[s.contentHash] = ContentRecord(uint64(assetId), 1, uint40(block.timestamp));
        if (royalties.length != 0) {
            RoyaltyEntry[] storage stored = _royalties[assetId];
            for (uint256 i = 0; i < royalties.length; i++) {
                stored.push(royalties[i]);
            }
        }
        emit RegistrationSubmitted(
            assetId, applicant, s.registrarId, s, royalties, uint64(block.timestamp), uint64(noticeEndsAt)
        );
    }

    /// @inheritdoc IDataAssetRegistry
    function object(uint256 assetId, bytes32 evidenceHash) external whenNotPaused returns (uint256 objectionId) {
        Asset storage a = _existing(assetId);
        if (_statusOf(a) != Status.InNotice || block.timestamp >= a.noticeEndsAt) revert NotInNotice(assetId);
        if (evidenceHash == bytes32(0)) revert ZeroHash();
        if (_objecting[assetId][_msgSender()]) revert AlreadyObjecting(assetId, _msgSender());
        _objecting[assetId][_msgSender()] = true;
        a.openObjections += 1;
        objectionId = ++_objectionCount;
        _objections[objectionId] = Objection({
            assetId: uint64(assetId),
            objector: _msgSender(),
            open: true,
            upheld: false,
            evidenceHash: evidenceHash
        });
        emit ObjectionFiled(objectionId, assetId, _msgSender(), evidenceHash, uint64(block.timestamp));
    }

    /// @inheritdoc IDataAssetRegistry
    function resolveObjection(uint256 objectionId, bool upheld, bytes32 resolutionHash) external whenNotPaused {
        Objection storage o = _objections[objectionId];
        if (o.assetId == 0) revert UnknownObjection(objectionId);
        uint256 assetId = o.assetId;
        if (!isRegistrarOf(assetId, _msgSender())) revert NotRegistrar(assetId, _msgSender());
        if (!o.open) revert ObjectionClosed(objectionId);
        o.open = false;
        o.upheld = upheld;
        _objecting[assetId][o.objector] = false;
        Asset storage a = _assets[assetId];
        a.openObjections -= 1;
        emit ObjectionResolved(objectionId, assetId, _msgSender(), upheld, resolutionHash, uint64(block.timestamp));
        // An upheld objection stops the registration (it can only be open while the asset is in notice or ended).
        if (upheld && _statusOf(a) == Status.InNotice) _end(assetId, a, Status.Rejected, "objection upheld");
    }

    /// @inheritdoc IDataAssetRegistry
    function approveRegistration(uint256 assetId) external whenNotPaused {
        bytes4 blocker = _approve(assetId, _msgSender());
        if (blocker != 0) _revertApproval(blocker, assetId);
    }

    /// @inheritdoc IDataAssetRegistry
    /// @dev Per item for what others can change under the batch: anyone may object to a registration in notice,
    /// so an all-or-nothing batch could be blocked by one objection filed ahead of it. Such items are skipped with
    /// the reason in ApprovalSkipped. An id that is unknown or not the caller's to approve is no race but a mistake,
    /// and skipping it would let anyone write into any asset's record: the whole batch reverts, BatchItemFailed.
    function approveBatch(uint256[] calldata assetIds) external whenNotPaused returns (uint256 approved) {
        uint256 n = assetIds.length;
        if (n == 0 || n > MAX_BATCH) revert BatchSize(n, MAX_BATCH);
        address sender = _msgSender();
        for (uint256 i = 0; i < n; i++) {
            uint256 id = assetIds[i];
            bytes4 blocker = _approve(id, sender);
            if (blocker == 0) {
                approved++;
            } else if (blocker == UnknownAsset.selector) {
                revert BatchItemFailed(i, abi.encodeWithSelector(blocker, id));
            } else if (blocker == NotRegistrar.selector) {
                revert BatchItemFailed(i, abi.encodeWithSelector(blocker, id, sender));
            } else {
                emit ApprovalSkipped(id, sender, blocker);
            }
        }
    }

    /// @dev Approves, or returns the selector of the error that stops it (state untouched).
    function _approve(uint256 assetId, address sender) private returns (bytes4) {
        Asset storage a = _assets[assetId];
        if (a.holder == address(0)) return UnknownAsset.selector;
        if (!hasRole(registrarRole(a.registrarId), sender)) return NotRegistrar.selector;
        if (a.status != Status.None) return WrongStatus.selector; // stored None: in notice
        if (block.timestamp < a.noticeEndsAt) return NoticeNotOver.selector;
        if (a.openObjections != 0) return OpenObjections.selector;
        Registrar storage r = _registrars[a.registrarId];
        if (!r.active) return RegistrarInactive.selector;

        uint16 year = RegistrationNumber.yearOf(block.timestamp);
        uint32 seq = _sequence[a.registrarId][year] + 1;
        if (seq > MAX_SEQUENCE) return SequenceExhausted.selector;
        _sequence[a.registrarId][year] = seq;
        uint40 validUntil = uint40(block.timestamp + uint256(a.validityDays) * 1 days);
        // One store of the second slot (nothing else in it is set before approval: no end, no open objection, one
        // version, no paid licence), packed as Asset lays it out: status, approvedAt, validUntil at bits 0-87,
        // registrationSeq and registrationYear at bits 160-199.
        uint256 second = uint256(uint8(Status.Active)) | (block.timestamp << 8) | (uint256(validUntil) << 48)
            | (uint256(seq) << 160) | (uint256(year) << 184);
        assembly ("memory-safe") {
            let slot := add(a.slot, 1)
            sstore(slot, or(sload(slot), second))
        }
        address holder = a.holder;
        _balances[holder] += 1;
        emit Transfer(address(0), holder, assetId);
        emit RegistrationApproved(
            assetId,
            holder,
            a.registrarId,
            RegistrationNumber.format(r.code, year, seq),
            sender,
            uint64(block.timestamp),
            uint64(validUntil)
        );
        return 0;
    }

    /// @dev The full error behind a blocker from _approve, for the single approval.
    function _revertApproval(bytes4 blocker, uint256 assetId) private view {
        Asset storage a = _assets[assetId];
        if (blocker == UnknownAsset.selector) revert UnknownAsset(assetId);
        if (blocker == NotRegistrar.selector) revert NotRegistrar(assetId, _msgSender());
        if (blocker == WrongStatus.selector) revert WrongStatus(assetId, _statusOf(a));
        if (blocker == NoticeNotOver.selector) revert NoticeNotOver(assetId, a.noticeEndsAt);
        if (blocker == OpenObjections.selector) revert OpenObjections(assetId, a.openObjections);
        if (blocker == RegistrarInactive.selector) revert RegistrarInactive(a.registrarId);
        revert SequenceExhausted(a.registrarId, RegistrationNumber.yearOf(block.timestamp));
    }

    /// @inheritdoc IDataAssetRegistry
    function rejectRegistration(uint256 assetId, string calldata reason) external whenNotPaused onlyRegistrarOf(assetId) {
        Asset storage a = _assets[assetId];
        Status status = _statusOf(a);
        if (status != Status.InNotice) revert WrongStatus(assetId, status);
        _checkText(reason);
        _end(assetId, a, Status.Rejected, reason);
    }

    // ---------------------------------------------------------------- after registration

    /// @inheritdoc IDataAssetRegistry
    function addVersion(uint256 assetId, bytes32 contentHash, bytes32 metadataHash)
        external
        whenNotPaused
        onlyHolder(assetId)
        returns (uint32 version)
    {
        Asset storage a = _activeNow(assetId);
        if (contentHash == bytes32(0) || metadataHash == bytes32(0)) revert ZeroHash();
        _checkContentFree(contentHash);
        uint16 count = a.versionCount == 0 ? 1 : a.versionCount; // 0 in storage: the first version only
        if (count == type(uint16).max) revert TooManyVersions(assetId);
        version = count + 1;
        a.versionCount = uint16(version);
        _content[contentHash] = ContentRecord(uint64(assetId), version, uint40(block.timestamp));
        emit VersionAdded(assetId, version, contentHash, metadataHash, _msgSender(), uint64(block.timestamp));
    }

    /// @inheritdoc IDataAssetRegistry
    function change(
        uint256 assetId,
        bytes32 metadataHash,
        string calldata metadataURI,
        uint64 records,
        uint64 sizeBytes,
        UpdateFrequency updateFrequency
    ) external whenNotPaused {
        Asset storage a = _existing(assetId);
        if (_ownerOf(assetId) != _msgSender() && !isRegistrarOf(assetId, _msgSender())) {
            revert NotHolderOrRegistrar(assetId, _msgSender());
        }
        if (a.status != Status.Active) revert WrongStatus(assetId, _statusOf(a));
        if (metadataHash == bytes32(0)) revert ZeroHash();
        _checkText(metadataURI);
        emit RegistrationChanged(
            assetId, _msgSender(), metadataHash, metadataURI, records, sizeBytes, updateFrequency, uint64(block.timestamp)
        );
    }

    /// @inheritdoc IDataAssetRegistry
    function requestTransfer(uint256 assetId, address to, bytes32 evidenceHash)
        external
        whenNotPaused
        onlyHolder(assetId)
    {
        _unencumbered(_activeNow(assetId), assetId, ENC_TRANSFER);
        if (to == address(0) || to == _msgSender()) revert InvalidRecipient(to);
        if (evidenceHash == bytes32(0)) revert ZeroHash();
        _pendingTransfer[assetId] = PendingTransfer(to, evidenceHash);
        emit HoldingTransferRequested(assetId, _msgSender(), to, evidenceHash, uint64(block.timestamp));
    }

    /// @inheritdoc IDataAssetRegistry
    function cancelTransferRequest(uint256 assetId) external whenNotPaused onlyHolder(assetId) {
        if (_pendingTransfer[assetId].to == address(0)) revert NoTransferRequest(assetId);
        delete _pendingTransfer[assetId];
        emit HoldingTransferRequestCancelled(assetId, _msgSender(), uint64(block.timestamp));
    }

    /// @inheritdoc IDataAssetRegistry
    function approveTransfer(uint256 assetId, address to, bytes32 evidenceHash)
        external
        whenNotPaused
        onlyRegistrarOf(assetId)
    {
        PendingTransfer storage p = _pendingTransfer[assetId];
        if (p.to == address(0)) revert NoTransferRequest(assetId);
        if (p.to != to || p.evidenceHash != evidenceHash) revert TransferRequestChanged(assetId, p.to, p.evidenceHash);
        _unencumbered(_activeNow(assetId), assetId, ENC_TRANSFER); // pledged since the request
        _moveHolding(assetId, _ownerOf(assetId), to, 0);
    }

    /// @inheritdoc IDataAssetRegistry
    function transferByExchange(uint256 assetId, address from, address to, uint256 orderId)
        external
        whenNotPaused
        onlyRole(EXCHANGE_ROLE)
    {
        Asset storage a = _activeNow(assetId);
        // An enforcement sale: the pledge registry sells the pledgor's holding (the right passes only by sale). The
        // pledgor may buy it back (redemption): a move to itself, its pledges then discharged.
        if (from == _pledgeRegistry && from != address(0) && a.encumbrance & ENC_ENFORCING != 0) {
            from = a.holder;
            if (to == address(0)) revert InvalidRecipient(to);
        } else {
            _unencumbered(a, assetId, ENC_TRANSFER);
            if (_ownerOf(assetId) != from) revert NotHolder(assetId, from);
            if (to == address(0) || to == from) revert InvalidRecipient(to);
        }
        _moveHolding(assetId, from, to, orderId);
    }

    /// @inheritdoc IDataAssetRegistry
    /// @dev Not paused with the registry: recording a sale that settled only protects its buyer. No event of its
    /// own: the licence's RightGranted event (issued by the exchange) carries its end, from which indexers derive it.
    function recordPaidLicence(uint256 assetId, uint64 until) external onlyRole(EXCHANGE_ROLE) {
        Asset storage a = _existing(assetId);
        uint32 saturated = until > type(uint32).max ? type(uint32).max : uint32(until);
        if (saturated > a.paidLicencesUntil) a.paidLicencesUntil = saturated;
    }

    /// @inheritdoc IDataAssetRegistry
    function cancel(uint256 assetId, string calldata reason) external whenNotPaused {
        Asset storage a = _existing(assetId);
        _checkText(reason);
        Status status = _statusOf(a);
        if (status == Status.InNotice) {
            // Withdrawal of an application: only its applicant.
            if (a.holder != _msgSender()) revert NotHolder(assetId, _msgSender());
        } else if (status == Status.Active) {
            _unencumbered(a, assetId, ENC_CANCEL); // the registrar too: a pledgee's security is not its to void
            if (!isRegistrarOf(assetId, _msgSender())) {
                if (_ownerOf(assetId) != _msgSender()) revert NotHolderOrRegistrar(assetId, _msgSender());
                // A holder must not void licences that buyers paid for; the registrar may, for cause.
                if (a.paidLicencesUntil >= block.timestamp) revert PaidLicencesLive(assetId, a.paidLicencesUntil);
            }
            delete _pendingTransfer[assetId];
        } else {
            revert WrongStatus(assetId, status);
        }
        _end(assetId, a, Status.Cancelled, reason);
    }

    /// @inheritdoc IDataAssetRegistry
    function renew(uint256 assetId, uint64 newValidUntil) external whenNotPaused onlyRegistrarOf(assetId) {
        Asset storage a = _activeNow(assetId);
        if (newValidUntil <= a.validUntil) revert RenewalNotLater(newValidUntil, a.validUntil);
        uint64 max = uint64(block.timestamp) + MAX_VALIDITY;
        if (newValidUntil > max) revert RenewalTooLong(newValidUntil, max);
        uint64 previous = a.validUntil;
        a.validUntil = uint40(newValidUntil);
        emit RegistrationRenewed(assetId, _msgSender(), previous, newValidUntil, uint64(block.timestamp));
    }

    /// @notice Stop every state change (emergency).
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume after a pause; the pauser role only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDataAssetRegistry
    function isActive(uint256 assetId, uint64 at) public view returns (bool) {
        Asset storage a = _assets[assetId];
        if (a.approvedAt == 0 || at < a.approvedAt || at > a.validUntil) return false;
        return !(a.status == Status.Cancelled && at >= a.endedAt);
    }

    /// @inheritdoc IDataAssetRegistry
    function validUntilOf(uint256 assetId) external view returns (uint64) {
        return _assets[assetId].validUntil;
    }

    /// @inheritdoc IDataAssetRegistry
    function assetOf(uint256 assetId) external view returns (Asset memory a) {
        a = _existing(assetId);
        if (a.status == Status.None) a.status = Status.InNotice;
        if (a.versionCount == 0) a.versionCount = 1;
    }

    /// @inheritdoc IDataAssetRegistry
    function holderOf(uint256 assetId) external view returns (address) {
        return _ownerOf(assetId);
    }

    /// @inheritdoc IDataAssetRegistry
    function registrar(uint16 registrarId) external view returns (Registrar memory) {
        return _registrarStorage(registrarId);
    }

    /// @notice Number of registrars (ids run from 1).
    function registrarCount() external view returns (uint16) {
        return _registrarCount;
    }

    /// @notice Number of assets ever submitted (ids run from 1).
    function assetCount() external view returns (uint256) {
        return _assetCount;
    }

    /// @inheritdoc IDataAssetRegistry
    function registrarRole(uint16 registrarId) public pure returns (bytes32) {
        return keccak256(abi.encode("REGISTRAR_ROLE", registrarId));
    }

    /// @inheritdoc IDataAssetRegistry
    function isRegistrarOf(uint256 assetId, address account) public view returns (bool) {
        return hasRole(registrarRole(_existing(assetId).registrarId), account);
    }

    /// @inheritdoc IDataAssetRegistry
    function registrationNumber(uint256 assetId) external view returns (string memory) {
        Asset storage a = _existing(assetId);
        if (a.approvedAt == 0) return "";
        return RegistrationNumber.format(_registrars[a.registrarId].code, a.registrationYear, a.registrationSeq);
    }

    /// @inheritdoc IDataAssetRegistry
    function findContent(bytes32 contentHash)
        external
        view
        returns (uint256 assetId, uint32 version, uint64 registeredAt)
    {
        ContentRecord storage c = _content[contentHash];
        return (c.assetId, c.version, c.registeredAt);
    }

    /// @inheritdoc IDataAssetRegistry
    function royaltiesOf(uint256 assetId) external view returns (RoyaltyEntry[] memory) {
        return _royalties[assetId];
    }

    /// @inheritdoc IDataAssetRegistry
    function royaltyPayeesOf(uint256 assetId)
        external
        view
        returns (RoyaltyEntry[] memory entries, address[] memory payees, uint256 pledged)
    {
        entries = _royalties[assetId];
        payees = new address[](entries.length);
        for (uint256 i = 0; i < entries.length; i++) {
            Asset storage p = _assets[entries[i].assetId];
            address holder = p.holder;
            uint8 encumbrance = p.encumbrance; // the holder's slot: no extra read
            if (p.approvedAt == 0) {
                payees[i] = address(0);
            } else if (encumbrance & ENC_REVENUE != 0) {
                payees[i] = _pledgeRegistry;
                pledged |= 1 << i;
            } else {
                payees[i] = holder;
            }
        }
        if (_assets[assetId].encumbrance & (ENC_REVENUE | ENC_ENFORCING | ENC_PROCEEDS) != 0) pledged |= 1 << 255;
    }

    /// @inheritdoc IDataAssetRegistry
    function sellerOf(uint256 assetId, bool licence, uint64 activeUntil) public view returns (address) {
        Asset storage a = _assets[assetId];
        if (activeUntil < block.timestamp || !isActive(assetId, activeUntil)) return address(0);
        uint8 e = a.encumbrance;
        if (licence) return e & (ENC_LICENSING | ENC_ENFORCING) == 0 ? a.holder : address(0);
        if (e & ENC_ENFORCING != 0) return _pledgeRegistry;
        return e & ENC_TRANSFER == 0 ? a.holder : address(0);
    }

    /// @inheritdoc IDataAssetRegistry
    function checkSeller(uint256 assetId, address seller, bool licence) external view returns (bool) {
        if (seller != address(0) && sellerOf(assetId, licence, uint64(block.timestamp)) == seller) return true;
        Asset storage a = _assets[assetId];
        if (a.holder == seller) _unencumbered(a, assetId, licence ? ENC_LICENSING | ENC_ENFORCING : ENC_TRANSFER);
        return false;
    }

    /// @inheritdoc IDataAssetRegistry
    function pledgeRegistry() external view returns (address) {
        return _pledgeRegistry;
    }

    /// @inheritdoc IDataAssetRegistry
    function setPledgeRegistry(address pledgeRegistry_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_pledgeRegistry != address(0)) revert PledgeRegistrySet(_pledgeRegistry);
        if (pledgeRegistry_ == address(0)) revert InvalidRecipient(pledgeRegistry_);
        _pledgeRegistry = pledgeRegistry_;
    }

    /// @inheritdoc IDataAssetRegistry
    /// @dev No event of its own: the pledge registry's events say why, and indexers derive the flags from them.
    function setEncumbrance(uint256 assetId, uint8 encumbrance) external {
        if (msg.sender != _pledgeRegistry || msg.sender == address(0)) revert NotPledgeRegistry(msg.sender);
        _existing(assetId).encumbrance = encumbrance;
    }

    /// @inheritdoc IDataAssetRegistry
    function objectionOf(uint256 objectionId) external view returns (Objection memory) {
        Objection storage o = _objections[objectionId];
        if (o.assetId == 0) revert UnknownObjection(objectionId);
        return o;
    }

    /// @inheritdoc IDataAssetRegistry
    function pendingTransferOf(uint256 assetId) external view returns (address to, bytes32 evidenceHash) {
        PendingTransfer storage p = _pendingTransfer[assetId];
        return (p.to, p.evidenceHash);
    }

    /// @notice ERC-165: ERC-721 with metadata, and AccessControl.
    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC721).interfaceId || interfaceId == type(IERC721Metadata).interfaceId
            || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- ERC-721 (the registration certificate)

    /// @notice Certificate name.
    function name() external pure returns (string memory) {
        return "Data Asset Registration Certificate";
    }

    /// @notice Certificate symbol.
    function symbol() external pure returns (string memory) {
        return "DARC";
    }

    /// @notice Empty: the registration's data is in this contract's views and events, not behind a URI.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId);
        return "";
    }

    /// @notice Certificates held by `owner`.
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        return _balances[owner];
    }

    /// @notice Holder of an approved registration's certificate; reverts before approval.
    function ownerOf(uint256 tokenId) public view returns (address owner) {
        owner = _ownerOf(tokenId);
        if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
    }

    /// @notice Always zero: the holding right has no operators.
    function getApproved(uint256 tokenId) external view returns (address) {
        ownerOf(tokenId);
        return address(0);
    }

    /// @notice Always false: the holding right has no operators.
    function isApprovedForAll(address, address) external pure returns (bool) {
        return false;
    }

    /// @notice Always reverts: ERC-721 approvals would suggest the certificate can be moved by an operator.
    function approve(address, uint256 tokenId) external pure {
        revert HoldingTransferRestricted(tokenId);
    }

    /// @notice Always reverts: the holding right has no operators.
    function setApprovalForAll(address, bool) external pure {
        revert HoldingTransferRestricted(0);
    }

    /// @notice Always reverts: the holding right moves only by `approveTransfer` or exchange settlement.
    function transferFrom(address, address, uint256 tokenId) external pure {
        revert HoldingTransferRestricted(tokenId);
    }

    /// @notice Always reverts, as `transferFrom`.
    function safeTransferFrom(address, address, uint256 tokenId) external pure {
        revert HoldingTransferRestricted(tokenId);
    }

    /// @notice Always reverts, as `transferFrom`.
    function safeTransferFrom(address, address, uint256 tokenId, bytes calldata) external pure {
        revert HoldingTransferRestricted(tokenId);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The certificate exists from approval on; until then `holder` is only the applicant.
    function _ownerOf(uint256 assetId) private view returns (address) {
        Asset storage a = _assets[assetId];
        return a.approvedAt == 0 ? address(0) : a.holder;
    }

    /// @dev Reverts if live pledges restrict any of `flags` on the asset.
    function _unencumbered(Asset storage a, uint256 assetId, uint8 flags) private view {
        uint8 e = a.encumbrance;
        if (e & flags != 0) revert Encumbered(assetId, e);
    }

    function _existing(uint256 assetId) private view returns (Asset storage a) {
        a = _assets[assetId];
        if (a.holder == address(0)) revert UnknownAsset(assetId);
    }

    /// @dev An approved, uncancelled, unexpired asset.
    function _activeNow(uint256 assetId) private view returns (Asset storage a) {
        a = _existing(assetId);
        if (a.status != Status.Active) revert AssetNotActive(assetId);
        if (block.timestamp > a.validUntil) revert AssetExpired(assetId, a.validUntil);
    }

    /// @dev The status: stored None means in notice for an asset that exists (the second slot is not written yet).
    function _statusOf(Asset storage a) private view returns (Status) {
        Status s = a.status;
        return s == Status.None && a.holder != address(0) ? Status.InNotice : s;
    }

    /// @dev Reverts with `err`, inside submitBatch as BatchItemFailed(item index, err).
    function _fail(bytes memory err) private view {
        uint256 item = _batchItem;
        if (item != 0) revert BatchItemFailed(item - 1, err);
        assembly ("memory-safe") {
            revert(add(err, 32), mload(err))
        }
    }

    function _registrarStorage(uint16 registrarId) private view returns (Registrar storage r) {
        if (registrarId == 0 || registrarId > _registrarCount) _fail(abi.encodeWithSelector(UnknownRegistrar.selector, registrarId));
        r = _registrars[registrarId];
    }

    /// @dev Ends a registration (rejected, withdrawn or cancelled); its content hashes become free again
    /// (see _checkContentFree).
    function _end(uint256 assetId, Asset storage a, Status status, string memory reason) private {
        a.status = status;
        a.endedAt = uint40(block.timestamp);
        if (status == Status.Rejected) {
            emit RegistrationRejected(assetId, a.registrarId, _msgSender(), reason, uint64(block.timestamp));
        } else {
            emit RegistrationCancelled(assetId, _msgSender(), reason, uint64(block.timestamp));
        }
    }

    function _moveHolding(uint256 assetId, address from, address to, uint256 orderId) private {
        // Most moves (exchange sales) have no request: then the evidence slot is not touched at all.
        if (_pendingTransfer[assetId].to != address(0)) delete _pendingTransfer[assetId];
        _balances[from] -= 1;
        _balances[to] += 1;
        _assets[assetId].holder = to;
        emit Transfer(from, to, assetId);
        emit HoldingTransferred(assetId, from, to, _msgSender(), orderId, uint64(block.timestamp));
    }

    /// @dev A content hash may be registered again once its registration has ended: rejected (so an applicant who
    /// lost to a squatter's objection-stopped filing can still register), withdrawn, or cancelled (注销 frees the
    /// data for a new registration).
    function _checkContentFree(bytes32 contentHash) private view {
        uint256 owner = _content[contentHash].assetId;
        if (owner == 0) return;
        Status status = _assets[owner].status;
        if (status != Status.Cancelled && status != Status.Rejected) {
            _fail(abi.encodeWithSelector(ContentAlreadyRegistered.selector, contentHash, owner));
        }
    }

    /// @dev Flattens the upstream royalty table: each parent's share, of which the parent's own table passes a
    /// part further up (bounded by MAX_ROYALTY_DEPTH). Lines are merged only when both payee and depth agree: an
    /// ancestor reached by paths of different lengths keeps one line per depth, so each path's share stops at the
    /// 4th generation on its own. Settlement then loops over at most MAX_ROYALTY_ENTRIES lines instead of walking
    /// the lineage.
    function _buildRoyalties(uint256[] calldata parentIds, uint16[] calldata sharesBps)
        private
        view
        returns (RoyaltyEntry[] memory entries)
    {
        uint256 count = parentIds.length;
        if (count != sharesBps.length) _fail(abi.encodeWithSelector(ParentSharesLengthMismatch.selector));
        if (count > MAX_PARENTS) _fail(abi.encodeWithSelector(TooManyParents.selector, count, MAX_PARENTS));
        if (count == 0) return entries; // an original work: no table, no scratch memory
        entries = new RoyaltyEntry[](MAX_ROYALTY_ENTRIES);
        uint256 n;
        uint256 totalBps;
        for (uint256 i = 0; i < count; i++) {
            uint256 pid = parentIds[i];
            if (_assets[pid].approvedAt == 0) _fail(abi.encodeWithSelector(UnknownParent.selector, pid));
            for (uint256 j = 0; j < i; j++) {
                if (parentIds[j] == pid) _fail(abi.encodeWithSelector(DuplicateParent.selector, pid));
            }
            uint256 bps = sharesBps[i];
            totalBps += bps;
            if (bps == 0) continue; // lineage without revenue share
            RoyaltyEntry[] storage up = _royalties[pid];
            uint256 passedUp;
            for (uint256 k = 0; k < up.length; k++) {
                RoyaltyEntry memory e = up[k];
                if (e.depth >= MAX_ROYALTY_DEPTH) continue;
                // Rounds down by less than one part in 1e16 for deep lineages; the parent keeps the remainder
                // below, so the parent's shares still sum exactly to bps * 1e12.
                uint256 share = (bps * e.share) / BPS;
                passedUp += share;
                n = _merge(entries, n, e.assetId, share, e.depth + 1);
            }
            n = _merge(entries, n, uint64(pid), bps * (ROYALTY_DENOMINATOR / BPS) - passedUp, 1);
        }
        if (totalBps > BPS) _fail(abi.encodeWithSelector(SharesExceedTotal.selector, totalBps));
        assembly {
            mstore(entries, n)
        }
    }

    function _merge(RoyaltyEntry[] memory entries, uint256 n, uint64 assetId, uint256 share, uint8 depth)
        private
        view
        returns (uint256)
    {
        if (share == 0) return n;
        for (uint256 i = 0; i < n; i++) {
            if (entries[i].assetId == assetId && entries[i].depth == depth) {
                entries[i].share += uint64(share);
                return n;
            }
        }
        if (n == MAX_ROYALTY_ENTRIES) _fail(abi.encodeWithSelector(RoyaltyTableTooLarge.selector, n + 1, MAX_ROYALTY_ENTRIES));
        entries[n] = RoyaltyEntry({assetId: assetId, share: uint64(share), depth: depth});
        return n + 1;
    }

    function _checkCode(string calldata code) private pure {
        bytes calldata b = bytes(code);
        if (b.length < 2 || b.length > 8) revert InvalidRegistrarCode(code);
        for (uint256 i = 0; i < b.length; i++) {
            bytes1 c = b[i];
            if (!((c >= "A" && c <= "Z") || (c >= "0" && c <= "9"))) revert InvalidRegistrarCode(code);
        }
    }

    function _checkNoticePeriod(uint32 noticePeriod) private pure {
        if (noticePeriod < MIN_NOTICE_PERIOD || noticePeriod > MAX_NOTICE_PERIOD) revert InvalidNoticePeriod(noticePeriod);
    }

    function _checkText(string calldata text) private view {
        if (bytes(text).length > MAX_TEXT) _fail(abi.encodeWithSelector(TextTooLong.selector, bytes(text).length, MAX_TEXT));
    }
}
