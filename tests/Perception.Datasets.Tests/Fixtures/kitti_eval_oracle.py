#!/usr/bin/python3
"""Independent oracle for the SemanticKITTI scores: writes a few generated scans (ground truth and prediction
.label files) to kitti_eval/ and the IoUs the two reference rules give on them to kitti_eval/expected.json.

Both rules are implemented here literally, from their sources, with numpy (Debian's /usr/bin/python3, numpy 1.24):
  * official: semantic-kitti-api evaluate_semantics.py + auxiliary/np_ioueval.py. Labels read as int32, masked with
    0xFFFF, remapped with learning_map (semantic-kitti.yaml); np.add.at into a 20x20 matrix (rows prediction,
    columns ground truth); ignored columns (class 0) zeroed; IoU = tp / (tp + fp + fn + 1e-15); mean over classes
    1..19; accuracy = tp.sum() / (tp[include].sum() + fp[include].sum() + 1e-15).
  * spvnas: core/datasets/semantic_kitti.py builds its label map from label_name_mapping and kept_labels (ignore =
    255); core/callbacks.py MeanIoU drops targets 255, counts seen / correct / positive per class 0..18 and gives
    IoU 1 to a class with no ground truth.

Run: /usr/bin/python3 tests/Perception.Datasets.Tests/Fixtures/kitti_eval_oracle.py
"""
import json
import os

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kitti_eval")

# semantic-kitti.yaml learning_map and learning_map_inv.
LEARNING_MAP = {
    0: 0, 1: 0, 10: 1, 11: 2, 13: 5, 15: 3, 16: 5, 18: 4, 20: 5, 30: 6, 31: 7, 32: 8, 40: 9, 44: 10, 48: 11,
    49: 12, 50: 13, 51: 14, 52: 0, 60: 9, 70: 15, 71: 16, 72: 17, 80: 18, 81: 19, 99: 0, 252: 1, 253: 7, 254: 6,
    255: 8, 256: 5, 257: 5, 258: 4, 259: 5,
}
LEARNING_MAP_INV = [0, 10, 11, 15, 18, 20, 30, 31, 32, 40, 44, 48, 49, 50, 51, 70, 71, 72, 80, 81]
IGNORE = [0]

# spvnas core/datasets/semantic_kitti.py.
LABEL_NAMES = {
    0: "unlabeled", 1: "outlier", 10: "car", 11: "bicycle", 13: "bus", 15: "motorcycle", 16: "on-rails",
    18: "truck", 20: "other-vehicle", 30: "person", 31: "bicyclist", 32: "motorcyclist", 40: "road",
    44: "parking", 48: "sidewalk", 49: "other-ground", 50: "building", 51: "fence", 52: "other-structure",
    60: "lane-marking", 70: "vegetation", 71: "trunk", 72: "terrain", 80: "pole", 81: "traffic-sign",
    99: "other-object", 252: "moving-car", 253: "moving-bicyclist", 254: "moving-person",
    255: "moving-motorcyclist", 256: "moving-on-rails", 257: "moving-bus", 258: "moving-truck",
    259: "moving-other-vehicle",
}
KEPT = ["road", "sidewalk", "parking", "other-ground", "building", "car", "truck", "bicycle", "motorcycle",
        "other-vehicle", "vegetation", "trunk", "terrain", "person", "bicyclist", "motorcyclist", "fence", "pole",
        "traffic-sign"]


def spvnas_label_map():
    label_map = np.zeros(260)
    by_name = {}
    count = 0
    for label_id, name in LABEL_NAMES.items():
        if label_id > 250:
            static = name.replace("moving-", "")
            label_map[label_id] = by_name[static] if static in KEPT else 255
        elif label_id == 0:
            label_map[label_id] = 255
        elif name in KEPT:
            label_map[label_id] = count
            by_name[name] = count
            count += 1
        else:
            label_map[label_id] = 255
    assert count == 19
    return label_map.astype(np.int64)


