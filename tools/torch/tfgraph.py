"""The tfjs graph model of the backbone, run and trained in torch.

The shipped backbone is a tfjs GraphModel (model.json + weight shards) that tfjs cannot train.
This module reads the same files and builds an equivalent torch module by interpreting the
graph node by node, so the torch forward pass is the browser's forward pass: same weights, same
ops, same asymmetric SAME padding. The trained weights are written back into the graph model's
own weight manifest (`write_graph_model`), so the browser loads them with no change of code.

Only the ops the pruned MobileNetV3 uses are supported; any other op is an error naming it.
"""

import base64
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

SUPPORTED_OPS = {'Placeholder', 'Const', '_FusedConv2D', 'FusedDepthwiseConv2dNative', 'Add', 'AddV2', 'Mul', 'Relu6', 'Mean'}


def _half_to_float(raw):
    return np.frombuffer(raw, dtype=np.float16).astype(np.float32)


def read_weights(model_dir, model):
    """Every weight of the manifest as a float32 (or int32) numpy array, dequantized."""
    out = {}
    for group in model['weightsManifest']:
        data = b''.join(open(os.path.join(model_dir, p), 'rb').read() for p in group['paths'])
        offset = 0
        for spec in group['weights']:
            n = int(np.prod(spec['shape'])) if spec['shape'] else 1
            q = spec.get('quantization')
            if q is None:
                dtype = {'float32': np.float32, 'int32': np.int32}[spec['dtype']]
                size = 4 * n
                arr = np.frombuffer(data[offset:offset + size], dtype=dtype).copy()
            elif q['dtype'] == 'float16':
                size = 2 * n
                arr = _half_to_float(data[offset:offset + size])
            elif q['dtype'] == 'uint8':
                size = n
                arr = np.frombuffer(data[offset:offset + size], dtype=np.uint8).astype(np.float32) * q['scale'] + q['min']
            else:
                raise ValueError(f"weight {spec['name']}: quantization {q['dtype']} is not supported")
            out[spec['name']] = arr.reshape(spec['shape'])
            offset += size
    return out


def _attr_list(node, key):
    return [int(v) for v in node['attr'][key]['list']['i']]


def _fused(node):
    return [base64.b64decode(s).decode() for s in node['attr'].get('fused_ops', {}).get('list', {}).get('s', [])]


