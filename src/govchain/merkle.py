"""OpenZeppelin's ``StandardMerkleTree`` in Python, byte for byte.

This mirrors ``StandardMerkleTree`` of the npm package ``@openzeppelin/merkle-tree`` 1.0.8 (pinned
in ``package.json``): for the same values and leaf encoding it gives the same root, proofs and
multiproofs, and :meth:`StandardMerkleTree.dump` / :meth:`StandardMerkleTree.load` read and write
its JSON format (``"standard-v1"``), so a tree built here can be served to a JavaScript front end
and a tree built there can be loaded here. Proofs verify on chain with OpenZeppelin's
``MerkleProof.verify`` / ``multiProofVerify`` against a leaf computed as
``keccak256(bytes.concat(keccak256(abi.encode(...))))``.

The algorithm, as in ``dist/core.js`` and ``dist/merkletree.js``:

- a leaf is ``keccak256(keccak256(abi.encode(leafEncoding, value)))`` (hashed twice so that a
  leaf can never be mistaken for an inner node);
- the leaf hashes are sorted ascending (a stable sort, so equal leaves keep their input order),
  unless ``sort_leaves=False``;
- the tree is one array of ``2n - 1`` nodes: ``tree[0]`` is the root, the children of ``i`` are
  ``2i + 1`` and ``2i + 2``, and the sorted leaves fill the end of the array *backwards* (the
  smallest hash is the last node);
- an inner node is ``keccak256`` of its two children concatenated smallest first, which is what
  ``MerkleProof.sol`` recomputes, so a proof needs no left/right flags.

Values are accepted as the JavaScript library accepts them, with a few deliberate refusals of
input that is almost certainly a mistake (the JavaScript library would hash it silently):

- ``uintN``/``intN``: a Python ``int`` or a decimal (``"-12"`` for signed types) or ``0x`` hex
  string; not ``bool``, ``float``, an empty string, or a string with spaces or a ``+`` sign;
- ``address``: a ``0x`` string of exactly 40 hex digits (or 20 ``bytes``); a mixed-case string
  must carry a valid EIP-55 checksum (a typo in a checksummed address is refused);
- ``bytesN``/``bytes``: ``bytes`` or a ``0x`` string with an even number of hex digits (a
  ``bytesN`` value shorter than N bytes is right-padded, as ABI encoding does);
- ``bool``: ``True``/``False`` or the strings ``"true"``/``"false"``; ``string``: ``str``;
- arrays (``T[]``, ``T[k]``) and tuples (``(T1,T2)``) as lists or tuples, encoded by eth-abi.

Duplicate values are allowed, as in OpenZeppelin: each gets its own leaf. Looking a value up by
content (``get_proof(value)``) then finds the *last* of the equal values, and a multiproof names
its leaves by that last equal value too.

Values are kept as given (lists become tuples, so the tree is immutable); :meth:`dump` writes
``bytes`` as ``0x`` hex and integers beyond JavaScript's safe range (2**53 - 1) as decimal
strings, so that the file loads in JavaScript without losing precision.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from govchain.errors import GovchainError

__all__ = [
    "FORMAT",
    "MerkleTreeError",
    "MultiProof",
    "StandardMerkleTree",
    "hash_pair",
    "keccak256",
    "process_multi_proof",
    "process_proof",
    "standard_leaf_hash",
    "verify_multi_proof",
    "verify_proof",
]

FORMAT: Final = "standard-v1"
"""The ``format`` field of a dumped tree."""

_JS_MAX_SAFE_INTEGER: Final = 2**53 - 1


class MerkleTreeError(GovchainError, ValueError):
    """Invalid input to a Merkle tree: a value that does not fit its type, a bad proof or dump."""


# -- keccak ------------------------------------------------------------------------------------


class _Hash(Protocol):
    def digest(self) -> bytes: ...


_new_keccak: Callable[[bytes], _Hash]
try:
    # safe-pysha3 (eth-hash[pysha3], installed with eth-tester[py-evm] on CPython): about 7x
    # faster per call than pycryptodome's keccak, which is what makes large trees quick to build.
    from sha3 import keccak_256 as _pysha3_keccak_256

    _new_keccak = _pysha3_keccak_256
except ImportError:  # pragma: no cover - exercised only where safe-pysha3 is missing
    from Crypto.Hash import keccak as _pycryptodome_keccak

    def _pycryptodome_new(data: bytes) -> _Hash:
        return _pycryptodome_keccak.new(digest_bits=256, data=data)

    _new_keccak = _pycryptodome_new


def keccak256(data: bytes) -> bytes:
    """Ethereum's keccak-256 of ``data``."""
    return _new_keccak(data).digest()


