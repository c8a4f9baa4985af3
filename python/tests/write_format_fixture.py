#!/usr/bin/env python3
"""Write the moments-format fixture that the app's TypeScript reader is tested against.

    python3 python/tests/write_format_fixture.py [OUT_DIR]      (default: fixtures/moments)

Writes, deterministically (seeded):
- example_raw_train.npz, example_raw_test.npz: features (200 x 12, float32, ReLU-like),
  logits (200 x 4, float32, an affine read-out of the features), labels (200, int64, 0..3);
- example_moments.npz: the moments of both splits (fit split "train", eval split "test"),
  run "example", step 100, written by python/richscope_export.py;
- expected.json: every key of example_moments.npz with dtype and shape, the meta, n/correct
  per split, and D_LR / r per split computed from the RAW arrays (explicit projector), which
  the app must reproduce from the moments within 1e-9.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import richscope_export as rx  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
N, P, C = 200, 12, 4
RUN, STEP = "example", 100
RANK_TOL = 1e-10


def make_split(rng, w, b, proto):
    labels = rng.integers(0, C, size=N).astype(np.int64)
    z = proto[labels] + rng.normal(size=(N, P))
    features = np.maximum(z, 0.0).astype(np.float32)  # ReLU-like: non-negative, many exact zeros
    logits = (features.astype(np.float64) @ w + b).astype(np.float32)
    return {"features": features, "logits": logits, "labels": labels}


def dlr_raw(phi, f):
    pc = phi.astype(np.float64) - phi.astype(np.float64).mean(0)
    fc = f.astype(np.float64) - f.astype(np.float64).mean(0)
    u, s, _ = np.linalg.svd(fc, full_matrices=False)
    keep = s**2 > RANK_TOL * s[0] ** 2
    tr_pk = np.sum((u[:, keep].T @ pc) ** 2)
    return float(1.0 - tr_pk / (np.linalg.norm(pc.T @ pc, "fro") * np.sqrt(keep.sum()))), int(keep.sum())


def write(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20261129)
    proto = rng.normal(size=(C, P)) * 1.5 + 0.5
    w = proto.T + 0.5 * rng.normal(size=(P, C))  # a read-out that mostly separates the classes
    b = rng.normal(size=C)
    splits = {"train": make_split(rng, w, b, proto), "test": make_split(rng, w, b, proto)}
    accs = {}
    expected = {"file": "example_moments.npz", "format_version": rx.FORMAT_VERSION, "splits": {}}
    for name, arrays in splits.items():
        with open(os.path.join(out_dir, f"example_raw_{name}.npz"), "wb") as fh:
            rx.write_npz(fh, arrays)  # like np.savez, without timestamps: regenerating changes no byte
        acc = rx.MomentAccumulator()
        for s in range(0, N, 64):  # streamed in uneven chunks, as a user would
            acc.update(arrays["features"][s : s + 64], arrays["logits"][s : s + 64], labels=arrays["labels"][s : s + 64])
        accs[name] = acc
        dlr, r = dlr_raw(arrays["features"], arrays["logits"])
        expected["splits"][name] = {
            "raw_file": f"example_raw_{name}.npz",
            "n": N,
            "p": P,
            "C": C,
            "q": C,
            "correct": int(np.sum(np.argmax(arrays["logits"], 1) == arrays["labels"])),
            "class_counts": np.bincount(arrays["labels"], minlength=C).tolist(),
            "dlr": dlr,
            "r": r,
        }
    path = os.path.join(out_dir, "example_moments.npz")
    rx.save_splits(path, accs, step=STEP, run=RUN)
    with np.load(path) as z:
        keys = {k: {"dtype": z[k].dtype.name, "descr": z[k].dtype.str, "shape": list(z[k].shape)} for k in z.files}
        meta = json.loads(z["meta_json"].tobytes().decode("utf-8"))
    expected["meta"] = meta
    expected["keys"] = dict(sorted(keys.items()))
    with open(os.path.join(out_dir, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=2)
        fh.write("\n")
    return expected


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "fixtures", "moments")
    exp = write(out)
    print(f"wrote {out}: {len(exp['keys'])} keys, D_LR train {exp['splits']['train']['dlr']:.6f}, "
          f"test {exp['splits']['test']['dlr']:.6f}")
