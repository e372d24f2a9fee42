using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public class KittiLearningMapTests
{
    // models.md §6.3 (semantic-kitti.yaml learning_map) and the spvnas map: official − 1, or 255 where spvnas
    // ignores the id (unlabeled, outlier, bus, on-rails, other-structure, lane-marking, other-object and the moving
    // on-rails / bus).
    [Theory]
    [InlineData(0, 0, 255)]
    [InlineData(1, 0, 255)]
    [InlineData(10, 1, 0)]
    [InlineData(11, 2, 1)]
    [InlineData(13, 5, 255)]
    [InlineData(15, 3, 2)]
    [InlineData(16, 5, 255)]
    [InlineData(18, 4, 3)]
    [InlineData(20, 5, 4)]
    [InlineData(30, 6, 5)]
    [InlineData(31, 7, 6)]
    [InlineData(32, 8, 7)]
    [InlineData(40, 9, 8)]
    [InlineData(44, 10, 9)]
    [InlineData(48, 11, 10)]
    [InlineData(49, 12, 11)]
    [InlineData(50, 13, 12)]
    [InlineData(51, 14, 13)]
    [InlineData(52, 0, 255)]
    [InlineData(60, 9, 255)]
    [InlineData(70, 15, 14)]
    [InlineData(71, 16, 15)]
    [InlineData(72, 17, 16)]
    [InlineData(80, 18, 17)]
    [InlineData(81, 19, 18)]
    [InlineData(99, 0, 255)]
    [InlineData(252, 1, 0)]
    [InlineData(253, 7, 6)]
    [InlineData(254, 6, 5)]
    [InlineData(255, 8, 7)]
    [InlineData(256, 5, 255)]
    [InlineData(257, 5, 255)]
    [InlineData(258, 4, 3)]
    [InlineData(259, 5, 4)]
    public void Maps_every_raw_id(int rawId, int official, int spvnas)
    {
        Assert.Equal(official, KittiLearningMap.Official.ToClass((uint)rawId));
        Assert.Equal(spvnas, KittiLearningMap.Spvnas.ToClass((uint)rawId));
        Assert.Equal(official, KittiLearningMap.Official.ToClass((uint)rawId | 0x0123_0000)); // instance ignored
    }

    // spvnas core/datasets/semantic_kitti.py builds its map by walking label_name_mapping in order: id 0 -> 255;
    // ids up to 250 take the next index when their name is in kept_labels, else 255; "moving-X" ids take X's index
    // when X is kept, else 255. Re-deriving it here checks our table against that procedure.
    [Fact]
    public void Spvnas_map_matches_the_spvnas_construction()
    {
        (int Id, string Name)[] labelNameMapping =
        [
            (0, "unlabeled"), (1, "outlier"), (10, "car"), (11, "bicycle"), (13, "bus"), (15, "motorcycle"),
            (16, "on-rails"), (18, "truck"), (20, "other-vehicle"), (30, "person"), (31, "bicyclist"),
            (32, "motorcyclist"), (40, "road"), (44, "parking"), (48, "sidewalk"), (49, "other-ground"),
            (50, "building"), (51, "fence"), (52, "other-structure"), (60, "lane-marking"), (70, "vegetation"),
            (71, "trunk"), (72, "terrain"), (80, "pole"), (81, "traffic-sign"), (99, "other-object"),
            (252, "moving-car"), (253, "moving-bicyclist"), (254, "moving-person"), (255, "moving-motorcyclist"),
            (256, "moving-on-rails"), (257, "moving-bus"), (258, "moving-truck"), (259, "moving-other-vehicle"),
        ];
        string[] keptLabels =
        [
            "road", "sidewalk", "parking", "other-ground", "building", "car", "truck", "bicycle", "motorcycle",
            "other-vehicle", "vegetation", "trunk", "terrain", "person", "bicyclist", "motorcyclist", "fence", "pole",
            "traffic-sign",
        ];
        var indexOfName = new Dictionary<string, int>();
        foreach ((int id, string name) in labelNameMapping)
        {
            int expected;
            if (id > 250)
            {
                string still = name.Replace("moving-", "", StringComparison.Ordinal);
                expected = keptLabels.Contains(still) ? indexOfName[still] : 255;
            }
            else if (id == 0 || !keptLabels.Contains(name))
            {
                expected = 255;
            }
            else
            {
                expected = indexOfName[name] = indexOfName.Count;
            }

            Assert.Equal(expected, KittiLearningMap.Spvnas.ToClass((uint)id));
            string className = expected == 255 ? "unlabeled" : name.Replace("moving-", "", StringComparison.Ordinal);
            Assert.Equal(className, KittiLearningMap.Spvnas.ClassName(expected));
        }

        Assert.Equal(19, indexOfName.Count);
    }

    [Theory]
    [InlineData(2u)]
    [InlineData(12u)]
    [InlineData(100u)]
    [InlineData(260u)]
    [InlineData(65535u)]
    public void Unknown_raw_ids_fail(uint rawId)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => KittiLearningMap.Official.ToClass(rawId));
        Assert.Contains($"Semantic id {rawId} is not a SemanticKITTI label id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_a_span_names_the_first_unknown_point()
    {
        var classes = new int[3];
        var error = Assert.Throws<ArgumentException>(() =>
            KittiLearningMap.Spvnas.ToClasses([10, 40, 0x0001_0005], classes));
        Assert.Contains("Point 2 has semantic id 5", error.Message, StringComparison.Ordinal);
    }

    // learning_map_inv (models.md §6.3), and spvnas class c writes the raw id of official class c + 1.
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 11)]
    [InlineData(3, 15)]
    [InlineData(4, 18)]
    [InlineData(5, 20)]
    [InlineData(6, 30)]
    [InlineData(7, 31)]
    [InlineData(8, 32)]
    [InlineData(9, 40)]
    [InlineData(10, 44)]
    [InlineData(11, 48)]
    [InlineData(12, 49)]
    [InlineData(13, 50)]
    [InlineData(14, 51)]
    [InlineData(15, 70)]
    [InlineData(16, 71)]
    [InlineData(17, 72)]
    [InlineData(18, 80)]
    [InlineData(19, 81)]
    public void Classes_map_back_to_raw_ids_in_both_conventions(int official, uint rawId)
    {
        Assert.Equal(rawId, KittiLearningMap.Official.ToRawLabel(official));
        Assert.Equal(rawId, KittiLearningMap.Spvnas.ToRawLabel(official - 1));
        Assert.Equal(official, KittiLearningMap.Official.ToClass(rawId));
        Assert.Equal(official - 1, KittiLearningMap.Spvnas.ToClass(rawId));
    }

    [Fact]
    public void Ignore_index_writes_unlabeled_and_out_of_range_classes_fail()
    {
        Assert.Equal(0u, KittiLearningMap.Official.ToRawLabel(0));
        Assert.Equal(0u, KittiLearningMap.Spvnas.ToRawLabel(255));
        Assert.Throws<ArgumentOutOfRangeException>(() => KittiLearningMap.Official.ToRawLabel(20));
        Assert.Throws<ArgumentOutOfRangeException>(() => KittiLearningMap.Spvnas.ToRawLabel(19));
        Assert.Throws<ArgumentOutOfRangeException>(() => KittiLearningMap.Spvnas.ToRawLabel(-1));
    }

    [Fact]
    public void Class_names_follow_each_convention()
    {
        Assert.Equal("car", KittiLearningMap.Official.ClassName(1));
        Assert.Equal("traffic-sign", KittiLearningMap.Official.ClassName(19));
        Assert.Equal("unlabeled", KittiLearningMap.Official.ClassName(0));
        Assert.Equal("car", KittiLearningMap.Spvnas.ClassName(0));
        Assert.Equal("traffic-sign", KittiLearningMap.Spvnas.ClassName(18));
        Assert.Equal("unlabeled", KittiLearningMap.Spvnas.ClassName(255));
        Assert.Equal((1, 0, 19), (KittiLearningMap.Official.FirstClass, KittiLearningMap.Official.IgnoreIndex,
            KittiLearningMap.ClassCount));
    }

    // What a batch segment command does: spvnas argmax -> raw ids -> predictions/*.label -> official evaluation.
    [Fact]
    public void Spvnas_predictions_written_as_labels_read_back_as_official_classes()
    {
        int[] predicted = [0, 8, 18, 255, 4];
        var raw = new uint[predicted.Length];
        KittiLearningMap.Spvnas.ToRawLabels(predicted, raw);
        using var scratch = new ScratchFolder();
        string path = scratch.File("000000.label");

        KittiLabelFile.Write(path, raw);

        Assert.Equal([10u, 40, 81, 0, 20], raw);
        Assert.Equal([1, 9, 19, 0, 5], KittiLabelFile.ReadClasses(path, 5, KittiLearningMap.Official));
    }
}
