namespace Perception.Cli.Commands;

/// <summary>
/// The model this repository ships (models/minkunet-sim: a MinkUNet trained on simulated drives by the command and
/// config in that folder), copied next to the executable by the build.
/// </summary>
internal static class ShippedModel
{
    public static string FilePath { get; } = Path.Combine(AppContext.BaseDirectory, "models", "minkunet-sim.safetensors");
}
