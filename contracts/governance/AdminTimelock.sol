// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title AdminTimelock
/// @notice OpenZeppelin's TimelockController, to hold the contracts' DEFAULT_ADMIN_ROLE in production: every role
/// grant (a new registrar, arbiter or exchange), fee or token change is proposed publicly and takes effect only after
/// `minDelay`. Anyone may execute a proposal once its delay has passed; the timelock administers itself.
contract AdminTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers)
        TimelockController(minDelay, proposers, _anyone(), address(0))
    {}

    function _anyone() private pure returns (address[] memory executors) {
        executors = new address[](1); // address(0): open executor role
    }
}