def hash_pair(a: bytes, b: bytes) -> bytes:
    """The inner-node hash: keccak-256 of the two 32-byte nodes, smallest first."""
    return _new_keccak(a + b if a < b else b + a).digest()


# -- leaf types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Type:
    """One parsed ABI type of a leaf encoding."""

    kind: str  # uint int address bool fixed_bytes bytes string array tuple
    canonical: str  # the name eth-abi understands (uint -> uint256)
    size: int = 0  # bits of uint/int, bytes of fixed_bytes, length of a fixed array (-1: dynamic)
    items: tuple[_Type, ...] = ()  # element of an array, components of a tuple

    @property
    def is_word(self) -> bool:
        """Encoded as one 32-byte word on its own (the fast path)."""
        return self.kind in ("uint", "int", "address", "bool", "fixed_bytes")


_INT_TYPE = re.compile(r"(u?)int([0-9]*)")
_BYTES_TYPE = re.compile(r"bytes([0-9]{1,2})")
_ARRAY_SUFFIX = re.compile(r"\[([0-9]*)\]")


def _split_components(inner: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for i, char in enumerate(inner):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return parts


def _parse_type(name: str) -> _Type:
    if not isinstance(name, str):
        raise MerkleTreeError(f"leaf types must be strings, got {name!r}")
    if name.endswith("]"):
        opening = name.rfind("[")
        match = _ARRAY_SUFFIX.fullmatch(name[opening:]) if opening > 0 else None
        if match is None:
            raise MerkleTreeError(f"unsupported leaf type {name!r}")
        element = _parse_type(name[:opening])
        length = int(match.group(1)) if match.group(1) else -1
        if length == 0:
            raise MerkleTreeError(f"unsupported leaf type {name!r}: zero-length array")
        suffix = f"[{length}]" if length > 0 else "[]"
        return _Type("array", element.canonical + suffix, length, (element,))
    if name.startswith("(") and name.endswith(")"):
        inner = name[1:-1]
        components = tuple(_parse_type(part) for part in _split_components(inner)) if inner else ()
        canonical = "(" + ",".join(c.canonical for c in components) + ")"
        return _Type("tuple", canonical, len(components), components)
    if name in ("address", "bool", "string", "bytes"):
        return _Type(name, name)
    if match := _INT_TYPE.fullmatch(name):
        kind = "uint" if match.group(1) else "int"
        bits = int(match.group(2)) if match.group(2) else 256
        if bits % 8 or not 8 <= bits <= 256:
            raise MerkleTreeError(f"unsupported leaf type {name!r}: {kind}N needs N in 8..256 by 8")
        return _Type(kind, f"{kind}{bits}", bits)
    if match := _BYTES_TYPE.fullmatch(name):
        size = int(match.group(1))
        if not 1 <= size <= 32:
            raise MerkleTreeError(f"unsupported leaf type {name!r}: bytesN needs N in 1..32")
        return _Type("fixed_bytes", f"bytes{size}", size)
    raise MerkleTreeError(f"unsupported leaf type {name!r}")


# -- value parsing ---------------------------------------------------------------------------

_DECIMAL = re.compile(r"[0-9]+")
_SIGNED_DECIMAL = re.compile(r"-?[0-9]+")
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _to_int(value: Any, t: _Type) -> int:
    if type(value) is int:
        number = value
    elif isinstance(value, str):
        if value[:2] in ("0x", "0X") and len(value) > 2 and _HEX_DIGITS.fullmatch(value, 2):
            number = int(value, 16)
        elif (_SIGNED_DECIMAL if t.kind == "int" else _DECIMAL).fullmatch(value):
            number = int(value)
        else:
            raise MerkleTreeError(
                f"{t.canonical} must be an int, a decimal or a 0x hex string, "
                f"got {_describe(value)}"
            )
    elif isinstance(value, int) and not isinstance(value, bool):
        number = int(value)
    else:
        raise MerkleTreeError(f"{t.canonical} must be an int or a string, got {_describe(value)}")
    if t.kind == "uint":
        if not 0 <= number < 1 << t.size:
            raise MerkleTreeError(f"{number} is out of range for {t.canonical}")
    elif not -(1 << (t.size - 1)) <= number < 1 << (t.size - 1):
        raise MerkleTreeError(f"{number} is out of range for {t.canonical}")
    return number


def _hex_to_bytes(value: str, what: str) -> bytes:
    body = value[2:]
    if value[:2] not in ("0x", "0X") or len(body) % 2 or not _HEX_DIGITS.fullmatch(body):
        raise MerkleTreeError(
            f"{what} must be bytes or a 0x string of an even number of hex digits, "
            f"got {_describe(value)}"
        )
    return bytes.fromhex(body)


def _to_bytes(value: Any, t: _Type) -> bytes:
    if isinstance(value, str):
        raw = _hex_to_bytes(value, t.canonical)
    elif isinstance(value, bytes):
        raw = value
    else:
        raise MerkleTreeError(
            f"{t.canonical} must be bytes or a 0x hex string, got {_describe(value)}"
        )
    if t.kind == "fixed_bytes" and len(raw) > t.size:
        raise MerkleTreeError(f"{t.canonical} takes at most {t.size} bytes, got {len(raw)}")
    return raw


_EVERY_BYTE_40: Final = int.from_bytes(b"\x40" * 40, "big")
_EVERY_BYTE_08: Final = int.from_bytes(b"\x08" * 40, "big")


def _eip55(body: str) -> str:
    """The EIP-55 spelling of 40 hex digits (letters upper where the nibble of
    keccak(lowercase) at their position is >= 8), with byte-parallel integer arithmetic."""
    lower = body.lower().encode("ascii")
    hash_hex = int.from_bytes(_new_keccak(lower).digest()[:20].hex().encode("ascii"), "big")
    # a hex digit's ASCII code has 0x40 set for a-f and 0x08 set for 8-9: both mean "nibble >= 8"
    nibble_high = ((hash_hex & _EVERY_BYTE_40) >> 3) | (hash_hex & _EVERY_BYTE_08)
    code = int.from_bytes(lower, "big")
    is_letter = (code & _EVERY_BYTE_40) >> 3
    expected = code ^ ((nibble_high & is_letter) << 2)  # clear 0x20: a-f -> A-F
    return expected.to_bytes(40, "big").decode("ascii")


def _checksum_ok(body: str) -> bool:
    return _eip55(body) == body


def checksum_address(value: Any) -> str:
    """``value`` as an EIP-55 address; raises :class:`MerkleTreeError` if it is not one.

    All-lower or all-upper hex is accepted as is; mixed case must carry a valid checksum.
    (eth-utils does the same ~10x slower: this is on the path of 100k-row round files.)
    """
    return "0x" + _eip55(_to_address(value).hex()) if isinstance(value, str) else _bad(value)


def _bad(value: Any) -> str:
    raise MerkleTreeError(f"address must be a 0x string of 40 hex digits, got {_describe(value)}")


def _to_address(value: Any) -> bytes:
    if type(value) is str and len(value) == 42 and value[:2] in ("0x", "0X"):
        body = value[2:]
        try:
            raw = bytes.fromhex(body)  # skips spaces between bytes: caught by the length check
        except ValueError:
            raw = b""
        if len(raw) == 20:
            if not (body.islower() or body.isupper()) and not _checksum_ok(body):
                raise MerkleTreeError(f"address {value} has an invalid EIP-55 checksum")
            return raw
    elif isinstance(value, bytes) and len(value) == 20:
        return value
    raise MerkleTreeError(f"address must be a 0x string of 40 hex digits, got {_describe(value)}")


def _to_bool(value: Any) -> bool:
    if value is True or value == "true":
        return True
    if value is False or value == "false":
        return False
    raise MerkleTreeError(f'bool must be True, False, "true" or "false", got {_describe(value)}')


_ZERO12: Final = bytes(12)
_WORD_FALSE: Final = bytes(32)
_WORD_TRUE: Final = bytes(31) + b"\x01"


def _word_encoder(t: _Type) -> Callable[[Any], bytes]:
    """value -> its 32-byte ABI word, for the static elementary types."""
    if t.kind == "uint":
        limit = 1 << t.size

        def encode_uint(value: Any) -> bytes:
            if type(value) is int and 0 <= value < limit:
                return value.to_bytes(32, "big")
            if type(value) is str and value.isdigit() and value.isascii():
                number = int(value)
                if number < limit:
                    return number.to_bytes(32, "big")
            return _to_int(value, t).to_bytes(32, "big")

        return encode_uint
    if t.kind == "int":

        def encode_int(value: Any) -> bytes:
            return _to_int(value, t).to_bytes(32, "big", signed=True)

        return encode_int
    if t.kind == "address":

        def encode_address(value: Any) -> bytes:
            return _ZERO12 + _to_address(value)

        return encode_address
    if t.kind == "bool":

        def encode_bool(value: Any) -> bytes:
            return _WORD_TRUE if _to_bool(value) else _WORD_FALSE

        return encode_bool
    if t.kind == "fixed_bytes":

        def encode_fixed_bytes(value: Any) -> bytes:
            return _to_bytes(value, t).ljust(32, b"\x00")

        return encode_fixed_bytes
    raise AssertionError(t.kind)  # pragma: no cover


def _as_sequence(value: Any, what: str) -> Sequence[Any]:
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Sequence):
        raise MerkleTreeError(f"{what} must be a list or tuple, got {_describe(value)}")
    return value


