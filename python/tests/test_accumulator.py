"""MomentAccumulator.update / merge against the full-data computation (METHOD.md §2)."""
import itertools

import numpy as np
import pytest
from conftest import assert_moments_close, dlr_from_moments, dlr_raw, full_moments, make_data

import richscope_export as rx


def shards_of(n, sizes):
    assert sum(sizes) == n
    edges = np.cumsum([0] + list(sizes))
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]


def accumulate(phi, f, y, slices, **kw):
    acc = rx.MomentAccumulator(**kw)
    for s in slices:
        acc.update(phi[s], f[s], labels=None if y is None else y[s])
    return acc


@pytest.mark.parametrize(
    "sizes",
    [
        [300],
        [1, 299],
        [137, 1, 62, 99, 1],
        [1] * 300,
        [7, 0, 150, 143],
    ],
    ids=["one-chunk", "one-row-first", "uneven", "all-one-row", "with-empty"],
)
def test_update_matches_full_data(sizes):
    phi, f, y = make_data(1, 300)
    acc = accumulate(phi, f, y, shards_of(300, sizes))
    assert_moments_close(acc.blocks(), full_moments(phi, f, y))
    assert int(acc.blocks()["correct"]) == int(np.sum(np.argmax(f, 1) == y))
    np.testing.assert_array_equal(acc.counts, np.bincount(y, minlength=5))


def test_internal_chunking_matches():
    phi, f, y = make_data(2, 1000)
    a = rx.MomentAccumulator().update(phi, f, labels=y, chunk_rows=97)
    assert_moments_close(a.blocks(), full_moments(phi, f, y))


def test_large_mean_no_cancellation():
    # ReLU features with mean 1e6 and unit spread: naive sum(xx^T) - n mu mu^T loses ~all digits
    rng = np.random.default_rng(3)
    n, p = 2000, 6
    phi = np.maximum(rng.normal(size=(n, p)), 0) + 1e6
    f = (phi - 1e6) @ rng.normal(size=(p, 3))
    acc = rx.MomentAccumulator()
    for s in shards_of(n, [1, 999, 500, 500]):
        acc.update(phi[s], f[s])
    ref = full_moments(phi, f)
    assert_moments_close(acc.blocks(), ref, rtol=1e-9)
    naive = phi.T @ phi - n * np.outer(phi.mean(0), phi.mean(0))
    assert np.abs(naive - ref[2][:p, :p]).max() > 1e-3 * np.abs(ref[2][:p, :p]).max()  # the trap is real


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_merge_any_order(order):
    phi, f, y = make_data(4, 250)
    parts = [accumulate(phi, f, y, [s]) for s in shards_of(250, [1, 100, 60, 89])]
    total = rx.MomentAccumulator()
    for i in order:
        total.merge(parts[i])
    assert_moments_close(total.blocks(), full_moments(phi, f, y))
    assert int(total.blocks()["correct"]) == int(np.sum(np.argmax(f, 1) == y))


def test_merge_tree_equals_sequential():
    phi, f, y = make_data(5, 400)
    parts = [accumulate(phi, f, y, [s]) for s in shards_of(400, [50] * 8)]
    while len(parts) > 1:  # pairwise tree reduction
        parts = [parts[i].copy().merge(parts[i + 1]) for i in range(0, len(parts), 2)]
    assert_moments_close(parts[0].blocks(), full_moments(phi, f, y))


def test_labels_class_set_differs_between_shards():
    phi, f, _ = make_data(6, 240, classes=1)
    y = np.concatenate(
        [
            np.zeros(40, int),  # shard A: only class 0
            np.array([3, 1] * 50),  # shard B: classes 1, 3
            np.arange(100) % 7,  # shard C: classes 0..6
        ]
    )
    slices = shards_of(240, [40, 100, 100])
    ref = full_moments(phi, f, y)
    # growing inside one accumulator
    assert_moments_close(accumulate(phi, f, y, slices).blocks(), ref)
    # separate accumulators merged, in both directions (padding either side)
    a, b, c = (accumulate(phi, f, y, [s]) for s in slices)
    assert a.q == 1 and b.q == 4 and c.q == 7
    assert_moments_close(a.copy().merge(b).merge(c).blocks(), ref)
    assert_moments_close(c.copy().merge(b).merge(a).blocks(), ref)
    assert_moments_close(b.copy().merge(a).merge(c).blocks(), ref)


