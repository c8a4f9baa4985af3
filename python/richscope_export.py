#!/usr/bin/env python3
"""Richscope moments exporter: stream penultimate-layer activations into a moments file.

One self-contained file; copy it next to your training code. NumPy is the only hard
dependency; PyTorch is imported lazily (only for tensors, ``attach`` and ``all_reduce``).

A moments file holds, per split, the sufficient statistics of Richscope's METHOD.md §2:
the row count n, the column means and the centred cross-products S = X_c^T X_c of the
stacked matrix X = [Phi | F | Y] (features, logits, targets). Richscope reads it in place
of raw activations and shows the same D_LR, spectra and companion metrics. With the
activations of other layers on the same rows (``layers=``), it also holds each layer's
moments of [Phi_l | F], from which Richscope measures D_LR layer by layer (docs/method.md §8).
File format: docs/moments-format.md (version 2; version 1 without layers). User guide:
docs/moments.md.

Python API::

    acc = MomentAccumulator()
    for x, y in loader:                      # any number of chunks, any sizes
        acc.update(features, logits, labels=y)
    acc.all_reduce()                         # under torch.distributed: every rank gets all data
    acc.save("moments.npz", split="train", step=1500, run="resnet18-lr0.05")
    save_splits("moments.npz", {"train": acc_train, "test": acc_test}, step=1500)
    accs = load("moments.npz")               # {"train": MomentAccumulator, ...}

    rec = attach(model, acc)                 # forward hook on the model's last nn.Linear
    rec = attach(model, acc, layers="linear")  # ... and on the input of every nn.Linear before it
    with torch.no_grad():
        for x, y in loader:
            with rec.batch(y):
                model(x)
    rec.remove()

CLI::

    python3 richscope_export.py accumulate --out M.npz [--split train] [--step S] [--run R]
                                           [--features NAME] [--logits NAME] [--labels NAME]
                                           [--layers NAME1,NAME2,...]
                                           ACTIVATIONS.npz...
    python3 richscope_export.py merge --out M.npz MOMENTS.npz...

Numerics: every chunk is centred on its own mean in float64 and merged with the exact
parallel co-moment update (n = n_a + n_b, d = mean_b - mean_a, mean = mean_a + d n_b / n,
S = S_a + S_b + d d^T n_a n_b / n); sum(x x^T) - n mu mu^T is never formed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import zipfile

import numpy as np

__all__ = [
    "FORMAT_VERSION",
    "MomentAccumulator",
    "MomentsError",
    "save_splits",
    "load",
    "merge_files",
    "write_npz",
    "attach",
    "Recorder",
    "main",
]

FORMAT_VERSION = 2  # written when some split has layers; files without layers stay version 1
READ_VERSIONS = (1, 2)
SPLIT_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
DEFAULT_CHUNK_ROWS = 65536


class MomentsError(ValueError):
    """Invalid input: wrong shapes, inconsistent chunks, or a malformed moments file."""


# --------------------------------------------------------------------------------------
# conversion helpers


def _is_torch_tensor(a):
    mod = type(a).__module__
    return mod.startswith("torch") and hasattr(a, "detach")


def _to_numpy(a, dtype=np.float64):
    """NumPy float64 (or integer) copy of a NumPy array, list or torch tensor on any device."""
    if _is_torch_tensor(a):
        import torch  # lazy

        t = a.detach()
        if dtype is None:
            t = t.to("cpu")
        elif np.issubdtype(dtype, np.floating):
            t = t.to("cpu", torch.float64)
        else:
            t = t.to("cpu", torch.int64)
        return t.numpy()
    arr = np.asarray(a)
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    return arr


def _labels_to_int(labels, n):
    y = _to_numpy(labels, dtype=None)
    if y.ndim != 1:
        y = y.reshape(-1) if y.size == n else y
    if y.ndim != 1 or y.shape[0] != n:
        raise MomentsError(
            f"labels must be a vector of {n} integer classes (one per row), got shape {tuple(y.shape)}"
            " (for one-hot or real-valued targets use targets=)"
        )
    if y.dtype.kind == "b":
        raise MomentsError("labels must be integer classes, got booleans")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise MomentsError("labels must be integer classes (got non-integer floats)")
    elif y.dtype.kind not in "iu":
        raise MomentsError(f"labels must be integer classes, got dtype {y.dtype}")
    y = y.astype(np.int64)
    if y.size and y.min() < 0:
        raise MomentsError(f"labels must be >= 0 (found {int(y.min())})")
    return y


# --------------------------------------------------------------------------------------
# the accumulator


class MomentAccumulator:
    """Streaming, exactly mergeable moments of X = [features | logits | targets].

    Internally, Z = [Phi | F | Y_dense] (d = p + C (+ q) columns) carries n, mean_z and
    S_zz = Z_c^T Z_c. With integer labels (one-hot targets), the label block is kept
    as class counts and the centred class sums S_zy[:, k] = sum_{i in class k} (z_i - mean_z)
    (the centred sum of z is zero, so this is exactly Z_c^T Y_c); S_yy follows from the
    counts. The number of classes grows when larger labels appear.

    ``num_classes`` (optional) fixes a minimum number of one-hot columns, e.g. so that
    a test split that never sees the last class still has the same columns as train.
    ``ignore_label`` (optional, e.g. -100 for padded tokens): rows with this label are
    skipped entirely (features and logits too).

    Layers (docs/method.md §8): ``update(..., layers={name: activations})`` adds the activations of
    the layers before the penultimate on the same rows, in layer order; each keeps its own
    accumulator of [Phi_l | F] (``self.layers``), so a layer costs O(n (p_l + C)^2) and no
    block between two layers is formed. ``features_name`` names the penultimate layer.
    """

    def __init__(self, num_classes=None, ignore_label=None, features_name=None):
        self.n = 0
        self.p = None  # feature width
        self.C = None  # logit width
        self.target_kind = None  # None (undecided), "none", "onehot", "dense"
        self.mean = None  # (d,) means of [Phi | F | Y_dense]
        self.S = None  # (d, d) centred cross-products of [Phi | F | Y_dense]
        self.counts = None  # (q,) int64 class counts (one-hot)
        self.S_zy = None  # (p + C, q) centred class sums (one-hot)
        self.correct = 0  # rows with argmax(logits) == label (one-hot)
        self.min_classes = int(num_classes) if num_classes else 0
        self.ignore_label = ignore_label
        self.layers = None  # None (not decided), or {name: MomentAccumulator of [Phi_l | F]} in layer order
        self.features_name = features_name

    # ---- shape / kind bookkeeping ------------------------------------------------------

    @property
    def q(self):
        if self.target_kind == "onehot":
            return 0 if self.counts is None else int(self.counts.shape[0])
        if self.target_kind == "dense" and self.S is not None:
            return int(self.S.shape[0] - self.p - self.C)
        return 0

    def _check_layout(self, p, C, kind, q_dense=0):
        if self.p is None:
            self.p, self.C = p, C
        elif (p, C) != (self.p, self.C):
            raise MomentsError(
                f"width mismatch: earlier data has p={self.p} features and C={self.C} logits, "
                f"this data has p={p}, C={C}"
            )
        if self.target_kind is None:
            self.target_kind = kind
        elif kind != self.target_kind:
            raise MomentsError(
                f"target mismatch: earlier data had targets of kind '{self.target_kind}', "
                f"the new data has '{kind}' (give labels for every batch, or for none)"
            )
        if kind == "dense" and self.S is not None and self.q != q_dense:
            raise MomentsError(f"dense targets must keep {self.q} columns, got {q_dense}")

    def _grow_classes(self, q):
        q = max(q, self.min_classes)
        if self.counts is None:
            self.counts = np.zeros(q, dtype=np.int64)
            self.S_zy = np.zeros((self.p + self.C, q))
        elif q > self.counts.shape[0]:
            extra = q - self.counts.shape[0]
            self.counts = np.concatenate([self.counts, np.zeros(extra, dtype=np.int64)])
            self.S_zy = np.concatenate([self.S_zy, np.zeros((self.S_zy.shape[0], extra))], axis=1)

    # ---- updating ----------------------------------------------------------------------

    def update(self, features, logits, labels=None, targets=None, layers=None, chunk_rows=DEFAULT_CHUNK_ROWS):
        """Add rows. features (n, p), logits (n, C): NumPy arrays or torch tensors on any device.

        labels: optional (n,) integer classes (one-hot targets, also counts ``correct``);
        targets: optional (n, q) real targets (dense). Give at most one of the two, and the
        same kind in every update. Leading dimensions beyond the last are flattened, so
        (batch, tokens, p) features with (batch, tokens) labels work.
        layers: optional {name: activations} of the layers before the penultimate, in layer
        order, the same names in every update; each has the features' rows (a layer of more
        than two dimensions is flattened per row, e.g. (batch, channels, h, w)).
        """
        if labels is not None and targets is not None:
            raise MomentsError("give labels (integer classes) or targets (dense), not both")
        phi = _to_numpy(features)
        f = _to_numpy(logits)
        if phi.ndim == 1:
            phi = phi[None, :]
        if f.ndim == 1:
            f = f[None, :]
        if phi.ndim > 2:
            phi = phi.reshape(-1, phi.shape[-1])
        if f.ndim > 2:
            f = f.reshape(-1, f.shape[-1])
        if phi.ndim != 2 or f.ndim != 2:
            raise MomentsError("features and logits must be 2-D (rows x columns)")
        m = phi.shape[0]
        if f.shape[0] != m:
            raise MomentsError(f"features have {m} rows but logits have {f.shape[0]}")
        p, C = phi.shape[1], f.shape[1]
        if p == 0 or C == 0:
            raise MomentsError("features and logits need at least one column each")
        y = None
        ydense = None
        earlier = self._layer_rows(layers, m)
        if labels is not None:
            kind = "onehot"
            if self.ignore_label is not None:
                y_raw = _to_numpy(labels, dtype=None).reshape(-1)
                if y_raw.shape[0] == m:
                    keep = y_raw != self.ignore_label
                    if not np.all(keep):
                        phi, f, labels = phi[keep], f[keep], y_raw[keep]
                        earlier = {name: a[keep] for name, a in earlier.items()}
                        m = phi.shape[0]
            y = _labels_to_int(labels, m)
        elif targets is not None:
            kind = "dense"
            ydense = _to_numpy(targets)
            if ydense.ndim == 1:
                ydense = ydense[:, None]
            if ydense.ndim > 2:
                ydense = ydense.reshape(-1, ydense.shape[-1])
            if ydense.shape[0] != m:
                raise MomentsError(f"targets have {ydense.shape[0]} rows but features have {m}")
        else:
            kind = "none"
        if not (np.all(np.isfinite(phi)) and np.all(np.isfinite(f))):
            raise MomentsError("features or logits contain NaN or infinity")
        if ydense is not None and not np.all(np.isfinite(ydense)):
            raise MomentsError("targets contain NaN or infinity")
        self._check_layout(p, C, kind, 0 if ydense is None else ydense.shape[1])
        self._check_layer_names(list(earlier))
        for name, a in earlier.items():
            self.layers[name].update(a, f, chunk_rows=chunk_rows)
        if m == 0:
            return self
        for s in range(0, m, chunk_rows):
            e = min(m, s + chunk_rows)
            self._update_chunk(
                phi[s:e], f[s:e], None if y is None else y[s:e], None if ydense is None else ydense[s:e]
            )
        return self

    def _layer_rows(self, layers, m):
        """{name: float64 (m, p_l)} of the layers given to update(), each flattened per row."""
        out = {}
        for name, a in (layers or {}).items():
            a = _to_numpy(a)
            if a.ndim > 2 and int(np.prod(a.shape[:-1])) == m:
                a = a.reshape(m, a.shape[-1])  # (batch, tokens, p_l) beside (batch * tokens) features
            elif a.ndim >= 1 and a.shape[0] == m:
                a = a.reshape(m, -1)
            else:
                raise MomentsError(f"layer {name!r} has shape {tuple(a.shape)} but the features have {m} rows")
            if not np.all(np.isfinite(a)):
                raise MomentsError(f"layer {name!r} contains NaN or infinity")
            out[str(name)] = a
        return out

    def _check_layer_names(self, names):
        if self.layers is None:
            self.layers = {name: MomentAccumulator() for name in names}
        elif names != list(self.layers):
            raise MomentsError(
                f"layer mismatch: earlier data has layers {list(self.layers)}, this data has {names} "
                "(give the same layers, in the same order, in every update)"
            )

    def _update_chunk(self, phi, f, y, ydense):
        m = phi.shape[0]
        z = np.concatenate([phi, f] if ydense is None else [phi, f, ydense], axis=1)
        mean_b = z.mean(axis=0)
        zc = z - mean_b
        S_b = zc.T @ zc
        counts_b = S_zy_b = None
        correct_b = 0
        if y is not None:
            q_b = int(y.max()) + 1
            counts_b = np.bincount(y, minlength=q_b).astype(np.int64)
            # centred class sums via one sort + reduceat (no n x q one-hot, no n x q x q pass)
            order = np.argsort(y, kind="stable")
            present = np.flatnonzero(counts_b)
            starts = np.concatenate([[0], np.cumsum(counts_b[present])[:-1]])
            S_zy_b = np.zeros((zc.shape[1], q_b))
            S_zy_b[:, present] = np.add.reduceat(zc[order], starts, axis=0).T
            correct_b = int(np.sum(np.argmax(f, axis=1) == y))
        self._merge_state(m, mean_b, S_b, counts_b, S_zy_b, correct_b)

    def _merge_state(self, n_b, mean_b, S_b, counts_b, S_zy_b, correct_b):
        """Exact parallel co-moment update (METHOD.md §2) of self with a partial result b."""
        if n_b == 0:
            if counts_b is not None:
                self._grow_classes(counts_b.shape[0])
            return
        if self.target_kind == "onehot":
            self._grow_classes(counts_b.shape[0])
            q = self.counts.shape[0]
            if counts_b.shape[0] < q:
                counts_b = np.concatenate([counts_b, np.zeros(q - counts_b.shape[0], np.int64)])
                S_zy_b = np.concatenate([S_zy_b, np.zeros((S_zy_b.shape[0], q - S_zy_b.shape[1]))], axis=1)
        if self.n == 0:
            self.n = int(n_b)
            self.mean = np.array(mean_b, dtype=np.float64, copy=True)
            self.S = np.array(S_b, dtype=np.float64, copy=True)
            if self.target_kind == "onehot":
                self.counts = counts_b.copy()
                self.S_zy = np.array(S_zy_b, dtype=np.float64, copy=True)
                self.correct = int(correct_b)
            return
        n_a = self.n
        n = n_a + n_b
        d = mean_b - self.mean
        w = n_a * n_b / n
        # in place: self owns its arrays (copied on first merge, built fresh by load / all_reduce)
        self.S += S_b
        self.S += np.outer(d * w, d)
        if self.target_kind == "onehot":
            # label block of the same update: d_y = freq_b - freq_a
            d_y = counts_b / n_b - self.counts / n_a
            self.S_zy += S_zy_b
            self.S_zy += np.outer(d * w, d_y)
            self.counts = self.counts + counts_b
            self.correct += int(correct_b)
        self.mean = self.mean + d * (n_b / n)
        self.n = n

    def merge(self, other):
        """Merge another accumulator into this one (exact). Returns self."""
        if not isinstance(other, MomentAccumulator):
            raise TypeError("merge() expects a MomentAccumulator")
        if other.p is None:  # never updated
            return self
        kind = other.target_kind
        self._check_layout(other.p, other.C, kind, other.q if kind == "dense" else 0)
        self._check_layer_names(list(other.layers or {}))
        for name, layer in (other.layers or {}).items():
            self.layers[name].merge(layer)
        self.features_name = self.features_name or other.features_name
        self.min_classes = max(self.min_classes, other.min_classes)
        if kind == "onehot" and self.counts is not None:
            self._grow_classes(self.counts.shape[0])  # apply min_classes
        self._merge_state(
            other.n,
            other.mean,
            other.S,
            other.counts if kind == "onehot" else None,
            other.S_zy if kind == "onehot" else None,
            other.correct,
        )
        return self

    def copy(self):
        out = MomentAccumulator()
        out.__setstate__(self.__getstate__())
        return out

    # ---- plain state (pickle, all_gather_object) ----------------------------------------

    def __getstate__(self):
        return {
            "n": int(self.n),
            "p": self.p,
            "C": self.C,
            "target_kind": self.target_kind,
            "mean": None if self.mean is None else np.array(self.mean),
            "S": None if self.S is None else np.array(self.S),
            "counts": None if self.counts is None else np.array(self.counts),
            "S_zy": None if self.S_zy is None else np.array(self.S_zy),
            "correct": int(self.correct),
            "min_classes": int(self.min_classes),
            "ignore_label": self.ignore_label,
            "layers": None if self.layers is None else [(k, v.__getstate__()) for k, v in self.layers.items()],
            "features_name": self.features_name,
        }

    def __setstate__(self, state):
        state = dict(state)
        layers = state.pop("layers", None)
        self.__dict__.update(state)
        self.features_name = state.get("features_name")
        self.layers = None
        if layers is not None:
            self.layers = {}
            for name, layer_state in layers:
                self.layers[name] = MomentAccumulator()
                self.layers[name].__setstate__(layer_state)
        elif self.n > 0:
            self.layers = {}  # rows added before layers existed: they have none

    # ---- torch.distributed -------------------------------------------------------------

    def all_reduce(self, group=None):
        """Combine the moments of all ranks of an initialised torch.distributed process group.

        Every rank gathers every rank's (n, means, centred blocks, class counts) with
        ``all_gather_object`` and merges them in rank order, so all ranks end with
        bit-identical moments of the union of their data. Ranks may have different row
        counts (also zero) and different class sets. With the NCCL backend, call
        ``torch.cuda.set_device(local_rank)`` first (a requirement of all_gather_object).
        Returns self.
        """
        import torch.distributed as dist  # lazy

        if not (dist.is_available() and dist.is_initialized()):
            raise RuntimeError("all_reduce() needs an initialised torch.distributed process group")
        world = dist.get_world_size(group)
        gathered = [None] * world
        dist.all_gather_object(gathered, self.__getstate__(), group=group)
        layouts = {
            (s["p"], s["C"], s["target_kind"], tuple(name for name, _ in s.get("layers") or []))
            for s in gathered
            if s["p"] is not None
        }
        if len(layouts) > 1:
            raise MomentsError(
                f"ranks disagree on (features, logits, target kind, layers): {sorted(map(str, layouts))}"
            )
        total = MomentAccumulator()
        for state in gathered:  # rank order: identical result on every rank
            part = MomentAccumulator()
            part.__setstate__(state)
            total.merge(part)
        keep = self.ignore_label
        self.__setstate__(total.__getstate__())
        self.ignore_label = keep
        return self

    # ---- the blocks of the file format ---------------------------------------------------

    def blocks(self):
        """Dict of the format's per-split arrays (without the split prefix)."""
        if self.n == 0 or self.p is None:
            raise MomentsError("no rows accumulated")
        p, C = self.p, self.C
        out = {
            "n": np.asarray(self.n, dtype="<i8"),
            "mean_features": self.mean[:p],
            "mean_logits": self.mean[p : p + C],
        }
        S = 0.5 * (self.S + self.S.T)  # exactly symmetric blocks (readers may mirror one triangle)
        kind = self.file_target_kind()
        if kind == "onehot":
            out["mean_targets"] = self.counts / self.n  # class frequencies
        elif kind == "dense":
            out["mean_targets"] = self.mean[p + C :]
        out["S_pp"] = S[:p, :p]
        out["S_pf"] = S[:p, p : p + C]
        out["S_ff"] = S[p : p + C, p : p + C]
        if kind != "none":
            if kind == "onehot":
                c = self.counts.astype(np.float64)
                out["S_py"] = self.S_zy[:p]
                out["S_fy"] = self.S_zy[p : p + C]
                out["S_yy"] = np.diag(c) - np.outer(c, c) / self.n
                out["correct"] = np.asarray(self.correct, dtype="<i8")
            else:
                out["S_py"] = S[:p, p + C :]
                out["S_fy"] = S[p : p + C, p + C :]
                out["S_yy"] = S[p + C :, p + C :]
        for i, layer in enumerate((self.layers or {}).values()):
            blocks = layer.blocks()
            out[f"layer{i}__mean"] = blocks["mean_features"]
            out[f"layer{i}__S_ll"] = blocks["S_pp"]
            out[f"layer{i}__S_lf"] = blocks["S_pf"]
        return {
            k: (np.ascontiguousarray(v, dtype="<f8") if v.dtype.kind == "f" else v) for k, v in out.items()
        }

    def layer_meta(self):
        """The meta_json entry of this split's layers, or None without any."""
        if not self.layers:
            return None
        return {"features": self.features_name or "features", "earlier": list(self.layers)}

    def file_target_kind(self):
        if self.target_kind == "onehot" and self.counts is not None and self.counts.shape[0] > 0:
            return "onehot"
        if self.target_kind == "dense" and self.q > 0:
            return "dense"
        return "none"

    @classmethod
    def from_blocks(cls, blocks, kind, layers=None):
        """Inverse of blocks(): rebuild an accumulator from one split of a moments file.
        ``layers``: the split's entry of meta_json "layers" (None without layers)."""
        acc = cls._from_own_blocks(blocks, kind)
        acc.layers = {}
        if layers:
            acc.features_name = layers.get("features")
            acc.layers = {}
            for i, name in enumerate(layers["earlier"]):
                layer_blocks = {
                    "n": blocks["n"],
                    "mean_features": blocks[f"layer{i}__mean"],
                    "mean_logits": blocks["mean_logits"],
                    "S_pp": blocks[f"layer{i}__S_ll"],
                    "S_pf": blocks[f"layer{i}__S_lf"],
                    "S_ff": blocks["S_ff"],
                }
                acc.layers[name] = cls._from_own_blocks(layer_blocks, "none")
        return acc

    @classmethod
    def _from_own_blocks(cls, blocks, kind):
        acc = cls()
        n = int(blocks["n"])
        mf = np.asarray(blocks["mean_features"], np.float64)
        ml = np.asarray(blocks["mean_logits"], np.float64)
        p, C = mf.shape[0], ml.shape[0]
        acc.p, acc.C, acc.n = p, C, n
        S_pp, S_pf, S_ff = (np.asarray(blocks[k], np.float64) for k in ("S_pp", "S_pf", "S_ff"))
        if S_pp.shape != (p, p) or S_pf.shape != (p, C) or S_ff.shape != (C, C):
            raise MomentsError("block shapes do not match the mean vectors")
        top = np.concatenate([S_pp, S_pf], axis=1)
        bot = np.concatenate([S_pf.T, S_ff], axis=1)
        if kind == "dense":
            my = np.asarray(blocks["mean_targets"], np.float64)
            S_py, S_fy, S_yy = (np.asarray(blocks[k], np.float64) for k in ("S_py", "S_fy", "S_yy"))
            q = my.shape[0]
            if S_py.shape != (p, q) or S_fy.shape != (C, q) or S_yy.shape != (q, q):
                raise MomentsError("target block shapes do not match mean_targets")
            acc.mean = np.concatenate([mf, ml, my])
            acc.S = np.block([[S_pp, S_pf, S_py], [S_pf.T, S_ff, S_fy], [S_py.T, S_fy.T, S_yy]])
            acc.target_kind = "dense"
        else:
            acc.mean = np.concatenate([mf, ml])
            acc.S = np.concatenate([top, bot], axis=0)
            acc.target_kind = kind
            if kind == "onehot":
                freq = np.asarray(blocks["mean_targets"], np.float64)
                q = freq.shape[0]
                counts = np.rint(freq * n)
                if np.any(np.abs(counts - freq * n) > 1e-3) or np.any(counts < 0):
                    raise MomentsError("one-hot mean_targets are not class frequencies (n * mean is not integral)")
                if int(counts.sum()) != n:
                    raise MomentsError("one-hot class counts do not sum to n")
                S_py = np.asarray(blocks["S_py"], np.float64)
                S_fy = np.asarray(blocks["S_fy"], np.float64)
                if S_py.shape != (p, q) or S_fy.shape != (C, q):
                    raise MomentsError("target block shapes do not match mean_targets")
                acc.counts = counts.astype(np.int64)
                acc.S_zy = np.concatenate([S_py, S_fy], axis=0)
                acc.correct = int(blocks["correct"]) if "correct" in blocks else 0
        return acc

    # ---- files ---------------------------------------------------------------------------

    def save(self, path, split="train", step=None, run=None, compress=False):
        """Write a moments file with this accumulator as the single split ``split``."""
        save_splits(path, {split: self}, step=step, run=run, compress=compress)

    def __repr__(self):
        return (
            f"MomentAccumulator(n={self.n}, p={self.p}, C={self.C}, "
            f"targets={self.target_kind}, q={self.q})"
        )


