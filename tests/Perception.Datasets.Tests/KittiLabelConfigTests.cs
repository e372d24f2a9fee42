using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public class KittiLabelConfigTests
{
    // The shape of semantic-kitti-api's config files (Python yaml: True/False, "# bgr" colours), cut to a few ids;
    // moving-car keeps its own class as in semantic-kitti-all.yaml.
    private const string Config = """
        labels:
          0 : "unlabeled"
          10: "car"
          40: "road"
          60: "lane-marking"
          252: "moving-car"
        color_map: # bgr
          0 : [0, 0, 0]
          10: [245, 150, 100]
        learning_map:
          0 : 0     # "unlabeled"
          10: 1     # "car"
          40: 2     # "road"
          60: 2     # "lane-marking" to "road"
          252: 3    # "moving-car"
        learning_map_inv: # inverse of previous map
          0: 0
          1: 10
          2: 40
          3: 252
        learning_ignore:
          0: True
          1: False
          2: False
          3: False
        """;

    [Fact]
    public void Config_is_read()
    {
        KittiLabelConfig config = KittiLabelConfig.Parse(Config, "cut.yaml");

        Assert.Equal(4, config.ClassCount);
        Assert.Equal(2, config.LearningMap[60]);
        Assert.Equal(252, config.LearningMapInverse[3]);
        Assert.Equal("moving-car", config.ClassName(3));
        Assert.Equal(((byte)100, (byte)150, (byte)245), config.ColorMap[10]);
        Assert.Equal([0], config.IgnoredClasses);
    }

    [Fact]
    public void Config_classes_score_through_its_own_map()
    {
        var matrix = new KittiConfusionMatrix(EvaluationClasses.FromConfig(KittiLabelConfig.Parse(Config, "cut.yaml")));

        matrix.Add([10, 252, 40, 40, 10], [10, 252, 60, 0, 252]);
        IouReport report = matrix.Score(IouVariant.Official);

        Assert.Equal(["car", "road", "moving-car"], report.Classes.Select(c => c.Name));
        // car: TP 1, FP 1 (a moving car predicted car); road: lane-marking is road; moving-car: TP 1, FN 1
        Assert.Equal([0.5, 1, 0.5], report.Classes.Select(c => Math.Round(c.Iou, 12)));
    }

    [Fact]
    public void Missing_learning_ignore_ignores_class_zero()
    {
        string withoutIgnore = Config[..Config.IndexOf("learning_ignore", StringComparison.Ordinal)];

        Assert.Equal([0], KittiLabelConfig.Parse(withoutIgnore, "x.yaml").IgnoredClasses);
    }

    [Theory]
    [InlineData("labels: [unclosed", "line 2, column 1: malformed YAML")]
    [InlineData("- just\n- a list\n", "is not a YAML mapping of keys")]
    [InlineData("labels:\n  0: a\nlearning_map:\n  0: 0\n", "has no 'learning_map_inv' key")]
    [InlineData("labels:\n  0: a\nlearning_map:\n  0: zero\nlearning_map_inv:\n  0: 0\n", "line 4: learning_map[0] is 'zero', not an integer")]
    [InlineData("labels:\n  0: a\nlearning_map: 5\nlearning_map_inv:\n  0: 0\n", "line 3: 'learning_map' is not a mapping of ids")]
    [InlineData("labels:\n  0: a\nlearning_map:\n  x: 0\nlearning_map_inv:\n  0: 0\n", "line 4: learning_map: key 'x' is not an integer id")]
    [InlineData("labels:\n  0: a\nlearning_map:\n  10: 3\nlearning_map_inv:\n  0: 0\n", "learning_map: raw id 10 maps to class 3, which learning_map_inv lacks")]
    [InlineData("labels:\n  0: a\nlearning_map:\n  0: 0\nlearning_map_inv:\n  0: 0\n  2: 10\n", "learning_map_inv has 2 classes but no class 1")]
    [InlineData("labels:\n  0: a\nlearning_map:\n  70000: 0\nlearning_map_inv:\n  0: 0\n", "learning_map: raw id 70000 is outside 0..65535")]
    [InlineData("labels:\n  0: a\ncolor_map:\n  0: [1, 2]\nlearning_map:\n  0: 0\nlearning_map_inv:\n  0: 0\n", "line 4: color_map[0] is not a list of 3 numbers")]
    [InlineData("labels:\n  0: a\nlearning_map:\n  0: 0\nlearning_map_inv:\n  0: 0\nlearning_ignore:\n  0: maybe\n", "line 8: learning_ignore[0] is 'maybe', not True or False")]
    // A cyclic alias used as a mapping key sent YamlDotNet's hashing into endless recursion: a stack overflow.
    [InlineData("labels: {&a [0, *a]: x}\n", "line 1, column 17: malformed YAML: alias *a names a list or mapping")]
    // YAML forbids an alias ahead of its anchor; as a mapping key YamlDotNet's placeholder compared itself forever.
    [InlineData("{*a : 1, b: &a x}\n", "line 1, column 2: malformed YAML: alias *a comes before any anchor &a")]
    // YamlDotNet reports these two with ArgumentException and InvalidOperationException, not YamlException.
    [InlineData(":\n :", "near line 3, column 1: malformed YAML: ")]
    [InlineData(": {\ne", "near line 1, column 3: malformed YAML: ")]
    public void Malformed_config_names_the_file_and_problem(string yaml, string problemStart)
    {
        DatasetFormatException e = Assert.Throws<DatasetFormatException>(() => KittiLabelConfig.Parse(yaml, "bad.yaml"));

        Assert.Equal("bad.yaml", e.FilePath);
        Assert.StartsWith(problemStart, e.Problem, StringComparison.Ordinal);
    }

    // YamlDotNet builds nested nodes by recursion: deep nesting in a small file would overflow the stack.
    [Theory]
    [InlineData("[")]
    [InlineData("{a: ")]
    [InlineData("- ")]
    public void Runaway_nesting_fails_before_it_overflows_the_stack(string level)
    {
        string yaml = "labels:\n  " + string.Concat(Enumerable.Repeat(level, 100_000));

        DatasetFormatException e =
            Assert.Throws<DatasetFormatException>(() => KittiLabelConfig.Parse(yaml, "deep.yaml"));

        Assert.Equal("deep.yaml", e.FilePath);
        Assert.StartsWith("line 2, column ", e.Problem, StringComparison.Ordinal);
        Assert.Contains("collections nest deeper than 64 levels", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_reads_a_file()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("semantic-kitti.yaml"), Config);

        Assert.Equal(scratch.File("semantic-kitti.yaml"), KittiLabelConfig.Load(scratch.File("semantic-kitti.yaml")).FilePath);
    }
}
