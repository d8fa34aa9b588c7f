// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title RelayForwarder
/// @notice OpenZeppelin's ERC2771Forwarder, unchanged, under the system's EIP-712 domain name: it checks each signed
/// request's signature, nonce, deadline and gas, and that the target trusts it, then calls the target with the signer
/// appended. `executeBatch` with a refund receiver runs every valid request and reports each one's outcome in
/// `ExecutedForwardRequest(signer, nonce, success)`: one holder's failing request does not cost the others theirs.
contract RelayForwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("DataAssetLedger") {}
}
