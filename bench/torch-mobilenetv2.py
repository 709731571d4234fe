"""PyTorch reference for bench/explainers.bench.ts --model mobilenetv2 (issue 16).

torchvision mobilenet_v2 (weights=None, torch.manual_seed(0): random weights, as the TF.js side's
seeded bundle), eval mode, 224x224, on the same CPU. Prints median ms/image of
  - forward, batch 1 and batch 16 (after one warm-up pass);
  - Grad-CAM at features[-1] (the last conv block's ReLU6 output, Keras's out_relu): one forward
    pass with a hook keeping the activation, backward of the predicted class's logit to it, the
    channel-mean weighting and ReLU, batch 1 (pytorch-grad-cam's GradCAM does the same passes).
RISE N 500 is stated as 500 forward passes at the batch-16 cost (an estimate, as for ResNet50).
Run: /usr/bin/python3 bench/torch-mobilenetv2.py [--runs 5]
"""
import argparse
import statistics
import time

import torch
import torchvision


def median_ms(fn, runs, per):
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000 / per)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(weights=None).eval()
    x1 = torch.rand(1, 3, 224, 224)
    x16 = torch.rand(16, 3, 224, 224)
    with torch.no_grad():
        f1 = median_ms(lambda: model(x1), args.runs, 1)
        f16 = median_ms(lambda: model(x16), args.runs, 16)
    kept = {}
    model.features[-1].register_forward_hook(lambda m, i, o: kept.__setitem__('a', o))

    def gradcam():
        out = model(x1)
        a = kept['a']
        g, = torch.autograd.grad(out[0, out[0].argmax()], a)
        cam = torch.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(1))
        return cam.detach()

    gc = median_ms(gradcam, args.runs, 1)
    print(f'torch {torch.__version__}, torchvision {torchvision.__version__}, threads {torch.get_num_threads()}')
    print(f'forward batch 1: {f1:.1f} ms/image; batch 16: {f16:.1f} ms/image; Grad-CAM features[-1]: {gc:.1f} ms/image; RISE N 500 estimate: {500 * f16:.0f} ms/image')


if __name__ == '__main__':
    main()
