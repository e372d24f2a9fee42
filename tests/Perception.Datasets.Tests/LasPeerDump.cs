using System.Globalization;
using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

/// <summary>
/// A LAS file as an independent JavaScript reader decoded it (Fixtures/las_peer_dump.js): header values, then one
/// row per point. copc.js dumps (name.copc.txt) hold every attribute under its own names; loaders.gl dumps
/// (name.loadersgl.txt) hold coordinates, intensity, the whole classification byte and colour >> 8.
/// </summary>
internal sealed class LasPeerDump
{
    // copc.js attribute names and ours.
    private static readonly Dictionary<string, string> CopcNames = new()
    {
        ["X"] = "x", ["Y"] = "y", ["Z"] = "z", ["Intensity"] = "intensity", ["ReturnNumber"] = "return_number",
        ["NumberOfReturns"] = "number_of_returns", ["ScanDirectionFlag"] = "scan_direction_flag",
        ["EdgeOfFlightLine"] = "edge_of_flight_line", ["Classification"] = "classification",
        ["Synthetic"] = "synthetic", ["KeyPoint"] = "key_point", ["Withheld"] = "withheld", ["Overlap"] = "overlap",
        ["ScannerChannel"] = "scanner_channel", ["UserData"] = "user_data", ["PointSourceId"] = "point_source_id",
        ["GpsTime"] = "gps_time", ["Red"] = "red", ["Green"] = "green", ["Blue"] = "blue", ["Infrared"] = "nir",
    };

    private LasPeerDump(string path, Dictionary<string, string[]> header, string[] fields, double[][] rows)
    {
        Path = path;
        Header = header;
        Fields = fields;
        Rows = rows;
    }

    public string Path { get; }

    public bool IsCopc => Path.EndsWith(".copc.txt", StringComparison.Ordinal);

    public Dictionary<string, string[]> Header { get; }

    public string[] Fields { get; }

    public double[][] Rows { get; }

    /// <summary>The dumps that exist for a fixture (one or both peers).</summary>
    public static List<LasPeerDump> For(string lasPath) =>
        new[] { ".copc.txt", ".loadersgl.txt" }.Select(s => lasPath + s).Where(File.Exists).Select(Load).ToList();

    public static LasPeerDump Load(string path)
    {
        var header = new Dictionary<string, string[]>();
        string[]? fields = null;
        var rows = new List<double[]>();
        foreach (string line in File.ReadLines(path).Where(l => !l.StartsWith('#')))
        {
            string[] parts = line.Split(' ');
            if (fields is not null)
            {
                rows.Add(parts.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            }
            else if (parts[0] == "fields")
            {
                fields = parts[1..];
            }
            else
            {
                header[parts[0]] = parts[1..];
            }
        }

        return new LasPeerDump(path, header, fields ?? throw new InvalidDataException($"{path}: no fields line"),
            [.. rows]);
    }

    public double[] Column(string name) => Rows.Select(r => r[Array.IndexOf(Fields, name)]).ToArray();

    public double[] HeaderValues(string key) =>
        Header[key].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Checks header values and every attribute the peer decoded against our header and cloud.</summary>
    public void AssertMatches(LasHeader header, PointCloud cloud)
    {
        Assert.Equal(HeaderValues("point_format")[0], header.PointFormat);
        Assert.Equal(HeaderValues("record_length")[0], header.RecordLength);
        Assert.Equal(HeaderValues("point_count")[0], header.PointCount);
        Assert.Equal(HeaderValues("scale"), Xyz(header.Scale));
        Assert.Equal(HeaderValues("offset"), Xyz(header.Offset));
        Assert.Equal(HeaderValues("min"), Xyz(header.Min));
        Assert.Equal(HeaderValues("max"), Xyz(header.Max));
        Assert.Equal(Rows.Length, cloud.PointCount);
        if (IsCopc)
        {
            Assert.Equal($"{header.Version}", Header["version"][0]);
        }

        double[] scale = Xyz(header.Scale);
        foreach (string peerName in Fields)
        {
            double[] peer = Column(peerName);
            double[] ours = IsCopc ? CopcColumn(peerName, header, cloud) : LoadersGlColumn(peerName, cloud);
            double tolerance = peerName.Length == 1 ? scale["XYZ".IndexOf(peerName, StringComparison.Ordinal)] * 1e-6
                : peerName == "ScanAngle" ? 1e-9 : 0;
            for (int p = 0; p < peer.Length; p++)
            {
                Assert.True(Math.Abs(peer[p] - ours[p]) <= tolerance,
                    $"{System.IO.Path.GetFileName(Path)} point {p} {peerName}: peer {peer[p]:R}, ours {ours[p]:R}");
            }
        }
    }

    private double[] CopcColumn(string peerName, LasHeader header, PointCloud cloud)
    {
        if (peerName == "ScanAngle")
        {
            // copc.js gives degrees: the int8 rank of formats 0-3, the int16 of formats 6-8 times 0.006.
            return header.PointFormat < 6 ? Values(cloud, "scan_angle_rank")
                : Values(cloud, "scan_angle").Select(v => v * 0.006).ToArray();
        }

        if (peerName == "Overlap" && header.PointFormat < 6)
        {
            // Formats 0-3 have no overlap bit; copc.js derives it from classification 12, which no fixture uses.
            Assert.Null(cloud.FindField("overlap"));
            return new double[cloud.PointCount];
        }

        if (peerName.EndsWith(":raw", StringComparison.Ordinal))
        {
            // A scaled extra attribute, dumped raw because of copc.js's big-endian scale (see las_peer_dump.js):
            // LasTests checks it against the descriptor's scale and offset.
            return Column(peerName);
        }

        return Values(cloud, CopcNames.GetValueOrDefault(peerName, peerName));
    }

    private static double[] LoadersGlColumn(string peerName, PointCloud cloud) => peerName switch
    {
        "X" or "Y" or "Z" => Values(cloud, peerName.ToLowerInvariant()),
        "intensity" => Values(cloud, "intensity"),
        "classification" => Enumerable.Range(0, cloud.PointCount).Select(p =>
            Value(cloud, "classification", p) + (32 * Value(cloud, "synthetic", p)) +
            (64 * Value(cloud, "key_point", p)) + (128 * Value(cloud, "withheld", p))).ToArray(),
        _ => Values(cloud, peerName).Select(v => Math.Floor(v / 256)).ToArray(),
    };

    private static double[] Values(PointCloud cloud, string name)
    {
        PointField field = cloud.FindField(name) ?? throw new Xunit.Sdk.XunitException($"no field '{name}'");
        return Enumerable.Range(0, field.Length).Select(i => field.GetValue(i)).ToArray();
    }

    private static double Value(PointCloud cloud, string name, int point) => cloud.FindField(name)!.GetValue(point);

    private static double[] Xyz((double X, double Y, double Z) v) => [v.X, v.Y, v.Z];
}
