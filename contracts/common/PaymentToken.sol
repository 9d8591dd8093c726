// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

import {GovchainZeroAddress, GovchainZeroAmount} from "./Errors.sol";
import {GovchainAccess} from "./GovchainAccess.sol";
import {Roles} from "./Roles.sol";

/// @title PaymentToken
/// @notice Devnet stand-in for the stable-value money agencies pay in: an ERC-20 with EIP-2612
/// permits and a MINTER role.
/// @dev NOTE: on a real network the deployment config points at an existing token instead.
contract PaymentToken is ERC20, ERC20Permit, GovchainAccess {
    /// @notice Role identifier of accounts allowed to mint.
    bytes32 public constant MINTER_ROLE = Roles.MINTER_ROLE;

    uint8 private immutable _decimals;

    /// @notice Emitted when new tokens are issued.
    /// @param to Recipient of the new tokens.
    /// @param amount Amount minted, in the token's smallest unit.
    /// @param minter Account that minted.
    event Minted(address indexed to, uint256 amount, address indexed minter);

    /// @param name_ Token name (also the EIP-712 domain name).
    /// @param symbol_ Token symbol.
    /// @param decimals_ Number of decimals (stable-value money usually uses 2 or 6).
    /// @param admin Holder of DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE.
    /// @param minter Initial holder of MINTER_ROLE.
    constructor(string memory name_, string memory symbol_, uint8 decimals_, address admin, address minter)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        GovchainAccess(admin, _operationalRoles())
    {
        if (minter == address(0)) revert GovchainZeroAddress("minter");
        _decimals = decimals_;
        _grantRole(MINTER_ROLE, minter);
    }

    /// @notice Mint `amount` new tokens to `to`.
    /// @dev Only MINTER_ROLE. Emits {Minted} and ERC-20 {Transfer}.
    /// @param to Recipient.
    /// @param amount Amount in the token's smallest unit; must be positive.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        if (amount == 0) revert GovchainZeroAmount("amount");
        _mint(to, amount);
        emit Minted(to, amount, _msgSender());
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function _operationalRoles() private pure returns (bytes32[] memory roles) {
        roles = new bytes32[](1);
        roles[0] = Roles.MINTER_ROLE;
    }
}
