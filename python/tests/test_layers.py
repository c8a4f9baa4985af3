"""Layers (docs/method.md §8): each layer's moments of [Phi_l | F], in memory and in files (format version
2); version-1 files still read. The forward hooks on several modules are in test_torch.py."""
import json
import os
import pickle

import numpy as np
import pytest
from conftest import REPO, assert_moments_close, dlr_from_moments, dlr_raw, full_moments, make_data
from test_format import LAYER_KEY, doc_table

import richscope_export as rx


def network_rows(seed, n, widths=(8, 6), p=9, C=4):
    """Features, logits, labels and two earlier layers (ReLU of random maps) on the same rows."""
    phi, f, y = make_data(seed, n, p=p, C=C)
    rng = np.random.default_rng(seed + 100)
    layers = {}
    for k, width in enumerate(widths):
        layers[f"layer{k + 1}"] = np.maximum(phi @ rng.normal(size=(p, width)) - 40.0, 0.0).astype(np.float32)
    return phi, f, y, layers


def layer_blocks(acc, name):
    """The blocks() of one layer's own accumulator: moments of [Phi_l | F]."""
    return acc.layers[name].blocks()


def test_each_layer_holds_the_moments_of_the_layer_and_the_outputs():
    phi, f, y, layers = network_rows(1, 130)
    acc = rx.MomentAccumulator()
    for s in range(0, 130, 47):
        acc.update(phi[s : s + 47], f[s : s + 47], labels=y[s : s + 47], layers={k: v[s : s + 47] for k, v in layers.items()})
    assert list(acc.layers) == ["layer1", "layer2"]
    for name, values in layers.items():
        assert_moments_close(layer_blocks(acc, name), full_moments(values, f))
    assert_moments_close(acc.blocks(), full_moments(phi, f, y))


def test_merge_and_pickle_keep_the_layers():
    phi, f, y, layers = network_rows(2, 90)
    a = rx.MomentAccumulator().update(phi[:30], f[:30], labels=y[:30], layers={k: v[:30] for k, v in layers.items()})
    b = rx.MomentAccumulator().update(phi[30:], f[30:], labels=y[30:], layers={k: v[30:] for k, v in layers.items()})
    merged = pickle.loads(pickle.dumps(a.copy())).merge(b)
    for name, values in layers.items():
        assert_moments_close(layer_blocks(merged, name), full_moments(values, f))


def test_layers_must_stay_the_same():
    phi, f, y, layers = network_rows(3, 20)
    acc = rx.MomentAccumulator().update(phi[:10], f[:10], layers={"layer1": layers["layer1"][:10]})
    with pytest.raises(rx.MomentsError, match="layer mismatch"):
        acc.update(phi[10:], f[10:])
    with pytest.raises(rx.MomentsError, match="shape"):
        rx.MomentAccumulator().update(phi, f, layers={"layer1": layers["layer1"][:5]})


def test_ignored_rows_leave_every_layer():
    phi, f, y, layers = network_rows(4, 60)
    y = y.copy()
    y[::4] = -100
    acc = rx.MomentAccumulator(ignore_label=-100).update(phi, f, labels=y, layers=layers)
    keep = y != -100
    assert_moments_close(layer_blocks(acc, "layer2"), full_moments(layers["layer2"][keep], f[keep]))


def test_layers_of_more_dimensions_are_flattened_per_row():
    phi, f, _, _ = network_rows(5, 24)
    conv = np.random.default_rng(5).normal(size=(24, 3, 2, 2))
    acc = rx.MomentAccumulator().update(phi, f, layers={"conv": conv})
    assert_moments_close(layer_blocks(acc, "conv"), full_moments(conv.reshape(24, 12), f))


def test_file_round_trip_version_2_and_dlr_of_every_layer(tmp_path):
    phi, f, y, layers = network_rows(6, 200)
    train = rx.MomentAccumulator(features_name="layer3").update(phi, f, labels=y, layers=layers)
    bare = rx.MomentAccumulator().update(phi[:50], f[:50], labels=y[:50])
    path = tmp_path / "m.npz"
    rx.save_splits(path, {"train": train, "test": bare}, step=3)
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    assert int(arrays["richscope_moments"]) == 2
    meta = json.loads(arrays["meta_json"].tobytes().decode("utf-8"))
    assert meta["layers"] == {"train": {"features": "layer3", "earlier": ["layer1", "layer2"]}}
    assert arrays["train__layer1__S_ll"].shape == (6, 6)
    assert arrays["train__layer1__S_lf"].shape == (6, 4)
    assert arrays["train__layer0__mean"].shape == (8,)
    rows = doc_table()
    for i, (name, values) in enumerate(layers.items()):
        for key, (dtype, shape) in ((k[len(LAYER_KEY) :], v) for k, v in rows.items() if k.startswith(LAYER_KEY)):
            a = arrays[f"train__layer{i}__{key}"]
            assert a.dtype.str == "<f8" and dtype == "float64"
            assert a.shape == tuple({"p_l": values.shape[1], "C": 4}[s] for s in shape), (name, key)
    loaded = rx.load(path)
    assert loaded["train"].features_name == "layer3" and loaded["test"].layers == {}
    for name, values in layers.items():
        blocks = layer_blocks(loaded["train"], name)
        want, r = dlr_raw(values, f)
        got, r_got = dlr_from_moments(blocks["S_pp"], blocks["S_pf"], arrays["train__S_ff"])
        assert r_got == r and abs(got - want) < 1e-9


def test_file_without_layers_stays_version_1_and_old_files_read(tmp_path):
    phi, f, y = make_data(7, 40)
    path = tmp_path / "m.npz"
    rx.MomentAccumulator().update(phi, f, labels=y).save(path)
    with np.load(path) as z:
        assert int(z["richscope_moments"]) == 1
        assert "layers" not in json.loads(z["meta_json"].tobytes().decode("utf-8"))
    old = rx.load(os.path.join(REPO, "fixtures", "moments", "example_moments.npz"))
    assert old["train"].layers == {} and old["train"].n == 200
