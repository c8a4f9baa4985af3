"""End to end on real trained-network activations (fixtures/digits-mlp): raw shards -> CLI
accumulate -> CLI merge -> load, and the numbers Richscope shows from the moments equal the
float64 reference values of fixtures/digits-mlp/expected-shared.json."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import PYDIR, REPO, dlr_from_moments

import richscope_export as rx

DIGITS = os.path.join(REPO, "fixtures", "digits-mlp")
EXPECTED = os.path.join(DIGITS, "expected-shared.json")
pytestmark = pytest.mark.skipif(not os.path.exists(EXPECTED), reason="fixtures/digits-mlp not present")
CHECKPOINTS = ["mlp96_rich_step1500", "mlp96_lazy_step150"]


def cli(*args):
    r = subprocess.run([sys.executable, os.path.join(PYDIR, "richscope_export.py"), *map(str, args)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r


def nc1_from_moments(b):
    """METHOD.md §5 from the label block: class mean offsets are S_py[:, c] / n_c."""
    n = int(b["n"])
    counts = np.rint(b["mean_targets"] * n)
    present = counts > 0
    offsets = b["S_py"][:, present] / counts[present]  # p x K: mu_c - mu_G
    between_scatter = (offsets * counts[present]) @ offsets.T
    sigma_w = (b["S_pp"] - between_scatter) / n
    sigma_b = offsets @ offsets.T / present.sum()
    return float(np.trace(sigma_w @ np.linalg.pinv(sigma_b, rcond=1e-10, hermitian=True)) / present.sum())


@pytest.mark.parametrize("name", CHECKPOINTS)
def test_digits_checkpoint_end_to_end(tmp_path, name):
    expected = json.load(open(EXPECTED))[name]
    train = np.load(os.path.join(DIGITS, f"{name}_train.npz"))
    shards = []
    for i, (a, b) in enumerate([(0, 1), (1, 500), (500, 1347)]):
        shards.append(tmp_path / f"shard{i}.npz")
        np.savez(shards[-1], **{k: train[k][a:b] for k in ("features", "logits", "labels")})
    cli("accumulate", "--out", tmp_path / "train.npz", "--split", "train", "--step", 1500, "--run", name, *shards)
    cli("accumulate", "--out", tmp_path / "test.npz", "--split", "test", os.path.join(DIGITS, f"{name}_test.npz"))
    cli("merge", "--out", tmp_path / "m.npz", tmp_path / "train.npz", tmp_path / "test.npz")
    splits, meta = rx.load(tmp_path / "m.npz", with_meta=True)
    assert meta["splits"] == ["train", "test"] and meta["run"] == name
    b = splits["train"].blocks()
    assert int(b["n"]) == expected["n"] and b["S_pp"].shape[0] == expected["p"] and b["S_ff"].shape[0] == expected["C"]
    dlr, r = dlr_from_moments(b["S_pp"], b["S_pf"], b["S_ff"])
    assert r == expected["r"]
    assert abs(dlr - expected["dlr"]) < 1e-9
    rho = np.sort(np.linalg.eigvalsh(b["S_pp"] / int(b["n"])))[::-1][: len(expected["rho"])]
    np.testing.assert_allclose(rho, expected["rho"], rtol=1e-8, atol=1e-12 * rho[0])
    assert abs(nc1_from_moments(b) - expected["nc1"]) < 1e-6 * max(1.0, expected["nc1"])
    assert int(b["correct"]) == int(np.sum(train["logits"].argmax(1) == train["labels"]))
