"""The command line: accumulate activation shards, merge moments files, bad input -> exit 2."""
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import PYDIR, assert_moments_close, full_moments, make_data

import richscope_export as rx

SCRIPT = os.path.join(PYDIR, "richscope_export.py")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *map(str, args)], capture_output=True, text=True, timeout=60)


def blocks_of(path, split):
    return rx.load(path)[split].blocks()


def write_shards(tmp_path, phi, f, y, sizes, prefix="shard", names=("features", "logits", "labels")):
    paths, s = [], 0
    for i, m in enumerate(sizes):
        p = tmp_path / f"{prefix}{i}.npz"
        np.savez(p, **{names[0]: phi[s : s + m], names[1]: f[s : s + m], names[2]: y[s : s + m]})
        paths.append(p)
        s += m
    return paths


def test_accumulate_shards(tmp_path):
    phi, f, y = make_data(31, 200)
    shards = write_shards(tmp_path, phi, f, y, [1, 120, 79])
    out = tmp_path / "m.npz"
    r = run("accumulate", "--out", out, "--split", "train", "--step", 7, "--run", "demo", *shards)
    assert r.returncode == 0, r.stderr
    assert "n=200" in r.stderr
    splits, meta = rx.load(out, with_meta=True)
    assert meta == {"run": "demo", "step": 7, "splits": ["train"], "target_kind": {"train": "onehot"}}
    assert_moments_close(splits["train"].blocks(), full_moments(phi, f, y))


def test_accumulate_custom_names_and_no_labels(tmp_path):
    phi, f, y = make_data(32, 50)
    shards = write_shards(tmp_path, phi, f, y, [25, 25], names=("h", "out", "cls"))
    out = tmp_path / "m.npz"
    r = run("accumulate", "--out", out, "--features", "h", "--logits", "out", "--labels", "cls", *shards)
    assert r.returncode == 0, r.stderr
    assert_moments_close(blocks_of(out, "train"), full_moments(phi, f, y))
    r = run("accumulate", "--out", out, "--features", "h", "--logits", "out", "--split", "test", *shards)
    assert r.returncode == 0, r.stderr  # no array called 'labels' -> label-free moments
    assert rx.load(out)["test"].file_target_kind() == "none"


def test_merge_split_by_split(tmp_path):
    phi, f, y = make_data(33, 300)
    pt, ft, yt = make_data(34, 90)
    a, b, c = tmp_path / "a.npz", tmp_path / "b.npz", tmp_path / "c.npz"
    rx.save_splits(a, {"train": rx.MomentAccumulator().update(phi[:100], f[:100], labels=y[:100]),
                       "test": rx.MomentAccumulator().update(pt[:1], ft[:1], labels=yt[:1])}, step=5, run="r")
    rx.save_splits(b, {"test": rx.MomentAccumulator().update(pt[1:], ft[1:], labels=yt[1:]),
                       "train": rx.MomentAccumulator().update(phi[100:250], f[100:250], labels=y[100:250])})
    rx.MomentAccumulator().update(phi[250:], f[250:], labels=y[250:]).save(c, split="train")
    out = tmp_path / "out.npz"
    r = run("merge", "--out", out, a, b, c)
    assert r.returncode == 0, r.stderr
    splits, meta = rx.load(out, with_meta=True)
    assert meta["splits"] == ["train", "test"] and meta["step"] == 5 and meta["run"] == "r"
    assert_moments_close(splits["train"].blocks(), full_moments(phi, f, y))
    assert_moments_close(splits["test"].blocks(), full_moments(pt, ft, yt))
    r = run("merge", "--out", out, "--fit", "test", "--step", 9, c, b)
    assert r.returncode == 0, r.stderr
    splits, meta = rx.load(out, with_meta=True)
    assert meta["splits"] == ["test", "train"] and meta["step"] == 9


