using System.Runtime.InteropServices;

namespace Perception.Bench;

/// <summary>
/// The OpenBLAS reference for GEMM benchmarks: <c>cblas_sgemm</c> from <c>libopenblas.so.0</c> (Debian
/// libopenblas0-pthread). OpenBLAS reads <c>OPENBLAS_CORETYPE</c> once, when the library loads: this machine presets
/// it to Haswell, which forces the AVX2 kernels and halves throughput on Zen 5. Unsetting it from inside the process
/// is too late once the library is loaded, and the runtime copies the environment at startup anyway, so the scripts
/// that start a benchmark run it as <c>env -u OPENBLAS_CORETYPE ...</c>; <see cref="CoreTypeOverride"/> reports the
/// value the process saw so results can be flagged.
/// </summary>
public static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";

    // cblas enums (cblas.h).
    private const int RowMajor = 101;
    private const int NoTrans = 111;

    private static readonly Lazy<DllNotFoundException?> LoadError = new(TryLoad);

    /// <summary>The <c>OPENBLAS_CORETYPE</c> this process started with; null when unset (CPU detection runs).</summary>
    public static string? CoreTypeOverride => Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE");

    /// <summary>Whether the library could be loaded.</summary>
    public static bool IsAvailable => LoadError.Value is null;

    /// <summary>OpenBLAS's description of its build (version, DYNAMIC_ARCH, thread limit).</summary>
    public static string Config
    {
        get
        {
            EnsureLoaded();
            return Marshal.PtrToStringUTF8(openblas_get_config()) ?? "";
        }
    }

    /// <summary>The kernel set OpenBLAS picked for this CPU, e.g. "Cooperlake" (or "Haswell" when forced).</summary>
    public static string CoreName
    {
        get
        {
            EnsureLoaded();
            return Marshal.PtrToStringUTF8(openblas_get_corename()) ?? "";
        }
    }

    /// <summary>Threads OpenBLAS uses for the following calls in this process.</summary>
    public static void SetThreads(int threads)
    {
        EnsureLoaded();
        openblas_set_num_threads(threads);
    }

    /// <summary>Row-major <c>C [m x n] = alpha * A [m x k] * B [k x n] + beta * C</c> with row strides.</summary>
    public static void Sgemm(
        int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        EnsureLoaded();
        cblas_sgemm(RowMajor, NoTrans, NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static void EnsureLoaded()
    {
        if (LoadError.Value is { } error)
        {
            throw new DllNotFoundException(
                $"{Library} could not be loaded; install it with `apt-get install libopenblas0-pthread`.", error);
        }
    }

    private static DllNotFoundException? TryLoad()
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(Library));
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e;
        }
    }

    [LibraryImport(Library)]
    private static partial void cblas_sgemm(
        int order, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc);

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int threads);

    [LibraryImport(Library)]
    private static partial nint openblas_get_config();

    [LibraryImport(Library)]
    private static partial nint openblas_get_corename();
}
