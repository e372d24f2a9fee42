namespace Perception.Datasets.PointClouds;

/// <summary>The PCD DATA encodings.</summary>
public enum PcdEncoding
{
    /// <summary>One text line per point.</summary>
    Ascii,

    /// <summary>Interleaved little-endian point records.</summary>
    Binary,

    /// <summary>Each field's values in one block, all blocks LZF-compressed together.</summary>
    BinaryCompressed,
}
