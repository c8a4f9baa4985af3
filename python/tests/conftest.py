"""Shared helpers for the exporter tests (run: /usr/bin/python3 -m pytest -q python/tests)."""
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
REPO = os.path.dirname(PYDIR)
if PYDIR not in sys.path:
    sys.path.insert(0, PYDIR)

RANK_TOL = 1e-10  # METHOD.md §3


def full_moments(phi, f, y=None, num_classes=None, targets=None):
    """np.cov-style reference on the concatenated arrays: X = [Phi | F | Y], S = X_c^T X_c."""
    blocks = [np.asarray(phi, np.float64), np.asarray(f, np.float64)]
    if y is not None:
        q = int(np.max(y)) + 1 if num_classes is None else num_classes
        blocks.append(np.eye(q)[np.asarray(y)])
    elif targets is not None:
        t = np.asarray(targets, np.float64)
        blocks.append(t[:, None] if t.ndim == 1 else t)
    X = np.concatenate(blocks, axis=1)
    mean = X.mean(axis=0)
    Xc = X - mean
    S = Xc.T @ Xc
    # np.cov agrees (ddof=1 scaling) -- a guard that this reference itself is right
    if X.shape[0] > 1:
        np.testing.assert_allclose(np.cov(X, rowvar=False) * (X.shape[0] - 1), S, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(S).max()))
    return X.shape[0], mean, S


def stacked(blocks):
    """Rebuild the full S and mean from a blocks() dict (or a loaded file split)."""
    p = blocks["mean_features"].shape[0]
    mean = [blocks["mean_features"], blocks["mean_logits"]]
    if "mean_targets" in blocks:
        mean.append(blocks["mean_targets"])
        S = np.block(
            [
                [blocks["S_pp"], blocks["S_pf"], blocks["S_py"]],
                [blocks["S_pf"].T, blocks["S_ff"], blocks["S_fy"]],
                [blocks["S_py"].T, blocks["S_fy"].T, blocks["S_yy"]],
            ]
        )
    else:
        S = np.block([[blocks["S_pp"], blocks["S_pf"]], [blocks["S_pf"].T, blocks["S_ff"]]])
    assert S.shape[0] >= p
    return int(blocks["n"]), np.concatenate(mean), S


def assert_moments_close(blocks, ref, rtol=1e-10):
    n, mean, S = stacked(blocks)
    n_ref, mean_ref, S_ref = ref
    assert n == n_ref
    scale_m = max(1.0, np.abs(mean_ref).max())
    scale_s = max(1.0, np.abs(S_ref).max())
    np.testing.assert_allclose(mean, mean_ref, rtol=rtol, atol=rtol * scale_m)
    np.testing.assert_allclose(S, S_ref, rtol=rtol, atol=rtol * scale_s)


def dlr_from_moments(S_pp, S_pf, S_ff):
    """METHOD.md §3: D_LR = 1 - tr(S_ff^+ S_fp S_pf) / (||S_pp||_F sqrt(r))."""
    w = np.linalg.eigvalsh(S_ff)
    r = int(np.sum(w > RANK_TOL * w.max()))
    pinv = np.linalg.pinv(S_ff, rcond=RANK_TOL, hermitian=True)
    tr = np.trace(pinv @ S_pf.T @ S_pf)
    return 1.0 - tr / (np.linalg.norm(S_pp, "fro") * np.sqrt(r)), r


def dlr_raw(phi, f):
    """D_LR straight from raw arrays with an explicit projector onto span(F_c) (independent path)."""
    pc = np.asarray(phi, np.float64) - np.asarray(phi, np.float64).mean(0)
    fc = np.asarray(f, np.float64) - np.asarray(f, np.float64).mean(0)
    u, s, _ = np.linalg.svd(fc, full_matrices=False)
    keep = s**2 > RANK_TOL * s[0] ** 2
    q = u[:, keep]
    tr_pk = np.sum((q.T @ pc) ** 2)
    return 1.0 - tr_pk / (np.linalg.norm(pc.T @ pc, "fro") * np.sqrt(keep.sum())), int(keep.sum())


def make_data(seed, n, p=9, C=4, classes=5, offset=50.0, affine=True):
    """ReLU-like features with a large mean (cancellation-prone), logits (affine in features),
    integer labels."""
    rng = np.random.default_rng(seed)
    phi = np.maximum(rng.normal(size=(n, p)) @ rng.normal(size=(p, p)), 0.0) + offset
    if affine:
        f = phi @ rng.normal(size=(p, C)) + rng.normal(size=C)
    else:
        f = rng.normal(size=(n, C))
    y = rng.integers(0, classes, size=n)
    return phi.astype(np.float32), f.astype(np.float32), y


@pytest.fixture
def rx():
    import richscope_export

    return richscope_export
