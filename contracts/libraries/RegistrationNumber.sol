// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title Registration numbers: "<registrar code>-<year>-<6-digit sequence>", years in China Standard Time.
library RegistrationNumber {
    /// @dev Registration years follow the registrars' calendar: UTC+8.
    uint256 internal constant CST_OFFSET = 8 hours;

    /// @notice Calendar year of a unix timestamp in UTC+8 (proleptic Gregorian; Hinnant's civil_from_days).
    function yearOf(uint256 timestamp) internal pure returns (uint16) {
        uint256 z = (timestamp + CST_OFFSET) / 1 days + 719468;
        uint256 era = z / 146097;
        uint256 doe = z - era * 146097;
        uint256 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        uint256 year = yoe + era * 400;
        if (mp >= 10) year += 1; // January and February belong to the next civil year
        return uint16(year);
    }

    function format(string memory code, uint16 year, uint32 seq) internal pure returns (string memory) {
        string memory digits = Strings.toString(seq);
        bytes memory padded = bytes(digits);
        if (padded.length < 6) {
            padded = new bytes(6);
            uint256 pad = 6 - bytes(digits).length;
            for (uint256 i = 0; i < 6; i++) {
                padded[i] = i < pad ? bytes1("0") : bytes(digits)[i - pad];
            }
        }
        return string.concat(code, "-", Strings.toString(year), "-", string(padded));
    }
}
