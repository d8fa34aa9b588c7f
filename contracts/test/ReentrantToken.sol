// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @dev Test token that, when armed, calls back into a target (the exchange) during every transfer, e.g. to
/// withdraw again or place another order. The callback's failure is bubbled up so tests see the guard's error.
contract ReentrantToken is ERC20 {
    address private _hookTarget;
    bytes private _hookPayload;

    constructor() ERC20("Reentrant Token", "REE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata payload_) external {
        _hookTarget = target_;
        _hookPayload = payload_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address t = _hookTarget;
        if (t != address(0) && from != address(0) && to != address(0)) {
            _hookTarget = address(0); // once per arming
            (bool ok, bytes memory ret) = t.call(_hookPayload);
            if (!ok) {
                assembly {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
    }
}
