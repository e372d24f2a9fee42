using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public class KittiSplitTests
{
    [Theory]
    [InlineData("train", "00 01 02 03 04 05 06 07 09 10")]
    [InlineData("valid", "08")]
    [InlineData("test", "11 12 13 14 15 16 17 18 19 20 21")]
    [InlineData("8", "08")]
    [InlineData("08, 9,10", "08 09 10")]
    public void Splits_and_lists_give_folder_names(string split, string sequences) =>
        Assert.Equal(sequences.Split(' '), KittiSplit.Parse(split));

    [Theory]
    [InlineData("validation")]
    [InlineData("8,x")]
    [InlineData("100")]
    [InlineData("-1")]
    [InlineData("8,08")]
    [InlineData("")]
    public void Anything_else_is_refused(string split) =>
        Assert.Throws<ArgumentException>(() => KittiSplit.Parse(split));
}
