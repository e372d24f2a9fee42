using TorchSparse;
using TorchSparse.Nn;

namespace Pvcnn;

/// <summary>
/// A semantic-segmentation network on voxels: per input row (voxel) it returns one logit per class. Parameters load
/// from PyTorch state dicts under the original key names.
/// </summary>
public abstract class SegmentationModel
{
    private bool prepared;

    /// <summary>Architecture name as the CLI and the model zoo spell it: minkunet, spvcnn, spvnas.</summary>
    public abstract string Architecture { get; }

    /// <summary>Input feature channels (4 for SemanticKITTI: x, y, z, remission).</summary>
    public abstract int InChannels { get; }

    public abstract int Classes { get; }

    /// <summary>
    /// Training mode: BatchNorm on batch statistics (updating the running ones), nothing folded, every step recorded
    /// on an active <c>GradientTape</c>. Switching back to inference folds the updated parameters again.
    /// </summary>
    public bool Training
    {
        get;
        set
        {
            if (value && Device.Kind != DeviceKind.Cpu)
            {
                throw new NotSupportedException(
                    $"training runs on the CPU; this {Architecture} is on {Device}: call To(Device.Cpu) first.");
            }

            SetTraining(value);
            field = value;
            if (!value)
            {
                Prepare();
                prepared = true;
            }
        }
    }

    /// <summary>Voxel size in metres of the input pipeline the model was trained with (spvnas: 0.05).</summary>
    public float VoxelSize
    {
        get;
        set => field = value > 0 && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "the voxel size must be positive.");
    } = 0.05f;

    /// <summary>Where inference runs (the CPU unless <see cref="To"/> moved the model); inputs must be there too.</summary>
    public Device Device { get; private set; } = Device.Cpu;

    /// <summary>Learned parameters (not buffers), as the PyTorch original counts them.</summary>
    public long ParameterCount => Parameters().Where(p => !p.IsBuffer).Sum(p => p.Count);

    /// <summary>Checkpoint keys the original module has but never uses in its forward pass.</summary>
    protected virtual IReadOnlyList<string> UnusedKeyPrefixes => [];

    /// <summary>
    /// The convolutions that run (BatchNorm folded in), for choosing their dataflows: set <c>Config</c> per layer, or
    /// tune them with <c>ConvAutotuner.Tune</c>. A later <see cref="Load"/> rebuilds them with default configs.
    /// </summary>
    public IReadOnlyList<Conv3d> ConvLayers
    {
        get
        {
            EnsurePrepared();
            return RuntimeConvs();
        }
    }

    /// <summary>
    /// Runs inference on <paramref name="device"/> from now on (PyTorch's <c>model.to(device)</c>): the runtime layers
    /// (normalisation folded in) are rebuilt there, with default configs, while the parameters stay on the host where
    /// loading, saving and training happen. Returns this model.
    /// </summary>
    public SegmentationModel To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (Training && device.Kind != DeviceKind.Cpu)
        {
            throw new NotSupportedException($"training runs on the CPU; switch {Architecture} to inference before moving it to {device}.");
        }

        Device = device;
        if (!Training)
        {
            Prepare();
            prepared = true;
        }

        return this;
    }

    /// <summary>Every tensor the model expects in a state dict, with its key and shape.</summary>
    public abstract IEnumerable<NamedParameter> Parameters();

    /// <summary>The model's current parameters and buffers under their checkpoint keys (for saving).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() =>
        Parameters().ToDictionary(p => p.Name, p => p.Read(), StringComparer.Ordinal);

    /// <summary>Loads a state dict (strict by default: missing, unexpected or mis-shaped keys fail by name).</summary>
    /// <exception cref="StateDictMismatchException">A strict load found keys that do not fit.</exception>
    public StateDictReport Load(
        IReadOnlyDictionary<string, Tensor> stateDict, StateDictOptions? options = null, string? source = null)
    {
        options ??= new StateDictOptions();
        options = options with { IgnoredPrefixes = [.. options.IgnoredPrefixes, .. UnusedKeyPrefixes] };
        StateDictReport report = StateDictLoader.Load(Parameters(), stateDict, options, source);
        Prepare();
        prepared = true;
        return report;
    }

    /// <summary>
    /// Logits [input.Count, Classes], row i for input row i. The input holds voxel coordinates at stride 1 and
    /// <see cref="InChannels"/> features per voxel.
    /// </summary>
    public Tensor Forward(SparseTensor input, ForwardProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Channels != InChannels)
        {
            throw new ShapeMismatchException(
                $"{Architecture} expects {InChannels} input channels; the input has {input.Channels}.");
        }

        if (!input.Device.Equals(Device))
        {
            throw new DeviceMismatchException(
                $"{Architecture} runs on {Device} but the input is on {input.Device}: copy it with SparseTensor.CopyTo.");
        }

        if (input.Stride != (Int3)1)
        {
            throw new ShapeMismatchException($"{Architecture} expects a stride-1 input; got stride {input.Stride}.");
        }

        if (!Training)
        {
            EnsurePrepared();
        }

        return Run(input, profile);
    }

    private protected abstract IReadOnlyList<Conv3d> RuntimeConvs();

    /// <summary>The layer itself on the CPU, otherwise a copy on <see cref="Device"/> (parameters stay on the host).</summary>
    private protected Linear RuntimeCopy(Linear layer) => Device.Kind == DeviceKind.Cpu ? layer : layer.CopyTo(Device);

    /// <summary>Puts every layer in training or inference mode (the setter of <see cref="Training"/>).</summary>
    private protected abstract void SetTraining(bool training);

    private void EnsurePrepared()
    {
        if (!prepared)
        {
            Prepare();
            prepared = true;
        }
    }

    /// <summary>Folds normalisations into the layers after parameters change.</summary>
    private protected abstract void Prepare();

    private protected abstract Tensor Run(SparseTensor input, ForwardProfile? profile);
}
