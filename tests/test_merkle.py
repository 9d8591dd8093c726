"""StandardMerkleTree: byte-compatible with OpenZeppelin's JavaScript library, and strict.

The interop tests run the real ``@openzeppelin/merkle-tree`` 1.0.8 from ``node_modules`` once per
session on every case below and compare everything it produces (dump, proofs, multiproofs) with
the Python tree; each side also loads the other's dump. The on-chain test checks the proofs with
OpenZeppelin's ``MerkleProof.sol`` itself, on anvil.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_project
from govchain.chain import Chain
from govchain.compiler import compile_project, load_artifact
from govchain.errors import GovchainError
from govchain.merkle import (
    MerkleTreeError,
    MultiProof,
    StandardMerkleTree,
    keccak256,
    process_multi_proof,
    process_proof,
    standard_leaf_hash,
    verify_multi_proof,
    verify_proof,
)
from govchain.project import Project
from govchain.sender import Sender

ROOT = Path(__file__).resolve().parents[1]
ENCODING = ["uint256", "address", "uint256"]


# -- the cases, as OpenZeppelin sees them ----------------------------------------------------


@dataclass
class Case:
    name: str
    encoding: list[str]
    values: list[list[Any]]
    multi: list[list[int]] = field(default_factory=list)
    by_value: list[list[Any]] = field(default_factory=list)
    sort_leaves: bool = True


def _address(rng: random.Random, checksummed: bool) -> str:
    raw = rng.randbytes(20)
    return to_checksum_address(raw) if checksummed else "0x" + raw.hex()


def _claims_case(name: str, seed: int, count: int) -> Case:
    """Airdrop-like leaves (index, account, amount) in every representation OZ accepts."""
    rng = random.Random(seed)
    values: list[list[Any]] = []
    for i in range(count):
        index: Any = i if rng.random() < 0.5 else str(i)
        amount = rng.randrange(10**30)
        shown: Any = rng.choice([str(amount)] * 6 + [hex(amount), "0x" + f"{amount:X}"])
        values.append([index, _address(rng, checksummed=rng.random() < 0.7), shown])
    indices = list(range(count))
    multi = [[], [0], [count - 1, 0], rng.sample(indices, 7), rng.sample(indices, 40), indices]
    return Case(name, ENCODING, values, multi=multi, by_value=[values[3], values[-1]])


def _signed_case() -> Case:
    rng = random.Random(7)
    values: list[list[Any]] = []
    for _ in range(120):
        word = "0x" + rng.randbytes(32 if rng.random() < 0.8 else rng.randrange(1, 32)).hex()
        flag = rng.choice([True, False, "true", "false"])
        signed = rng.randrange(-(2**255), 2**255)
        values.append([word, flag, str(signed), rng.randrange(-128, 128)])
    multi = [rng.sample(range(120), 5), rng.sample(range(120), 60)]
    return Case("bytes32_bool_int256_int8", ["bytes32", "bool", "int256", "int8"], values, multi)


def _small(count: int) -> Case:
    values = [[str(i + 1), "0x" + f"{i + 1:040x}", str(10**18 * (i + 1))] for i in range(count)]
    subsets = [[], list(range(count)), [count - 1]]
    return Case(f"{count}_leaves", ENCODING, values, multi=subsets, by_value=[values[0]])


CASES = [
    _claims_case("claims_300", seed=20240611, count=300),
    _claims_case("claims_57", seed=57, count=57),
    _small(1),
    _small(2),
    _small(3),
    _signed_case(),
    Case(
        # Equal leaves in different spellings: OZ keeps one leaf each but names them by the last.
        "duplicates",
        ["uint256"],
        [["1"], [1], ["0x01"], ["2"], ["1"], [3]],
        multi=[[0, 3], [0, 1, 2], [5, 4, 2]],
        by_value=[["1"], [2]],
    ),
    Case(
        "dynamic_types",
        ["string", "bytes", "bool", "bytes4", "uint256[]", "(uint256,address)", "address[2]"],
        [
            [
                f"name {i} ü",
                "0x" + "ab" * i,
                i % 2 == 0,
                "0x" + f"{i:02x}",
                [str(j) for j in range(i)],
                [str(i), "0x" + f"{i:040x}"],
                ["0x" + "11" * 20, "0x" + f"{i + 7:040x}"],
            ]
            for i in range(9)
        ],
        multi=[[0, 4, 8], [1]],
    ),
    Case(
        "unsorted",
        ENCODING,
        [[str(i), "0x" + f"{i * 7919:040x}", str(i * i)] for i in range(21)],
        multi=[[0, 1, 2], [20, 3]],
        sort_leaves=False,
    ),
]
CASE_NAMES = [case.name for case in CASES]

OZ_SCRIPT = r"""
const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
for (const c of cases) {
  const tree = StandardMerkleTree.of(c.values, c.encoding, { sortLeaves: c.sortLeaves });
  const loaded = StandardMerkleTree.load(c.pythonDump);
  out[c.name] = {
    dumpText: JSON.stringify(tree.dump()),
    proofs: c.values.map((_, i) => tree.getProof(i)),
    multi: c.multi.map(indices => tree.getMultiProof(indices)),
    byValue: c.byValue.map(value => tree.getProof(value)),
    pythonDumpRoot: loaded.root,
    pythonDumpProofs: c.values.map((_, i) => loaded.getProof(i)),
  };
}
process.stdout.write(JSON.stringify(out));
"""


def _python_tree(case: Case) -> StandardMerkleTree:
    return StandardMerkleTree.of(case.values, case.encoding, sort_leaves=case.sort_leaves)


@pytest.fixture(scope="session")
def oz() -> dict[str, dict[str, Any]]:
    """What OpenZeppelin's JavaScript library computes for every case (one node process)."""
    package = ROOT / "node_modules" / "@openzeppelin" / "merkle-tree" / "package.json"
    assert package.is_file(), "run `npm ci`: @openzeppelin/merkle-tree is missing"
    assert json.loads(package.read_text())["version"] == "1.0.8"
    request = [
        {
            "name": case.name,
            "encoding": case.encoding,
            "values": case.values,
            "sortLeaves": case.sort_leaves,
            "multi": case.multi,
            "byValue": case.by_value,
            "pythonDump": _python_tree(case).dump(),
        }
        for case in CASES
    ]
    done = subprocess.run(
        ["node", "-e", OZ_SCRIPT],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, dict[str, Any]] = json.loads(done.stdout)
    return result


