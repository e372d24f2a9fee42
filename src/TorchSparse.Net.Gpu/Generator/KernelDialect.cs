namespace TorchSparse.Gpu.Generator;

/// <summary>The source languages one template renders to.</summary>
public enum KernelDialect
{
    /// <summary>OpenCL C 1.2 (with cl_khr_int64_base_atomics for the hash table).</summary>
    OpenCl,

    /// <summary>CUDA C++ for NVRTC.</summary>
    Cuda,
}

/// <summary>
/// The thin layer that lets one template text compile in both dialects: qualifiers, thread indices, barriers, the
/// few atomics the templates use, and float16 loads/stores through float32 registers. Templates use only these
/// names and the common subset of C99 and C++ (no overloading, no templates, C-style casts).
/// </summary>
internal static class DialectPrelude
{
    public static string For(KernelDialect dialect) => dialect switch
    {
        KernelDialect.OpenCl => OpenCl,
        KernelDialect.Cuda => Cuda,
        _ => throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "unknown kernel dialect"),
    };

    private const string OpenCl = """
        #pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
        #define KERNEL __kernel
        #define GLOBAL __global
        #define SHARED __local
        #define RESTRICT restrict
        #define INLINE inline
        #define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
        #define GROUP_ID(d) ((int)get_group_id(d))
        #define LOCAL_ID(d) ((int)get_local_id(d))
        #define GLOBAL_ID(d) ((long)get_global_id(d))
        #define GLOBAL_SIZE(d) ((long)get_global_size(d))
        typedef long i64;
        typedef ulong u64;
        typedef uint u32;
        typedef half half_t;
        #define LOAD_F32(p, i) ((p)[i])
        #define STORE_F32(p, i, v) ((p)[i] = (v))
        #define LOAD_F16(p, i) vload_half((i), (p))
        #define STORE_F16(p, i, v) vstore_half((v), (i), (p))
        #define VLOAD2_F32(p) vload2(0, (p))
        #define VLOAD4_F32(p) vload4(0, (p))
        #define SHARED_ATOMIC_OR(p, v) atomic_or((volatile __local int*)(p), (v))
        #define GLOBAL_CAS_U64(p, expected, desired) atom_cmpxchg((volatile __global ulong*)(p), (expected), (desired))
        #define GLOBAL_ATOMIC_MIN(p, v) atomic_min((volatile __global int*)(p), (v))
        #define GLOBAL_ATOMIC_MAX(p, v) atomic_max((volatile __global int*)(p), (v))
        #define RELU_F(v) ((v) < 0.0f ? 0.0f : (v))
        #define FLOORF(a) floor(a)

        """;

    private const string Cuda = """
        #define KERNEL extern "C" __global__
        #define GLOBAL
        #define SHARED __shared__
        #define RESTRICT __restrict__
        #define INLINE __device__ __forceinline__
        #define BARRIER() __syncthreads()
        #define GROUP_ID(d) ((int)((d) == 0 ? blockIdx.x : (d) == 1 ? blockIdx.y : blockIdx.z))
        #define LOCAL_ID(d) ((int)((d) == 0 ? threadIdx.x : (d) == 1 ? threadIdx.y : threadIdx.z))
        #define GLOBAL_ID(d) ((long long)((d) == 0 ? blockIdx.x * blockDim.x + threadIdx.x \
            : (d) == 1 ? blockIdx.y * blockDim.y + threadIdx.y : blockIdx.z * blockDim.z + threadIdx.z))
        #define GLOBAL_SIZE(d) ((long long)((d) == 0 ? gridDim.x * blockDim.x \
            : (d) == 1 ? gridDim.y * blockDim.y : gridDim.z * blockDim.z))
        typedef long long i64;
        typedef unsigned long long u64;
        typedef unsigned int u32;
        typedef unsigned short half_t;
        __device__ __forceinline__ float half_to_float(half_t h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
        __device__ __forceinline__ half_t float_to_half(float f) { half_t h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
        #define LOAD_F32(p, i) ((p)[i])
        #define STORE_F32(p, i, v) ((p)[i] = (v))
        #define LOAD_F16(p, i) half_to_float((p)[i])
        #define STORE_F16(p, i, v) ((p)[i] = float_to_half(v))
        #define VLOAD2_F32(p) (*(const float2*)(p))
        #define VLOAD4_F32(p) (*(const float4*)(p))
        #define SHARED_ATOMIC_OR(p, v) atomicOr((int*)(p), (v))
        #define GLOBAL_CAS_U64(p, expected, desired) atomicCAS((u64*)(p), (u64)(expected), (u64)(desired))
        #define GLOBAL_ATOMIC_MIN(p, v) atomicMin((int*)(p), (v))
        #define GLOBAL_ATOMIC_MAX(p, v) atomicMax((int*)(p), (v))
        #define RELU_F(v) ((v) < 0.0f ? 0.0f : (v))
        #define FLOORF(a) floorf(a)

        """;
}
