using System.Globalization;
using System.Text;
using TorchSparse.Conv;

namespace TorchSparse.Gpu.Generator;

/// <summary>One rendered kernel: its entry-point name and the complete program text.</summary>
public sealed record GeneratedKernel(string Name, string Source, KernelSpec Spec);

/// <summary>
/// Renders a <see cref="KernelSpec"/> as kernel source: the dialect prelude, the spec as preprocessor constants, then
/// the family's template. Templates are written once; the constants specialise them (tile sizes, vector width,
/// bound checks, sorting, epilogue), so the compiler sees fixed trip counts and drops the branches a spec rules out.
/// </summary>
public static class KernelGenerator
{
    public static GeneratedKernel Render(KernelSpec spec, KernelDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var source = new StringBuilder();
        source.Append(DialectPrelude.For(dialect));
        source.Append(CultureInfo.InvariantCulture, $"// generated: {spec}\n");
        Define(source, "NAME", spec.Name);
        DefineElement(source, spec);
        KernelTiling t = spec.Tiling;
        Define(source, "TILE_M", t.TileM);
        Define(source, "TILE_N", t.TileN);
        Define(source, "TILE_K", t.TileK);
        Define(source, "THREADS_M", t.ThreadsM);
        Define(source, "THREADS_N", t.ThreadsN);
        Define(source, "THREADS", t.ThreadsM * t.ThreadsN);
        Define(source, "REG_M", t.TileM / t.ThreadsM);
        Define(source, "REG_N", t.TileN / t.ThreadsN);
        Define(source, "VEC", VectorWidth(spec));
        Define(source, "CHECK_K", spec.InputChannelDivisor % t.TileK != 0 ? 1 : 0);
        Define(source, "CHECK_N", spec.OutputChannelDivisor % t.TileN != 0 ? 1 : 0);
        Define(source, "SORTED", spec.SortedMasks ? 1 : 0);
        Define(source, "SPLITS", spec.MaskSplits);
        Define(source, "AFFINE", spec.AffineEpilogue ? 1 : 0);
        Define(source, "RELU", spec.ReluEpilogue ? 1 : 0);
        Define(source, "TRANS_A", spec.TransposeA ? 1 : 0);
        Define(source, "TRANS_B", spec.TransposeB ? 1 : 0);
        Define(source, "INDEXED_A", spec.IndexedA ? 1 : 0);
        Define(source, "INDEXED_B", spec.IndexedB ? 1 : 0);
        Define(source, "INDEXED_C", spec.IndexedC ? 1 : 0);
        Define(source, "ACCUMULATE", spec.Accumulate ? 1 : 0);
        Define(source, "OP", (int)spec.Elementwise);
        source.Append('\n');
        source.Append(Template(spec.Family));
        return new GeneratedKernel(spec.Name, source.ToString(), spec);
    }

    /// <summary>The vector width the kernel really uses: the widest up to the tiling's that divides both channel
    /// counts (so a vector never straddles a row end), float32 only; otherwise scalar loads.</summary>
    internal static int VectorWidth(KernelSpec spec)
    {
        int v = spec.Element == ScalarType.Float32 ? spec.Tiling.VectorWidth : 1;
        while (v > 1 && (spec.InputChannelDivisor % v != 0 || spec.OutputChannelDivisor % v != 0))
        {
            v /= 2;
        }

        return v;
    }

    private static string Template(KernelFamily family) => family switch
    {
        KernelFamily.ImplicitGemm => GemmTemplates.ImplicitGemm,
        KernelFamily.IndexedGemm => GemmTemplates.IndexedGemm,
        KernelFamily.Gather => RowTemplates.Gather,
        KernelFamily.ScatterAdd => RowTemplates.ScatterAdd,
        KernelFamily.SplitSum => RowTemplates.SplitSum,
        KernelFamily.Elementwise => RowTemplates.Elementwise,
        KernelFamily.BatchNormActivation => RowTemplates.BatchNormActivation,
        KernelFamily.ColumnSums => RowTemplates.ColumnSums,
        KernelFamily.Transpose => RowTemplates.Transpose,
        KernelFamily.HashBuild => CoordinateTemplates.HashBuild,
        KernelFamily.HashQuery => CoordinateTemplates.HashQuery,
        KernelFamily.SubmanifoldMap => CoordinateTemplates.SubmanifoldMap,
        KernelFamily.PointQuery => PointVoxelTemplates.PointQuery,
        KernelFamily.Voxelize => PointVoxelTemplates.Voxelize,
        KernelFamily.Devoxelize => PointVoxelTemplates.Devoxelize,
        KernelFamily.CoordinateBounds => StridedMapTemplates.CoordinateBounds,
        KernelFamily.StridedKeys => StridedMapTemplates.StridedKeys,
        KernelFamily.BitonicSortStep => StridedMapTemplates.BitonicSortStep,
        KernelFamily.UniqueFlags => StridedMapTemplates.UniqueFlags,
        KernelFamily.ScanBlocks => StridedMapTemplates.ScanBlocks,
        KernelFamily.AddBlockSums => StridedMapTemplates.AddBlockSums,
        KernelFamily.CompactKeys => StridedMapTemplates.CompactKeys,
        KernelFamily.StridedMap => StridedMapTemplates.StridedMap,
        KernelFamily.MapFinish => StridedMapTemplates.MapFinish,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "no template for this kernel family"),
    };

    private static void DefineElement(StringBuilder source, KernelSpec spec)
    {
        bool half = spec.Element == ScalarType.Float16;
        Define(source, "ELEM", half ? "half_t" : "float");
        Define(source, "LOAD(p, i)", half ? "LOAD_F16(p, i)" : "LOAD_F32(p, i)");
        Define(source, "STORE(p, i, v)", half ? "STORE_F16(p, i, v)" : "STORE_F32(p, i, v)");
    }

    private static void Define(StringBuilder source, string name, object value) =>
        source.Append(CultureInfo.InvariantCulture, $"#define {name} {value}\n");
}
