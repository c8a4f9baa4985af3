"""The app's CLI on files written by the real torch.save and numpy.savez, the ways evaluation loops
write them: every idiom gives the numbers of the plain .npz of the same arrays (D_LR to 1e-9).

Runs `node scripts/run-cli.mjs` (bundles the CLI when its sources are newer)."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
from conftest import REPO, make_data

if os.environ.get("RICHSCOPE_REQUIRE_TORCH"):  # CI: a missing or broken torch is a failure, not a skip
    import torch
else:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (CI installs python3-torch)")

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="the CLI needs Node.js")

N, P, C, BATCH = 300, 24, 5, 64
ENCODINGS = {"zip": True, "legacy": False}  # torch.save's _use_new_zipfile_serialization


def cli(*args, expect=0):
    r = subprocess.run([NODE, "scripts/run-cli.mjs", *map(str, args), "--json"], cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == expect, r.stderr
    return json.loads(r.stdout) if expect == 0 else r.stderr


@pytest.fixture(scope="module")
def data():
    phi, f, y = make_data(71, N, p=P, C=C, classes=C)
    return torch.from_numpy(phi), torch.from_numpy(f), torch.from_numpy(y)


def batches(n):
    return [slice(s, min(n, s + BATCH)) for s in range(0, n, BATCH)]


def save(obj, path, zip_format=True):
    torch.save(obj, path, _use_new_zipfile_serialization=zip_format)
    return path


def assert_same(record, plain, keys=("n", "p", "C", "evalN", "r", "accuracy", "evalAccuracy")):
    assert abs(record["dlr"] - plain["dlr"]) <= 1e-9, (record["source"], record["dlr"], plain["dlr"])
    assert abs(record["dlrEnergy99"] - plain["dlrEnergy99"]) <= 1e-9
    for key in keys:
        assert record[key] == plain[key], (record["source"], key)
    for key in ("nc1", "participationRatio"):
        if plain[key] is None:
            assert record[key] is None
        else:
            assert abs(record[key] - plain[key]) <= 1e-9 * max(1.0, abs(plain[key])), (record["source"], key)
    np.testing.assert_allclose(record["mass"], plain["mass"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_idiom_gives_the_plain_npz_numbers(tmp_path, data, encoding):
    phi, f, y = data
    zf = ENCODINGS[encoding]
    plain = tmp_path / "plain.npz"
    np.savez(plain, features=phi.numpy(), logits=f.numpy(), labels=y.numpy())
    onehot = torch.nn.functional.one_hot(y, C).float()
    files = [
        # the most common loop: one dict per batch
        save([{"features": phi[b], "logits": f[b], "labels": y[b]} for b in batches(N)], tmp_path / "dicts.pt", zf),
        # one tuple per batch
        save([(phi[b], f[b], y[b]) for b in batches(N)], tmp_path / "tuples.pt", zf),
        # per-batch lists under each key
        save({"features": [phi[b] for b in batches(N)], "logits": [f[b] for b in batches(N)],
              "labels": [y[b] for b in batches(N)]}, tmp_path / "lists.pt", zf),
        # NumPy arrays inside torch.save, with strings and a NumPy scalar beside them
        save({"features": phi.numpy(), "logits": np.asfortranarray(f.numpy()), "labels": y.numpy(),
              "class_names": np.array([f"class {k}" for k in range(C)]), "epoch": np.int64(7)},
             tmp_path / "numpy.pt", zf),
        # labels one-hot
        save({"features": phi, "logits": f, "labels": onehot}, tmp_path / "onehot.pt", zf),
        # probabilities beside the logits, features under a name no rule knows
        save({"h": phi, "logits": f, "probs": f.softmax(1), "labels": y}, tmp_path / "probs.pt", zf),
    ]
    records = cli(plain, *files)
    assert len(records) == len(files) + 1
    for record in records[1:]:
        assert_same(record, records[0])
    numpy_record = records[4]
    assert numpy_record["step"] == 7
    assert any("class_names" in note for note in numpy_record["notes"]), numpy_record["notes"]
    assert records[5]["roles"]["labels"] == "labels"
    assert records[6]["roles"] == {"features": "h", "logits": "logits", "labels": "labels", "layers": ["h"]}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("names", [("train", "test"), ("fit", "val")])
def test_nested_splits_are_one_checkpoint_with_fit_and_eval(tmp_path, data, encoding, names):
    phi, f, y = data
    fit, test = slice(0, 200), slice(200, N)
    np.savez(tmp_path / "plain_train.npz", features=phi[fit].numpy(), logits=f[fit].numpy(), labels=y[fit].numpy())
    np.savez(tmp_path / "plain_test.npz", features=phi[test].numpy(), logits=f[test].numpy(), labels=y[test].numpy())
    [plain] = cli(tmp_path / "plain_train.npz", "--eval", tmp_path / "plain_test.npz")
    # the eval split as a list of batches, the fit split as a dict
    nested = save({names[0]: {"features": phi[fit], "logits": f[fit], "labels": y[fit]},
                   names[1]: [{"features": phi[b][200:], "logits": f[b][200:], "labels": y[b][200:]}
                              for b in [slice(0, N)]],
                   "step": 1500}, tmp_path / "splits.pt", ENCODINGS[encoding])
    [record] = cli(nested)
    assert record["evalN"] == 100 and record["n"] == 200
    assert record["evalSource"].endswith(f"splits.pt ({names[1]})")
    assert record["step"] == 1500
    assert_same(record, plain)


def test_npz_extras_are_skipped_and_a_step_taken(tmp_path, data):
    phi, f, y = data
    np.savez(tmp_path / "plain.npz", features=phi.numpy(), logits=f.numpy(), labels=y.numpy())
    np.savez(tmp_path / "extras.npz", features=phi.numpy(), logits=f.numpy(), labels=y.numpy(),
             class_names=np.array(["a", "b", "c", "d", "e"]), step=np.array(100), lr=np.array(0.1))
    plain, extras = cli(tmp_path / "plain.npz", tmp_path / "extras.npz")
    assert_same(extras, plain)
    # a step-less checkpoint takes its position in its run (README, CLI): the first, 0
    assert extras["step"] == 100 and plain["step"] == 0
    notes = " | ".join(extras["notes"])
    assert "class_names (<U1)" in notes and "ignored 0-d values: lr" in notes


def test_a_step_in_the_file_name_comes_first(tmp_path, data):
    phi, f, y = data
    run = tmp_path / "run"
    run.mkdir()
    save({"features": phi, "logits": f, "labels": y, "iteration": 9}, run / "run_step200.pt")
    save({"features": phi, "logits": f, "labels": y, "iteration": 9}, run / "last.pt")
    records = cli(run)
    assert sorted(r["step"] for r in records) == [9, 200]
    assert [r["step"] for r in cli(run / "run_step200.pt", run / "last.pt")] == [200, 9]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_model_weights_are_refused_in_one_line(tmp_path, encoding):
    path = save(torch.nn.Linear(64, 10).state_dict(), tmp_path / "model.pt", ENCODINGS[encoding])
    stderr = cli(path, expect=2)
    lines = stderr.strip().split("\n")
    assert len(lines) == 1
    assert "look like model weights (a state_dict" in lines[0] and "python/richscope_export.py" in lines[0]


def test_large_label_values_are_class_names(tmp_path, data):
    phi, f, y = data
    labels = y.numpy().copy()
    labels[[3, 40]] = [2 ** 40, 50_000_000]
    np.savez(tmp_path / "plain.npz", features=phi.numpy(), logits=f.numpy(), labels=y.numpy())
    save({"features": phi, "logits": f, "labels": torch.from_numpy(labels)}, tmp_path / "large.pt")
    plain, large = cli(tmp_path / "plain.npz", tmp_path / "large.pt")
    assert abs(large["dlr"] - plain["dlr"]) <= 1e-9
    right = (f.numpy().argmax(1) == labels).sum()
    assert large["accuracy"] == pytest.approx(right / N, abs=1e-12)
    assert any("have a label >= C = 5 (largest 1099511627776)" in note for note in large["notes"]), large["notes"]
