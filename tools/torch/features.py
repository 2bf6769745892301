"""Pooled backbone features of a file of views, computed by the torch port of a tfjs graph model.

usage: /usr/bin/python3 tools/torch/features.py --model DIR --views FILE --out FILE
           [--side 320] [--dtype u8|f32] [--card public/model/model-card.json] [--threads 2]

--views holds N views of side² RGB (NHWC, 0–255) as uint8 or float32; --out receives N rows of
float32 features (the mean and std of each level the card names, then the saliency summary),
the same values as the first BACKBONE_FEATURES of src/core/model/features.ts `features()`.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tfgraph import GraphModule, pooled_features  # noqa: E402


def card_outputs(card_path):
    with open(card_path) as f:
        return json.load(f)['backbone']['outputs']


def extract(module, views, batch=8):
    out = []
    with torch.no_grad():
        for i in range(0, len(views), batch):
            x = torch.from_numpy(np.array(views[i:i + batch], dtype=np.float32))
            levels = module(x)
            out.append(pooled_features([levels[o] for o in module.outputs]).numpy())
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def read_views(path, side, dtype):
    dt = np.uint8 if dtype == 'u8' else np.float32
    raw = np.memmap(path, dtype=dt, mode='r')
    per = side * side * 3
    if raw.size % per:
        raise SystemExit(f'{path}: {raw.size} values is not a whole number of {side}² RGB views')
    return raw.reshape(-1, side, side, 3)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True)
    p.add_argument('--views', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--side', type=int, default=320)
    p.add_argument('--dtype', choices=['u8', 'f32'], default='u8')
    p.add_argument('--card', default='public/model/model-card.json')
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    module = GraphModule(a.model, card_outputs(a.card)).eval()
    feats = extract(module, read_views(a.views, a.side, a.dtype))
    feats.astype(np.float32).tofile(a.out)
    print(json.dumps({'rows': int(feats.shape[0]), 'features': int(feats.shape[1]) if feats.ndim == 2 else 0}))


if __name__ == '__main__':
    main()
