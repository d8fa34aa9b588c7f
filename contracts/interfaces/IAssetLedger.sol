// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Attestations and accounting records for data assets.
/// @notice Accredited assessors and appraisers attest compliance, quality and value; an entity (or an accountant it
/// authorises) keeps its accounting "book" for a data asset under 财会〔2023〕11号: recognition as intangible asset,
/// inventory or development expenditure, cost entries, ready-for-use, impairment / write-down and reversal,
/// derecognition. Entries are never edited: attestations are superseded or revoked by their author.
interface IAssetLedger {
    enum AttestationKind {
        Compliance,
        Quality,
        Appraisal
    }

    enum ValuationMethod {
        Cost,
        Market,
        Income
    }

    enum Category {
        Intangible, // 无形资产
        Inventory, // 存货
        Development // 开发支出 (development in progress)
    }

    enum CostSource {
        Purchased, // 外购
        SelfDeveloped, // 自行开发 / 自行加工
        Other // 其他方式
    }

    enum CostPhase {
        None, // acquisition or processing cost
        Research, // expensed, never capitalised
        Development // capitalised in development expenditure
    }

    enum DerecognitionReason {
        Sale, // 处置 / 出售
        Lapse, // 失效且终止确认
        Other
    }

    struct Attestation {
        uint64 assetId;
        AttestationKind kind;
        address author;
        uint40 attestedAt;
        uint40 revokedAt;
        uint64 supersededBy;
    }

    struct Book {
        address entity;
        Category category;
        CostSource source;
        uint16 usefulLifeMonths; // 0 = indefinite (not amortised); inventory is never amortised
        uint40 recognisedOn;
        uint40 readyOn; // intangible: amortisation starts this month; 0 while in development
        uint40 derecognisedOn;
        uint64 assetId;
        uint40 lastEntryOn; // entries are chronological: none may be dated before this
        address currency; // ERC-20 whose minor units the amounts are in
        uint128 cost; // capitalised cost so far
        uint128 impairment; // intangible / development: impairment (never reversed); inventory: write-down net of reversals
        uint128 residualValue;
    }

    event ComplianceAttested(
        uint256 indexed attestationId,
        uint256 indexed assetId,
        address indexed author,
        bool passed,
        bytes32 reportHash,
        uint256 supersedes,
        uint64 attestedAt
    );
    event QualityAttested(
        uint256 indexed attestationId,
        uint256 indexed assetId,
        address indexed author,
        uint8[6] scores, // accuracy, consistency, completeness, conformity, timeliness, accessibility (0-100)
        bytes32 reportHash,
        uint256 supersedes,
        uint64 attestedAt
    );
    event AppraisalAttested(
        uint256 indexed attestationId,
        uint256 indexed assetId,
        address indexed author,
        ValuationMethod method,
        uint256 value,
        address currency,
        uint64 valuationDate,
        bytes32 reportHash,
        uint256 supersedes,
        uint64 attestedAt
    );
    event AttestationRevoked(uint256 indexed attestationId, uint256 indexed assetId, address indexed author, string reason, uint64 revokedAt);

    event AccountantSet(address indexed entity, address indexed accountant, bool authorised, uint64 setAt);
    event BookOpened(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        Category category,
        CostSource source,
        uint16 usefulLifeMonths,
        uint128 residualValue,
        address currency,
        uint64 date,
        bytes32 evidenceHash,
        address recordedBy
    );
    event CostRecorded(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        uint128 amount,
        CostSource source,
        CostPhase phase,
        uint64 date,
        uint256 orderId,
        bytes32 evidenceHash,
        address recordedBy
    );
    event ReadyForUse(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        uint16 usefulLifeMonths,
        uint64 date,
        bytes32 evidenceHash,
        address recordedBy
    );
    /// @notice Impairment of an intangible / development book, or write-down of an inventory book.
    event ImpairmentRecorded(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        uint128 amount,
        uint64 date,
        bytes32 evidenceHash,
        address recordedBy
    );
    event WriteDownReversed(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        uint128 amount,
        uint64 date,
        bytes32 evidenceHash,
        address recordedBy
    );
    event Derecognised(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        DerecognitionReason reason,
        uint128 proceeds,
        uint64 date,
        bytes32 evidenceHash,
        address recordedBy
    );

