// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Roles
/// @notice Role identifiers shared by every govchain contract.
/// @dev Each role is `keccak256` of its name, as OpenZeppelin AccessControl expects. The admin of
/// every role is {GOVERNANCE_ROLE}, itself administered by AccessControl's DEFAULT_ADMIN_ROLE, so
/// that the whole role tree can be handed to a multisig by granting it these two roles.
library Roles {
    /// @notice Holder administers all operational roles (hand it to a multisig in production).
    bytes32 internal constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");
    /// @notice May mint the devnet payment token.
    bytes32 internal constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice May pause and unpause a contract in an emergency.
    bytes32 internal constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    // Domain roles, declared here so that every contract and the Python tooling agree on them.
    bytes32 internal constant PROCUREMENT_OFFICER_ROLE = keccak256("PROCUREMENT_OFFICER_ROLE");
    bytes32 internal constant SUPPLIER_REGISTRAR_ROLE = keccak256("SUPPLIER_REGISTRAR_ROLE");
    bytes32 internal constant PROCUREMENT_REVIEWER_ROLE = keccak256("PROCUREMENT_REVIEWER_ROLE");
    bytes32 internal constant CONTRACT_INSPECTOR_ROLE = keccak256("CONTRACT_INSPECTOR_ROLE");
    bytes32 internal constant PROGRAMME_MANAGER_ROLE = keccak256("PROGRAMME_MANAGER_ROLE");
    bytes32 internal constant ELIGIBILITY_OFFICER_ROLE = keccak256("ELIGIBILITY_OFFICER_ROLE");
    bytes32 internal constant AUDITOR_ROLE = keccak256("AUDITOR_ROLE");
    bytes32 internal constant PAYER_ROLE = keccak256("PAYER_ROLE");
    bytes32 internal constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 internal constant LENDER_ROLE = keccak256("LENDER_ROLE");
    bytes32 internal constant COURT_ROLE = keccak256("COURT_ROLE");
    bytes32 internal constant TARIFF_AUTHORITY_ROLE = keccak256("TARIFF_AUTHORITY_ROLE");
    bytes32 internal constant TRADER_REGISTRAR_ROLE = keccak256("TRADER_REGISTRAR_ROLE");
    bytes32 internal constant CUSTOMS_OFFICER_ROLE = keccak256("CUSTOMS_OFFICER_ROLE");
    bytes32 internal constant APPEALS_OFFICER_ROLE = keccak256("APPEALS_OFFICER_ROLE");
    bytes32 internal constant ELECTION_AUTHORITY_ROLE = keccak256("ELECTION_AUTHORITY_ROLE");
}