def _case(name: str) -> Case:
    return next(case for case in CASES if case.name == name)


# -- interop ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASE_NAMES)
def test_dump_is_the_same_json_text_as_openzeppelins(name: str, oz: dict[str, Any]) -> None:
    tree = _python_tree(_case(name))
    js_text = oz[name]["dumpText"]
    assert tree.root == json.loads(js_text)["tree"][0]
    assert tree.dump() == json.loads(js_text)
    assert json.dumps(tree.dump(), separators=(",", ":"), ensure_ascii=False) == js_text


@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_proof_equals_openzeppelins(name: str, oz: dict[str, Any]) -> None:
    case = _case(name)
    tree = _python_tree(case)
    assert [tree.get_proof(i) for i in range(len(case.values))] == oz[name]["proofs"]
    assert [tree.get_proof(value) for value in case.by_value] == oz[name]["byValue"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_multiproofs_equal_openzeppelins(name: str, oz: dict[str, Any]) -> None:
    case = _case(name)
    tree = _python_tree(case)
    ours = [tree.get_multi_proof(indices).to_json() for indices in case.multi]
    assert ours == oz[name]["multi"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_openzeppelins_multiproofs_verify_in_python(name: str, oz: dict[str, Any]) -> None:
    case = _case(name)
    tree = _python_tree(case)
    for js_multiproof in oz[name]["multi"]:
        multiproof = MultiProof.from_json(js_multiproof)
        assert tree.verify_multi_proof(multiproof)
        assert verify_multi_proof(tree.root, case.encoding, multiproof)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_loading_openzeppelins_dump_gives_the_same_tree(name: str, oz: dict[str, Any]) -> None:
    case = _case(name)
    js_dump = json.loads(oz[name]["dumpText"])
    loaded = StandardMerkleTree.load(js_dump)
    assert loaded.root == js_dump["tree"][0]
    assert [loaded.get_proof(i) for i in range(len(case.values))] == oz[name]["proofs"]
    assert loaded.dump() == js_dump
    entries = [value for _, value in loaded.entries()]
    assert json.loads(json.dumps(entries)) == case.values  # nested lists come back as tuples


@pytest.mark.parametrize("name", CASE_NAMES)
def test_openzeppelin_loads_the_python_dump(name: str, oz: dict[str, Any]) -> None:
    tree = _python_tree(_case(name))
    assert oz[name]["pythonDumpRoot"] == tree.root
    assert oz[name]["pythonDumpProofs"] == [tree.get_proof(i) for i in range(len(tree))]


def test_duplicate_values_are_named_by_the_last_equal_value_as_in_openzeppelin(
    oz: dict[str, Any],
) -> None:
    tree = _python_tree(_case("duplicates"))
    assert len(set(tree.dump()["tree"][-6:])) == 3  # "1", 1, "0x01" and "1" are one leaf value
    assert tree.get_proof(["1"]) == tree.get_proof(4) == oz["duplicates"]["byValue"][0]
    assert tree.get_proof([1]) == tree.get_proof(4) != tree.get_proof(1)
    assert tree.get_multi_proof([0, 1, 2]).leaves == [("1",), ("1",), ("1",)]
    assert tree.get_multi_proof([1]).leaves == [("1",)]  # asked for [1]: named as value 4


def test_ints_beyond_javascripts_safe_range_are_dumped_as_decimal_strings() -> None:
    tree = StandardMerkleTree.of(
        [[2**53 - 1, b"\x01" * 32], [2**53, b"\x02" * 32]], ["uint256", "bytes32"]
    )
    values = [entry["value"] for entry in tree.dump()["values"]]
    assert values == [[2**53 - 1, "0x" + "01" * 32], [str(2**53), "0x" + "02" * 32]]
    reloaded = StandardMerkleTree.load(json.loads(json.dumps(tree.dump())))
    assert reloaded.root == tree.root


def test_multiproof_leaves_come_in_ascending_leaf_hash_order_not_request_order() -> None:
    values = [[str(i), "0x" + f"{i:040x}", "1"] for i in range(16)]
    tree = StandardMerkleTree.of(values, ENCODING)
    multiproof = tree.get_multi_proof([9, 2, 14, 5])
    hashes = [tree.leaf_hash(value) for value in multiproof.leaves]
    assert hashes == sorted(hashes)
    asked = [tuple(values[i]) for i in (9, 2, 14, 5)]
    assert sorted(map(tuple, multiproof.leaves)) == sorted(asked)
    assert multiproof.leaves != asked


def test_leaf_hash_is_double_keccak_of_the_abi_encoding() -> None:
    from eth_abi import encode

    account = "0x" + "ab" * 20
    expected = keccak256(keccak256(encode(ENCODING, [7, account, 10**18])))
    assert standard_leaf_hash(ENCODING, [7, account, str(10**18)]) == expected
    assert (
        StandardMerkleTree.of([[7, account, 1]], ENCODING).leaf_hash(
            ["0x7", account, "1" + "0" * 18]
        )
        == expected
    )


# -- verification and mutations --------------------------------------------------------------


def _flip(hex_node: str, bit: int) -> str:
    raw = bytearray(bytes.fromhex(hex_node[2:]))
    raw[bit // 8] ^= 1 << (bit % 8)
    return "0x" + raw.hex()


@pytest.fixture(scope="module")
def claims() -> StandardMerkleTree:
    return _python_tree(_case("claims_57"))


def test_every_proof_verifies_against_the_root(claims: StandardMerkleTree) -> None:
    for i, value in claims.entries():
        proof = claims.get_proof(i)
        assert claims.verify(i, proof)
        assert claims.verify(value, proof)
        assert verify_proof(claims.root, ENCODING, value, proof)
        assert "0x" + process_proof(claims.leaf_hash(value), proof).hex() == claims.root


@pytest.mark.parametrize("bit", [0, 7, 100, 255])
def test_flipping_a_bit_of_the_root_fails_verification(
    claims: StandardMerkleTree, bit: int
) -> None:
    value = claims.at(5)
    proof = claims.get_proof(5)
    assert verify_proof(claims.root, ENCODING, value, proof)
    assert not verify_proof(_flip(claims.root, bit), ENCODING, value, proof)


def test_flipping_a_bit_of_any_proof_element_fails_verification(claims: StandardMerkleTree) -> None:
    proof = claims.get_proof(11)
    assert len(proof) == 6
    for position in range(len(proof)):
        for bit in (0, 131, 255):
            mutated = [*proof[:position], _flip(proof[position], bit), *proof[position + 1 :]]
            assert not claims.verify(11, mutated)


def test_changing_a_leaf_value_fails_verification(claims: StandardMerkleTree) -> None:
    index, account, amount = claims.at(11)
    proof = claims.get_proof(11)
    assert claims.verify([index, account, amount], proof)
    assert not claims.verify([index, account, str(int(amount, 0) + 1)], proof)
    assert not claims.verify([int(index) + 1, account, amount], proof)
    other_account = "0x" + bytes(a ^ 1 for a in bytes.fromhex(account[2:])).hex()
    assert not claims.verify([index, other_account, amount], proof)
    assert not claims.verify(12, proof)  # another leaf's value
    assert not claims.verify(11, proof[:-1])  # a shortened proof
    assert not claims.verify(11, [*proof, proof[0]])  # a lengthened one


def _refuses(tree: StandardMerkleTree, multiproof: MultiProof) -> bool:
    try:
        return not tree.verify_multi_proof(multiproof)
    except MerkleTreeError:
        return True


def test_mutated_multiproofs_fail_verification(claims: StandardMerkleTree) -> None:
    good = claims.get_multi_proof([3, 17, 30, 44, 56])
    assert claims.verify_multi_proof(good)
    assert good.proof_flags.count(True) > 0 and good.proof_flags.count(False) > 0
    for position in range(len(good.proof)):
        proof = [
            *good.proof[:position],
            _flip(good.proof[position], 9),
            *good.proof[position + 1 :],
        ]
        assert _refuses(claims, replace(good, proof=proof))
    for position in range(len(good.proof_flags)):
        flags = list(good.proof_flags)
        flags[position] = not flags[position]
        assert _refuses(claims, replace(good, proof_flags=flags))
    assert _refuses(claims, replace(good, leaves=good.leaves[::-1]))
    assert _refuses(claims, replace(good, leaves=[claims.at(4), *good.leaves[1:]]))
    assert _refuses(claims, replace(good, leaves=good.leaves[:-1]))
    assert _refuses(claims, replace(good, proof=good.proof[:-1]))


def test_a_multiproof_of_nothing_is_the_root_itself(claims: StandardMerkleTree) -> None:
    empty = claims.get_multi_proof([])
    assert empty == MultiProof([], [claims.root], [])
    assert claims.verify_multi_proof(empty)


# -- refusals --------------------------------------------------------------------------------

ADDRESS = "0x" + "11" * 20


@pytest.mark.parametrize(
    ("values", "encoding", "message"),
    [
        ([], ENCODING, "non-zero number of values"),
        ([[1, ADDRESS]], ENCODING, "value 0: the leaf encoding has 3 types but the value has 2"),
        ([[1, ADDRESS, 1], [1, ADDRESS, 1, 1]], ENCODING, "value 1: the leaf encoding has 3"),
        ([[1, "0x1234", 1]], ENCODING, "address must be a 0x string of 40 hex digits"),
        ([[1, "11" * 20, 1]], ENCODING, "address must be a 0x string of 40 hex digits"),
        ([[1, "0x" + "zz" * 20, 1]], ENCODING, "address must be a 0x string of 40 hex digits"),
        ([[1, "0x" + "1a" * 10 + "1A" * 10, 1]], ENCODING, "invalid EIP-55 checksum"),
        ([[-1, ADDRESS, 1]], ENCODING, "-1 is out of range for uint256"),
        ([["-1", ADDRESS, 1]], ENCODING, "uint256 must be an int, a decimal or a 0x hex string"),
        ([[2**256, ADDRESS, 1]], ENCODING, "is out of range for uint256"),
        ([[1.0, ADDRESS, 1]], ENCODING, "uint256 must be an int or a string, got 1.0"),
        ([[True, ADDRESS, 1]], ENCODING, "uint256 must be an int or a string, got True"),
        ([[" 1", ADDRESS, 1]], ENCODING, "uint256 must be an int, a decimal or a 0x hex string"),
        ([[""], ["1"]], ["uint256"], "value 0: uint256 must be an int, a decimal"),
        ([[256]], ["uint8"], "256 is out of range for uint8"),
        ([["-129"]], ["int8"], "-129 is out of range for int8"),
        ([[1]], ["bool"], 'bool must be True, False, "true" or "false", got 1'),
        ([["0x0102030405"]], ["bytes4"], "bytes4 takes at most 4 bytes, got 5"),
        ([["0x123"]], ["bytes32"], "an even number of hex digits"),
        ([[b"\x00"]], ["string"], "string must be a str"),
        ([[["1"]]], ["uint256[2]"], "uint256[2] takes 2 elements, got 1"),
        ([["1"]], ["uint256[]"], "uint256[] must be a list or tuple"),
        (["1"], ["uint256"], "a value must be a list or tuple"),
        ([[1]], ["uint7"], "unsupported leaf type 'uint7'"),
        ([[1]], ["tuple(uint256)"], "unsupported leaf type 'tuple(uint256)'"),
        ([[1]], ["fixed128x18"], "unsupported leaf type"),
        ([[1]], "uint256", "leaf_encoding must be a list of ABI types"),
    ],
)
def test_invalid_values_are_refused_with_a_clear_error(
    values: Any, encoding: Any, message: str
) -> None:
    with pytest.raises(MerkleTreeError, match=re.escape(message)):
        StandardMerkleTree.of(values, encoding)


def test_merkle_errors_are_govchain_errors_and_value_errors() -> None:
    assert issubclass(MerkleTreeError, GovchainError)
    assert issubclass(MerkleTreeError, ValueError)


def test_proof_requests_outside_the_tree_are_refused(claims: StandardMerkleTree) -> None:
    with pytest.raises(MerkleTreeError, match="index 57 out of bounds"):
        claims.get_proof(57)
    with pytest.raises(MerkleTreeError, match="index -1 out of bounds"):
        claims.get_proof(-1)
    with pytest.raises(MerkleTreeError, match="is not in the tree"):
        claims.get_proof([1, ADDRESS, 1])
    with pytest.raises(MerkleTreeError, match="cannot prove a duplicated index"):
        claims.get_multi_proof([4, 9, 4])
    with pytest.raises(MerkleTreeError, match="32 bytes"):
        claims.verify(0, ["0x1234"])


def test_lists_given_to_the_tree_cannot_change_it_afterwards() -> None:
    values = [["1", ADDRESS, "5"], ["2", ADDRESS, "6"]]
    tree = StandardMerkleTree.of(values, ENCODING)
    before = tree.dump()
    values[0][2] = "7"
    assert tree.dump() == before
    assert tree.at(0) == ("1", ADDRESS, "5")


@pytest.fixture(scope="module")
def small_dump() -> dict[str, Any]:
    return _python_tree(_small(3)).dump()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="standard-v2"), "unknown format 'standard-v2'"),
        (lambda d: d.pop("leafEncoding"), "expected leafEncoding"),
        (lambda d: d.update(leafEncoding=["uint256", "address", "string"]), "does not hash"),
        (lambda d: d.update(leafEncoding=["uint256", "address"]), "encoding has 2 types"),
        (lambda d: d["values"][1]["value"].__setitem__(2, "1"), "values[1] does not hash"),
        (lambda d: d["values"][1].update(treeIndex=d["values"][0]["treeIndex"]), "share a leaf"),
        (lambda d: d["values"][1].update(treeIndex=0), "is not a leaf of the tree"),
        (lambda d: d["tree"].__setitem__(0, _flip(d["tree"][0], 3)), "tree[0] is not the hash"),
        (lambda d: d["tree"].__setitem__(4, _flip(d["tree"][4], 3)), "does not hash to its leaf"),
        (lambda d: d["tree"].__setitem__(1, "0x12"), "32 bytes of hex"),
        (lambda d: d["values"].pop(), "a tree of 5 nodes has 3 leaves, but there are 2 values"),
        (lambda d: d.update(tree=[]), "expected a non-empty list of nodes"),
    ],
)
def test_tampered_dumps_are_refused_on_load(
    small_dump: dict[str, Any], mutate: Any, message: str
) -> None:
    assert StandardMerkleTree.load(json.loads(json.dumps(small_dump)))
    tampered = json.loads(json.dumps(small_dump))
    mutate(tampered)
    with pytest.raises(MerkleTreeError, match=re.escape(message)):
        StandardMerkleTree.load(tampered)


