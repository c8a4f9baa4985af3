"""Save/load round trip against docs/moments-format.md, and the format fixture."""
import json
import os
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from conftest import REPO, assert_moments_close, dlr_from_moments, dlr_raw, full_moments, make_data, stacked

import richscope_export as rx

FORMAT_DOC = os.path.join(REPO, "docs", "moments-format.md")
FIXTURE_DIR = os.path.join(REPO, "fixtures", "moments")
DTYPES = {"int64": "<i8", "float64": "<f8", "uint8": "|u1"}
TARGET_KEYS = {"mean_targets", "S_py", "S_fy", "S_yy"}


def doc_table():
    """{key pattern: (dtype, shape tuple of symbols)} parsed from the table in docs/moments-format.md."""
    rows = {}
    with open(FORMAT_DOC, encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r"^\|\s*`([^`]+)`\s*\|\s*(\w+),\s*\(([^)]*)\)\s*\|", line)
            if m:
                shape = tuple(s.strip() for s in m.group(3).split(",") if s.strip())
                rows[m.group(1)] = (m.group(2), shape)
    return rows


LAYER_KEY = "{split}__layer{i}__"  # version 2: keys of each earlier layer (test_layers.py)


def test_doc_table_is_what_we_expect():
    rows = doc_table()
    per_split = {k.split("__", 1)[1] for k in rows if k.startswith("{split}__") and not k.startswith(LAYER_KEY)}
    layer_keys = {k[len(LAYER_KEY) :] for k in rows if k.startswith(LAYER_KEY)}
    assert {"richscope_moments", "meta_json"} <= set(rows)
    assert per_split == {"n", "mean_features", "mean_logits", "mean_targets", "S_pp", "S_pf", "S_ff",
                         "S_py", "S_fy", "S_yy", "correct"}
    assert layer_keys == {"mean", "S_ll", "S_lf"}


def check_against_doc(path, dims):
    """Every key of the file is documented with exactly this dtype and shape, and every required
    documented key is present. dims: {split: {"p":..,"C":..,"q":..,"kind":..}}."""
    rows = doc_table()
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    expected_keys = {"richscope_moments", "meta_json"}
    for split, d in dims.items():
        for pattern in rows:
            if not pattern.startswith("{split}__") or pattern.startswith(LAYER_KEY):
                continue
            key = pattern.split("__", 1)[1]
            if d["kind"] == "none" and (key in TARGET_KEYS or key == "correct"):
                continue
            if d["kind"] == "dense" and key == "correct":
                continue
            expected_keys.add(f"{split}__{key}")
    assert set(arrays) == expected_keys
    for name, a in arrays.items():
        pattern = name if name in rows else "{split}__" + name.split("__", 1)[1]
        dtype, shape = rows[pattern]
        assert a.dtype.str == DTYPES[dtype], (name, a.dtype.str)
        if shape == ("bytes",):
            assert a.ndim == 1
            continue
        split = name.split("__", 1)[0]
        sym = dims.get(split, {})
        assert a.shape == tuple(int(sym[s]) for s in shape), (name, a.shape, shape)
    assert int(arrays["richscope_moments"]) == 1
    return arrays


def test_round_trip_every_key_and_dtype(tmp_path):
    phi, f, y = make_data(21, 150, p=7, C=3, classes=4)
    pt, ft, yt = make_data(22, 40, p=7, C=3, classes=3)  # test split sees fewer classes
    tgt = np.random.default_rng(1).normal(size=(60, 2))
    train = rx.MomentAccumulator().update(phi[:1], f[:1], labels=y[:1]).update(phi[1:], f[1:], labels=y[1:])
    test = rx.MomentAccumulator().update(pt, ft, labels=yt)
    dense = rx.MomentAccumulator().update(phi[:60], f[:60], targets=tgt)
    bare = rx.MomentAccumulator().update(phi[:10], f[:10])
    path = tmp_path / "m.npz"
    rx.save_splits(path, {"train": train, "test": test, "dense-1": dense, "bare_2": bare}, step=1500, run="r1")
    arrays = check_against_doc(
        path,
        {
            "train": {"p": 7, "C": 3, "q": 4, "kind": "onehot"},
            "test": {"p": 7, "C": 3, "q": 3, "kind": "onehot"},
            "dense-1": {"p": 7, "C": 3, "q": 2, "kind": "dense"},
            "bare_2": {"p": 7, "C": 3, "q": 0, "kind": "none"},
        },
    )
    meta = json.loads(arrays["meta_json"].tobytes().decode("utf-8"))
    assert meta == {
        "run": "r1",
        "step": 1500,
        "splits": ["train", "test", "dense-1", "bare_2"],
        "target_kind": {"train": "onehot", "test": "onehot", "dense-1": "dense", "bare_2": "none"},
    }
    assert int(arrays["train__n"]) == 150
    assert int(arrays["train__correct"]) == int(np.sum(np.argmax(f, 1) == y))
    np.testing.assert_allclose(arrays["train__mean_targets"] * 150, np.bincount(y, minlength=4), atol=1e-9)
    assert_moments_close({k.split("__", 1)[1]: v for k, v in arrays.items() if k.startswith("train__")},
                         full_moments(phi, f, y))
    # load gives back equal accumulators (bit-identical blocks), in file order
    loaded, meta2 = rx.load(path, with_meta=True)
    assert list(loaded) == ["train", "test", "dense-1", "bare_2"] and meta2 == meta
    for name, acc in {"train": train, "test": test, "dense-1": dense, "bare_2": bare}.items():
        a, b = acc.blocks(), loaded[name].blocks()
        assert set(a) == set(b)
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    # a loaded accumulator keeps merging exactly (labels with a larger class appear later)
    more_phi, more_f, more_y = make_data(23, 30, p=7, C=3, classes=6)
    loaded["train"].update(more_phi, more_f, labels=more_y)
    assert_moments_close(
        loaded["train"].blocks(),
        full_moments(np.vstack([phi, more_phi]), np.vstack([f, more_f]), np.concatenate([y, more_y])),
    )