    error ZeroHash();
    error ZeroAmount();
    error InvalidScore(uint8 score);
    error InvalidCurrency(address currency);
    error DateBeforeRules(uint64 date);
    error DateInFuture(uint64 date);
    error DateBeforeRecognition(uint64 date, uint64 recognisedOn);
    error DateBeforeLastEntry(uint64 date, uint64 lastEntryOn);
    error MissingDate();
    error UnknownAttestation(uint256 attestationId);
    error NotAuthor(uint256 attestationId, address account);
    error AttestationClosed(uint256 attestationId);
    error SupersedeMismatch(uint256 attestationId);
    error UnknownBook(uint256 bookId);
    error NotEntityOrAccountant(address entity, address account);
    error WrongCategory(uint256 bookId, Category category);
    error WrongPhase(uint256 bookId, CostPhase phase);
    error InvalidUsefulLife(uint16 months);
    error BookClosed(uint256 bookId);
    error ExceedsCarryingBound(uint256 amount, uint256 bound);
    error InvalidRecipient(address account);
    error TextTooLong(uint256 length, uint256 max);

    /// @notice An assessor (ASSESSOR_ROLE) attests a compliance assessment (合规评估). `supersedes` 0 or an earlier
    /// attestation of the caller's of the same kind and asset.
    function attestCompliance(uint256 assetId, bool passed, bytes32 reportHash, uint256 supersedes) external returns (uint256);

    /// @notice An assessor attests quality scores (0-100) for the six dimensions.
    function attestQuality(uint256 assetId, uint8[6] calldata scores, bytes32 reportHash, uint256 supersedes)
        external
        returns (uint256);

    /// @notice An appraiser (APPRAISER_ROLE) attests a valuation report.
    function attestAppraisal(
        uint256 assetId,
        ValuationMethod method,
        uint256 value,
        address currency,
        uint64 valuationDate,
        bytes32 reportHash,
        uint256 supersedes
    ) external returns (uint256);

    /// @notice The author revokes its attestation.
    function revokeAttestation(uint256 attestationId, string calldata reason) external;

    /// @notice The caller (an entity) authorises or de-authorises an accountant to record for it.
    function setAccountant(address accountant, bool authorised) external;

    /// @notice Open a book: recognise a data asset in `entity`'s accounts.
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
    ) external returns (uint256 bookId);

    /// @notice A cost entry; `orderId` links a settled purchase on the exchange (0 for none). Research-phase costs
    /// are recorded but not capitalised.
    function addCost(
        uint256 bookId,
        uint128 amount,
        CostSource source,
        CostPhase phase,
        uint64 date,
        uint256 orderId,
        bytes32 evidenceHash
    ) external;

    /// @notice Development expenditure becomes an intangible asset, amortised from `date`'s month.
    function readyForUse(uint256 bookId, uint16 usefulLifeMonths, uint64 date, bytes32 evidenceHash) external;

    /// @notice Impairment (intangible / development; never reversed) or inventory write-down.
    function impair(uint256 bookId, uint128 amount, uint64 date, bytes32 evidenceHash) external;

    /// @notice Reverse an inventory write-down, up to the amount written down.
    function reverseWriteDown(uint256 bookId, uint128 amount, uint64 date, bytes32 evidenceHash) external;

    /// @notice Derecognise: sale, lapse of rights, or other. Closes the book.
    function derecognise(uint256 bookId, DerecognitionReason reason, uint128 proceeds, uint64 date, bytes32 evidenceHash)
        external;

    function attestationOf(uint256 attestationId) external view returns (Attestation memory);

    function bookOf(uint256 bookId) external view returns (Book memory);

    function isAccountant(address entity, address accountant) external view returns (bool);
}