# -- properties ------------------------------------------------------------------------------


def _solidity_process_multi_proof(
    proof: Sequence[bytes], flags: Sequence[bool], leaves: Sequence[bytes]
) -> bytes:
    """``MerkleProof.processMultiProof`` of OpenZeppelin Contracts 5, line by line."""
    leaves_len, flags_len = len(leaves), len(flags)
    if leaves_len + len(proof) != flags_len + 1:
        raise MerkleTreeError("MerkleProofInvalidMultiproof")
    if flags_len == 0:
        return leaves[0] if leaves_len else proof[0]
    hashes: list[bytes] = [b""] * flags_len
    leaf_pos = hash_pos = proof_pos = 0
    for i in range(flags_len):
        if leaf_pos < leaves_len:
            a, leaf_pos = leaves[leaf_pos], leaf_pos + 1
        else:
            a, hash_pos = hashes[hash_pos], hash_pos + 1
        if flags[i]:
            if leaf_pos < leaves_len:
                b, leaf_pos = leaves[leaf_pos], leaf_pos + 1
            else:
                b, hash_pos = hashes[hash_pos], hash_pos + 1
        else:
            b, proof_pos = proof[proof_pos], proof_pos + 1
        hashes[i] = keccak256(min(a, b) + max(a, b))  # Hashes.commutativeKeccak256
    if proof_pos != len(proof):
        raise MerkleTreeError("MerkleProofInvalidMultiproof")
    return hashes[-1]


