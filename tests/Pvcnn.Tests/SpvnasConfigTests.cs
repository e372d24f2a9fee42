using System.Text.Json.Nodes;

namespace Pvcnn.Tests;

/// <summary>SPVNAS loads through its model-zoo layout (net.config + init) and the config is checked against the
/// checkpoint's tensors.</summary>
public sealed class SpvnasConfigTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("spvnas-zoo-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Zoo_folder_and_net_config_path_load_the_same_subnet()
    {
        ZooFolder(Config());

        SegmentationModel byFolder = PvcnnModels.Load(folder);
        SegmentationModel byConfig = PvcnnModels.Load(Path.Combine(folder, "net.config"));

        Assert.IsType<Spvnas>(byFolder);
        Assert.Equal(ModelFixtures.Case("spvnas_subnet").GetProperty("parameters").GetInt64(), byConfig.ParameterCount);
        Assert.Equal([32, 32, 64, 128, 240, 224, 112, 80, 96], ((Spvnas)byConfig).StageWidths);
        Assert.Equal([2, 1, 2, 1, 1, 2, 1, 2], ((Spvnas)byConfig).Depths);
    }

    [Theory]
    [InlineData("output_channels", 4, "output_channels[4] = 256 but the checkpoint's tensors give 240")]
    [InlineData("downsample.1.feature", 2, "downsample.1.feature = 2 but the checkpoint's tensors give 1")]
    [InlineData("upsample.2.transition", 96, "upsample.2.transition = 96 but the checkpoint's tensors give 80")]
    [InlineData("downsample.2.feature.layers.1.net.layers.0", 176, "downsample.2.feature.layers.1.net.layers.0 = 176 but the checkpoint's tensors give 160")]
    [InlineData("point_transforms.1", 128, "point_transforms.1 = 128 but the checkpoint's tensors give 112")]
    [InlineData("num_classes", 20, "num_classes = 20 but the checkpoint's tensors give 19")]
    public void Config_that_disagrees_with_the_checkpoint_is_named(string key, int value, string message)
    {
        JsonObject config = Config();
        if (key == "output_channels")
        {
            config[key]![value] = 256;
        }
        else
        {
            config[key] = value;
        }

        ZooFolder(config);

        var e = Assert.Throws<ModelLoadException>(() => PvcnnModels.Load(folder));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_without_its_checkpoint_is_refused()
    {
        string config = Path.Combine(folder, "net.config");
        File.WriteAllText(config, Config().ToJsonString());

        var e = Assert.Throws<ModelLoadException>(() => PvcnnModels.Load(config));
        Assert.Contains("expected a file named init", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_config_is_refused_with_its_path()
    {
        ZooFolder(Config());
        File.WriteAllText(Path.Combine(folder, "net.config"), "{\"num_classes\": 19, ");

        var e = Assert.Throws<ModelLoadException>(() => PvcnnModels.Load(folder));
        Assert.Contains("net.config' is not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("num_classes", "19.5", "num_classes must be a positive integer")]
    [InlineData("num_classes", "4294967296", "num_classes must be a positive integer")]
    [InlineData("vres", "0", "vres must be a positive number of metres")]
    [InlineData("vres", "-0.05", "vres must be a positive number of metres")]
    [InlineData("vres", "1e-50", "vres must be a positive number of metres that fits a float; got 1e-50")]
    [InlineData("pres", "1e400", "pres must be a positive number of metres that fits a float; got 1e400")]
    public void Config_number_out_of_range_is_refused_naming_the_field(string field, string value, string message)
    {
        // Written as text: 1e400 and 4294967296 are valid JSON that no .NET number type reads.
        string path = Path.Combine(folder, "net.config");
        File.WriteAllText(path, MinimalConfig(field, value));

        var e = Assert.Throws<ModelLoadException>(() => SpvnasConfig.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_that_is_not_utf8_is_refused()
    {
        string path = Path.Combine(folder, "net.config");
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(MinimalConfig("x", "1"));
        bytes[Array.LastIndexOf(bytes, (byte)'x')] = 0xff; // in a property name, which JsonDocument decodes late
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelLoadException>(() => SpvnasConfig.Load(path));
        Assert.Contains($"'{path}' is not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    private static JsonObject Config() =>
        JsonNode.Parse(File.ReadAllText(ModelFixtures.PathOf("spvnas_subnet.net.config")))!.AsObject();

    /// <summary>The fields Load reads, as JSON text with <paramref name="field"/> set (or added) as
    /// <paramref name="value"/>.</summary>
    private static string MinimalConfig(string field, string value)
    {
        var fields = new Dictionary<string, string>
        {
            ["num_classes"] = "19",
            ["pres"] = "0.05",
            ["vres"] = "0.05",
            ["output_channels"] = "[32, 32, 64, 128, 240, 224, 112, 80, 96]",
        };
        fields[field] = value;
        return "{" + string.Join(", ", fields.Select(p => $"\"{p.Key}\": {p.Value}")) + "}";
    }

    private void ZooFolder(JsonObject config)
    {
        File.Copy(ModelFixtures.PathOf("spvnas_subnet.pt"), Path.Combine(folder, "init"), overwrite: true);
        File.WriteAllText(Path.Combine(folder, "net.config"), config.ToJsonString());
    }
}
