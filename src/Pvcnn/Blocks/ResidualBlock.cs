using System.Diagnostics;
using TorchSparse;
using TorchSparse.Autograd;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace Pvcnn.Blocks;

/// <summary>
/// ReLU(second(first(x)) + shortcut(x)): two 3x3x3 ConvBn (the second without ReLU) and a 1x1x1 ConvBn shortcut
/// when the channel counts differ (or the checkpoint has one), identity otherwise.
/// </summary>
internal sealed class ResidualBlock(ConvBn first, ConvBn second, ConvBn? shortcut)
{
    public int InChannels => first.InChannels;

    public int OutChannels => second.OutChannels;

    public IEnumerable<NamedParameter> Parameters() =>
        first.Parameters().Concat(second.Parameters()).Concat(shortcut?.Parameters() ?? []);

    public IEnumerable<ConvBn> Units() => shortcut is null ? [first, second] : [first, second, shortcut];

    public void Prepare(Device device)
    {
        first.Prepare(device);
        second.Prepare(device);
        shortcut?.Prepare(device);
    }

    public SparseTensor Forward(SparseTensor x, ForwardProfile? profile)
    {
        SparseTensor hidden = first.Forward(x, profile);
        SparseTensor y = second.Forward(hidden, profile);
        TensorPool.Recycle(hidden.Feats);
        SparseTensor skip = shortcut?.Forward(x, profile) ?? x;
        long start = Stopwatch.GetTimestamp();
        SparseTensor result = SparseOps.AddRelu(y, skip);
        profile?.Add(ForwardProfile.Convs, start);
        TensorPool.Recycle(y.Feats);
        if (shortcut is not null)
        {
            TensorPool.Recycle(skip.Feats);
        }

        return result;
    }
}
