// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Errors
/// @notice Custom errors shared across the govchain suite. Domain-specific errors live in each
/// domain's interface; these are the ones more than one contract raises.

/// @notice An address argument was the zero address.
/// @param parameter Name of the offending parameter, as a short string hash-free label.
error GovchainZeroAddress(string parameter);

/// @notice An amount argument was zero where a positive amount is required.
/// @param parameter Name of the offending parameter.
error GovchainZeroAmount(string parameter);

/// @notice A time window was empty or in the wrong order.
/// @param start Start of the window (unix seconds).
/// @param end End of the window (unix seconds).
error GovchainInvalidWindow(uint64 start, uint64 end);

/// @notice A record id does not exist.
/// @param id The unknown id.
error GovchainUnknownRecord(uint256 id);
