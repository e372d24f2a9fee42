using TorchSparse;
using TorchSparse.Autograd;
using TorchSparse.Nn;

namespace Pvcnn.Blocks;

/// <summary>
/// The sparse encoder-decoder shared by MinkUNet, SPVCNN and SPVNAS: a two-conv stem at stride 1, four
/// downsampling stages (strides 2 to 16) and four upsampling stages back to stride 1 with skip concatenation.
/// The models differ in key names and in the point operations they put between stages.
/// </summary>
internal sealed class UNet(IReadOnlyList<ConvBn> stem, IReadOnlyList<UNetStage> down, IReadOnlyList<UNetStage> up)
{
    public IReadOnlyList<UNetStage> Down => down;

    public IReadOnlyList<UNetStage> Up => up;

    public int StemChannels => stem[^1].OutChannels;

    public IEnumerable<NamedParameter> Parameters() =>
        stem.SelectMany(c => c.Parameters())
            .Concat(down.SelectMany(s => s.Parameters()))
            .Concat(up.SelectMany(s => s.Parameters()));

    /// <summary>Puts every conv unit in training or inference mode.</summary>
    public void SetTraining(bool training)
    {
        foreach (ConvBn unit in stem.Concat(down.SelectMany(s => s.Units())).Concat(up.SelectMany(s => s.Units())))
        {
            unit.Training = training;
        }
    }

    /// <summary>Every runtime convolution, stem first.</summary>
    public IReadOnlyList<Conv3d> ConvLayers() =>
        stem.Concat(down.SelectMany(s => s.Units())).Concat(up.SelectMany(s => s.Units())).Select(u => u.Runtime).ToList();

    /// <summary>Folds every unit's normalisation, with the runtime layers on <paramref name="device"/>.</summary>
    public void Prepare(Device device)
    {
        foreach (ConvBn c in stem)
        {
            c.Prepare(device);
        }

        foreach (UNetStage s in down.Concat(up))
        {
            s.Prepare(device);
        }
    }

    public SparseTensor Stem(SparseTensor x, ForwardProfile? profile)
    {
        SparseTensor y = x;
        foreach (ConvBn c in stem)
        {
            SparseTensor next = c.Forward(y, profile);
            if (!ReferenceEquals(y, x))
            {
                TensorPool.Recycle(y.Feats);
            }

            y = next;
        }

        return y;
    }

    /// <summary>Gives the memory of dead intermediates back to the active pool (see <see cref="TensorPool"/>).</summary>
    public static void Recycle(params SparseTensor[] dead)
    {
        foreach (SparseTensor x in dead)
        {
            TensorPool.Recycle(x.Feats);
        }
    }
}