# --------------------------------------------------------------------------------------
# files


def _check_split_name(name):
    if not isinstance(name, str) or not SPLIT_NAME.match(name):
        raise MomentsError(f"invalid split name {name!r}: use letters, digits, '_' or '-'")


def write_npz(fh, arrays, compress=False):
    """An .npz like numpy.savez, but byte-reproducible: fixed member timestamps, members in the
    given order, .npy headers of format 1.0. ``arrays``: {name: ndarray}; fh: binary file."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(fh, mode="w", compression=method, allowZip64=True) as zf:
        for name, value in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.external_attr = 0o644 << 16
            with zf.open(info, mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)


def save_splits(path, splits, step=None, run=None, compress=False):
    """Write several splits to one moments file. ``splits``: {name: MomentAccumulator},
    fit split first (dicts keep insertion order). ``step``: int or None; ``run``: str or None.
    The file is written to a temporary name and renamed, so readers never see half a file."""
    if not splits:
        raise MomentsError("no splits to save")
    names = list(splits)
    for name in names:
        _check_split_name(name)
    if step is not None:
        if isinstance(step, bool) or int(step) != step:
            raise MomentsError(f"step must be an integer, got {step!r}")
        step = int(step)
    if run is not None:
        run = str(run)
    arrays = {}
    kinds = {}
    widths = {}
    layers = {}
    for name in names:
        acc = splits[name]
        if not isinstance(acc, MomentAccumulator):
            raise TypeError(f"split {name!r}: expected a MomentAccumulator, got {type(acc).__name__}")
        widths[name] = (acc.p, acc.C)
        if len(set(widths.values())) > 1:
            raise MomentsError(
                "all splits must have the same feature and logit widths (p, C), got "
                + ", ".join(f"{k}: {v}" for k, v in widths.items())
            )
        kinds[name] = acc.file_target_kind()
        if acc.layer_meta() is not None:
            layers[name] = acc.layer_meta()
        for key, value in acc.blocks().items():
            arrays[f"{name}__{key}"] = value
    meta = {"run": run, "step": step, "splits": names, "target_kind": kinds}
    if layers:
        meta["layers"] = layers
    # version 1 readers read a file without layers, so only a file with layers is version 2
    version = FORMAT_VERSION if layers else 1
    arrays = {"richscope_moments": np.asarray(version, dtype="<i8"), **arrays}
    arrays["meta_json"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    path = os.fspath(path)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "wb") as fh:
            write_npz(fh, arrays, compress=compress)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise MomentsError(f"{path}: cannot write ({exc.strerror or exc})") from None


def load(path, with_meta=False):
    """Read a moments file: {split: MomentAccumulator} in file order (fit split first).
    With ``with_meta=True`` returns (splits, meta) where meta is the parsed meta_json."""
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise MomentsError(f"{path}: not a readable .npz file ({exc})") from None
    if "richscope_moments" not in data:
        raise MomentsError(f"{path}: not a Richscope moments file (no 'richscope_moments' key)")
    version = int(np.asarray(data["richscope_moments"]).reshape(-1)[0])
    if version not in READ_VERSIONS:
        raise MomentsError(
            f"{path}: moments format version {version}, this exporter reads {', '.join(map(str, READ_VERSIONS))}"
        )
    try:
        meta = json.loads(np.asarray(data["meta_json"], dtype=np.uint8).tobytes().decode("utf-8"))
        names = list(meta["splits"])
        kinds = dict(meta.get("target_kind", {}))
        layers = dict(meta.get("layers", {}))
    except Exception as exc:  # malformed meta
        raise MomentsError(f"{path}: bad meta_json ({exc})") from None
    out = {}
    for name in names:
        _check_split_name(name)
        prefix = name + "__"
        blocks = {k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)}
        kind = kinds.get(name, "onehot" if "correct" in blocks else ("dense" if "mean_targets" in blocks else "none"))
        if kind not in ("onehot", "dense", "none"):
            raise MomentsError(f"{path}: split '{name}' has unknown target_kind {kind!r}")
        try:
            out[name] = MomentAccumulator.from_blocks(blocks, kind, layers.get(name))
        except KeyError as exc:
            raise MomentsError(f"{path}: split '{name}' lacks key {name}__{exc.args[0]}") from None
        except MomentsError as exc:
            raise MomentsError(f"{path}: split '{name}': {exc}") from None
    return (out, meta) if with_meta else out


def merge_files(out_path, paths, step=None, run=None, fit=None):
    """Merge moments files split by split (splits present in only some files are kept).
    run/step default to the first file's. ``fit``: name of the split to put first."""
    merged = {}
    first_meta = None
    for path in paths:
        splits, meta = load(path, with_meta=True)
        if first_meta is None:
            first_meta = meta
        for name, acc in splits.items():
            if name in merged:
                try:
                    merged[name].merge(acc)
                except MomentsError as exc:
                    raise MomentsError(f"{path}: split '{name}' cannot be merged: {exc}") from None
            else:
                merged[name] = acc
    if fit is not None:
        if fit not in merged:
            raise MomentsError(f"--fit split '{fit}' is in none of the inputs")
        merged = {fit: merged[fit], **{k: v for k, v in merged.items() if k != fit}}
    save_splits(
        out_path,
        merged,
        step=first_meta.get("step") if step is None else step,
        run=first_meta.get("run") if run is None else run,
    )
    return merged


