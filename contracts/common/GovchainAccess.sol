// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {GovchainZeroAddress} from "./Errors.sol";
import {Roles} from "./Roles.sol";

/// @title GovchainAccess
/// @notice Role set-up shared by every govchain contract: `admin` receives DEFAULT_ADMIN_ROLE and
/// GOVERNANCE_ROLE, and GOVERNANCE_ROLE administers the operational roles passed in.
/// @dev IMPORTANT: DEFAULT_ADMIN_ROLE can re-assign every role. In production it belongs to a
/// multisig or a timelock, never to an individual official.
abstract contract GovchainAccess is AccessControl {
    /// @notice Role identifier of governance (admin of every operational role).
    bytes32 public constant GOVERNANCE_ROLE = Roles.GOVERNANCE_ROLE;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE.
    /// @param operationalRoles Roles whose admin becomes GOVERNANCE_ROLE.
    constructor(address admin, bytes32[] memory operationalRoles) {
        if (admin == address(0)) revert GovchainZeroAddress("admin");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
        for (uint256 i = 0; i < operationalRoles.length; ++i) {
            // Bounded: the list is fixed by each contract's constructor, never by users.
            _setRoleAdmin(operationalRoles[i], GOVERNANCE_ROLE);
        }
    }
}
