namespace Perception.Datasets.PointClouds;

/// <summary>How <see cref="LasFile.Write"/> lays out a LAS file.</summary>
public sealed record LasWriteOptions
{
    /// <summary>Point data record format: 0-3 (any version) or 6-8 (LAS 1.4). Default 6.</summary>
    public int PointFormat { get; init; } = 6;

    /// <summary>1.2, 1.3 or 1.4; null picks 1.2 for formats 0-3 (the most widely read) and 1.4 for 6-8.</summary>
    public Version? Version { get; init; }

    /// <summary>Coordinate resolution: world = raw int32 × scale + offset. Default 1 mm on every axis.</summary>
    public (double X, double Y, double Z) Scale { get; init; } = (0.001, 0.001, 0.001);

    /// <summary>Coordinate offset; null takes the whole-metre floor of each axis' minimum.</summary>
    public (double X, double Y, double Z)? Offset { get; init; }

    /// <summary>File creation date stored in the header; null writes today's UTC date.</summary>
    public DateOnly? CreationDate { get; init; }
}
