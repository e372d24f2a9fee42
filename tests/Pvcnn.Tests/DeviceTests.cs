using TorchSparse;
using TorchSparse.Gpu.OpenCl;

namespace Pvcnn.Tests;

/// <summary>What moving a model to another device allows: inference there, with inputs there; training stays on the
/// CPU, and mixing devices is a clear error, never a silent copy.</summary>
public sealed class DeviceTests
{
    private static Device Cl => OpenClDevices.Open();

    [Fact]
    public void A_moved_model_refuses_an_input_on_another_device()
    {
        SegmentationModel model = new MinkUNet([4, 4, 4, 4, 4, 4, 4, 4, 4]).To(Cl);
        (SparseTensor input, _) = SemanticSegmenter.Voxelize(ModelFixtures.Scene(), 0.05f);

        Assert.Throws<DeviceMismatchException>(() => model.Forward(input));
        Assert.Equal(Cl, model.Forward(input.CopyTo(Cl)).Device);
    }

    [Fact]
    public void Training_stays_on_the_cpu()
    {
        SegmentationModel model = new MinkUNet([4, 4, 4, 4, 4, 4, 4, 4, 4]).To(Cl);
        Assert.Throws<NotSupportedException>(() => model.Training = true);

        model.To(Device.Cpu).Training = true;
        Assert.Throws<NotSupportedException>(() => model.To(Cl));
    }

    [Fact]
    public void Parameters_stay_on_the_host_when_the_model_moves()
    {
        SegmentationModel model = new Spvcnn([4, 4, 4, 4, 4, 4, 4, 4, 4]).To(Cl);

        Assert.All(model.StateDict().Values, t => Assert.Equal(Device.Cpu, t.Device));
        Assert.All(model.ConvLayers, layer => Assert.Equal(Cl, layer.Weight.Device));
    }
}
