// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Relayable} from "./metatx/Relayable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IAssetLedger} from "./interfaces/IAssetLedger.sol";
import {IDataAssetRegistry} from "./interfaces/IDataAssetRegistry.sol";
import {IDataExchange} from "./interfaces/IDataExchange.sol";

/// @title AssetLedger
/// @notice Attestations by accredited parties and entities' accounting books for data assets.
contract AssetLedger is IAssetLedger, Relayable {
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant ASSESSOR_ROLE = keccak256("ASSESSOR_ROLE");
    bytes32 public constant APPRAISER_ROLE = keccak256("APPRAISER_ROLE");

    /// @notice 2024-01-01 00:00 in UTC+8: the interim rules apply prospectively from this day.
    uint64 public constant RULES_EFFECTIVE = 1_704_038_400;
    uint16 public constant MAX_USEFUL_LIFE_MONTHS = 1200;
    uint256 public constant MAX_TEXT = 512;

    IDataAssetRegistry public immutable registry;
    /// @notice The exchange whose settled orders cost entries may link to.
    IDataExchange public immutable exchange;

    uint256 private _attestationCount;
    uint256 private _bookCount;
    mapping(uint256 attestationId => Attestation) private _attestations;
    mapping(uint256 bookId => Book) private _books;
    mapping(address entity => mapping(address accountant => bool)) private _accountants;

    constructor(address admin, IDataAssetRegistry registry_, IDataExchange exchange_, address trustedForwarder_)
        Relayable(trustedForwarder_)
    {
        if (admin == address(0) || address(registry_) == address(0) || address(exchange_) == address(0)) {
            revert InvalidRecipient(address(0));
        }
        registry = registry_;
        exchange = exchange_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    // ---------------------------------------------------------------- attestations

    /// @inheritdoc IAssetLedger
    function attestCompliance(uint256 assetId, bool passed, bytes32 reportHash, uint256 supersedes)
        external
        whenNotPaused
        onlyRole(ASSESSOR_ROLE)
        returns (uint256 id)
    {
        id = _attest(assetId, AttestationKind.Compliance, reportHash, supersedes);
        emit ComplianceAttested(id, assetId, _msgSender(), passed, reportHash, supersedes, uint64(block.timestamp));
    }

    /// @inheritdoc IAssetLedger
    function attestQuality(uint256 assetId, uint8[6] calldata scores, bytes32 reportHash, uint256 supersedes)
        external
        whenNotPaused
        onlyRole(ASSESSOR_ROLE)
        returns (uint256 id)
    {
        for (uint256 i = 0; i < 6; i++) {
            if (scores[i] > 100) revert InvalidScore(scores[i]);
        }
        id = _attest(assetId, AttestationKind.Quality, reportHash, supersedes);
        emit QualityAttested(id, assetId, _msgSender(), scores, reportHash, supersedes, uint64(block.timestamp));
    }

    /// @inheritdoc IAssetLedger
    function attestAppraisal(
        uint256 assetId,
        ValuationMethod method,
        uint256 value,
        address currency,
        uint64 valuationDate,
        bytes32 reportHash,
        uint256 supersedes
    ) external whenNotPaused onlyRole(APPRAISER_ROLE) returns (uint256 id) {
        if (currency == address(0)) revert InvalidCurrency(currency);
        if (valuationDate == 0) revert MissingDate();
        if (valuationDate > block.timestamp) revert DateInFuture(valuationDate);
        id = _attest(assetId, AttestationKind.Appraisal, reportHash, supersedes);
        emit AppraisalAttested(
            id, assetId, _msgSender(), method, value, currency, valuationDate, reportHash, supersedes, uint64(block.timestamp)
        );
    }

    /// @inheritdoc IAssetLedger
    function revokeAttestation(uint256 attestationId, string calldata reason) external whenNotPaused {
        Attestation storage a = _attestation(attestationId);
        if (a.author != _msgSender()) revert NotAuthor(attestationId, _msgSender());
        if (a.revokedAt != 0) revert AttestationClosed(attestationId);
        if (bytes(reason).length > MAX_TEXT) revert TextTooLong(bytes(reason).length, MAX_TEXT);
        a.revokedAt = uint40(block.timestamp);
        emit AttestationRevoked(attestationId, a.assetId, _msgSender(), reason, uint64(block.timestamp));
    }

    // ---------------------------------------------------------------- accounting

    /// @inheritdoc IAssetLedger
    function setAccountant(address accountant, bool authorised) external whenNotPaused {
        if (accountant == address(0) || accountant == _msgSender()) revert InvalidRecipient(accountant);
        _accountants[_msgSender()][accountant] = authorised;
        emit AccountantSet(_msgSender(), accountant, authorised, uint64(block.timestamp));
    }

    /// @inheritdoc IAssetLedger
    function recognise(
        address entity,
        uint256 assetId,
        Category category,
        CostSource source,
        uint16 usefulLifeMonths,
        uint128 residualValue,
        address currency,
        uint64 date,
        bytes32 evidenceHash
    ) external whenNotPaused returns (uint256 bookId) {
        Book storage b;
        (bookId, b) = _open(entity, assetId, category, source, residualValue, currency, date, evidenceHash);
        if (usefulLifeMonths > MAX_USEFUL_LIFE_MONTHS || (category == Category.Inventory && usefulLifeMonths != 0)) {
            revert InvalidUsefulLife(usefulLifeMonths);
        }
        b.usefulLifeMonths = usefulLifeMonths;
        // An asset recognised as intangible is ready for use when recognised; development waits for readyForUse.
        if (category == Category.Intangible) b.readyOn = uint40(date);
        _emitOpened(bookId, b, evidenceHash);
    }

    /// @inheritdoc IAssetLedger
    function recogniseAwaitingUse(
        address entity,
        uint256 assetId,
        CostSource source,
        uint128 residualValue,
        address currency,
        uint64 date,
        bytes32 evidenceHash
    ) external whenNotPaused returns (uint256 bookId) {
        if (source == CostSource.SelfDeveloped) revert InvalidSource(source);
        Book storage b;
        // Life and ready date come with readyForUse; until then readyOn stays 0 and nothing is amortised.
        (bookId, b) = _open(entity, assetId, Category.Intangible, source, residualValue, currency, date, evidenceHash);
        _emitOpened(bookId, b, evidenceHash);
    }

    /// @inheritdoc IAssetLedger
    function addCost(
        uint256 bookId,
        uint128 amount,
        CostSource source,
        CostPhase phase,
        uint64 date,
        uint256 orderId,
        bytes32 evidenceHash
    ) external whenNotPaused {
        Book storage b = _openBook(bookId, date, evidenceHash);
        if (amount == 0) revert ZeroAmount();
        // Research and development phases belong to self-development in progress; other books take plain costs.
        if ((b.category == Category.Development) != (phase != CostPhase.None)) revert WrongPhase(bookId, phase);
        if (orderId != 0) _checkOrder(orderId, b.entity);
        if (phase != CostPhase.Research) b.cost += amount;
        emit CostRecorded(bookId, b.entity, b.assetId, amount, source, phase, date, orderId, evidenceHash, _msgSender());
    }

    /// @inheritdoc IAssetLedger
    function readyForUse(uint256 bookId, uint16 usefulLifeMonths, uint64 date, bytes32 evidenceHash) external whenNotPaused {
        Book storage b = _openBook(bookId, date, evidenceHash);
        // Development expenditure moves to intangible assets; an intangible awaiting use (readyOn 0) gets its date once.
        if (b.category == Category.Inventory) revert WrongCategory(bookId, b.category);
        if (b.category == Category.Intangible && b.readyOn != 0) revert AlreadyReadyForUse(bookId, b.readyOn);
        if (usefulLifeMonths > MAX_USEFUL_LIFE_MONTHS) revert InvalidUsefulLife(usefulLifeMonths);
        b.category = Category.Intangible;
        b.usefulLifeMonths = usefulLifeMonths;
        b.readyOn = uint40(date);
        emit ReadyForUse(bookId, b.entity, b.assetId, usefulLifeMonths, date, evidenceHash, _msgSender());
    }

    /// @inheritdoc IAssetLedger
    function impair(uint256 bookId, uint128 amount, uint64 date, bytes32 evidenceHash) external whenNotPaused {
        Book storage b = _openBook(bookId, date, evidenceHash);
        if (amount == 0) revert ZeroAmount();
        // The chain cannot know amortisation to date, but impairment can never exceed the cost left unimpaired.
        uint256 bound = b.cost - b.impairment;
        if (amount > bound) revert ExceedsCarryingBound(amount, bound);
        b.impairment += amount;
        emit ImpairmentRecorded(bookId, b.entity, b.assetId, amount, date, evidenceHash, _msgSender());
    }

    /// @inheritdoc IAssetLedger
    function reverseWriteDown(uint256 bookId, uint128 amount, uint64 date, bytes32 evidenceHash) external whenNotPaused {
        Book storage b = _openBook(bookId, date, evidenceHash);
        if (b.category != Category.Inventory) revert WrongCategory(bookId, b.category);
        if (amount == 0) revert ZeroAmount();
        if (amount > b.impairment) revert ExceedsCarryingBound(amount, b.impairment);
        b.impairment -= amount;
        emit WriteDownReversed(bookId, b.entity, b.assetId, amount, date, evidenceHash, _msgSender());
    }

    /// @inheritdoc IAssetLedger
    function derecognise(uint256 bookId, DerecognitionReason reason, uint128 proceeds, uint64 date, bytes32 evidenceHash)
        external
        whenNotPaused
    {
        Book storage b = _openBook(bookId, date, evidenceHash);
        b.derecognisedOn = uint40(date);
        emit Derecognised(bookId, b.entity, b.assetId, reason, proceeds, date, evidenceHash, _msgSender());
    }

    /// @notice Stop every state change (emergency); the pauser role only.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume after a pause; the pauser role only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAssetLedger
    function attestationOf(uint256 attestationId) external view returns (Attestation memory) {
        return _attestation(attestationId);
    }

    /// @inheritdoc IAssetLedger
    function bookOf(uint256 bookId) external view returns (Book memory) {
        return _book(bookId);
    }

    /// @inheritdoc IAssetLedger
    function isAccountant(address entity, address accountant) external view returns (bool) {
        return _accountants[entity][accountant];
    }

    /// @notice Number of attestations ever made (ids run from 1).
    function attestationCount() external view returns (uint256) {
        return _attestationCount;
    }

    /// @notice Number of books ever opened (ids run from 1).
    function bookCount() external view returns (uint256) {
        return _bookCount;
    }

    // ---------------------------------------------------------------- internals

    function _attest(uint256 assetId, AttestationKind kind, bytes32 reportHash, uint256 supersedes)
        private
        returns (uint256 id)
    {
        registry.assetOf(assetId); // reverts UnknownAsset: attestations may precede approval, not the submission
        if (reportHash == bytes32(0)) revert ZeroHash();
        id = ++_attestationCount;
        if (supersedes != 0) {
            Attestation storage old = _attestation(supersedes);
            if (old.author != _msgSender()) revert NotAuthor(supersedes, _msgSender());
            if (old.assetId != assetId || old.kind != kind) revert SupersedeMismatch(supersedes);
            if (old.revokedAt != 0 || old.supersededBy != 0) revert AttestationClosed(supersedes);
            old.supersededBy = uint64(id);
        }
        _attestations[id] = Attestation({
            assetId: uint64(assetId),
            kind: kind,
            author: _msgSender(),
            attestedAt: uint40(block.timestamp),
            revokedAt: 0,
            supersededBy: 0
        });
    }

    function _attestation(uint256 attestationId) private view returns (Attestation storage a) {
        a = _attestations[attestationId];
        if (a.author == address(0)) revert UnknownAttestation(attestationId);
    }

    function _book(uint256 bookId) private view returns (Book storage b) {
        b = _books[bookId];
        if (b.entity == address(0)) revert UnknownBook(bookId);
    }

    /// @dev Checks and stores what every new book has; the caller sets life and ready date, then emits BookOpened.
    function _open(
        address entity,
        uint256 assetId,
        Category category,
        CostSource source,
        uint128 residualValue,
        address currency,
        uint64 date,
        bytes32 evidenceHash
    ) private returns (uint256 bookId, Book storage b) {
        _checkRecorder(entity);
        registry.assetOf(assetId); // reverts UnknownAsset
        if (currency == address(0)) revert InvalidCurrency(currency);
        if (evidenceHash == bytes32(0)) revert ZeroHash();
        _checkDate(date);
        bookId = ++_bookCount;
        b = _books[bookId];
        b.entity = entity;
        b.category = category;
        b.source = source;
        b.recognisedOn = uint40(date);
        b.assetId = uint64(assetId);
        b.lastEntryOn = uint40(date);
        b.currency = currency;
        b.residualValue = residualValue;
    }

    function _emitOpened(uint256 bookId, Book storage b, bytes32 evidenceHash) private {
        emit BookOpened(
            bookId,
            b.entity,
            b.assetId,
            b.category,
            b.source,
            b.usefulLifeMonths,
            b.residualValue,
            b.currency,
            b.recognisedOn,
            b.readyOn,
            evidenceHash,
            _msgSender()
        );
    }

    /// @dev A cost's order link: an order of the exchange (orderOf reverts for an unknown id, which is said as this
    /// ledger's UnknownOrder), settled, and bought by the book's entity. Only `buyer` and `status` are relied on.
    function _checkOrder(uint256 orderId, address entity) private view {
        IDataExchange.Order memory order;
        try exchange.orderOf(orderId) returns (IDataExchange.Order memory o) {
            order = o;
        } catch {
            revert UnknownOrder(orderId);
        }
        if (order.buyer == address(0)) revert UnknownOrder(orderId);
        if (order.status != IDataExchange.OrderStatus.Settled) revert OrderNotSettled(orderId, order.status);
        if (order.buyer != entity) revert OrderNotBoughtByEntity(orderId, order.buyer, entity);
    }

    /// @dev A book the caller may record in, still open, and a valid entry date on or after every earlier entry;
    /// the date becomes the book's last entry date.
    function _openBook(uint256 bookId, uint64 date, bytes32 evidenceHash) private returns (Book storage b) {
        b = _book(bookId);
        _checkRecorder(b.entity);
        if (b.derecognisedOn != 0) revert BookClosed(bookId);
        if (evidenceHash == bytes32(0)) revert ZeroHash();
        _checkDate(date);
        if (date < b.recognisedOn) revert DateBeforeRecognition(date, b.recognisedOn);
        // Chronological entries keep month-by-month amortisation computable from the event history alone.
        if (date < b.lastEntryOn) revert DateBeforeLastEntry(date, b.lastEntryOn);
        b.lastEntryOn = uint40(date);
    }

    function _checkRecorder(address entity) private view {
        if (entity == address(0)) revert InvalidRecipient(entity);
        if (_msgSender() != entity && !_accountants[entity][_msgSender()]) revert NotEntityOrAccountant(entity, _msgSender());
    }

    /// @dev The rules are prospective (never before 2024-01-01) and entries are never dated in the future.
    function _checkDate(uint64 date) private view {
        if (date < RULES_EFFECTIVE) revert DateBeforeRules(date);
        if (date > block.timestamp) revert DateInFuture(date);
    }
}