def official(pairs):
    remap = np.zeros(max(LEARNING_MAP) + 100, dtype=np.int32)
    remap[list(LEARNING_MAP.keys())] = list(LEARNING_MAP.values())
    n = len(LEARNING_MAP_INV)
    conf = np.zeros((n, n), dtype=np.int64)
    for truth_file, prediction_file in pairs:
        truth = remap[np.fromfile(truth_file, dtype=np.int32) & 0xFFFF]
        prediction = remap[np.fromfile(prediction_file, dtype=np.int32) & 0xFFFF]
        np.add.at(conf, tuple(np.stack((prediction, truth), axis=0)), 1)
    include = np.array([c for c in range(n) if c not in IGNORE], dtype=np.int64)
    conf = conf.copy()
    conf[:, IGNORE] = 0
    tp = np.diag(conf)
    fp = conf.sum(axis=1) - tp
    fn = conf.sum(axis=0) - tp
    union = tp + fp + fn + 1e-15
    iou = tp / union
    miou = (tp[include] / union[include]).mean()
    accuracy = tp.sum() / (tp[include].sum() + fp[include].sum() + 1e-15)
    return {"iou": [float(v) for v in iou], "miou": float(miou), "accuracy": float(accuracy)}


def spvnas(pairs):
    label_map = spvnas_label_map()
    seen = np.zeros(19)
    correct = np.zeros(19)
    positive = np.zeros(19)
    for truth_file, prediction_file in pairs:
        targets = label_map[np.fromfile(truth_file, dtype=np.int32) & 0xFFFF]
        outputs = label_map[np.fromfile(prediction_file, dtype=np.int32) & 0xFFFF]
        outputs = outputs[targets != 255]
        targets = targets[targets != 255]
        for i in range(19):
            seen[i] += np.sum(targets == i)
            correct[i] += np.sum((targets == i) & (outputs == targets))
            positive[i] += np.sum(outputs == i)
    ious = [1.0 if seen[i] == 0 else float(correct[i] / (seen[i] + positive[i] - correct[i])) for i in range(19)]
    return {"iou": ious, "miou": float(np.mean(ious))}


def scans(rng):
    """Ground truth over every raw id except motorcyclist (32, 255) and bicyclist (31, 253): so motorcyclist is in
    neither side and bicyclist only in predictions. Predictions: the true class's learning_map_inv id 70% of the
    time, else any learning_map_inv id (0 included), an ignored raw id (52, 99) or on-rails (16)."""
    truth_ids = np.array([i for i in LEARNING_MAP if i not in (31, 32, 253, 255)], dtype=np.uint32)
    guess_ids = np.array([i for i in LEARNING_MAP_INV if i != 32] + [52, 99, 16], dtype=np.uint32)
    for size in (1000, 1777, 3):
        truth_raw = rng.choice(truth_ids, size)
        instance = rng.integers(0, 1 << 16, size, dtype=np.uint32) << np.uint32(16)
        truth = truth_raw | instance
        right = np.array([LEARNING_MAP_INV[LEARNING_MAP[int(i)]] for i in truth_raw], dtype=np.uint32)
        prediction = np.where(rng.random(size) < 0.7, right, rng.choice(guess_ids, size)).astype(np.uint32)
        prediction |= rng.integers(0, 1 << 16, size, dtype=np.uint32) << np.uint32(16)
        yield truth, prediction


def main():
    os.makedirs(HERE, exist_ok=True)
    rng = np.random.default_rng(20250412)
    names = []
    for k, (truth, prediction) in enumerate(scans(rng)):
        truth.astype("<u4").tofile(os.path.join(HERE, f"scan{k}.truth.label"))
        prediction.astype("<u4").tofile(os.path.join(HERE, f"scan{k}.prediction.label"))
        names.append({"truth": f"scan{k}.truth.label", "prediction": f"scan{k}.prediction.label"})
    pairs = [(os.path.join(HERE, s["truth"]), os.path.join(HERE, s["prediction"])) for s in names]
    expected = {
        "numpy": np.__version__,
        "scans": names,
        "official": official(pairs),
        "spvnas": spvnas(pairs),
    }
    with open(os.path.join(HERE, "expected.json"), "w") as out:
        json.dump(expected, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