def test_accumulate_then_merge_two_splits(tmp_path):
    """The documented route to a two-split file from raw shards."""
    phi, f, y = make_data(35, 80)
    pt, ft, yt = make_data(36, 30)
    tr = write_shards(tmp_path, phi, f, y, [80], prefix="tr")
    te = write_shards(tmp_path, pt, ft, yt, [30], prefix="te")
    assert run("accumulate", "--out", tmp_path / "tr_m.npz", *tr).returncode == 0
    assert run("accumulate", "--out", tmp_path / "te_m.npz", "--split", "test", *te).returncode == 0
    r = run("merge", "--out", tmp_path / "both.npz", tmp_path / "tr_m.npz", tmp_path / "te_m.npz")
    assert r.returncode == 0, r.stderr
    assert list(rx.load(tmp_path / "both.npz")) == ["train", "test"]


def bad_cases(tmp_path):
    phi, f, y = make_data(37, 20)
    good = tmp_path / "good.npz"
    np.savez(good, features=phi, logits=f, labels=y)
    np.savez(tmp_path / "nologits.npz", features=phi, labels=y)
    np.savez(tmp_path / "narrow.npz", features=phi[:, :2], logits=f, labels=y)
    np.savez(tmp_path / "rows.npz", features=phi, logits=f[:3], labels=y)
    np.savez(tmp_path / "neg.npz", features=phi, logits=f, labels=-y - 1)
    np.savez(tmp_path / "nolabels.npz", features=phi, logits=f)
    np.savez(tmp_path / "vec.npz", features=phi[:, 0], logits=f, labels=y)
    np.save(tmp_path / "plain.npy", phi)
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 definitely not a zip")
    (tmp_path / "empty.npz").write_bytes(b"")
    mom = tmp_path / "mom.npz"
    rx.MomentAccumulator().update(phi, f, labels=y).save(mom)
    mom_narrow = tmp_path / "mom_narrow.npz"
    rx.MomentAccumulator().update(phi[:, :3], f, labels=y).save(mom_narrow)
    return [
        (["accumulate", "--out", tmp_path / "o.npz", tmp_path / "missing.npz"], "missing.npz"),
        (["accumulate", "--out", tmp_path / "o.npz", tmp_path / "junk.npz"], "junk.npz"),
        (["accumulate", "--out", tmp_path / "o.npz", tmp_path / "empty.npz"], "empty.npz"),
        (["accumulate", "--out", tmp_path / "o.npz", tmp_path / "plain.npy"], "plain.npy"),
        (["accumulate", "--out", tmp_path / "o.npz", good, tmp_path / "nologits.npz"], "nologits.npz"),
        (["accumulate", "--out", tmp_path / "o.npz", good, tmp_path / "narrow.npz"], "narrow.npz"),
        (["accumulate", "--out", tmp_path / "o.npz", tmp_path / "rows.npz"], "rows.npz"),
        (["accumulate", "--out", tmp_path / "o.npz", tmp_path / "neg.npz"], "neg.npz"),
        (["accumulate", "--out", tmp_path / "o.npz", good, tmp_path / "nolabels.npz"], "nolabels.npz"),
        (["accumulate", "--out", tmp_path / "o.npz", tmp_path / "vec.npz"], "vec.npz"),
        (["accumulate", "--out", tmp_path / "o.npz", "--labels", "cls", good], "good.npz"),
        (["merge", "--out", tmp_path / "o.npz", mom, good], "good.npz"),
        (["merge", "--out", tmp_path / "o.npz", mom, tmp_path / "junk.npz"], "junk.npz"),
        (["merge", "--out", tmp_path / "o.npz", mom, tmp_path / "nope.npz"], "nope.npz"),
        (["merge", "--out", tmp_path / "o.npz", mom, mom_narrow], "mom_narrow.npz"),
        (["merge", "--out", tmp_path / "o.npz", "--fit", "test", mom], "test"),
        (["accumulate", "--out", tmp_path / "no_such_dir" / "o.npz", good], "no_such_dir"),
    ]


def test_bad_input_exit_2_names_file(tmp_path):
    for args, needle in bad_cases(tmp_path):
        r = run(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert "Traceback" not in r.stderr, r.stderr
        assert needle in r.stderr, (needle, r.stderr)
        assert r.stderr.startswith("error: "), r.stderr
    assert not (tmp_path / "o.npz").exists()


@pytest.mark.parametrize("args", [[], ["accumulate"], ["accumulate", "x.npz"], ["frobnicate"],
                                  ["accumulate", "--out", "o.npz", "--split", "a b", "x.npz"]])
def test_usage_errors_exit_2(args):
    r = run(*args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
