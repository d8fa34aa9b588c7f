// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title SettlementToken
/// @notice For tests and the demo only: an ERC-20 with permit and configurable decimals (e.g. 2 for fen of a
/// digital-yuan-like unit, 6 or 18 for stablecoins). Real deployments settle in the venue's own token.
contract SettlementToken is ERC20, ERC20Permit, Ownable {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_, address owner_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        Ownable(owner_)
    {
        _decimals = decimals_;
    }

    /// @notice The decimals set at deployment.
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice The owner mints (test and demo funding).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