CLAIM = st.tuples(
    st.integers(0, 2**256 - 1),
    st.binary(min_size=20, max_size=20).map(lambda raw: "0x" + raw.hex()),
    st.integers(0, 2**256 - 1),
)


@settings(max_examples=50, derandomize=True, deadline=None)
@given(values=st.lists(CLAIM, min_size=1, max_size=40), data=st.data())
def test_every_proof_and_any_multiproof_verify_like_merkleproof_sol(
    values: list[tuple[int, str, int]], data: st.DataObject
) -> None:
    tree = StandardMerkleTree.of(values, ENCODING)
    root = bytes.fromhex(tree.root[2:])
    for i, value in tree.entries():
        proof = tree.get_proof(i)
        assert len(proof) <= len(values).bit_length()
        assert process_proof(tree.leaf_hash(value), proof) == root
    subset = data.draw(st.sets(st.integers(0, len(values) - 1)), label="subset")
    multiproof = tree.get_multi_proof(sorted(subset))
    leaves = [tree.leaf_hash(value) for value in multiproof.leaves]
    nodes = [bytes.fromhex(node[2:]) for node in multiproof.proof]
    assert process_multi_proof(leaves, nodes, multiproof.proof_flags) == root
    assert _solidity_process_multi_proof(nodes, multiproof.proof_flags, leaves) == root
    assert StandardMerkleTree.load(tree.dump()).root == tree.root


