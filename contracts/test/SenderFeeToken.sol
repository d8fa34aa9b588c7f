// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @dev Hostile test token: every transfer charges the *sender* a fee of FEE_BPS of the amount on top (burned), so
/// the recipient receives the full amount. An exchange checking only what it receives accepts payments in it; paying
/// out, it would lose amount + fee and so pay one creditor partly out of the others' money, unless it checks that its
/// own balance fell by exactly the amount. Amounts below 10_000 / FEE_BPS carry no fee.
contract SenderFeeToken is ERC20 {
    uint256 public constant FEE_BPS = 100; // 1%

    constructor() ERC20("Sender Fee Token", "SFEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice The fee the sender pays on top of a transfer of `value`.
    function feeOn(uint256 value) public pure returns (uint256) {
        return (value * FEE_BPS) / 10_000;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = feeOn(value);
            if (fee != 0) super._update(from, address(0), fee);
        }
        super._update(from, to, value);
    }
}
