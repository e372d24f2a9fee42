using TorchSparse.KernelMaps;

namespace TorchSparse.Conv;

/// <summary>
/// The shape of a sparse convolution: kernel, stride, dilation, padding, direction and output rule.
/// Stride 1 and not transposed is submanifold (output coordinates = input coordinates).
/// </summary>
public sealed record ConvGeometry
{
    public ConvGeometry(Int3 kernelSize, Int3? stride = null, Int3? dilation = null, Int3? padding = null)
    {
        kernelSize.RequirePositive(nameof(kernelSize));
        KernelSize = kernelSize;
        Stride = stride ?? Int3.One;
        Dilation = dilation ?? Int3.One;
        Padding = padding ?? new Int3(0, 0, 0);
        Stride.RequirePositive(nameof(stride));
        Dilation.RequirePositive(nameof(dilation));
        if (Padding.X < 0 || Padding.Y < 0 || Padding.Z < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), Padding, "padding must be >= 0 on every axis.");
        }
    }

    public Int3 KernelSize { get; }

    public Int3 Stride { get; }

    public Int3 Dilation { get; }

    public Int3 Padding { get; }

    /// <summary>Transposed: maps a coarse tensor back to finer coordinates.</summary>
    public bool Transposed { get; init; }

    /// <summary>With <see cref="Transposed"/>: create new output coordinates instead of reusing the downsample's input.</summary>
    public bool Generative { get; init; }

    public DownsampleRule Rule { get; init; } = DownsampleRule.TorchSparse;

    public int KernelVolume => KernelSize.Volume;

    public bool IsSubmanifold => !Transposed && Stride.AllEqual(1);

    /// <summary>A 1x1x1 stride-1 layer is a plain matrix product over the rows.</summary>
    public bool IsPointwise => KernelSize.AllEqual(1) && Stride.AllEqual(1) && !Transposed;

    public override string ToString() =>
        $"k={KernelSize} s={Stride} d={Dilation} p={Padding}{(Transposed ? Generative ? " generative" : " transposed" : string.Empty)}";

    internal void Validate()
    {
        if (Generative && !Transposed)
        {
            throw new ArgumentException("a generative convolution must also be transposed.", nameof(Generative));
        }
    }
}
