"""The NumPy float64 baseline of `npm run bench` (issue 6): the same end-to-end work as the CLI.

Loads features.npy, logits.npy, labels.npy of one checkpoint, centres in float64, forms the moment
blocks with @, takes eigh of S_ff (D_LR, rank profile) and of S_pp / n (spectrum), and the two
cumulative curves (docs/method.md §3-§4). Prints one JSON line: dlr, r, timings, the BLAS in use.

usage: python3 scripts/numpy_pipeline.py DIR
"""
import json
import sys
import time

import numpy as np


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info  # type: ignore

        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            return f"{info[0].get('internal_api')} {info[0].get('version')} {info[0].get('architecture')} threads={info[0].get('num_threads')}"
    except ImportError:
        pass
    try:
        import ctypes

        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        paths = sorted({line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line.lower()})
        lib = ctypes.CDLL(paths[0])
        core = lib.scipy_openblas_get_corename64_
        core.restype = ctypes.c_char_p
        threads = lib.scipy_openblas_get_num_threads64_()
        return f"{cfg.get('name')} {cfg.get('version')} kernel={core().decode()} threads={threads}"
    except Exception:  # noqa: BLE001  (threadpoolctl absent and not scipy-openblas)
        return "unknown"


def main() -> None:
    folder = sys.argv[1]
    t0 = time.perf_counter()
    phi = np.load(f"{folder}/features.npy").astype(np.float64)
    f = np.load(f"{folder}/logits.npy").astype(np.float64)
    labels = np.load(f"{folder}/labels.npy")
    n, p = phi.shape
    t_load = time.perf_counter()
    phi -= phi.mean(axis=0)
    f -= f.mean(axis=0)
    classes = int(labels.max()) + 1
    y = np.zeros((n, classes))
    y[np.arange(n), labels] = 1.0
    y -= y.mean(axis=0)
    s_pp = phi.T @ phi
    s_pf = phi.T @ f
    s_ff = f.T @ f
    s_py = phi.T @ y
    tr_yy = float(np.einsum("ij,ij->", y, y))
    del y
    t_moments = time.perf_counter()
    # D_LR and the rank profile (docs/method.md §3, §3.1)
    w, u = np.linalg.eigh(s_ff)
    w, u = w[::-1], u[:, ::-1]
    r = int(np.sum(w > 1e-10 * w[0]))
    kernel_norm = np.linalg.norm(s_pp)
    aligned = np.sum((s_pf @ u[:, :r]) ** 2, axis=0) / w[:r]
    profile = 1 - np.cumsum(aligned) / (kernel_norm * np.sqrt(np.arange(1, r + 1)))
    dlr = float(profile[-1])
    # spectrum and the cumulative curves (docs/method.md §4)
    rho, v = np.linalg.eigh(s_pp / n)
    rho, v = rho[::-1], v[:, ::-1]
    kept = int(np.sum(rho > 1e-12 * rho[0]))
    rho, v = rho[:kept], v[:, :kept]
    utilization = np.cumsum(np.sum((v.T @ s_pf) ** 2, axis=1) / (n * rho)) / np.trace(s_ff)
    mass = np.cumsum(np.sum((v.T @ s_py) ** 2, axis=1) / (n * rho)) / tr_yy
    t_end = time.perf_counter()
    print(
        json.dumps(
            {
                "n": n,
                "p": p,
                "C": int(f.shape[1]),
                "dlr": dlr,
                "r": r,
                "kept": kept,
                "utilization_end": float(utilization[-1]),
                "mass_end": float(mass[-1]),
                "seconds": {
                    "load": t_load - t0,
                    "moments": t_moments - t_load,
                    "eigen_curves": t_end - t_moments,
                    "total": t_end - t0,
                },
                "blas": blas_info(),
                "numpy": np.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
