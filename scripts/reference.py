#!/usr/bin/env python3
"""Float64 NumPy reference for every number Richscope shows (docs/method.md §2-§5, §7).

Deliberately independent of the TypeScript core: it works on the raw arrays
(centred copies, explicit projectors, numpy.linalg), not on streamed moments,
so agreement between the two is a real check.

    python3 scripts/reference.py FIT.npz [--eval EVAL.npz] [--layers K1,K2,...] [--jackknife G]
        -> JSON on stdout

Layers (docs/method.md §8): arrays named like hidden layers (layer3, layers.2, blocks.1, hidden2, h1, act4,
encoder.layer.5, ...) are measured against the outputs too, in natural order (layer2 before layer10),
the features last; without a `features` array the last layer is the features.
"""
import argparse
import json
import re
import sys

import numpy as np

RANK_TOL = 1e-10  # docs/method.md §3: eigenvalues of S_ff above 1e-10 x the largest
RHO_TOL = 1e-12  # docs/method.md §4: keep rho_k > 1e-12 rho_1
RESIDUAL_TOL = 1e-10  # docs/method.md §4.1: direction k adds nothing when ||q_k||^2 <= 1e-10 ||e~_k||^2
FIT_AGREEMENT = 1e-12  # docs/method.md §4.1: on the fit split the two forms of the curves agree to this
JACKKNIFE_GROUPS = 10  # docs/method.md §7


def one_hot(labels, classes):
    """One column per class label in `classes` (the distinct labels present, ascending): labels
    are class names, never sizes, so a label of 2**40 costs one column (docs/method.md §1)."""
    y = np.zeros((labels.shape[0], len(classes)))
    y[np.arange(labels.shape[0]), np.searchsorted(classes, labels)] = 1.0
    return y


def centre(a):
    a = np.asarray(a, dtype=np.float64)
    return a - a.mean(axis=0, keepdims=True)


def low_rank_measure(phi, f):
    """D_LR = 1 - tr(P K) / (||K||_F sqrt(r)) with explicit K and P (docs/method.md §3)."""
    pc, fc = centre(phi), centre(f)
    s_ff = fc.T @ fc
    w, u = np.linalg.eigh(s_ff)
    order = np.argsort(w)[::-1]
    w, u = w[order], u[:, order]
    r = int(np.sum(w > RANK_TOL * w[0])) if w[0] > 0 else 0
    s_pp = pc.T @ pc
    k_fro = np.linalg.norm(s_pp, 'fro')
    s_pf = pc.T @ fc
    # aligned feature energy per output direction: m_j = ||S_pf u_j||^2 / w_j
    m = np.array([np.sum((s_pf @ u[:, j]) ** 2) / w[j] for j in range(r)])
    # Independent form of the headline: P from an orthonormal basis of span(F_c) via SVD of F_c
    uf, sf, _ = np.linalg.svd(fc, full_matrices=False)
    q = uf[:, sf ** 2 > RANK_TOL * sf[0] ** 2]
    tr_pk = np.sum((q.T @ pc) ** 2)
    dlr = 1.0 - tr_pk / (k_fro * np.sqrt(r))
    profile = [1.0 - np.sum(m[:k]) / (k_fro * np.sqrt(k)) for k in range(1, r + 1)]
    energy = np.cumsum(w[:r]) / np.sum(w)
    r99 = int(np.argmax(energy >= 0.99 - 1e-15) + 1)
    lin_cka = np.linalg.norm(s_pf, 'fro') ** 2 / (k_fro * np.linalg.norm(s_ff, 'fro'))
    return {
        'r': r,
        'dlr': float(dlr),
        'rank_profile': [float(x) for x in profile],
        'dlr_energy99': float(profile[r99 - 1]),
        'r99': r99,
        'output_spectrum': [float(x) for x in w[:r] / w[0]],
        'linear_cka_distance': float(1.0 - lin_cka),
    }