def test_save_single_split_and_null_meta(tmp_path):
    phi, f, y = make_data(24, 20)
    acc = rx.MomentAccumulator().update(phi, f, labels=y)
    acc.save(tmp_path / "a.npz")
    splits, meta = rx.load(tmp_path / "a.npz", with_meta=True)
    assert meta == {"run": None, "step": None, "splits": ["train"], "target_kind": {"train": "onehot"}}
    acc.save(tmp_path / "b.npz", split="test", step=3, run="x", compress=True)
    with zipfile.ZipFile(tmp_path / "b.npz") as zf:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
    with zipfile.ZipFile(tmp_path / "a.npz") as zf:
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
    assert list(rx.load(tmp_path / "b.npz")) == ["test"]


@pytest.mark.parametrize("bad", ["a b", "", "tr/ain", "x__y.z"])
def test_bad_split_names(tmp_path, bad):
    phi, f, _ = make_data(25, 5)
    with pytest.raises(rx.MomentsError):
        rx.MomentAccumulator().update(phi, f).save(tmp_path / "x.npz", split=bad)


def test_load_rejects_non_moments(tmp_path):
    np.savez(tmp_path / "raw.npz", features=np.zeros((2, 2)))
    with pytest.raises(rx.MomentsError, match="raw.npz"):
        rx.load(tmp_path / "raw.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(rx.MomentsError, match="junk.npz"):
        rx.load(tmp_path / "junk.npz")


def test_fixture_writer_is_reproducible(tmp_path):
    subprocess.run([sys.executable, os.path.join(REPO, "python", "tests", "write_format_fixture.py"), str(tmp_path)],
                   check=True, capture_output=True)
    fresh = json.load(open(tmp_path / "expected.json"))
    committed = json.load(open(os.path.join(FIXTURE_DIR, "expected.json")))
    assert fresh["keys"] == committed["keys"] and fresh["meta"] == committed["meta"]
    for split in ("train", "test"):
        for k, v in committed["splits"][split].items():
            if k == "dlr":
                assert abs(fresh["splits"][split][k] - v) < 1e-12
            else:
                assert fresh["splits"][split][k] == v


def test_committed_fixture_matches_doc_and_raw():
    exp = json.load(open(os.path.join(FIXTURE_DIR, "expected.json")))
    path = os.path.join(FIXTURE_DIR, exp["file"])
    dims = {s: {"p": d["p"], "C": d["C"], "q": d["q"], "kind": "onehot"} for s, d in exp["splits"].items()}
    arrays = check_against_doc(path, dims)
    assert sorted(arrays) == sorted(exp["keys"])
    for k, spec in exp["keys"].items():
        assert arrays[k].dtype.str == spec["descr"] and list(arrays[k].shape) == spec["shape"]
    for split, d in exp["splits"].items():
        raw = np.load(os.path.join(FIXTURE_DIR, d["raw_file"]))
        blocks = {k.split("__", 1)[1]: v for k, v in arrays.items() if k.startswith(split + "__")}
        assert_moments_close(blocks, full_moments(raw["features"], raw["logits"], raw["labels"]))
        dlr, r = dlr_from_moments(blocks["S_pp"], blocks["S_pf"], blocks["S_ff"])
        assert r == d["r"] and abs(dlr - d["dlr"]) < 1e-9
        assert abs(dlr_raw(raw["features"], raw["logits"])[0] - d["dlr"]) < 1e-12
        assert int(blocks["correct"]) == d["correct"]
        n, _, _ = stacked(blocks)
        assert np.rint(blocks["mean_targets"] * n).astype(int).tolist() == d["class_counts"]


def test_splits_must_share_widths(tmp_path):
    phi, f, y = make_data(26, 10)
    a = rx.MomentAccumulator().update(phi, f, labels=y)
    b = rx.MomentAccumulator().update(phi[:, :4], f, labels=y)
    with pytest.raises(rx.MomentsError, match="same feature and logit widths"):
        rx.save_splits(tmp_path / "x.npz", {"train": a, "test": b})
    assert not (tmp_path / "x.npz").exists()
    with pytest.raises(rx.MomentsError, match="no rows"):
        rx.save_splits(tmp_path / "x.npz", {"train": rx.MomentAccumulator()})
