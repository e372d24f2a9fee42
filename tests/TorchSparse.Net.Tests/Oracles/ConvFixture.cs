using System.Text;
using TorchSparse.KernelMaps;

namespace TorchSparse.Tests.Oracles;

/// <summary>The four sparse conv kinds a fixture can encode (the numeric values are the file's codes).</summary>
public enum ConvKind
{
    /// <summary>Stride 1, output coords = input coords: dense conv3d, centred for odd k, +j*d for even k.</summary>
    Submanifold = 0,

    /// <summary>Dense conv3d(stride, padding, dilation); outputs = cells whose receptive field holds an input.</summary>
    Downsample = 1,

    /// <summary>Dense conv_transpose3d of the coarse tensor sampled at the fine coords of the matching downsample.</summary>
    Inverse = 2,

    /// <summary>Dense conv_transpose3d; outputs = cells that receive a contribution from an input.</summary>
    Generative = 3,
}

/// <summary>
/// One PyTorch-generated sparse conv case (written by tests/fixtures/gen_conv_fixtures.py; format in
/// tests/fixtures/README.md). Coordinates are (b, x, y, z) rows; the weight is TorchSparse's [K, Cin, Cout].
/// </summary>
public sealed class ConvFixture
{
    private static readonly byte[] Magic = "TSCF"u8.ToArray();
    private static readonly byte[] EndMagic = "TEND"u8.ToArray();
    private const int FormatVersion = 1;

    private ConvFixture()
    {
    }

