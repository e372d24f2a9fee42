using System.Text;
using TorchSparse.Conv;
using TorchSparse.KernelMaps;

namespace TorchSparse.Tests.Oracles;

/// <summary>
/// One PyTorch-autograd sparse conv gradient case (written by tests/fixtures/gen_conv_grad_fixtures.py; format in
/// tests/fixtures/README.md): the forward's inputs as in <see cref="ConvFixture"/>, an output gradient, and the
/// expected gradients of the input features, the [K, Cin, Cout] weight and the bias, in float64.
/// </summary>
public sealed class ConvGradFixture
{
    private static readonly byte[] Magic = "TSCG"u8.ToArray();
    private static readonly byte[] EndMagic = "TEND"u8.ToArray();
    private const int FormatVersion = 1;

    private ConvGradFixture()
    {
    }

    /// <summary>Where the fixtures are copied next to the test assembly.</summary>
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "conv-grad");

    public string Name { get; private init; } = string.Empty;

    public string TorchVersion { get; private init; } = string.Empty;

    public ConvKind Kind { get; private init; }

    public DownsampleRule Rule { get; private init; }

    public Int3 KernelSize { get; private init; }

    public Int3 Stride { get; private init; }

    public Int3 Dilation { get; private init; }

    public Int3 Padding { get; private init; }

    public int InChannels { get; private init; }

    public int OutChannels { get; private init; }

    public int[] InputCoords { get; private init; } = [];

    public float[] InputFeats { get; private init; } = [];

    public float[] Weight { get; private init; } = [];

    /// <summary>Inverse only: the fine coords of the matching downsample, in their original row order.</summary>
    public int[]? TargetCoords { get; private init; }

    public int[] OutputCoords { get; private init; } = [];

    /// <summary>dL/dY [M, Cout] at the output coordinates (float32 values).</summary>
    public float[] OutputGrad { get; private init; } = [];

    /// <summary>Expected dL/dX [N, Cin] at the input coordinates.</summary>
    public double[] InputGrad { get; private init; } = [];

    /// <summary>Expected dL/dW [K, Cin, Cout].</summary>
    public double[] WeightGrad { get; private init; } = [];

    /// <summary>Expected dL/db [Cout].</summary>
    public double[] BiasGrad { get; private init; } = [];

    public int InputCount => InputCoords.Length / 4;

    public int OutputCount => OutputCoords.Length / 4;

    public int KernelVolume => KernelSize.Volume;

    /// <summary>Case names (file names without extension), sorted; empty when the fixtures were not copied.</summary>
    public static string[] Names() => System.IO.Directory.Exists(Directory)
        ? [.. System.IO.Directory.GetFiles(Directory, "*.bin").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Order(StringComparer.Ordinal)]
        : [];

    public static ConvGradFixture LoadCase(string name)
    {
        string path = Path.Combine(Directory, name + ".bin");
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
    }

    /// <summary>
    /// Runs the fixture's forward on the engine (which builds the kernel map into the input's cache) and returns what
    /// a backward needs: the forward's input, its weight tensor, its geometry and the forward's output.
    /// </summary>
    public (SparseTensor Input, Tensor Weight, ConvGeometry Geometry, SparseTensor Output) Forward(ConvConfig? config = null)
    {
        Tensor weight = KernelVolume == 1 && Kind == ConvKind.Submanifold
            ? Tensor.From(Weight, InChannels, OutChannels)
            : Tensor.From(Weight, KernelVolume, InChannels, OutChannels);
        Tensor feats = Tensor.From(InputFeats, InputCount, InChannels);
        Tensor coords = Tensor.From(InputCoords, InputCount, 4);
        SparseTensor input;
        ConvGeometry geometry;
        switch (Kind)
        {
            case ConvKind.Submanifold:
                input = new SparseTensor(feats, coords);
                geometry = new ConvGeometry(KernelSize, dilation: Dilation);
                break;
            case ConvKind.Downsample:
                input = new SparseTensor(feats, coords);
                geometry = new ConvGeometry(KernelSize, Stride, Dilation, Padding) { Rule = Rule };
                break;
            case ConvKind.Inverse:
                {
                    // The map comes from running the matching downsample on the fine coordinates first.
                    var down = new ConvGeometry(KernelSize, Stride, Dilation, Padding) { Rule = Rule };
                    int fine = TargetCoords!.Length / 4;
                    var fineTensor = new SparseTensor(Tensor.Zeros(DType.Float32, fine, 1), Tensor.From(TargetCoords, fine, 4));
                    SparseTensor coarse = SparseConv.Forward(
                        fineTensor, Tensor.Zeros(DType.Float32, KernelVolume, 1, 1), null, down);
                    input = new SparseTensor(feats, coarse.Coords, coarse.Stride, coarse.Cache);
                    geometry = down with { Transposed = true };
                    break;
                }

            case ConvKind.Generative:
                input = new SparseTensor(feats, coords, Stride);
                geometry = new ConvGeometry(KernelSize, Stride, Dilation, Padding) { Transposed = true, Generative = true };
                break;
            default:
                throw new InvalidOperationException($"unknown conv kind {Kind}");
        }

        SparseTensor output = SparseConv.Forward(input, weight, null, geometry, config);
        return (input, weight, geometry, output);
    }

    public override string ToString() => Name;

    private static ConvGradFixture Read(BinaryReader reader, long fileLength)
    {
        ConvFixture.Expect(reader.ReadBytes(4), Magic, "magic");
        int version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"format version {version}; this loader reads version {FormatVersion}.");
        }

        string torch = ConvFixture.ReadString(reader);
        _ = ConvFixture.ReadString(reader);
        _ = reader.ReadInt64();
        string name = ConvFixture.ReadString(reader);
        var kind = (ConvKind)reader.ReadInt32();
        int ruleCode = reader.ReadInt32();
        if (!Enum.IsDefined(kind) || ruleCode is < 0 or > 1)
        {
            throw new InvalidDataException($"unknown kind {(int)kind} or rule {ruleCode}.");
        }

        Int3 kernel = ConvFixture.ReadInt3(reader), stride = ConvFixture.ReadInt3(reader);
        Int3 dilation = ConvFixture.ReadInt3(reader), padding = ConvFixture.ReadInt3(reader);
        int cin = reader.ReadInt32(), cout = reader.ReadInt32();
        _ = reader.ReadInt32();
        _ = ConvFixture.ReadInt3(reader);
        _ = ConvFixture.ReadInt3(reader);
        var limit = new ConvFixture.ArrayLimit(fileLength);
        int[] inputCoords = ConvFixture.ReadInts(reader, 4, limit);
        float[] inputFeats = ConvFixture.ReadFloats(reader, cin, limit);
        float[] weight = ConvFixture.ReadFloats(reader, cin * cout, limit);
        int[]? targets = kind == ConvKind.Inverse ? ConvFixture.ReadInts(reader, 4, limit) : null;
        int[] outputCoords = ConvFixture.ReadInts(reader, 4, limit);
        float[] outputGrad = ConvFixture.ReadFloats(reader, cout, limit);
        double[] inputGrad = ConvFixture.ReadDoubles(reader, cin, limit);
        double[] weightGrad = ConvFixture.ReadDoubles(reader, cin * cout, limit);
        double[] biasGrad = ConvFixture.ReadDoubles(reader, cout, limit);
        ConvFixture.Expect(reader.ReadBytes(4), EndMagic, "end marker");
        if (inputFeats.Length != inputGrad.Length || weight.Length != weightGrad.Length
            || weight.Length != kernel.Volume * cin * cout || outputGrad.Length != outputCoords.Length / 4 * cout
            || biasGrad.Length != cout)
        {
            throw new InvalidDataException("array lengths do not fit the coords, channels and kernel volume.");
        }

        return new ConvGradFixture
        {
            Name = name, TorchVersion = torch, Kind = kind,
            Rule = ruleCode == 0 ? DownsampleRule.Spconv : DownsampleRule.TorchSparse,
            KernelSize = kernel, Stride = stride, Dilation = dilation, Padding = padding,
            InChannels = cin, OutChannels = cout, InputCoords = inputCoords, InputFeats = inputFeats, Weight = weight,
            TargetCoords = targets, OutputCoords = outputCoords, OutputGrad = outputGrad, InputGrad = inputGrad,
            WeightGrad = weightGrad, BiasGrad = biasGrad,
        };
    }
}
