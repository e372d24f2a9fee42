using Perception.Datasets.SemanticKitti;
using Pvcnn;

namespace Perception.Training;

/// <summary><c>model:</c> which network, and how wide.</summary>
public sealed class ModelSection
{
    /// <summary>minkunet or spvcnn (SPVNAS subnets come from a search, not from a config).</summary>
    public string Name { get; set; } = "minkunet";

    /// <summary>Channel ratio: widths int(cr · x) of MinkUNet's (32, 32, 64, 128, 256, 256, 128, 96, 96).</summary>
    public double Cr { get; set; } = 1.0;

    internal void Validate(ConfigChecks checks)
    {
        checks.Require(Name is "minkunet" or "spvcnn", "model.name", Name, "minkunet or spvcnn");
        checks.Require(Cr > 0 && Cr <= 4 && double.IsFinite(Cr), "model.cr", Cr, "a ratio in (0, 4]");
    }

    internal SegmentationModel Create(int classes) => Name == "spvcnn"
        ? new Spvcnn(Cr, inChannels: 4, classes: classes)
        : new MinkUNet(Cr, inChannels: 4, classes: classes);
}

/// <summary><c>dataset:</c> a SemanticKITTI-layout root (real, or written by <c>perception simulate</c>) and its
/// input pipeline.</summary>
public sealed class DatasetSection
{
    /// <summary>Folder holding <c>sequences/NN</c>; relative paths are relative to the config file.</summary>
    public string Root { get; set; } = "";

    public string[] TrainSequences { get; set; } = [.. KittiSplit.Train];

    public string[] ValSequences { get; set; } = [.. KittiSplit.Valid];

    /// <summary>Voxel edge in metres (spvnas: 0.05); the trained model keeps it.</summary>
    public double VoxelSize { get; set; } = 0.05;

    /// <summary>Voxel budget per training scan: larger scans keep a random subset (spvnas: 80,000).</summary>
    public int NumPoints { get; set; } = 80_000;

    internal void Validate(ConfigChecks checks)
    {
        checks.Require(Root.Length > 0, "dataset.root", Root, "the folder holding sequences/NN");
        checks.Require(TrainSequences.Length > 0, "dataset.train_sequences", "empty", "at least one sequence");
        checks.Require(VoxelSize > 0 && double.IsFinite(VoxelSize), "dataset.voxel_size", VoxelSize, "a positive size in metres");
        checks.Require(NumPoints >= 1, "dataset.num_points", NumPoints, "at least 1");
    }
}

/// <summary><c>augment:</c> the random transforms of each training scan (none at validation).</summary>
public sealed class AugmentSection
{
    /// <summary>Rotation about z by an angle uniform in [0, 2π) (spvnas: on).</summary>
    public bool Rotate { get; set; } = true;

    /// <summary>Scale factor uniform in [scale_min, scale_max] (spvnas: 0.95-1.05).</summary>
    public double ScaleMin { get; set; } = 0.95;

    public double ScaleMax { get; set; } = 1.05;

    /// <summary>Mirror y → −y with probability ½ (left/right traffic); x is never flipped, the sensor looks forward.</summary>
    public bool FlipY { get; set; }

    /// <summary>Standard deviation in metres of Gaussian noise added to each point, clipped at 3σ (0: off).</summary>
    public double Jitter { get; set; }

    internal void Validate(ConfigChecks checks)
    {
        checks.Require(ScaleMin > 0 && ScaleMin <= ScaleMax, "augment.scale_min", ScaleMin, "0 < scale_min <= scale_max");
        checks.Require(Jitter >= 0 && Jitter < 1, "augment.jitter", Jitter, "metres in [0, 1)");
    }
}

/// <summary><c>train:</c> reproducibility and threads.</summary>
public sealed class TrainSection
{
    /// <summary>Seeds the shuffle and the augmentations; the same seed gives the same run.</summary>
    public int Seed { get; set; } = 1588147245;

    /// <summary>Background threads preparing batches.</summary>
    public int Workers { get; set; } = 1;

    /// <summary>Scans of each training sequence to use, every n-th (1: all).</summary>
    public int ScanStride { get; set; } = 1;

    internal void Validate(ConfigChecks checks)
    {
        checks.Require(Workers is >= 1 and <= 64, "train.workers", Workers, "1 to 64");
        checks.Require(ScanStride >= 1, "train.scan_stride", ScanStride, "at least 1");
    }
}

/// <summary><c>criterion:</c> the loss on voxel logits.</summary>
public sealed class CriterionSection
{
    /// <summary>cross_entropy, lovasz, or cross_entropy+lovasz (their sum).</summary>
    public string Name { get; set; } = "cross_entropy";

    public int IgnoreIndex { get; set; } = 255;

    internal void Validate(ConfigChecks checks) => checks.Require(
        Name is "cross_entropy" or "lovasz" or "cross_entropy+lovasz", "criterion.name", Name,
        "cross_entropy, lovasz or cross_entropy+lovasz");
}

/// <summary><c>optimizer:</c> SGD (spvnas: lr 0.24, momentum 0.9, nesterov, weight decay 1e-4) or AdamW.</summary>
public sealed class OptimizerSection
{
    public string Name { get; set; } = "sgd";

    public double Lr { get; set; } = 0.24;

    public double Momentum { get; set; } = 0.9;

    public bool Nesterov { get; set; } = true;

    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Largest global gradient norm before the step (0: no clipping).</summary>
    public double ClipGradNorm { get; set; }

    internal void Validate(ConfigChecks checks)
    {
        checks.Require(Name is "sgd" or "adamw", "optimizer.name", Name, "sgd or adamw");
        checks.Require(Lr > 0 && double.IsFinite(Lr), "optimizer.lr", Lr, "a positive rate");
        checks.Require(Momentum is >= 0 and < 1, "optimizer.momentum", Momentum, "[0, 1)");
        checks.Require(WeightDecay >= 0, "optimizer.weight_decay", WeightDecay, "at least 0");
        checks.Require(ClipGradNorm >= 0, "optimizer.clip_grad_norm", ClipGradNorm, "at least 0 (0: off)");
    }
}

/// <summary><c>scheduler:</c> the learning rate per iteration.</summary>
public sealed class SchedulerSection
{
    /// <summary>cosine_warmup (spvnas) or constant.</summary>
    public string Name { get; set; } = "cosine_warmup";

    /// <summary>Iterations of linear warm-up before the cosine.</summary>
    public int WarmupIters { get; set; }

    internal void Validate(ConfigChecks checks)
    {
        checks.Require(Name is "cosine_warmup" or "constant", "scheduler.name", Name, "cosine_warmup or constant");
        checks.Require(WarmupIters >= 0, "scheduler.warmup_iters", WarmupIters, "at least 0");
    }
}
