using System.Diagnostics.CodeAnalysis;

namespace TorchSparse.Backends.Cpu;

/// <summary>Cold throw paths of the CPU kernels, out of line so the validating callers stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowShape(string message) => throw new ShapeMismatchException(message);

    [DoesNotReturn]
    public static void ThrowNegative(string name, long value) =>
        throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");

    [DoesNotReturn]
    public static void ThrowOutOfRange(string name, long value, string rule) =>
        throw new ArgumentOutOfRangeException(name, value, rule);

    [DoesNotReturn]
    public static void ThrowNull(string name) => throw new ArgumentNullException(name);

    [DoesNotReturn]
    public static void ThrowOverlap(string name) =>
        throw new ArgumentException("must be the same memory as the destination or not overlap it.", name);
}