# --------------------------------------------------------------------------------------
# forward hook


class Recorder:
    """Feeds the input (features) and output (logits) of one module to an accumulator, with
    the inputs of earlier modules as layers (docs/method.md §8) when given.

    Created by :func:`attach`. Labels for the current forward pass are given with
    ``with recorder.batch(labels): model(x)``; forward passes outside a ``batch`` block
    are recorded without labels, unless ``only_in_batch=True`` (then they are ignored).
    ``recorder.remove()`` (or leaving ``with attach(...) as recorder:``) removes the hooks.
    ``layer_modules``: [(name, module)] in layer order; each module's input in a forward pass is
    kept until the read-out runs, then handed over with the features.
    """

    def __init__(self, module, sink, only_in_batch=False, layer_modules=(), features_name=None):
        self.module = module
        self.sink = sink
        self.only_in_batch = only_in_batch
        self._labels = None
        self._targets = None
        self._active = False
        self.calls = 0
        self.layer_names = [name for name, _ in layer_modules]
        self._inputs = {}
        if isinstance(sink, MomentAccumulator) and layer_modules:
            sink.features_name = sink.features_name or features_name
        self._handles = [m.register_forward_hook(self._layer_hook(name)) for name, m in layer_modules]
        self._handle = module.register_forward_hook(self._hook)

    def _layer_hook(self, name):
        def hook(module, inputs, output):
            if self.only_in_batch and not self._active:
                return
            if name in self._inputs:
                raise MomentsError(
                    f"layer {name!r} ran twice before the read-out: record modules that run once per forward pass"
                )
            self._inputs[name] = inputs[0] if isinstance(inputs, tuple) else inputs

        return hook

    @property
    def accumulator(self):
        return self.sink if isinstance(self.sink, MomentAccumulator) else None

    @contextlib.contextmanager
    def batch(self, labels=None, targets=None):
        """Forward passes inside this block are recorded with these labels / targets."""
        prev = (self._labels, self._targets, self._active)
        self._labels, self._targets, self._active = labels, targets, True
        try:
            yield self
        finally:
            self._labels, self._targets, self._active = prev

    def _hook(self, module, inputs, output):
        if self.only_in_batch and not self._active:
            return
        features = inputs[0] if isinstance(inputs, tuple) else inputs
        self.calls += 1
        inputs_by_layer, self._inputs = self._inputs, {}
        missing = [name for name in self.layer_names if name not in inputs_by_layer]
        if missing:
            raise MomentsError(f"layers {missing} did not run before the read-out in this forward pass")
        layers = {name: inputs_by_layer[name] for name in self.layer_names} if self.layer_names else None
        if isinstance(self.sink, MomentAccumulator):
            self.sink.update(features, output, labels=self._labels, targets=self._targets, layers=layers)
        elif layers is None:
            self.sink(features, output, self._labels, self._targets)
        else:
            self.sink(features, output, self._labels, self._targets, layers=layers)

    def remove(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def attach(model_or_linear, accumulator_or_fn=None, module=None, only_in_batch=False, layers=None):
    """Record features/logits of an ordinary evaluation loop.

    Registers a forward hook on ``module`` if given, else on the *last* ``torch.nn.Linear``
    of ``model_or_linear`` in ``model.modules()`` order (the registration order; pass
    ``module=`` if your read-out is not the last Linear registered, or not a Linear).
    ``accumulator_or_fn``: a MomentAccumulator (default: a new one), or any callable
    ``fn(features, logits, labels, targets)`` (with ``layers=`` a dict when layers are recorded).

    ``layers`` (docs/method.md §8): the modules whose *inputs* are recorded as earlier layers, in
    layer order: a list of modules or of their names in ``model.named_modules()``, a dict
    {layer name: module}, or ``"linear"`` for every ``torch.nn.Linear`` registered before the
    read-out. Layers are named after their module unless named by the dict (the read-out's name
    names the features, unless the accumulator has a ``features_name``). Returns a :class:`Recorder`.
    """
    import torch  # lazy

    if module is None:
        if isinstance(model_or_linear, torch.nn.Linear):
            module = model_or_linear
        else:
            linears = [m for m in model_or_linear.modules() if isinstance(m, torch.nn.Linear)]
            if not linears:
                raise MomentsError("the model has no torch.nn.Linear; pass module=<the read-out layer>")
            module = linears[-1]
    if accumulator_or_fn is None:
        accumulator_or_fn = MomentAccumulator()
    named = list(model_or_linear.named_modules())
    names = {id(m): name or "model" for name, m in named}
    layer_modules = []
    if isinstance(layers, str):
        if layers != "linear":
            raise MomentsError(f'layers must be a list of modules or names, or "linear"; got {layers!r}')
        linears = [m for _, m in named if isinstance(m, torch.nn.Linear)]
        layers = linears[: next(i for i, m in enumerate(linears) if m is module)] if module in linears else linears
    given = layers.items() if isinstance(layers, dict) else [(None, layer) for layer in layers or []]
    for label, layer in given:
        if isinstance(layer, str):
            found = [m for name, m in named if name == layer]
            if not found:
                raise MomentsError(f"no module named {layer!r} in the model")
            layer = found[0]
        if layer is module:
            raise MomentsError("the read-out module records the features; list only the layers before it")
        layer_modules.append((label or names.get(id(layer), type(layer).__name__), layer))
    return Recorder(
        module,
        accumulator_or_fn,
        only_in_batch=only_in_batch,
        layer_modules=layer_modules,
        features_name=names.get(id(module)),
    )


# --------------------------------------------------------------------------------------
# CLI


class _CliError(Exception):
    pass


def _read_activation_file(path, names):
    """Arrays of one activation shard. names: dict role -> (array name, required)."""
    try:
        z = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise _CliError(f"{path}: no such file") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise _CliError(f"{path}: not a readable .npz file ({exc})") from None
    try:
        if not hasattr(z, "files"):
            raise _CliError(f"{path}: a single .npy array; expected an .npz with named arrays")
        out = {}
        for role, (name, required) in names.items():
            if name in z.files:
                try:
                    out[role] = z[name]
                except Exception as exc:
                    raise _CliError(f"{path}: cannot read array '{name}' ({exc})") from None
            elif required:
                raise _CliError(f"{path}: no array named '{name}' (arrays: {', '.join(z.files) or 'none'})")
        return out
    finally:
        if hasattr(z, "close"):
            z.close()


def _cli_accumulate(args):
    if args.targets and args.labels:
        raise _CliError("give --labels or --targets, not both")
    if args.num_classes is not None and args.num_classes < 1:
        raise _CliError(f"--num-classes must be positive, got {args.num_classes}")
    acc = MomentAccumulator(num_classes=args.num_classes, features_name=args.features)
    layer_names = [k for k in (args.layers or "").split(",") if k]
    names = {
        "features": (args.features, True),
        "logits": (args.logits, True),
        **{f"layer:{k}": (k, True) for k in layer_names},
    }
    if not args.no_labels:
        names["labels"] = (args.labels or "labels", args.labels is not None)
    if args.targets:
        names["targets"] = (args.targets, True)
    with_labels = None
    for path in args.files:
        arrays = _read_activation_file(path, names)
        has = "labels" in arrays
        if args.targets:
            arrays.pop("labels", None)
            has = False
        if with_labels is None:
            with_labels = has
        elif has != with_labels:
            raise _CliError(
                f"{path}: {'has' if has else 'lacks'} labels array '{names['labels'][0]}' unlike the earlier shards"
            )
        phi, f = arrays["features"], arrays["logits"]
        for role in ("features", "logits"):
            a = arrays[role]
            if a.ndim != 2 or a.dtype.kind not in "fiu":
                raise _CliError(f"{path}: '{names[role][0]}' must be a 2-D numeric array, got {a.dtype} {a.shape}")
        try:
            layers = {k: arrays[f"layer:{k}"] for k in layer_names} or None
            acc.update(phi, f, labels=arrays.get("labels"), targets=arrays.get("targets"), layers=layers)
        except MomentsError as exc:
            raise _CliError(f"{path}: {exc}") from None
    if acc.n == 0:
        raise _CliError(f"{args.files[0]}: no rows")
    save_splits(args.out, {args.split: acc}, step=args.step, run=args.run, compress=args.compress)
    print(
        f"wrote {args.out}: split '{args.split}', n={acc.n}, p={acc.p}, C={acc.C}, "
        f"targets={acc.file_target_kind()}" + (f" ({acc.q} classes)" if acc.file_target_kind() == "onehot" else ""),
        file=sys.stderr,
    )


def _cli_merge(args):
    for path in args.files:
        if not os.path.exists(path):
            raise _CliError(f"{path}: no such file")
    try:
        merged = merge_files(args.out, args.files, step=args.step, run=args.run, fit=args.fit)
    except MomentsError as exc:
        raise _CliError(str(exc)) from None
    parts = ", ".join(f"{k} (n={v.n})" for k, v in merged.items())
    print(f"wrote {args.out}: {parts}", file=sys.stderr)


def _split_name(s):
    if not SPLIT_NAME.match(s):
        raise argparse.ArgumentTypeError(f"invalid split name {s!r}: use letters, digits, '_' or '-'")
    return s


def _build_parser():
    ap = argparse.ArgumentParser(
        prog="richscope_export.py",
        description="Build Richscope moments files (docs/moments.md, format: docs/moments-format.md).",
    )
    sub = ap.add_subparsers(dest="command", metavar="{accumulate,merge}")
    sub.required = True
    a = sub.add_parser(
        "accumulate",
        help="activation shards (.npz with features/logits[/labels]) -> one moments file",
        description="Stream one or many activation shards of ONE split into a moments file.",
    )
    a.add_argument("files", nargs="+", metavar="FILE.npz", help="activation shards (rows are concatenated)")
    a.add_argument("--out", required=True, metavar="OUT.npz")
    a.add_argument("--split", default="train", type=_split_name, help="split name (default: train)")
    a.add_argument("--step", type=int, default=None, help="training step of the checkpoint")
    a.add_argument("--run", default=None, help="run name")
    a.add_argument("--features", default="features", metavar="NAME", help="array name (default: features)")
    a.add_argument("--logits", default="logits", metavar="NAME", help="array name (default: logits)")
    a.add_argument(
        "--labels", default=None, metavar="NAME", help="integer label array (default: 'labels' if present)"
    )
    a.add_argument("--no-labels", action="store_true", help="ignore labels even if present")
    a.add_argument("--targets", default=None, metavar="NAME", help="dense real targets (n x q) instead of labels")
    a.add_argument("--num-classes", type=int, default=None, help="at least this many one-hot columns")
    a.add_argument(
        "--layers",
        default=None,
        metavar="NAME1,NAME2,...",
        help="arrays of the layers before the features, in layer order (D_LR by layer, docs/method.md §8)",
    )
    a.add_argument("--compress", action="store_true", help="deflate the .npz")
    a.set_defaults(func=_cli_accumulate)
    m = sub.add_parser(
        "merge",
        help="merge moments files split by split",
        description="Merge moments files split by split (exact). Splits found in only some files are kept.",
    )
    m.add_argument("files", nargs="+", metavar="A.npz")
    m.add_argument("--out", required=True, metavar="OUT.npz")
    m.add_argument("--step", type=int, default=None, help="override step (default: first file's)")
    m.add_argument("--run", default=None, help="override run (default: first file's)")
    m.add_argument("--fit", default=None, type=_split_name, help="split to put first (the fit split)")
    m.set_defaults(func=_cli_merge)
    return ap


def main(argv=None):
    ap = _build_parser()
    args = ap.parse_args(argv)  # usage errors exit with code 2
    try:
        args.func(args)
    except (_CliError, MomentsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: out of memory (split the activations into smaller shards)", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