def _normalize(t: _Type, value: Any) -> Any:
    """A value as eth-abi encodes it (and validated as above)."""
    if t.kind in ("uint", "int"):
        return _to_int(value, t)
    if t.kind == "address":
        return "0x" + _to_address(value).hex()
    if t.kind == "bool":
        return _to_bool(value)
    if t.kind in ("fixed_bytes", "bytes"):
        return _to_bytes(value, t)
    if t.kind == "string":
        if not isinstance(value, str):
            raise MerkleTreeError(f"string must be a str, got {_describe(value)}")
        return value
    items = _as_sequence(value, t.canonical)
    if t.kind == "array":
        if t.size >= 0 and len(items) != t.size:
            raise MerkleTreeError(f"{t.canonical} takes {t.size} elements, got {len(items)}")
        return [_normalize(t.items[0], item) for item in items]
    if len(items) != len(t.items):
        raise MerkleTreeError(f"{t.canonical} takes {len(t.items)} components, got {len(items)}")
    return tuple(_normalize(c, item) for c, item in zip(t.items, items, strict=True))


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, bytearray):
        return bytes(value)
    return value


def _jsonable(value: Any) -> Any:
    """A stored value as it is written by :meth:`StandardMerkleTree.dump`."""
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if type(value) is int and not -_JS_MAX_SAFE_INTEGER <= value <= _JS_MAX_SAFE_INTEGER:
        return str(value)
    return value