def _same_pad(x, k, s):
    """TF's SAME padding on an NCHW tensor: the odd pixel goes to the bottom/right."""
    _, _, h, w = x.shape
    ph = max((-(-h // s) - 1) * s + k[0] - h, 0)
    pw = max((-(-w // s) - 1) * s + k[1] - w, 0)
    if ph == 0 and pw == 0:
        return x
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))


class GraphModule(torch.nn.Module):
    """The graph as a torch module: NHWC 0–255 input, NCHW outputs named as in the graph."""

    def __init__(self, model_dir, outputs):
        super().__init__()
        self.model_dir = model_dir
        with open(os.path.join(model_dir, 'model.json')) as f:
            self.model = json.load(f)
        nodes = self.model['modelTopology']['node']
        bad = sorted({n['op'] for n in nodes} - SUPPORTED_OPS)
        if bad:
            raise ValueError(f'{model_dir}: unsupported ops {bad}')
        self.by_name = {n['name']: n for n in nodes}
        for o in outputs:
            if o not in self.by_name:
                raise ValueError(f'{model_dir}: the graph has no node "{o}"')
        self.outputs = list(outputs)
        weights = read_weights(model_dir, self.model)
        # Conv filters and biases are trained; scalar constants (hard-swish's 3 and 1/6) and
        # reduction indices stay fixed.
        self.params = torch.nn.ParameterDict()
        self.consts = {}
        self.key = {}
        for name, arr in weights.items():
            if arr.dtype == np.float32 and arr.ndim >= 1:
                key = f'p{len(self.params)}'
                self.key[name] = key
                self.params[key] = torch.nn.Parameter(torch.from_numpy(arr.copy()))
            else:
                self.consts[name] = arr
        self.order = self._topological(outputs)

    def _topological(self, outputs):
        seen, order = set(), []

        def visit(name):
            name = name.split(':')[0]
            if name in seen:
                return
            seen.add(name)
            for i in self.by_name[name].get('input', []):
                visit(i)
            order.append(name)

        for o in outputs:
            visit(o)
        return order

    def weight(self, name):
        if name in self.key:
            return self.params[self.key[name]]
        return torch.tensor(self.consts[name])

    def forward(self, x):
        """x: [N, H, W, 3] float 0–255 → {output name: NCHW tensor}."""
        vals = {}
        for name in self.order:
            node = self.by_name[name]
            op = node['op']
            ins = [i.split(':')[0] for i in node.get('input', [])]
            if op == 'Placeholder':
                v = x.permute(0, 3, 1, 2)
            elif op == 'Const':
                v = self.weight(name)
            elif op in ('_FusedConv2D', 'FusedDepthwiseConv2dNative'):
                v = self._conv(node, vals[ins[0]], self.weight(ins[1]), self.weight(ins[2]))
            elif op in ('Add', 'AddV2'):
                v = vals[ins[0]] + vals[ins[1]]
            elif op == 'Mul':
                v = vals[ins[0]] * vals[ins[1]]
            elif op == 'Relu6':
                v = torch.clamp(vals[ins[0]], 0, 6)
            elif op == 'Mean':
                axes = [int(a) for a in np.atleast_1d(self.consts[ins[1]])]
                nchw = [{0: 0, 1: 2, 2: 3, 3: 1}[a] for a in axes]
                keep = node['attr'].get('keep_dims', {}).get('b', False)
                v = vals[ins[0]].mean(dim=nchw, keepdim=keep)
            vals[name] = v
        return {o: vals[o] for o in self.outputs}

    def _conv(self, node, x, w, b):
        strides = _attr_list(node, 'strides')[1:3]
        dil = _attr_list(node, 'dilations')[1:3]
        pad = base64.b64decode(node['attr']['padding']['s']).decode()
        if pad != 'SAME' or dil != [1, 1] or strides[0] != strides[1]:
            raise ValueError(f"{node['name']}: padding {pad}, dilations {dil}, strides {strides} are not supported")
        kh, kw = w.shape[0], w.shape[1]
        x = _same_pad(x, (kh, kw), strides[0])
        if node['op'] == '_FusedConv2D':
            v = F.conv2d(x, w.permute(3, 2, 0, 1), b, stride=strides[0])
        else:  # depthwise: [kh, kw, in, multiplier]
            cin, mult = w.shape[2], w.shape[3]
            v = F.conv2d(x, w.permute(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw), b, stride=strides[0], groups=cin)
        fused = _fused(node)
        if fused[0] != 'BiasAdd' or any(f not in ('Relu', 'Relu6') for f in fused[1:]):
            raise ValueError(f"{node['name']}: fused ops {fused} are not supported")
        for f in fused[1:]:
            v = F.relu(v) if f == 'Relu' else torch.clamp(v, 0, 6)
        return v

    def named_graph_weights(self):
        """(graph weight name, float32 numpy array) for every trained weight."""
        return [(name, self.params[key].detach().cpu().numpy()) for name, key in self.key.items()]


def write_graph_model(module, out_dir):
    """The same graph with the module's weights, as one float32 shard of float16-exact values.

    The model ships float16 weights (tools/model/train.ts re-encodes them): rounding here means
    the features extracted from this folder are exactly those of the shipped model.
    """
    os.makedirs(out_dir, exist_ok=True)
    trained = dict(module.named_graph_weights())
    specs, chunks = [], []
    for group in module.model['weightsManifest']:
        for spec in group['weights']:
            name = spec['name']
            arr = trained.get(name)
            if arr is None:
                arr = module.consts[name]
            dtype = 'int32' if arr.dtype == np.int32 else 'float32'
            arr = arr.astype(np.int32) if dtype == 'int32' else arr.astype(np.float16).astype(np.float32)
            specs.append({'name': name, 'shape': list(spec['shape']), 'dtype': dtype})
            chunks.append(arr.tobytes())
    with open(os.path.join(out_dir, 'weights.bin'), 'wb') as f:
        f.write(b''.join(chunks))
    model = dict(module.model)
    model['weightsManifest'] = [{'paths': ['weights.bin'], 'weights': specs}]
    with open(os.path.join(out_dir, 'model.json'), 'w') as f:
        json.dump(model, f)


def mean_std(level):
    """Mean and standard deviation per channel over space, as features.ts `meanStd`. NCHW → [N, 2C]."""
    mean = level.mean(dim=(2, 3))
    var = ((level - mean[:, :, None, None]) ** 2).mean(dim=(2, 3))
    return torch.cat([mean, torch.sqrt(var + 1e-6)], dim=1)


def saliency(deep):
    """Where the deep activations sit, as features.ts `saliency`. NCHW → [N, 6]."""
    n, _, h, w = deep.shape
    e = F.relu(deep).mean(dim=1)  # [N, h, w]
    p = e / (e.sum(dim=(1, 2), keepdim=True) + 1e-6)
    ys = ((torch.arange(h, dtype=deep.dtype) + 0.5) / h - 0.5).view(1, h, 1)
    xs = ((torch.arange(w, dtype=deep.dtype) + 0.5) / w - 0.5).view(1, 1, w)
    cy = (p * ys).sum(dim=(1, 2))
    cx = (p * xs).sum(dim=(1, 2))
    sy = torch.sqrt((p * (ys - cy.view(n, 1, 1)) ** 2).sum(dim=(1, 2)) + 1e-8)
    sx = torch.sqrt((p * (xs - cx.view(n, 1, 1)) ** 2).sum(dim=(1, 2)) + 1e-8)
    centre = p[:, h // 4:h // 4 + h // 2, w // 4:w // 4 + w // 2].sum(dim=(1, 2))
    peak = e.flatten(1).max(dim=1).values / (e.mean(dim=(1, 2)) + 1e-6)
    return torch.stack([cx, cy, sx, sy, centre, torch.log(peak)], dim=1)


def pooled_features(levels):
    """The head's backbone part: meanStd of each level (shallow to deep), then saliency of the deepest."""
    return torch.cat([mean_std(v) for v in levels] + [saliency(levels[-1])], dim=1)
