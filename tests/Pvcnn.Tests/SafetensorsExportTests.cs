using TorchSparse;
using TorchSparse.Checkpoints;

namespace Pvcnn.Tests;

/// <summary>A model's state dict written as safetensors loads back into the same network, bit for bit.</summary>
public sealed class SafetensorsExportTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pvcnn-st-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("minkunet_cr0p5", "minkunet")]
    [InlineData("spvnas_subnet", "spvnas")]
    public void Exported_safetensors_reproduce_the_torch_checkpoint(string caseName, string architecture)
    {
        SegmentationModel fromTorch = PvcnnModels.Load(ModelFixtures.PathOf(caseName + ".pt"), architecture);
        string exported = Path.Combine(folder, caseName + ".safetensors");
        Safetensors.Save(exported, fromTorch.StateDict());

        SegmentationModel fromSafetensors = PvcnnModels.Load(exported, architecture);

        float[] scene = ModelFixtures.Scene();
        Tensor a = new SemanticSegmenter(fromTorch).Segment(scene).VoxelLogits;
        Tensor b = new SemanticSegmenter(fromSafetensors).Segment(scene).VoxelLogits;
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
    }
}
