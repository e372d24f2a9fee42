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
            KernelMap map = cache.GetOrAdd(SubmanifoldKey(input.Stride, g), () =>
            {
                KernelMap built = input.Device.Backend.BuildSubmanifoldMap(input.Coords, g.KernelSize, g.Dilation);
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
                (KernelMap built, Tensor outCoords) = input.Device.Backend.BuildStridedMap(input.Coords, g);
                built.InputCoords = input.Coords;
                built.OutputCoords = outCoords;
                return built;
            });
            return new ResolvedMap(map, map.OutputCoords!, key.OutputStride, cache);
        }

        Int3 fineStride = FinerStride(input.Stride, g);
        if (g.Generative)
        {
            // Kept in the input's cache, so a backward (and a repeated forward) finds the very same map.
            KernelMap map = cache.GetOrAdd(GenerativeKey(input.Stride, g), () =>
            {
                (KernelMap built, Tensor outCoords) = input.Device.Backend.BuildStridedMap(input.Coords, g);
                built.InputCoords = input.Coords;
                built.OutputCoords = outCoords;
                return built;
            });

            // New coordinates at a stride the cache may already know with other coordinates: a fresh cache.
            return new ResolvedMap(map, map.OutputCoords!, fineStride, new KernelMapCache());
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

    /// <summary>
    /// The map a forward of <paramref name="g"/> on <paramref name="input"/> used, from the input's cache, never
    /// built here: a backward must run over the forward's own map. Not for pointwise layers, which have none.
    /// </summary>
    /// <exception cref="MissingKernelMapException">The cache holds no such map (no forward ran on this cache, or
    /// the cache was cleared since).</exception>
    public static KernelMap Find(SparseTensor input, ConvGeometry g)
    {
        KernelMapCache cache = input.Cache;
        if (g.Transposed && !g.Generative)
        {
            return Resolve(input, g).Map;
        }

        KernelMapKey key = g.IsSubmanifold ? SubmanifoldKey(input.Stride, g)
            : g.Generative ? GenerativeKey(input.Stride, g)
            : DownsampleKey(input.Stride, g);
        if (!cache.TryGetKernelMap(key, out KernelMap map))
        {
            throw new MissingKernelMapException(
                $"the backward of a conv ({g}) at tensor stride {input.Stride} needs the kernel map its forward "
                + $"built [{key}], and the input's cache has none. Run the forward on this tensor (same cache) first.");
        }

        if (map.InputCount != input.Count)
        {
            throw new ShapeMismatchException(
                $"the cached kernel map [{key}] has {map.InputCount} input rows but the input has {input.Count}.");
        }

        return map;
    }

    /// <summary>The downsample rule and padding do not shape a submanifold map: keep them out of the key.</summary>
    private static KernelMapKey SubmanifoldKey(Int3 inputStride, ConvGeometry g) =>
        new(KernelMapKind.Submanifold, inputStride, g.KernelSize, Int3.One, g.Dilation, new Int3(0, 0, 0),
            DownsampleRule.TorchSparse);

    /// <summary>A generative map does not depend on the downsample rule: keep it out of the key.</summary>
    private static KernelMapKey GenerativeKey(Int3 inputStride, ConvGeometry g) =>
        new(KernelMapKind.Generative, inputStride, g.KernelSize, g.Stride, g.Dilation, g.Padding, DownsampleRule.TorchSparse);

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