    /// <summary>Where the fixtures are copied next to the test assembly.</summary>
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "conv");

    public string Name { get; private init; } = string.Empty;

    public string TorchVersion { get; private init; } = string.Empty;

    public string NumpyVersion { get; private init; } = string.Empty;

    public long Seed { get; private init; }

    public ConvKind Kind { get; private init; }

    /// <summary>
    /// Spconv, or TorchSparse for the floor cases (stride == kernel, no padding): TorchSparse 2.1 takes the outputs as
    /// unique(floor(c / s)) and the map with dense-conv semantics, which gives the same coords and values. (True
    /// Minkowski semantics centre odd kernels on the output and differ.)
    /// </summary>
    public DownsampleRule Rule { get; private init; }

    public Int3 KernelSize { get; private init; }

    public Int3 Stride { get; private init; }

    public Int3 Dilation { get; private init; }

    /// <summary>Low-side padding of the equivalent dense op (submanifold: d*(k-1)/2 for odd k, 0 for even k).</summary>
    public Int3 Padding { get; private init; }

    public int InChannels { get; private init; }

    public int OutChannels { get; private init; }

    public int Batches { get; private init; }

    /// <summary>Dense extent of the input level (per-axis max + 1 of the generated voxels, TorchSparse's default).</summary>
    public Int3 InputGrid { get; private init; }

    /// <summary>Dense extent of the output level; for inverse it is the fine grid the targets live in.</summary>
    public Int3 OutputGrid { get; private init; }

    public int[] InputCoords { get; private init; } = [];

    public float[] InputFeats { get; private init; } = [];

    public float[] Weight { get; private init; } = [];

    /// <summary>Inverse only: the fine coords of the matching downsample, in their original row order.</summary>
    public int[]? TargetCoords { get; private init; }

    public int[] OutputCoords { get; private init; } = [];

    public double[] OutputFeats { get; private init; } = [];

    public int InputCount => InputCoords.Length / 4;

    public int OutputCount => OutputCoords.Length / 4;

    public int KernelVolume => KernelSize.Volume;

    /// <summary>Case names (file names without extension), sorted; empty when the fixtures were not copied.</summary>
    public static string[] Names() => System.IO.Directory.Exists(Directory)
        ? [.. System.IO.Directory.GetFiles(Directory, "*.bin").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Order(StringComparer.Ordinal)]
        : [];

    /// <summary>The case names as <c>[MemberData]</c>: one test per fixture, displayed by its readable name.</summary>
    public static TheoryData<string> All() => new(Names());

    public static ConvFixture LoadCase(string name) => Load(Path.Combine(Directory, name + ".bin"));

    public static ConvFixture Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            return Read(reader, stream.Length);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: the file ends early; regenerate the fixtures.", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    public override string ToString() => Name;

    private static ConvFixture Read(BinaryReader reader, long fileLength)
    {
        Expect(reader.ReadBytes(4), Magic, "magic");
        int version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"format version {version}; this loader reads version {FormatVersion}.");
        }

        string torch = ReadString(reader);
        string numpy = ReadString(reader);
        long seed = reader.ReadInt64();
        string name = ReadString(reader);
        var kind = (ConvKind)reader.ReadInt32();
        int ruleCode = reader.ReadInt32();
        if (!Enum.IsDefined(kind) || ruleCode is < 0 or > 1)
        {
            throw new InvalidDataException($"unknown kind {(int)kind} or rule {ruleCode}.");
        }

        Int3 kernel = ReadInt3(reader), stride = ReadInt3(reader), dilation = ReadInt3(reader);
        Int3 padding = ReadInt3(reader);
        int cin = reader.ReadInt32(), cout = reader.ReadInt32(), batches = reader.ReadInt32();
        Int3 inputGrid = ReadInt3(reader), outputGrid = ReadInt3(reader);
        var limit = new ArrayLimit(fileLength);
        int[] inputCoords = ReadInts(reader, 4, limit);
        float[] inputFeats = ReadFloats(reader, cin, limit);
        float[] weight = ReadFloats(reader, cin * cout, limit);
        int[]? targets = kind == ConvKind.Inverse ? ReadInts(reader, 4, limit) : null;
        int[] outputCoords = ReadInts(reader, 4, limit);
        double[] outputFeats = ReadDoubles(reader, cout, limit);
        Expect(reader.ReadBytes(4), EndMagic, "end marker");
        if (inputFeats.Length != inputCoords.Length / 4 * cin || weight.Length != kernel.Volume * cin * cout
            || outputFeats.Length != outputCoords.Length / 4 * cout)
        {
            throw new InvalidDataException("array lengths do not fit the coords, channels and kernel volume.");
        }

        return new ConvFixture
        {
            Name = name, TorchVersion = torch, NumpyVersion = numpy, Seed = seed, Kind = kind,
            Rule = ruleCode == 0 ? DownsampleRule.Spconv : DownsampleRule.TorchSparse,
            KernelSize = kernel, Stride = stride, Dilation = dilation, Padding = padding,
            InChannels = cin, OutChannels = cout, Batches = batches, InputGrid = inputGrid, OutputGrid = outputGrid,
            InputCoords = inputCoords, InputFeats = inputFeats, Weight = weight, TargetCoords = targets,
            OutputCoords = outputCoords, OutputFeats = outputFeats,
        };
    }

    internal static void Expect(byte[] actual, byte[] expected, string what)
    {
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidDataException($"bad {what}: expected '{Encoding.ASCII.GetString(expected)}'.");
        }
    }

    internal static string ReadString(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        if (length is < 0 or > 4096)
        {
            throw new InvalidDataException($"string length {length} is out of range.");
        }

        return Encoding.UTF8.GetString(reader.ReadBytes(length));
    }

    internal static Int3 ReadInt3(BinaryReader reader) => new(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());

    internal static int[] ReadInts(BinaryReader reader, int columns, ArrayLimit limit)
    {
        var values = new int[limit.Elements(reader.ReadInt32(), columns, sizeof(int))];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    internal static float[] ReadFloats(BinaryReader reader, int columns, ArrayLimit limit)
    {
        var values = new float[limit.Elements(reader.ReadInt32(), columns, sizeof(float))];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    internal static double[] ReadDoubles(BinaryReader reader, int columns, ArrayLimit limit)
    {
        var values = new double[limit.Elements(reader.ReadInt32(), columns, sizeof(double))];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>Rejects row counts that could not fit in the file before allocating (a corrupt count is not an OOM).</summary>
    internal sealed class ArrayLimit(long fileLength)
    {
        public int Elements(int rows, int columns, int elementSize)
        {
            long elements = (long)rows * columns;
            if (rows < 0 || columns < 0 || elements * elementSize > fileLength)
            {
                throw new InvalidDataException($"array of {rows} rows x {columns} does not fit in the file.");
            }

            return (int)elements;
        }
    }
}