def layer_dlr(layers, f):
    """[{name, p, r, dlr, dlr_energy99}] of every layer against the same outputs (docs/method.md §8).

    Each layer Phi_l (flattened per row) with an explicit projector P onto span(F_c) from the SVD of
    F_c (rank r as the checkpoint's), and dlrEnergy99 from the eigenvectors of S_ff (the same r99).
    """
    fc = centre(f)
    uf, sf, _ = np.linalg.svd(fc, full_matrices=False)
    q = uf[:, sf ** 2 > RANK_TOL * sf[0] ** 2]
    r = q.shape[1]
    w, u = np.linalg.eigh(fc.T @ fc)
    order = np.argsort(w)[::-1]
    w, u = w[order], u[:, order]
    energy = np.cumsum(w[:r]) / np.sum(w)
    r99 = int(np.argmax(energy >= 0.99 - 1e-15) + 1)
    out = []
    for name, a in layers:
        lc = centre(np.asarray(a).reshape(a.shape[0], -1))
        k_fro = np.linalg.norm(lc.T @ lc, 'fro')
        if k_fro == 0:
            out.append({'name': name, 'p': int(lc.shape[1]), 'r': r, 'dlr': None, 'dlr_energy99': None})
            continue
        dlr = 1.0 - np.sum((q.T @ lc) ** 2) / (k_fro * np.sqrt(r))
        s_lf = lc.T @ fc
        aligned = sum(np.sum((s_lf @ u[:, j]) ** 2) / w[j] for j in range(r99))
        out.append({
            'name': name,
            'p': int(lc.shape[1]),
            'r': r,
            'dlr': float(dlr),
            'dlr_energy99': float(1.0 - aligned / (k_fro * np.sqrt(r99))),
        })
    return out


def fit_eigenpairs(phi_fit):
    """rho (descending, above 1e-12 rho_1), V and the fit mean of S_pp / n (docs/method.md §4)."""
    n = phi_fit.shape[0]
    mu = np.asarray(phi_fit, np.float64).mean(axis=0)
    pc = phi_fit - mu
    rho, v = np.linalg.eigh(pc.T @ pc / n)
    order = np.argsort(rho)[::-1]
    rho, v = rho[order], v[:, order]
    keep = rho > RHO_TOL * rho[0]
    return rho[keep], v[:, keep], mu


def nystrom_sums(e, g):
    """The paper's Pi_g(k) = sum_{j<=k} sum_c a_jc^2 / ||g||^2, a = E^T g~ / m (docs/method.md §4)."""
    gc = centre(g)
    a = e.T @ gc / gc.shape[0]
    return np.cumsum(np.sum(a ** 2, axis=1)) / (np.sum(gc ** 2) / gc.shape[0])


def nested_projections(e, g):
    """Held-out Pi_g(k) (docs/method.md §4.1): the share of g~'s energy inside span(e~_1..e~_k) on these
    rows, by explicit Gram-Schmidt of the centred eigenfunctions in eigenvalue order (each direction
    orthogonalised twice against the kept ones, so the basis stays orthonormal to rounding)."""
    ec, gc = centre(e), centre(g)
    basis = np.zeros((ec.shape[0], 0))
    captured = 0.0
    curve = []
    for k in range(ec.shape[1]):
        q = ec[:, k].copy()
        for _ in range(2):
            q -= basis @ (basis.T @ q)
        if q @ q > RESIDUAL_TOL * (ec[:, k] @ ec[:, k]):
            q /= np.linalg.norm(q)
            basis = np.column_stack([basis, q])
            captured += np.sum((q @ gc) ** 2)
        curve.append(captured / np.sum(gc ** 2))
    return np.array(curve)


def spectra(phi_fit, f_eval, phi_eval, y_eval):
    """rho, the held-out curves and the paper's Nyström sums on the eval split (docs/method.md §4, §4.1)."""
    rho, v, mu = fit_eigenpairs(phi_fit)
    e = (np.asarray(phi_eval, np.float64) - mu) @ v / np.sqrt(rho)  # eigenfunctions on eval samples

    def curve(form, g):
        return None if g is None else [float(x) for x in form(e, g)]

    return {
        'rho': [float(x) for x in rho],
        'relative_eigenvalues': [float(x) for x in rho / rho[0]],
        'utilization': curve(nested_projections, f_eval),
        'mass': curve(nested_projections, y_eval),
        'utilization_nystrom': curve(nystrom_sums, f_eval),
        'mass_nystrom': curve(nystrom_sums, y_eval),
        'participation_ratio': float(np.sum(rho) ** 2 / np.sum(rho ** 2)),
    }


def fit_split_agreement(phi, f, y):
    """Largest gap between the two forms of the curves on the fit split itself, where the e_k are
    orthonormal and both must give the same numbers (docs/method.md §4.1)."""
    rho, v, mu = fit_eigenpairs(phi)
    e = (np.asarray(phi, np.float64) - mu) @ v / np.sqrt(rho)
    targets = [f] if y is None else [f, y]
    return max(float(np.max(np.abs(nested_projections(e, g) - nystrom_sums(e, g)))) for g in targets)


