namespace Perception.Training;

/// <summary>A training configuration that cannot be used: the message names the file, the key and what is wrong.</summary>
public sealed class TrainingConfigException : Exception
{
    public TrainingConfigException(string message)
        : base(message)
    {
    }

    public TrainingConfigException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
