using System.Diagnostics;
using TorchSparse;
using TorchSparse.Autograd;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace Pvcnn.Blocks;

/// <summary>
/// One U-Net stage: a 2x2x2 ConvBn transition (stride-2 down in the encoder; transposed back onto the skip tensor's
/// coordinates in the decoder, then concatenated as [upsampled, skip]), followed by residual blocks.
/// </summary>
internal sealed class UNetStage(ConvBn transition, IReadOnlyList<ResidualBlock> blocks)
{
    public int OutChannels => blocks.Count > 0 ? blocks[^1].OutChannels : transition.OutChannels;

    public IEnumerable<NamedParameter> Parameters() =>
        transition.Parameters().Concat(blocks.SelectMany(b => b.Parameters()));

    public IEnumerable<ConvBn> Units() => blocks.SelectMany(b => b.Units()).Prepend(transition);

    public void Prepare(Device device)
    {
        transition.Prepare(device);
        foreach (ResidualBlock b in blocks)
        {
            b.Prepare(device);
        }
    }

    public SparseTensor Forward(SparseTensor x, ForwardProfile? profile, SparseTensor? skip = null)
    {
        // Everything made here is dead once the next step has read it; x and skip belong to the caller.
        SparseTensor y = transition.Forward(x, profile);
        if (skip is not null)
        {
            long start = Stopwatch.GetTimestamp();
            SparseTensor joined = SparseOps.Cat(y, skip);
            profile?.Add(ForwardProfile.Convs, start);
            TensorPool.Recycle(y.Feats);
            y = joined;
        }

        foreach (ResidualBlock b in blocks)
        {
            SparseTensor next = b.Forward(y, profile);
            TensorPool.Recycle(y.Feats);
            y = next;
        }

        return y;
    }
}