def _words_encoder(words: Sequence[Callable[[Any], bytes]]) -> Callable[[Sequence[Any]], bytes]:
    """``abi.encode`` of a value whose types are all one word each: the words side by side.

    Unrolled for up to three types (the common leaf shapes), which is 15 % of a tree's build.
    """
    if len(words) == 1:
        (w0,) = words
        return lambda item: w0(item[0])
    if len(words) == 2:
        w0, w1 = words
        return lambda item: w0(item[0]) + w1(item[1])
    if len(words) == 3:
        w0, w1, w2 = words
        return lambda item: w0(item[0]) + w1(item[1]) + w2(item[2])
    return lambda item: b"".join([word(x) for word, x in zip(words, item, strict=True)])


class _LeafCodec:
    """Hashes values of one leaf encoding; validates them on the way."""

    def __init__(self, leaf_encoding: Sequence[str]) -> None:
        if isinstance(leaf_encoding, str) or not isinstance(leaf_encoding, Sequence):
            raise MerkleTreeError(
                f"leaf_encoding must be a list of ABI types, got {_describe(leaf_encoding)}"
            )
        self.names = tuple(leaf_encoding)
        self.types = tuple(_parse_type(name) for name in self.names)
        self.static = all(t.is_word for t in self.types)
        self.encode: Callable[[Sequence[Any]], bytes] = (
            _words_encoder([_word_encoder(t) for t in self.types])
            if self.static
            else self._encode_with_eth_abi
        )
        """``abi.encode`` of one frozen value (whose arity was checked)."""

    def _encode_with_eth_abi(self, value: Sequence[Any]) -> bytes:
        from eth_abi import encode as abi_encode
        from eth_abi.exceptions import EncodingError

        normalized = [_normalize(t, item) for t, item in zip(self.types, value, strict=True)]
        try:
            return abi_encode([t.canonical for t in self.types], normalized)
        except EncodingError as exc:  # pragma: no cover - _normalize refuses first
            raise MerkleTreeError(str(exc)) from exc

    def freeze(self, value: Any) -> tuple[Any, ...]:
        """The value as an immutable tuple (nested lists too), of the right arity."""
        if type(value) is tuple and self.static:
            frozen: tuple[Any, ...] = value
        elif type(value) is list and self.static:
            frozen = tuple(value)
        else:
            frozen = _freeze(_as_sequence(value, "a value"))
        if len(frozen) != len(self.types):
            raise MerkleTreeError(
                f"the leaf encoding has {len(self.types)} types but the value has "
                f"{len(frozen)}: {_describe(value)}"
            )
        return frozen

    def leaf_hash(self, value: Any) -> bytes:
        return _new_keccak(_new_keccak(self.encode(self.freeze(value))).digest()).digest()

    def freeze_and_hash(self, values: Sequence[Any]) -> tuple[list[tuple[Any, ...]], list[bytes]]:
        """All values frozen, and their leaf hashes; errors name the value's index."""
        frozen: list[tuple[Any, ...]] = []
        hashes: list[bytes] = []
        keccak = _new_keccak
        freeze = self.freeze
        encode = self.encode
        try:
            for value in values:
                item = freeze(value)
                hashes.append(keccak(keccak(encode(item)).digest()).digest())
                frozen.append(item)
        except MerkleTreeError as exc:
            raise MerkleTreeError(f"value {len(hashes)}: {exc}") from None
        return frozen, hashes


