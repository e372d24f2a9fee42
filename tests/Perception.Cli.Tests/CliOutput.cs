using Spectre.Console;

namespace Perception.Cli.Tests;

/// <summary>Runs the CLI in-process with its console captured as plain text (no colours, no wrapping).</summary>
internal static class CliOutput
{
    public static (int Code, string Output) Run(string[] args)
    {
        using var output = new StringWriter();
        IAnsiConsole previous = AnsiConsole.Console;
        IAnsiConsole captured = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        captured.Profile.Width = 1000; // no wrapping inside the paths the assertions look for
        AnsiConsole.Console = captured;
        try
        {
            int code = Program.Run(args);
            return (code, output.ToString());
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
    }
}
