namespace Perception.Datasets.PointClouds;

/// <summary>The PLY "format" line's encodings.</summary>
public enum PlyEncoding
{
    Ascii,
    BinaryLittleEndian,
    BinaryBigEndian,
}