# -- nodes and proofs ------------------------------------------------------------------------


def _node(value: bytes | str, what: str = "node") -> bytes:
    """A 32-byte node from bytes or hex (with or without 0x)."""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        body = value[2:] if value[:2] in ("0x", "0X") else value
        if len(body) != 64 or not _HEX_DIGITS.fullmatch(body):
            raise MerkleTreeError(
                f"a Merkle {what} must be 32 bytes of hex, got {_describe(value)}"
            )
        return bytes.fromhex(body)
    else:
        raise MerkleTreeError(f"a Merkle {what} must be bytes or hex, got {_describe(value)}")
    if len(raw) != 32:
        raise MerkleTreeError(f"a Merkle {what} must be 32 bytes, got {len(raw)}")
    return raw


def _hex(node: bytes) -> str:
    return "0x" + node.hex()


def process_proof(leaf: bytes | str, proof: Sequence[bytes | str]) -> bytes:
    """The root a proof leads to from a leaf hash (``MerkleProof.processProof``)."""
    node = _node(leaf, "leaf")
    for sibling in proof:
        node = hash_pair(node, _node(sibling, "proof element"))
    return node


def process_multi_proof(
    leaves: Sequence[bytes | str], proof: Sequence[bytes | str], proof_flags: Sequence[bool]
) -> bytes:
    """The root a multiproof leads to from leaf hashes (``MerkleProof.processMultiProof``).

    The leaf hashes must be in the multiproof's order (as :meth:`StandardMerkleTree.
    get_multi_proof` returns them). Raises :class:`MerkleTreeError` for a multiproof whose
    shape is inconsistent, as OpenZeppelin's JavaScript does and its Solidity reverts.
    """
    queue = deque(_node(leaf, "leaf") for leaf in leaves)
    siblings = deque(_node(node, "proof element") for node in proof)
    if len(siblings) < sum(1 for flag in proof_flags if not flag):
        raise MerkleTreeError("invalid multiproof format")
    if len(queue) + len(siblings) != len(proof_flags) + 1:
        raise MerkleTreeError("the leaves and the multiproof are not compatible")
    for flag in proof_flags:
        if not queue or (flag and len(queue) < 2):
            raise MerkleTreeError("invalid multiproof: the flags consume more nodes than exist")
        a = queue.popleft()
        b = queue.popleft() if flag else siblings.popleft()
        queue.append(hash_pair(a, b))
    if len(queue) + len(siblings) != 1:  # pragma: no cover - implied by the counts above
        raise MerkleTreeError("invalid multiproof: nodes left over")
    return queue.pop() if queue else siblings.popleft()


