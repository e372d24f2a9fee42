using TorchSparse;
using TorchSparse.Nn;

namespace Pvcnn.Blocks;

/// <summary>Linear then BatchNorm1d then ReLU on point features (SPVCNN's point transforms), folded into one
/// layer after loading.</summary>
internal sealed class LinearBn(Linear linear, string linearPrefix, string normPrefix)
{
    private readonly BatchNorm norm = new(linear.OutFeatures);
    private Linear? folded;

    public int InFeatures => linear.InFeatures;

    public int OutFeatures => linear.OutFeatures;

    public IEnumerable<NamedParameter> Parameters() =>
        linear.Parameters(linearPrefix).Concat(norm.Parameters(normPrefix));

    public void Prepare() => folded = linear.FoldBatchNorm(norm);

    public Tensor Forward(Tensor x, ForwardProfile? profile)
    {
        Linear layer = folded ?? throw new InvalidOperationException("LinearBn.Prepare was not called after loading.");
        profile?.AddMacs((long)x.Size(0) * InFeatures * OutFeatures);
        return layer.Forward(x, relu: true);
    }
}
