namespace Perception.Viewer;

/// <summary>The input cannot be shown: unreadable, empty, or missing what the chosen colouring needs.</summary>
public sealed class SceneInputException : ViewerException
{
    public SceneInputException(string path, string problem)
        : base($"{path}: {problem}")
    {
        Path = path;
    }

    public SceneInputException(string path, string problem, Exception innerException)
        : base($"{path}: {WithoutPath(path, problem)}", innerException)
    {
        Path = path;
    }

    /// <summary>The file or folder the problem is in.</summary>
    public string Path { get; }

    // The readers' own messages already start with the file they failed on; say it once.
    private static string WithoutPath(string path, string problem) =>
        problem.StartsWith(path + ": ", StringComparison.Ordinal) ? problem[(path.Length + 2)..] : problem;
}