def standard_leaf_hash(leaf_encoding: Sequence[str], value: Sequence[Any]) -> bytes:
    """``keccak256(keccak256(abi.encode(leaf_encoding, value)))``."""
    return _LeafCodec(leaf_encoding).leaf_hash(value)


@dataclass(frozen=True)
class MultiProof:
    """A proof for several values at once.

    ``leaves`` are the proven values in the order the proof consumes them: ascending by leaf hash
    for a tree with sorted leaves, *not* the order they were asked for. On chain, pass their leaf
    hashes in this order with ``proof`` and ``proof_flags`` to ``MerkleProof.multiProofVerify``.
    """

    leaves: list[Sequence[Any]]
    proof: list[str]
    proof_flags: list[bool]

    def to_json(self) -> dict[str, Any]:
        """The JavaScript library's shape: ``{"leaves", "proof", "proofFlags"}``."""
        return {
            "leaves": [_jsonable(_freeze(leaf)) for leaf in self.leaves],
            "proof": list(self.proof),
            "proofFlags": list(self.proof_flags),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MultiProof:
        """A multiproof from :meth:`to_json` or the JavaScript ``getMultiProof`` result."""
        try:
            return cls(list(data["leaves"]), list(data["proof"]), list(data["proofFlags"]))
        except (KeyError, TypeError) as exc:
            raise MerkleTreeError(f"not a multiproof: {exc}") from None


def verify_proof(
    root: bytes | str,
    leaf_encoding: Sequence[str],
    value: Sequence[Any],
    proof: Sequence[bytes | str],
) -> bool:
    """Whether ``proof`` shows ``value`` is in the tree with ``root`` (no tree needed)."""
    return _node(root, "root") == process_proof(standard_leaf_hash(leaf_encoding, value), proof)


def verify_multi_proof(
    root: bytes | str, leaf_encoding: Sequence[str], multiproof: MultiProof
) -> bool:
    """Whether ``multiproof`` shows its leaves are in the tree with ``root`` (no tree needed)."""
    codec = _LeafCodec(leaf_encoding)
    leaves = [codec.leaf_hash(value) for value in multiproof.leaves]
    return _node(root, "root") == process_multi_proof(
        leaves, multiproof.proof, multiproof.proof_flags
    )


# -- the tree --------------------------------------------------------------------------------


class StandardMerkleTree:
    """An immutable Merkle tree of ABI-encoded values, as OpenZeppelin's ``StandardMerkleTree``.

    Build one with :meth:`of` or :meth:`load`. Values are addressed by their *value index* (their
    position in the input); :meth:`entries` lists them.
    """

    __slots__ = ("_codec", "_hash_lookup", "_tree", "_tree_index", "_values")

    def __init__(
        self,
        codec: _LeafCodec,
        tree: list[bytes],
        values: list[tuple[Any, ...]],
        tree_index: list[int],
    ) -> None:
        """Internal: use :meth:`of` or :meth:`load`."""
        self._codec = codec
        self._tree = tree
        self._values = values
        self._tree_index = tree_index
        self._hash_lookup: dict[bytes, int] | None = None

    @classmethod
    def of(
        cls,
        values: Sequence[Sequence[Any]],
        leaf_encoding: Sequence[str],
        *,
        sort_leaves: bool = True,
    ) -> StandardMerkleTree:
        """Build the tree of ``values``, each ABI-encoded as ``leaf_encoding``.

        ``sort_leaves=False`` mirrors the JavaScript option ``{ sortLeaves: false }`` (leaves in
        input order); keep the default for multiproofs verifiable on chain.
        """
        codec = _LeafCodec(leaf_encoding)
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise MerkleTreeError(f"values must be a list of values, got {_describe(values)}")
        if not values:
            raise MerkleTreeError("expected a non-zero number of values (leaves)")
        frozen, hashes = codec.freeze_and_hash(values)
        count = len(hashes)
        order: Sequence[int] = (
            sorted(range(count), key=hashes.__getitem__) if sort_leaves else range(count)
        )
        size = 2 * count - 1
        tree = [b""] * (count - 1)
        tree.extend(hashes[j] for j in reversed(order))
        tree_index = [0] * count
        for position, value_index in enumerate(order):
            tree_index[value_index] = size - 1 - position
        _fill_inner_nodes(tree, count)
        return cls(codec, tree, frozen, tree_index)

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> StandardMerkleTree:
        """A tree from :meth:`dump` output (or the JavaScript ``tree.dump()``), fully checked.

        Every value must hash to its leaf, every inner node to its children, and every leaf must
        belong to exactly one value; otherwise :class:`MerkleTreeError`.
        """
        if not isinstance(data, Mapping):
            raise MerkleTreeError(f"a dumped tree is a JSON object, got {_describe(data)}")
        if data.get("format") != FORMAT:
            raise MerkleTreeError(f"unknown format {data.get('format')!r} (expected {FORMAT!r})")
        if "leafEncoding" not in data:
            raise MerkleTreeError("expected leafEncoding")
        codec = _LeafCodec(data["leafEncoding"])
        raw_tree = data.get("tree")
        raw_values = data.get("values")
        if not isinstance(raw_tree, list) or not raw_tree:
            raise MerkleTreeError("expected a non-empty list of nodes in tree")
        if not isinstance(raw_values, list):
            raise MerkleTreeError("expected a list in values")
        tree = [_node(node, f"node (tree[{i}])") for i, node in enumerate(raw_tree)]
        size = len(tree)
        count = (size + 1) // 2
        if size % 2 == 0 or len(raw_values) != count:
            raise MerkleTreeError(
                f"a tree of {size} nodes has {count if size % 2 else 'no whole number of'} "
                f"leaves, but there are {len(raw_values)} values"
            )
        values: list[Any] = []
        tree_index: list[int] = []
        for i, entry in enumerate(raw_values):
            if not isinstance(entry, Mapping) or "value" not in entry:
                raise MerkleTreeError(f"values[{i}] must be {{value, treeIndex}}")
            index = entry.get("treeIndex")
            if type(index) is not int or not count - 1 <= index < size:
                raise MerkleTreeError(f"values[{i}].treeIndex {index!r} is not a leaf of the tree")
            values.append(entry["value"])
            tree_index.append(index)
        if len(set(tree_index)) != count:
            raise MerkleTreeError("two values share a leaf (duplicate treeIndex)")
        frozen, hashes = codec.freeze_and_hash(values)
        for i, (leaf, index) in enumerate(zip(hashes, tree_index, strict=True)):
            if tree[index] != leaf:
                raise MerkleTreeError(f"values[{i}] does not hash to its leaf tree[{index}]")
        for i in range(count - 1):
            if tree[i] != hash_pair(tree[2 * i + 1], tree[2 * i + 2]):
                raise MerkleTreeError(f"tree[{i}] is not the hash of its children: invalid tree")
        return cls(codec, tree, frozen, tree_index)

    # -- reading ---------------------------------------------------------------------------------

    @property
    def root(self) -> str:
        """The root as ``0x`` hex (what a contract stores as its ``bytes32`` root)."""
        return _hex(self._tree[0])

    @property
    def leaf_encoding(self) -> tuple[str, ...]:
        return self._codec.names

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return (
            f"StandardMerkleTree(root={self.root}, values={len(self)}, "
            f"leaf_encoding={list(self.leaf_encoding)})"
        )

    def at(self, index: int) -> tuple[Any, ...]:
        """The value at ``index`` (lists in the input are stored as tuples)."""
        return self._values[self._check_index(index)]

    def entries(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """``(value_index, value)`` for every value, in input order."""
        yield from enumerate(self._values)

    def leaf_hash(self, value: Sequence[Any]) -> bytes:
        """The leaf of ``value``: ``keccak256(keccak256(abi.encode(leaf_encoding, value)))``."""
        return self._codec.leaf_hash(value)

    def dump(self) -> dict[str, Any]:
        """The JSON-ready ``standard-v1`` form, as the JavaScript ``tree.dump()`` writes it."""
        tree_index = self._tree_index
        return {
            "format": FORMAT,
            "leafEncoding": list(self._codec.names),
            "tree": [_hex(node) for node in self._tree],
            "values": [
                {"value": _jsonable(value), "treeIndex": tree_index[i]}
                for i, value in enumerate(self._values)
            ],
        }

    # -- proofs ----------------------------------------------------------------------------------

    def get_proof(self, leaf: int | Sequence[Any]) -> list[str]:
        """The sibling hashes from the leaf of a value (by index or by content) to the root."""
        index = self._tree_index[self._value_index(leaf)]
        tree = self._tree
        proof: list[str] = []
        while index > 0:
            proof.append(_hex(tree[index + 1 if index % 2 else index - 1]))
            index = (index - 1) // 2
        return proof

    def get_multi_proof(self, leaves: Sequence[int | Sequence[Any]]) -> MultiProof:
        """One proof for several values (by index or content; none may repeat).

        The result lists the values in the order the proof consumes them (see
        :class:`MultiProof`).
        """
        indices = [self._tree_index[self._value_index(leaf)] for leaf in leaves]
        indices.sort(reverse=True)
        if len(set(indices)) != len(indices):
            raise MerkleTreeError("cannot prove a duplicated index")
        tree = self._tree
        queue = deque(indices)
        proof: list[str] = []
        flags: list[bool] = []
        while queue and queue[0] > 0:
            j = queue.popleft()
            sibling = j + 1 if j % 2 else j - 1
            if queue and queue[0] == sibling:
                flags.append(True)
                queue.popleft()
            else:
                flags.append(False)
                proof.append(_hex(tree[sibling]))
            queue.append((j - 1) // 2)
        if not indices:
            proof.append(_hex(tree[0]))
        lookup = self._lookup()
        values = self._values
        return MultiProof([values[lookup[tree[i]]] for i in indices], proof, flags)

    def verify(self, leaf: int | Sequence[Any], proof: Sequence[bytes | str]) -> bool:
        """Whether ``proof`` leads from the value (by index or content) to this tree's root."""
        value = self._values[self._check_index(leaf)] if isinstance(leaf, int) else leaf
        return process_proof(self._codec.leaf_hash(value), proof) == self._tree[0]

    def verify_multi_proof(self, multiproof: MultiProof) -> bool:
        """Whether ``multiproof`` leads from its values (or value indices) to this tree's root."""
        leaves = [
            self._codec.leaf_hash(
                self._values[self._check_index(leaf)] if isinstance(leaf, int) else leaf
            )
            for leaf in multiproof.leaves
        ]
        return (
            process_multi_proof(leaves, multiproof.proof, multiproof.proof_flags) == self._tree[0]
        )

    # -- internals -------------------------------------------------------------------------------

    def _check_index(self, index: int) -> int:
        if isinstance(index, bool) or not 0 <= index < len(self._values):
            raise MerkleTreeError(f"index {index!r} out of bounds (tree of {len(self._values)})")
        return index

    def _lookup(self) -> dict[bytes, int]:
        if self._hash_lookup is None:
            # As in JavaScript: among equal leaves the last value index wins.
            tree = self._tree
            self._hash_lookup = {tree[t]: i for i, t in enumerate(self._tree_index)}
        return self._hash_lookup

    def _value_index(self, leaf: int | Sequence[Any]) -> int:
        if isinstance(leaf, int):
            return self._check_index(leaf)
        found = self._lookup().get(self._codec.leaf_hash(leaf))
        if found is None:
            raise MerkleTreeError(f"value {_describe(leaf)} is not in the tree")
        return found


def _fill_inner_nodes(tree: list[bytes], count: int) -> None:
    """Hash ``tree[count-2] … tree[0]`` from their children (leaves are at the end)."""
    keccak = _new_keccak
    for i in range(count - 2, -1, -1):
        a = tree[2 * i + 1]
        b = tree[2 * i + 2]
        tree[i] = keccak(a + b if a < b else b + a).digest()
