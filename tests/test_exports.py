"""The public surface of the package stays explicit and importable."""

from __future__ import annotations

import govchain


def test_all_is_sorted_and_every_name_exists() -> None:
    assert govchain.__all__ == sorted(govchain.__all__)
    for name in govchain.__all__:
        assert hasattr(govchain, name), name


def test_every_public_error_derives_from_the_root() -> None:
    errors = [getattr(govchain, n) for n in govchain.__all__ if n.endswith(("Error", "Refused"))]
    errors.append(govchain.TransactionFailed)
    assert all(issubclass(e, govchain.GovchainError) for e in errors)


def test_contract_error_classes_are_shared_by_name() -> None:
    cls = govchain.contract_error("GovchainZeroAmount")
    assert cls is govchain.contract_error("GovchainZeroAmount")
    assert issubclass(cls, govchain.ContractError)
    error = cls({"parameter": "amount"}, contract="PaymentToken")
    assert str(error) == "PaymentToken: GovchainZeroAmount(parameter='amount')"
    assert error.parameter == "amount"
