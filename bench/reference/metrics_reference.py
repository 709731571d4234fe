"""Reference side of `npm run bench:metrics`: the same metrics in numpy / SciPy / scikit-image,
timed the same way (WARMUP untimed calls, then the median of RUNS timed calls) on the inputs the
TypeScript bench wrote as .npy files, in the same run.

  /usr/bin/python3 bench/reference/metrics_reference.py DIR WARMUP RUNS

Prints one JSON object: {"versions": {...}, "results": {name: {"ms": median, "value": v}}}.
The conventions are those of ../shared/reference/README.md (pysaliency CC, SIM, MIT_KLDiv, NSS,
AUC_Judd without jitter; scikit-image SSIM of min-max scaled maps with data_range 1; SciPy
gaussian_filter density maps with mode 'nearest', truncate 4), written here with numpy's
vectorised operations, as a lab's script would call them. EMD has no reference here (pysaliency
uses pyemd, not a Debian package).
"""
import json
import sys
import time

import numpy as np
import scipy
import scipy.ndimage
import skimage
from skimage.metrics import structural_similarity

EPS = 2.2204e-16


def as_density(m):
    m = np.asarray(m, dtype=np.float64)
    lo = m.min()
    if lo < 0:
        m = m - lo
    total = m.sum()
    if total == 0:
        return np.full(m.shape, 1.0 / m.size)
    return m / total


def cc(s, d):
    s = np.asarray(s, dtype=np.float64).ravel()
    d = np.asarray(d, dtype=np.float64).ravel()
    if s.std() == 0 or d.std() == 0:
        return 0.0
    return float(np.corrcoef(s, d)[0, 1])


def sim(s, d):
    return float(np.minimum(as_density(s), as_density(d)).sum())


def kld(s, d):
    p = as_density(s)
    q = as_density(d)
    return float((q * np.log(EPS + q / (p + EPS))).sum())


def scale01(m):
    m = np.asarray(m, dtype=np.float64)
    lo, hi = m.min(), m.max()
    return np.zeros_like(m) if hi == lo else (m - lo) / (hi - lo)


def ssim(s, d):
    return float(structural_similarity(scale01(s), scale01(d), data_range=1))


def nss(s, fix):
    s = np.asarray(s, dtype=np.float64)
    std = s.std()
    z = s - s.mean()
    if std != 0:
        z = z / std
    return float(z[fix[:, 1], fix[:, 0]].mean())


def auc_judd(s, fix):
    s = np.asarray(s, dtype=np.float64)
    flat = s.ravel()
    fixated = np.zeros(flat.size, dtype=bool)
    fixated[fix[:, 1] * s.shape[1] + fix[:, 0]] = True
    thresholds = np.sort(s[fix[:, 1], fix[:, 0]])[::-1]
    n_fix = thresholds.size
    n_neg = flat.size - np.count_nonzero(fixated)
    ordered = np.sort(flat)
    above = flat.size - np.searchsorted(ordered, thresholds, side='left')
    k = np.arange(1, n_fix + 1)
    tp = np.concatenate(([0.0], k / n_fix, [1.0]))
    fp = np.concatenate(([0.0], (above - k) / n_neg, [1.0]))
    return float(np.trapz(tp, fp))


def density_map(fix, width, height, sigma):
    counts = np.zeros((height, width))
    np.add.at(counts, (fix[:, 1], fix[:, 0]), 1.0)
    blurred = scipy.ndimage.gaussian_filter(counts, sigma, mode='nearest', truncate=4.0)
    return blurred / blurred.sum()


def timed(fn, warmup, runs):
    value = None
    for _ in range(warmup):
        value = fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {"ms": float(np.median(samples)), "value": float(value)}


def main():
    folder, warmup, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    load = lambda name: np.load(f"{folder}/{name}.npy")
    s, d = load("saliency"), load("density")
    fix = load("fixations").astype(np.int64)
    big_fix = load("bigFixations").astype(np.int64)
    single = {
        "cc": lambda: cc(s, d),
        "ssim": lambda: ssim(s, d),
        "sim": lambda: sim(s, d),
        "kld": lambda: kld(s, d),
        "nss": lambda: nss(s, fix),
        "aucJudd": lambda: auc_judd(s, fix),
    }
    results = {name: timed(fn, warmup, runs) for name, fn in single.items()}
    results["suite (CC+SSIM+SIM+KLD+NSS+AUC-Judd)"] = timed(lambda: sum(fn() for fn in single.values()), warmup, runs)
    results["densityMap 1024x768 σ35 500 fix"] = timed(lambda: density_map(big_fix, 1024, 768, 35)[0, 0], warmup, runs)
    versions = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__, "skimage": skimage.__version__}
    print(json.dumps({"versions": versions, "results": results}))


if __name__ == "__main__":
    main()
