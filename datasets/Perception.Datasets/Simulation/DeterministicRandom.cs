namespace Perception.Datasets.Simulation;

/// <summary>
/// SplitMix64: a tiny generator with a fixed, documented algorithm, so a seed gives the same scene on every runtime
/// (System.Random's seeded sequence is an implementation detail).
/// </summary>
internal sealed class DeterministicRandom(ulong seed)
{
    private ulong state = seed;

    /// <summary>An independent generator for one part of a world (a street block, a traffic stream).</summary>
    public static DeterministicRandom ForKey(ulong seed, long key, int stream) =>
        new(Mix(seed ^ Mix((ulong)key * 0xD6E8FEB86659FD93UL) ^ Mix(0x8CB92BA72F3D8DD7UL * (ulong)(stream + 1))));

    public ulong NextUInt64()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double low, double high) => low + ((high - low) * NextDouble());

    public int Integer(int low, int highInclusive) => low + (int)(NextUInt64() % (ulong)(highInclusive - low + 1));

    public bool Chance(double probability) => NextDouble() < probability;

    public double Sign() => Chance(0.5) ? 1.0 : -1.0;

    /// <summary>The SplitMix64 finaliser: a bijective avalanche mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A uniform [0, 1) value that depends only on (seed, a, b, stream): per-ray noise that is the same whichever
    /// thread casts the ray and in whatever order.
    /// </summary>
    public static double Hash01(ulong seed, int a, int b, int stream)
    {
        ulong key = Mix(seed ^ Mix(((ulong)(uint)a << 32) | (uint)b) ^ Mix(0xD1B54A32D192ED03UL * (ulong)(stream + 1)));
        return (key >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>A standard normal value truncated to ±3 (Box–Muller on two hashed uniforms).</summary>
    public static double HashGaussian(ulong seed, int a, int b, int stream)
    {
        double u1 = 1.0 - Hash01(seed, a, b, stream);
        double u2 = Hash01(seed, a, b, stream + 1);
        double g = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Math.Clamp(g, -3.0, 3.0);
    }
}