# -- on chain --------------------------------------------------------------------------------

HARNESS = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

contract MerkleHarness {
    function claimLeaf(uint256 index, address account, uint256 amount)
        external
        pure
        returns (bytes32)
    {
        return keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))));
    }

    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf)
        external
        pure
        returns (bool)
    {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    function multiProofVerify(
        bytes32[] calldata proof,
        bool[] calldata proofFlags,
        bytes32 root,
        bytes32[] calldata leaves
    ) external pure returns (bool) {
        return MerkleProof.multiProofVerifyCalldata(proof, proofFlags, root, leaves);
    }
}
"""


def test_proofs_verify_with_openzeppelins_merkleproof_on_chain(
    tmp_path: Path, project: Project, chain: Chain
) -> None:
    harness_project = make_project(tmp_path / "proj", project, copy_contracts=True)
    shutil.rmtree(harness_project.contracts_dir)  # only the harness: compiles in a second
    harness_project.contracts_dir.mkdir()
    (harness_project.contracts_dir / "MerkleHarness.sol").write_text(HARNESS)
    compile_project(harness_project)
    artifact = load_artifact(harness_project, "MerkleHarness")
    receipt = Sender(chain.w3, chain.deployer).deploy(artifact["bytecode"], artifact["abi"])
    assert receipt.contract_address is not None
    harness = chain.w3.eth.contract(address=receipt.contract_address, abi=artifact["abi"])  # type: ignore[call-overload]

    case = _case("claims_57")
    tree = _python_tree(case)
    for i in (0, 13, 56):
        index, account, amount = tree.at(i)
        checksummed = to_checksum_address(account)
        leaf = harness.functions.claimLeaf(int(index), checksummed, int(amount, 0)).call()
        assert leaf == tree.leaf_hash(tree.at(i))
        assert harness.functions.verify(tree.get_proof(i), tree.root, leaf).call()
        assert not harness.functions.verify(tree.get_proof(i), _flip(tree.root, 1), leaf).call()
    for subset in ([2, 3, 40], list(range(57)), [56]):
        multiproof = tree.get_multi_proof(subset)
        leaves = [tree.leaf_hash(value) for value in multiproof.leaves]
        args = (multiproof.proof, multiproof.proof_flags, tree.root)
        assert harness.functions.multiProofVerify(*args, leaves).call()
        tampered = [bytes([leaves[0][0] ^ 1]) + leaves[0][1:], *leaves[1:]]
        assert not harness.functions.multiProofVerify(*args, tampered).call()
