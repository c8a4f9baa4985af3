"""Seeded synthetic checkpoints for `npm run bench`: features.npy (n x p float32, ReLU features with a
decaying spectrum), logits.npy (n x C float32, an affine read-out plus noise), labels.npy (n int64),
and with LAYERS (widths, comma-separated) layer1.npy, layer2.npy, ... (n x width float32, ReLU of other
mixes of the same latent code): the earlier layers of D_LR by layer (docs/method.md §8).

With EVAL_ROWS, the rows go to OUT_DIR/train (N rows) and OUT_DIR/test (EVAL_ROWS more rows of the
same network): a checkpoint with an eval split.

usage: python3 scripts/bench-make-data.py OUT_DIR N P C [SEED] [LAYERS] [EVAL_ROWS]
"""
import os
import sys

import numpy as np


def main() -> None:
    out, n, p, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    widths = [int(w) for w in sys.argv[6].split(",")] if len(sys.argv) > 6 and sys.argv[6] else []
    eval_rows = int(sys.argv[7]) if len(sys.argv) > 7 else 0
    if eval_rows:
        if widths:
            raise SystemExit("EVAL_ROWS with LAYERS is not supported")
        make(f"{out}/train", n, p, c, seed, [], rows_after=eval_rows)
        make(f"{out}/test", eval_rows, p, c, seed, [], rows_before=n)
        return
    make(out, n, p, c, seed, widths)


def make(out, n, p, c, seed, widths, rows_before=0, rows_after=0):
    """N rows of the seeded network; rows_before / rows_after: the rows of the other split, drawn and skipped."""
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    latent = min(p, 256)
    scales = (np.arange(1, latent + 1, dtype=np.float32) ** -0.6).astype(np.float32)
    mixing = rng.standard_normal((latent, p), dtype=np.float32) / np.float32(np.sqrt(latent))
    readout = rng.standard_normal((p, c), dtype=np.float32) / np.float32(np.sqrt(p))
    bias = rng.standard_normal(c, dtype=np.float32)
    features = np.lib.format.open_memmap(f"{out}/features.npy", "w+", np.float32, (n, p))
    logits = np.lib.format.open_memmap(f"{out}/logits.npy", "w+", np.float32, (n, c))
    labels = np.empty(n, np.int64)
    layer_mixing = [
        rng.standard_normal((latent, w), dtype=np.float32) / np.float32(np.sqrt(latent)) for w in widths
    ]
    layers = [
        np.lib.format.open_memmap(f"{out}/layer{k + 1}.npy", "w+", np.float32, (n, w)) for k, w in enumerate(widths)
    ]
    step = 8192
    total = rows_before + n + rows_after
    for at in range(0, total, step):
        rows = min(step, total - at)
        z = rng.standard_normal((rows, latent), dtype=np.float32) * scales
        phi = np.maximum(z @ mixing + np.float32(0.1), 0) + np.float32(0.01) * rng.standard_normal(
            (rows, p), dtype=np.float32
        )
        f = phi @ readout + bias + np.float32(0.05) * rng.standard_normal((rows, c), dtype=np.float32)
        noisy = f + rng.standard_normal((rows, c), dtype=np.float32)
        # the rows of this split among them: [lo, hi) of the block, at `start` in its files
        lo = min(rows, max(0, rows_before - at))
        hi = max(lo, min(rows, rows_before + n - at))
        start = at + lo - rows_before
        if hi == lo:
            continue
        features[start : start + hi - lo] = phi[lo:hi]
        for layer, mixing_k in zip(layers, layer_mixing):
            layer[start : start + hi - lo] = np.maximum(z[lo:hi] @ mixing_k + np.float32(0.1), 0)
        logits[start : start + hi - lo] = f[lo:hi]
        labels[start : start + hi - lo] = np.argmax(noisy[lo:hi], axis=1)
    features.flush()
    for layer in layers:
        layer.flush()
    logits.flush()
    # every class present, so C' = C one-hot columns
    labels[: min(c, n)] = np.arange(min(c, n))
    np.save(f"{out}/labels.npy", labels)


if __name__ == "__main__":
    main()
