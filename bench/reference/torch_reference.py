#!/usr/bin/python3
"""PyTorch side of `npm run bench:explainers` (issue 18): the same measurements on torchvision's
model of the same architecture, in the same run, on the same machine.

    /usr/bin/python3 bench/reference/torch_reference.py --model resnet50 \
        --methods forward,gradcam,rise,insdel --images 2 --rise-n 64 --step 3584 --threads 2

Prints one JSON object on stdout: versions, threads, load averages, and per method the samples in
ms per image (seconds for insdel). Weights are random (weights=None: no download here), as the
TF.js side's seeded ResNet50; timings do not depend on the weights' values.

  - forward: model(x) under torch.no_grad(), batches of 16, ms per image, median of --runs after
    one warm-up batch;
  - gradcam: pytorch-grad-cam's GradCAM done by hand (forward hook keeps the target layer's
    activations, tensor hook its gradient; backward of the predicted class's logit to the input;
    weights = spatial mean of the gradients; ReLU of the weighted sum; bilinear upsampling to
    224²), one image at a time, as pytorch-grad-cam runs it;
  - rise: eclique/RISE `generate_masks` (s×s Bernoulli(p1) grid, bilinear upsampling to
    (s+1)·ceil(224/s), random shift, crop) and `forward` (masked input, softmax, Σ p_c·M / N / p1),
    N --rise-n masks in batches of 16;
  - insdel: eclique/RISE `CausalMetric` deletion (zeros) and insertion (gkern(11, 5) blur) with
    step --step, every curve point scored in batches of 16, plus one pass for the class.
Scores are not compared (the weights differ from the TF.js model's); only time is.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

BATCH = 16
SIZE = 224

# One row per model: the torchvision constructor's name and Grad-CAM's target layer (the TF.js bench's
# targetLayer). Add a model here and in bench/explainers.bench.ts MODELS under the same key.
MODELS = {
    'resnet50': {'name': 'resnet50', 'layer': lambda m: m.layer4[-1]},
    'mobilenetv2': {'name': 'mobilenet_v2', 'layer': lambda m: m.features[-1]},
}


def ms_per_image(fn, images, runs):
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000 / images)
    return samples


def forward(model, runs):
    x = torch.randn(BATCH, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return ms_per_image(lambda: model(x), BATCH, runs)


def grad_cam(model, layer, x):
    store = {}

    def keep(_module, _inputs, output):
        store['a'] = output
        output.register_hook(lambda g: store.__setitem__('g', g))

    handle = layer.register_forward_hook(keep)
    try:
        x = x.clone().requires_grad_(True)
        out = model(x)
        cls = int(out[0].argmax())
        model.zero_grad()
        out[0, cls].backward()
        weights = store['g'].mean(dim=(2, 3), keepdim=True)
        cam = F.relu((weights * store['a']).sum(dim=1, keepdim=True))
        return F.interpolate(cam, size=(SIZE, SIZE), mode='bilinear', align_corners=False).detach()
    finally:
        handle.remove()


def rise_masks(n, s, p1, rng):
    cell = math.ceil(SIZE / s)
    up = (s + 1) * cell
    grid = torch.from_numpy((rng.random((n, 1, s, s)) < p1).astype(np.float32))
    big = F.interpolate(grid, size=(up, up), mode='bilinear', align_corners=False)
    masks = torch.empty(n, 1, SIZE, SIZE)
    for i in range(n):
        dx, dy = rng.integers(0, cell, 2)
        masks[i] = big[i, :, dx:dx + SIZE, dy:dy + SIZE]
    return masks


def rise(model, x, n, rng):
    masks = rise_masks(n, 8, 0.5, rng)
    sal = torch.zeros(1000, SIZE * SIZE)
    with torch.no_grad():
        for start in range(0, n, BATCH):
            m = masks[start:start + BATCH]
            p = F.softmax(model(m * x), dim=1)
            sal += p.T @ m.view(m.shape[0], -1)
    return sal / n / 0.5


def gkern(klen=11, nsig=5):
    # eclique/RISE evaluation.py gkern: a klen×klen Gaussian, one per channel.
    import scipy.ndimage as nd  # noqa: PLC0415  (only insdel needs scipy)
    inp = np.zeros((klen, klen))
    inp[klen // 2, klen // 2] = 1
    k = nd.gaussian_filter(inp, nsig)
    kern = np.zeros((3, 3, klen, klen), np.float32)
    for c in range(3):
        kern[c, c] = k
    return torch.from_numpy(kern)


def insdel(model, x, saliency, step, blur):
    n_steps = (SIZE * SIZE + step - 1) // step
    order = torch.argsort(saliency.flatten(), descending=True)
    with torch.no_grad():
        cls = int(model(x).argmax())
        for start, finish in ((x.clone(), torch.zeros_like(x)), (blur(x), x)):
            current = start.clone()
            images = []
            for i in range(n_steps + 1):
                images.append(current.clone())
                idx = order[i * step:(i + 1) * step]
                current.view(1, 3, -1)[0, :, idx] = finish.view(1, 3, -1)[0, :, idx]
            batch = torch.cat(images)
            scores = [F.softmax(model(batch[b:b + BATCH]), dim=1)[:, cls] for b in range(0, len(images), BATCH)]
            torch.cat(scores)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', default='resnet50', choices=sorted(MODELS))
    parser.add_argument('--methods', default='forward,gradcam,rise,insdel')
    parser.add_argument('--images', type=int, default=2)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--rise-n', type=int, default=500)
    parser.add_argument('--step', type=int, default=SIZE)
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    entry = MODELS[args.model]
    model = getattr(torchvision.models, entry['name'])(weights=None).eval()
    layer = entry['layer'](model)
    images = [torch.randn(1, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(100 + i)) for i in range(args.images + 1)]
    result = {
        'torch': torch.__version__, 'torchvision': torchvision.__version__, 'python': sys.version.split()[0],
        'threads': torch.get_num_threads(), 'model': args.model, 'constructor': f"torchvision.models.{entry['name']}(weights=None)", 'loadavg': [list(os.getloadavg())], 'methods': {},
    }
    methods = [m.strip() for m in args.methods.split(',') if m.strip()]

    def timed(fn, per=1000.0):
        samples = []
        for x in images[1:]:
            t0 = time.perf_counter()
            fn(x)
            samples.append((time.perf_counter() - t0) * per)
        return samples

    for method in methods:
        if method == 'forward':
            result['methods']['forward'] = forward(model, args.runs)
        elif method == 'gradcam':
            grad_cam(model, layer, images[0])  # warm-up
            result['methods']['gradcam'] = timed(lambda x: grad_cam(model, layer, x))
        elif method == 'rise':
            rng = np.random.default_rng(0)
            result['methods']['rise'] = timed(lambda x: rise(model, x, args.rise_n, rng))
        elif method == 'insdel':
            kern = gkern()
            blur = lambda x: F.conv2d(x, kern, padding=5)  # noqa: E731
            sal = torch.rand(SIZE, SIZE, generator=torch.Generator().manual_seed(1))
            result['methods']['insdel'] = timed(lambda x: insdel(model, x, sal, args.step, blur), per=1.0)
        else:
            raise SystemExit(f'unknown method {method!r}')
        result['loadavg'].append(list(os.getloadavg()))
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
