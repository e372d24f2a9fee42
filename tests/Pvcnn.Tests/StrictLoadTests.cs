using TorchSparse;
using TorchSparse.Nn;

namespace Pvcnn.Tests;

/// <summary>Strict loading names every missing, unexpected and mis-shaped key, and loads nothing when it fails.</summary>
public sealed class StrictLoadTests
{
    [Fact]
    public void Own_state_dict_loads_exactly()
    {
        var model = new MinkUNet(0.5);
        Assert.True(model.Load(StateDictOf(model)).IsExactMatch);
    }

    [Fact]
    public void Missing_key_is_named()
    {
        var model = new MinkUNet(0.5);
        Dictionary<string, Tensor> sd = StateDictOf(model);
        sd.Remove("stage2.1.net.3.kernel");

        var e = Assert.Throws<StateDictMismatchException>(() => model.Load(sd, source: "ckpt.pt"));

        Assert.Equal(["stage2.1.net.3.kernel"], e.Report.Missing);
        Assert.Contains("stage2.1.net.3.kernel", e.Message, StringComparison.Ordinal);
        Assert.Contains("ckpt.pt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unexpected_key_is_named()
    {
        var model = new MinkUNet(0.5);
        Dictionary<string, Tensor> sd = StateDictOf(model);
        sd["stage5.0.net.0.kernel"] = Tensor.Zeros(DType.Float32, 8, 64, 64);

        var e = Assert.Throws<StateDictMismatchException>(() => model.Load(sd));

        Assert.Equal(["stage5.0.net.0.kernel"], e.Report.Unexpected);
        Assert.Contains("stage5.0.net.0.kernel", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_shape_names_the_key_and_both_shapes()
    {
        var model = new MinkUNet(0.5);
        Dictionary<string, Tensor> sd = StateDictOf(model);
        sd["stem.0.kernel"] = Tensor.Zeros(DType.Float32, 27, 4, 17);

        var e = Assert.Throws<StateDictMismatchException>(() => model.Load(sd));

        Assert.Contains("stem.0.kernel: expected float32 [27, 4, 16], checkpoint has float32 [27, 4, 17]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_strict_load_assigns_nothing()
    {
        var model = new MinkUNet(0.5);
        Dictionary<string, Tensor> sd = StateDictOf(model, fill: 7f);
        sd.Remove("classifier.0.bias");
        float before = KernelValue(model, "stem.0.kernel");

        Assert.Throws<StateDictMismatchException>(() => model.Load(sd));

        Assert.Equal(before, KernelValue(model, "stem.0.kernel"));
    }

    [Fact]
    public void Non_strict_load_reports_and_loads_the_rest()
    {
        var model = new MinkUNet(0.5);
        Dictionary<string, Tensor> sd = StateDictOf(model, fill: 7f);
        sd.Remove("classifier.0.bias");
        sd["extra"] = Tensor.Zeros(DType.Float32, 1);

        StateDictReport report = model.Load(sd, new StateDictOptions { Strict = false });

        Assert.Equal(["classifier.0.bias"], report.Missing);
        Assert.Equal(["extra"], report.Unexpected);
        Assert.Equal(7f, KernelValue(model, "stem.0.kernel"));
    }

    [Fact]
    public void MinkUNet_accepts_its_unused_point_transforms_and_SPVCNN_requires_them()
    {
        Dictionary<string, Tensor> spvcnn = StateDictOf(new Spvcnn(0.5));
        var minkunet = new MinkUNet(0.5);

        StateDictReport report = minkunet.Load(spvcnn);

        Assert.Equal(21, report.Ignored.Count);
        spvcnn.Remove("point_transforms.1.0.weight");
        var e = Assert.Throws<StateDictMismatchException>(() => new Spvcnn(0.5).Load(spvcnn));
        Assert.Equal(["point_transforms.1.0.weight"], e.Report.Missing);
    }

    [Fact]
    public void Float16_checkpoint_values_are_widened()
    {
        var model = new MinkUNet(0.5);
        Dictionary<string, Tensor> sd = StateDictOf(model, fill: 0.5f);
        sd["stem.0.kernel"] = sd["stem.0.kernel"].To(DType.Float16);

        model.Load(sd);

        Assert.Equal(0.5f, KernelValue(model, "stem.0.kernel"));
    }

    [Fact]
    public void Num_batches_tracked_may_be_absent_but_not_float()
    {
        var model = new MinkUNet(0.5);
        Dictionary<string, Tensor> sd = StateDictOf(model);
        foreach (string key in sd.Keys.Where(k => k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList())
        {
            sd.Remove(key);
        }

        Assert.True(model.Load(sd).IsExactMatch);
        sd["stem.1.num_batches_tracked"] = Tensor.Zeros(DType.Float32);
        var e = Assert.Throws<StateDictMismatchException>(() => model.Load(sd));
        Assert.Contains("stem.1.num_batches_tracked: expected int64 [], checkpoint has float32 []", e.Message, StringComparison.Ordinal);
    }

    internal static Dictionary<string, Tensor> StateDictOf(SegmentationModel model, float fill = 0.25f)
    {
        var sd = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (NamedParameter p in model.Parameters())
        {
            Tensor t = Tensor.Zeros(p.DType, p.Shape);
            if (p.DType == DType.Float32)
            {
                t.AsSpan<float>().Fill(p.Name.EndsWith("running_var", StringComparison.Ordinal) ? 1f : fill);
            }

            sd[p.Name] = t;
        }

        return sd;
    }

    private static float KernelValue(SegmentationModel model, string key) => model.StateDict()[key].AsSpan<float>()[0];
}
