#!/usr/bin/python3
"""PyTorch reference for `perception bench`: TorchSparse's CPU sparse conv dataflow (per kernel offset: gather the
input rows, one matmul with that offset's weight, scatter-add into the output rows), timed on one workload.

Input (little endian, written by TorchReference.cs):
  magic b"TSGS", int32 version = 1, int32 N_in, Cin, Cout, K, N_out,
  float32 feats [N_in, Cin], float32 weight [K, Cin, Cout],
  then for each offset k: int32 count, int32 input rows [count], int32 output rows [count].
Output: one JSON line on stdout; with --out, the result as raw float32 [N_out, Cout].
Run with /usr/bin/python3 (the interpreter that has torch), without OPENBLAS_CORETYPE in the environment.
"""
import argparse
import json
import os
import statistics
import struct
import sys
import time

MAGIC = b"TSGS"
VERSION = 1


def fail(kind, message, code):
    print(json.dumps({"error": kind, "message": message}))
    sys.exit(code)


try:
    import numpy as np
    import torch
except ImportError as missing:
    fail("torch_missing", f"torch or numpy cannot be imported by {sys.executable}: {missing}", 3)


def load(path):
    data = memoryview(open(path, "rb").read())
    if bytes(data[:4]) != MAGIC:
        fail("bad_input", f"{path} does not start with {MAGIC!r}", 2)
    version, n_in, cin, cout, volume, n_out = struct.unpack_from("<6i", data, 4)
    if version != VERSION:
        fail("bad_input", f"{path} has format version {version}, expected {VERSION}", 2)
    at = 28

    def take(count, dtype):
        nonlocal at
        array = np.frombuffer(data, dtype=dtype, count=count, offset=at)
        at += array.nbytes
        return array

    feats = torch.from_numpy(take(n_in * cin, "<f4").reshape(n_in, cin).copy())
    weight = torch.from_numpy(take(volume * cin * cout, "<f4").reshape(volume, cin, cout).copy())
    pairs = []
    for _ in range(volume):
        (count,) = struct.unpack_from("<i", data, at)
        at += 4
        # int64 like torch's own index tensors; converted here, outside the timed region.
        inputs = torch.from_numpy(take(count, "<i4").astype(np.int64))
        outputs = torch.from_numpy(take(count, "<i4").astype(np.int64))
        pairs.append((inputs, outputs))
    if at != len(data):
        fail("bad_input", f"{path} has {len(data) - at} trailing bytes", 2)
    return feats, weight, pairs, n_out


def gather_mm_scatter(feats, weight, pairs, n_out):
    out = torch.zeros(n_out, weight.shape[2], dtype=feats.dtype)
    for k, (inputs, outputs) in enumerate(pairs):
        if inputs.numel() == 0:
            continue
        gathered = feats[inputs]
        out.index_add_(0, outputs, torch.mm(gathered, weight[k]))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", help="binary workload file")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--out", default=None, help="write the output feats here as raw float32 [N_out, Cout]")
    args = parser.parse_args()
    if args.threads < 1 or args.repeats < 1 or args.warmup < 0:
        fail("bad_arguments", "threads and repeats must be at least 1, warmup at least 0", 2)

    torch.set_num_threads(args.threads)
    feats, weight, pairs, n_out = load(args.workload)
    with torch.inference_mode():
        for _ in range(args.warmup):
            out = gather_mm_scatter(feats, weight, pairs, n_out)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            out = gather_mm_scatter(feats, weight, pairs, n_out)
            times.append((time.perf_counter() - start) * 1000.0)
    if args.out is not None:
        out.contiguous().numpy().astype("<f4").tofile(args.out)
    print(json.dumps({
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "repeats": args.repeats,
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "output_checksum": float(out.double().sum()),
        "output_abs_sum": float(out.double().abs().sum()),
        "pairs": int(sum(p[0].numel() for p in pairs)),
        # Recorded because a preset OPENBLAS_CORETYPE=Haswell halves matmul throughput on the dev machine.
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