def jackknife(phi, f, groups):
    """Delete-one-group jackknife of D_LR and dlrEnergy99 (docs/method.md §7): row i in group i mod G; each
    D_LR_(g) is recomputed from the raw rows outside group g (r and r99 with it)."""
    n = phi.shape[0]
    if groups == 0 or n < 2 * groups:
        return {'dlr_std_err': None, 'dlr_energy99_std_err': None}
    group_of = np.arange(n) % groups
    deleted = [low_rank_measure(phi[group_of != g], f[group_of != g]) for g in range(groups)]

    def std_err(values):
        values = np.array(values)
        return float(np.sqrt((groups - 1) / groups * np.sum((values - values.mean()) ** 2)))

    return {
        'dlr_std_err': std_err([d['dlr'] for d in deleted]),
        'dlr_energy99_std_err': std_err([d['dlr_energy99'] for d in deleted]),
    }


def nc1(phi, labels):
    """NC1 = (1/C) tr(Sigma_W Sigma_B^+) over the classes present (docs/method.md §5)."""
    phi = np.asarray(phi, np.float64)
    classes = np.unique(labels)
    mu_g = phi.mean(axis=0)
    sw = np.zeros((phi.shape[1],) * 2)
    sb = np.zeros_like(sw)
    for c in classes:
        x = phi[labels == c]
        mc = x.mean(axis=0)
        sw += (x - mc).T @ (x - mc)
        sb += np.outer(mc - mu_g, mc - mu_g)
    sw /= phi.shape[0]
    sb /= len(classes)
    return float(np.trace(sw @ np.linalg.pinv(sb, rcond=1e-10, hermitian=True)) / len(classes))


def readout_residual(phi, f):
    """Share of output variance not explained by an affine map of phi (least squares)."""
    pc, fc = centre(phi), centre(f)
    w, *_ = np.linalg.lstsq(pc, fc, rcond=None)
    return float(np.sum((fc - pc @ w) ** 2) / np.sum(fc ** 2))


def accuracy(f, labels):
    return float(np.mean(np.argmax(f, axis=1) == labels))


def analyze(fit, ev, groups=JACKKNIFE_GROUPS):
    phi, f, labels = fit['features'], fit['logits'], fit.get('labels')
    classes = None
    if labels is not None:
        present = [labels] + ([ev['labels']] if ev.get('labels') is not None else [])
        classes = np.unique(np.concatenate(present))
    y_eval = None
    if ev.get('labels') is not None and classes is not None:
        y_eval = one_hot(ev['labels'], classes)
    out = {'n': int(phi.shape[0]), 'p': int(phi.shape[1]), 'C': int(f.shape[1])}
    out.update(low_rank_measure(phi, f))
    out.update(jackknife(phi, f, groups))
    out.update(spectra(phi, ev['logits'], ev['features'], y_eval))
    y_fit = None if labels is None else one_hot(labels, classes)
    gap = fit_split_agreement(phi, f, y_fit)
    assert gap <= FIT_AGREEMENT, f'held-out and Nystrom curves differ by {gap} on the fit split'
    out['nc1'] = None if labels is None else nc1(phi, labels)
    out['readout_residual'] = readout_residual(phi, f)
    out['accuracy'] = None if labels is None else accuracy(f, labels)
    out['eval_accuracy'] = None if ev.get('labels') is None else accuracy(ev['logits'], ev['labels'])
    out['layers'] = layer_dlr(fit.get('layers', [('features', phi)]), f)
    return out


# a name part that says "layer N": layer3, layers.2, blocks.1, hidden2, h1, act4, encoder.layer.5
LAYER_KEY = re.compile(r'(^|[._])(layers?|blocks?|hidden|h|acts?)([._]?)(\d+)($|[._])', re.IGNORECASE)


def natural_key(name):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r'(\d+)', name)]


def load(path, layer_names=None):
    """features, logits, labels and the layers (name, array) in order, the features last."""
    d = np.load(path)
    out = {k: d[k] for k in ('features', 'logits', 'labels') if k in d}
    if layer_names is None:
        layer_names = sorted(
            (k for k in d.files if k not in out and LAYER_KEY.search(k) and d[k].shape[0] == d['logits'].shape[0]),
            key=natural_key,
        )
    if 'features' not in out and layer_names:
        out['features'] = d[layer_names[-1]].reshape(d[layer_names[-1]].shape[0], -1)
        feature_name = layer_names[-1]
        layer_names = layer_names[:-1]
    else:
        feature_name = 'features'
    out['layers'] = [(k, d[k]) for k in layer_names if k != feature_name] + [(feature_name, out['features'])]
    return out


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument('fit')
    ap.add_argument('--eval')
    ap.add_argument('--layers', help='comma-separated layer arrays in order (default: by name)')
    ap.add_argument('--jackknife', type=int, default=JACKKNIFE_GROUPS, help='groups G; 0 turns it off')
    a = ap.parse_args(argv)
    names = a.layers.split(',') if a.layers else None
    fit = load(a.fit, names)
    ev = load(a.eval) if a.eval else fit
    json.dump(analyze(fit, ev, a.jackknife), sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1:])