def test_num_classes_pads_columns():
    phi, f, y = make_data(7, 50, classes=3)
    acc = rx.MomentAccumulator(num_classes=10).update(phi, f, labels=y)
    assert acc.q == 10
    assert_moments_close(acc.blocks(), full_moments(phi, f, y, num_classes=10))


def test_dense_targets_and_no_targets():
    phi, f, _ = make_data(8, 120)
    t = np.random.default_rng(0).normal(size=(120, 3))
    a = rx.MomentAccumulator()
    for s in shards_of(120, [1, 60, 59]):
        a.update(phi[s], f[s], targets=t[s])
    assert a.file_target_kind() == "dense"
    assert "correct" not in a.blocks()
    assert_moments_close(a.blocks(), full_moments(phi, f, targets=t))
    b = accumulate(phi, f, None, shards_of(120, [3, 117]))
    assert b.file_target_kind() == "none"
    assert set(b.blocks()) == {"n", "mean_features", "mean_logits", "S_pp", "S_pf", "S_ff"}
    assert_moments_close(b.blocks(), full_moments(phi, f))


def test_dlr_from_moments_equals_raw():
    phi, f, y = make_data(9, 500, p=16, C=5)
    acc = accumulate(phi, f, y, shards_of(500, [1, 249, 250]))
    b = acc.blocks()
    d_m, r_m = dlr_from_moments(b["S_pp"], b["S_pf"], b["S_ff"])
    d_r, r_r = dlr_raw(phi, f)
    assert r_m == r_r == 5
    assert abs(d_m - d_r) < 1e-9
    assert 0.0 <= d_m <= 1.0


def test_inconsistent_inputs_raise():
    phi, f, y = make_data(10, 20)
    acc = rx.MomentAccumulator().update(phi, f, labels=y)
    with pytest.raises(rx.MomentsError, match="target mismatch"):
        acc.update(phi, f)
    with pytest.raises(rx.MomentsError, match="width mismatch"):
        acc.update(phi[:, :3], f, labels=y)
    with pytest.raises(rx.MomentsError, match="rows"):
        rx.MomentAccumulator().update(phi, f[:5])
    with pytest.raises(rx.MomentsError, match=">= 0"):
        rx.MomentAccumulator().update(phi, f, labels=-np.ones(20, int))
    with pytest.raises(rx.MomentsError, match="integer"):
        rx.MomentAccumulator().update(phi, f, labels=np.full(20, 0.5))
    with pytest.raises(rx.MomentsError, match="NaN"):
        bad = phi.copy()
        bad[3, 2] = np.nan
        rx.MomentAccumulator().update(bad, f)
    with pytest.raises(rx.MomentsError, match="width mismatch"):
        acc.merge(rx.MomentAccumulator().update(phi[:, :2], f, labels=y))
    with pytest.raises(rx.MomentsError, match="no rows"):
        rx.MomentAccumulator().blocks()


def test_merge_empty_and_pickle():
    import pickle

    phi, f, y = make_data(11, 30)
    acc = rx.MomentAccumulator().update(phi, f, labels=y)
    before = acc.blocks()
    acc.merge(rx.MomentAccumulator())
    empty = rx.MomentAccumulator().merge(acc)
    clone = pickle.loads(pickle.dumps(empty))
    for k, v in before.items():
        np.testing.assert_array_equal(clone.blocks()[k], v)
        np.testing.assert_array_equal(acc.blocks()[k], v)


def test_ignore_label_drops_rows():
    phi, f, y = make_data(12, 60)
    y = y.copy()
    y[::4] = -100  # e.g. padded tokens
    acc = rx.MomentAccumulator(ignore_label=-100)
    for s in shards_of(60, [4, 1, 55]):
        acc.update(phi[s], f[s], labels=y[s])
    keep = y != -100
    assert acc.n == keep.sum()
    assert_moments_close(acc.blocks(), full_moments(phi[keep], f[keep], y[keep]))
    acc.update(phi[:1], f[:1], labels=[-100])  # a chunk with nothing left is fine
    assert acc.n == keep.sum()
    with pytest.raises(rx.MomentsError, match=">= 0"):
        rx.MomentAccumulator().update(phi, f, labels=y)
