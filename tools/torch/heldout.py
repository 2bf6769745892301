"""The held-out part of train.csv that every fine-tune choice is made on, and its yardstick.

Near-duplicates (the same scene shot twice, common in ss02's sequences) must sit on one side, or
the held-out figure rewards memorising scenes. Groups are linked photos whose frozen backbone
features are nearly the same (cosine ≥ LINK on standardized features), closed transitively;
a group is held out by a hash of its first photo's name, so the split is stable.

The yardstick is the one the shipped head is built on: a ridge fitted on the fit part's pooled
features, rank-correlated with MOS on the held-out part (pooled and per subset).
"""

import json
import os
import zlib

import numpy as np

LINK = 0.95
HELD_SHARE = 5  # one group in five
LAMBDAS = (300.0, 1200.0, 4800.0)


def standardize(x, fit):
    mu = x[fit].mean(0)
    sd = x[fit].std(0) + 1e-6
    return (x - mu) / sd


def duplicate_groups(feats, link=LINK):
    """Group id per photo: union of pairs with cosine similarity ≥ link."""
    z = standardize(feats, np.ones(len(feats), bool))
    z /= np.linalg.norm(z, axis=1, keepdims=True) + 1e-9
    parent = list(range(len(z)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(0, len(z), 512):
        sims = z[i:i + 512] @ z.T
        for a, b in zip(*np.nonzero(sims >= link)):
            a += i
            if a < b:
                parent[find(a)] = find(b)
    return np.array([find(i) for i in range(len(z))])


def held_out_mask(images, groups):
    first = {}
    for i, g in enumerate(groups):
        first.setdefault(g, images[i])
    return np.array([zlib.crc32(first[g].encode()) % HELD_SHARE == 0 for g in groups])


def ranks(v):
    order = np.argsort(v, kind='mergesort')
    r = np.empty(len(v))
    r[order] = np.arange(len(v))
    # ties share their mean rank
    vs = v[order]
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and vs[j + 1] == vs[i]:
            j += 1
        if j > i:
            r[order[i:j + 1]] = (i + j) / 2
        i = j + 1
    return r


def srcc(a, b):
    ra, rb = ranks(np.asarray(a, float)), ranks(np.asarray(b, float))
    ra -= ra.mean()
    rb -= rb.mean()
    return float((ra * rb).sum() / np.sqrt((ra ** 2).sum() * (rb ** 2).sum()))


def srcc_by_subset(pred, mos, subsets):
    out = {'pooled': srcc(pred, mos)}
    for s in sorted(set(subsets)):
        m = subsets == s
        out[s] = srcc(pred[m], mos[m])
    return out


def ridge_predictions(feats, mos, fit, lambdas=LAMBDAS):
    """Predictions for every row of a ridge fitted on the fit rows' standardized features, per λ."""
    z = standardize(feats, fit)
    xf, yf = z[fit], mos[fit] - mos[fit].mean()
    xtx, xty = xf.T @ xf, xf.T @ yf
    return {lam: z @ np.linalg.solve(xtx + lam * np.eye(len(xtx)), xty) for lam in lambdas}


def ridge_figures(feats, mos, subsets, fit, held, lambdas=LAMBDAS):
    """Held-out SRCC of a ridge on the fit rows, per λ; plus the fit rows' own SRCC (the gap)."""
    out = {}
    for lam, pred in ridge_predictions(feats, mos, fit, lambdas).items():
        out[str(int(lam))] = {'held': srcc_by_subset(pred[held], mos[held], subsets[held]), 'fit': srcc_by_subset(pred[fit], mos[fit], subsets[fit])}
    return out


def run_split(cache, run):
    """A run's train photos (meta-train.json), their held-out mask (the run's split.json), MOS, subsets and split."""
    d = os.path.join(cache, 'torch')
    with open(os.path.join(d, 'meta-train.json')) as f:
        meta = json.load(f)
    with open(os.path.join(d, 'runs', run, 'split.json')) as f:
        split = json.load(f)
    photos = meta['photos']
    held_images = set(split['held_images'])
    held = np.array([p['image'] in held_images for p in photos])
    mos = np.array([p['mos'] for p in photos], np.float32)
    subsets = np.array([p['subset'] for p in photos])
    return meta, held, mos, subsets, split
