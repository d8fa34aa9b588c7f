// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";

/// @title Relayable
/// @notice Role-based access and pausing whose actor is the signer of a request relayed by the one trusted forwarder
/// (OpenZeppelin's ERC2771Forwarder: deadline, nonce, EIP-712 signature), and otherwise the caller. Every contract
/// of the system names the actor with `_msgSender()`, never `msg.sender`, so a holder without a funded wallet can
/// sign and an exchange's relayer pays the gas. The forwarder is fixed at deployment: no one can change whom the
/// contracts trust to vouch for a signer.
abstract contract Relayable is AccessControl, Pausable, ERC2771Context {
    constructor(address trustedForwarder_) ERC2771Context(trustedForwarder_) {}

    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }
}
