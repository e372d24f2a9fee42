using TorchSparse;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace Pvcnn.Blocks;

/// <summary>Linear then BatchNorm1d then ReLU on point features (SPVCNN's point transforms), folded into one
/// layer after loading; in training the three steps run unfused (batch statistics, recorded on an active tape).</summary>
internal sealed class LinearBn(Linear linear, string linearPrefix, string normPrefix)
{
    private readonly BatchNorm norm = new(linear.OutFeatures);
    private Linear? folded;

    public int InFeatures => linear.InFeatures;

    public int OutFeatures => linear.OutFeatures;

    /// <summary>Batch statistics and no folding; set through the model.</summary>
    public bool Training
    {
        get => norm.Training;
        set => norm.Training = value;
    }

    public IEnumerable<NamedParameter> Parameters() =>
        linear.Parameters(linearPrefix).Concat(norm.Parameters(normPrefix));

    /// <summary>Folds the normalisation into the layer, on the device the model runs on.</summary>
    public void Prepare(Device device)
    {
        folded = linear.FoldBatchNorm(norm);
        if (device.Kind != DeviceKind.Cpu)
        {
            folded = folded.CopyTo(device);
        }
    }

    public Tensor Forward(Tensor x, ForwardProfile? profile)
    {
        profile?.AddMacs((long)x.Size(0) * InFeatures * OutFeatures);
        if (Training)
        {
            return FeatureOps.Relu(norm.Forward(linear.Forward(x)));
        }

        Linear layer = folded ?? throw new InvalidOperationException("LinearBn.Prepare was not called after loading.");
        return layer.Forward(x, relu: true);
    }
}
