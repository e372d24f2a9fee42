namespace TorchSparse.KernelMaps;

/// <summary>How a strided convolution chooses its output coordinates.</summary>
public enum DownsampleRule
{
    /// <summary>TorchSparse 2.1 "spconv" mode: floor-and-unique when stride is 1 or equals the kernel on every axis,
    /// otherwise the spconv rule.</summary>
    TorchSparse,

    /// <summary>Every output cell whose receptive field holds an input (dense conv3d with padding, stride, dilation).</summary>
    Spconv,

    /// <summary>unique(floor(c / stride)), with the kernel centred on the output (MinkowskiEngine).</summary>
    Minkowski,
}

/// <summary>The kind of map: same coordinates in and out, new coarser coordinates, or new finer coordinates.</summary>
public enum KernelMapKind
{
    Submanifold,
    Downsample,
    Generative,
}

/// <summary>Identifies a kernel map in a <see cref="KernelMapCache"/>. Dilation is part of the key and of the map.</summary>
public readonly record struct KernelMapKey(
    KernelMapKind Kind,
    Int3 InputStride,
    Int3 KernelSize,
    Int3 Stride,
    Int3 Dilation,
    Int3 Padding,
    DownsampleRule Rule)
{
    /// <summary>Tensor stride of the map's outputs.</summary>
    public Int3 OutputStride => Kind switch
    {
        KernelMapKind.Generative => new Int3(InputStride.X / Stride.X, InputStride.Y / Stride.Y, InputStride.Z / Stride.Z),
        _ => InputStride * Stride,
    };

    public override string ToString() =>
        $"{Kind} k={KernelSize} s={Stride} d={Dilation} p={Padding} at tensor stride {InputStride} ({Rule})";
}
