namespace Pvcnn.Tests;

/// <summary>
/// <see cref="SemanticSegmenter"/> recycles each pass's intermediates into the next layers and the next pass. A
/// tensor recycled while still in use would throw when read or be overwritten, so several passes must give the
/// bits of the model run without a pool, and an earlier pass's logits must stay readable and unchanged.
/// </summary>
public sealed class PooledPassTests
{
    [Theory]
    [InlineData("minkunet_cr0p5", "minkunet")]
    [InlineData("spvcnn_cr1p0", "spvcnn")]
    [InlineData("spvnas_subnet", "spvnas")]
    public void Repeated_passes_give_the_unpooled_bits(string caseName, string architecture)
    {
        SegmentationModel model = PvcnnModels.Load(ModelFixtures.PathOf(caseName + ".pt"), architecture);
        float[] scene = ModelFixtures.Scene();
        float[] unpooled = model.Forward(SemanticSegmenter.Voxelize(scene, model.VoxelSize).Input).ToArray<float>();

        var segmenter = new SemanticSegmenter(model);
        SegmentationResult first = segmenter.Segment(scene);
        for (int pass = 0; pass < 3; pass++)
        {
            Assert.Equal(unpooled, segmenter.Segment(scene).VoxelLogits.ToArray<float>());
        }

        Assert.Equal(unpooled, first.VoxelLogits.ToArray<float>());
    }
}
