// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

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
        // Fixed-width digits written arithmetically: cheaper than converting and padding strings.
        return string(abi.encodePacked(code, "-", bytes4(_digits(year, 4)), "-", bytes6(_digits(seq, 6))));
    }

    /// @dev The last `n` decimal digits of `v` as ASCII, left-aligned in a bytes32, zero-padded.
    function _digits(uint256 v, uint256 n) private pure returns (bytes32 out) {
        for (uint256 i = n; i > 0; i--) {
            out |= bytes32(uint256(48 + (v % 10)) << (8 * (32 - i)));
            v /= 10;
        }
    }
}
