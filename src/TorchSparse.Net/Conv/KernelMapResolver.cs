using TorchSparse.KernelMaps;

namespace TorchSparse.Conv;

/// <summary>Where a convolution's output lives and which map connects it to the input.</summary>
internal readonly record struct ResolvedMap(KernelMap Map, Tensor OutCoords, Int3 OutStride, KernelMapCache OutCache);

/// <summary>
/// Finds or builds the kernel map a convolution needs in the input's <see cref="KernelMapCache"/>. Transposed
/// (inverse) convolutions only reuse the map of their downsampling layer; when it is missing that is an error.
/// </summary>
internal static class KernelMapResolver
{
    public static ResolvedMap Resolve(SparseTensor input, ConvGeometry g)
    {
        KernelMapCache cache = input.Cache;
        if (g.IsSubmanifold)
        {
            // The downsample rule and padding do not shape a submanifold map: keep them out of the key.
            var key = new KernelMapKey(KernelMapKind.Submanifold, input.Stride, g.KernelSize, Int3.One, g.Dilation,
                new Int3(0, 0, 0), DownsampleRule.TorchSparse);
            KernelMap map = cache.GetOrAdd(key, () =>
            {
                KernelMap built = KernelMapBuilder.Submanifold(input.Coords.AsSpan<int>(), g.KernelSize, g.Dilation);
                built.InputCoords = input.Coords;
                built.OutputCoords = input.Coords;
                return built;
            });
            return new ResolvedMap(map, input.Coords, input.Stride, cache);
        }

        if (!g.Transposed)
        {
            KernelMapKey key = DownsampleKey(input.Stride, g);
            KernelMap map = cache.GetOrAdd(key, () =>
            {
                (KernelMap built, int[] outCoords) = KernelMapBuilder.Downsample(
                    input.Coords.AsSpan<int>(), g.KernelSize, g.Stride, g.Dilation, g.Padding, g.Rule);
                built.InputCoords = input.Coords;
                built.OutputCoords = Tensor.From(outCoords, outCoords.Length / 4, 4);
                return built;
            });
            return new ResolvedMap(map, map.OutputCoords!, key.OutputStride, cache);
        }

        Int3 fineStride = FinerStride(input.Stride, g);
        if (g.Generative)
        {
            (KernelMap built, int[] outCoords) = KernelMapBuilder.Generative(
                input.Coords.AsSpan<int>(), g.KernelSize, g.Stride, g.Dilation, g.Padding);
            Tensor coords = Tensor.From(outCoords, outCoords.Length / 4, 4);
            built.InputCoords = input.Coords;
            built.OutputCoords = coords;

            // New coordinates at a stride the cache may already know with other coordinates: a fresh cache.
            return new ResolvedMap(built, coords, fineStride, new KernelMapCache());
        }

        KernelMapKey downKey = DownsampleKey(fineStride, g);
        if (!cache.TryGetKernelMap(downKey, out KernelMap down))
        {
            throw new MissingKernelMapException(
                $"transposed conv ({g}) at tensor stride {input.Stride} reuses the map of the downsampling conv "
                + $"[{downKey}], and this tensor's cache has none. Run that conv on the same cache first, "
                + "or use a generative transposed conv.");
        }

        if (down.OutputCount != input.Count)
        {
            throw new ShapeMismatchException(
                $"transposed conv input has {input.Count} rows but the matching downsample produced {down.OutputCount}.");
        }

        KernelMap transposed = down.Transposed;
        return new ResolvedMap(transposed, down.InputCoords!, fineStride, cache);
    }

    private static KernelMapKey DownsampleKey(Int3 inputStride, ConvGeometry g) =>
        new(KernelMapKind.Downsample, inputStride, g.KernelSize, g.Stride, g.Dilation, g.Padding, g.Rule);

    private static Int3 FinerStride(Int3 stride, ConvGeometry g)
    {
        if (stride.X % g.Stride.X != 0 || stride.Y % g.Stride.Y != 0 || stride.Z % g.Stride.Z != 0)
        {
            throw new ArgumentException(
                $"a transposed conv with stride {g.Stride} cannot apply at tensor stride {stride}: not divisible.",
                nameof(g));
        }

        return new Int3(stride.X / g.Stride.X, stride.Y / g.Stride.Y, stride.Z / g.Stride.Z);
    }
}
