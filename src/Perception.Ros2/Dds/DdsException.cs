using Perception.Ros2.Dds.Native;

namespace Perception.Ros2.Dds;

/// <summary>A Cyclone DDS call failed; <see cref="ReturnCodeName"/> is the DDS_RETCODE_* name of the result.</summary>
public class DdsException : Exception
{
    public DdsException(string operation, int returnCode)
        : base($"{operation} failed: {NameOf(returnCode)} ({returnCode}).")
    {
        Operation = operation;
        ReturnCode = returnCode;
    }

    public DdsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Operation = "";
    }

    public string Operation { get; }

    public int ReturnCode { get; }

    public string ReturnCodeName => NameOf(ReturnCode);

    /// <summary>The DDS_RETCODE_* name of <paramref name="code"/> (ddsrt/retcode.h of 0.10.2).</summary>
    public static string NameOf(int code) => code switch
    {
        0 => "DDS_RETCODE_OK",
        -1 => "DDS_RETCODE_ERROR",
        -2 => "DDS_RETCODE_UNSUPPORTED",
        -3 => "DDS_RETCODE_BAD_PARAMETER",
        -4 => "DDS_RETCODE_PRECONDITION_NOT_MET",
        -5 => "DDS_RETCODE_OUT_OF_RESOURCES",
        -6 => "DDS_RETCODE_NOT_ENABLED",
        -7 => "DDS_RETCODE_IMMUTABLE_POLICY",
        -8 => "DDS_RETCODE_INCONSISTENT_POLICY",
        -9 => "DDS_RETCODE_ALREADY_DELETED",
        -10 => "DDS_RETCODE_TIMEOUT",
        -11 => "DDS_RETCODE_NO_DATA",
        -12 => "DDS_RETCODE_ILLEGAL_OPERATION",
        -13 => "DDS_RETCODE_NOT_ALLOWED_BY_SECURITY",
        -51 => "DDS_RETCODE_IN_PROGRESS",
        -52 => "DDS_RETCODE_TRY_AGAIN",
        -53 => "DDS_RETCODE_INTERRUPTED",
        -54 => "DDS_RETCODE_NOT_ALLOWED",
        -55 => "DDS_RETCODE_HOST_NOT_FOUND",
        -56 => "DDS_RETCODE_NO_NETWORK",
        -57 => "DDS_RETCODE_NO_CONNECTION",
        -58 => "DDS_RETCODE_NOT_ENOUGH_SPACE",
        -59 => "DDS_RETCODE_OUT_OF_RANGE",
        -60 => "DDS_RETCODE_NOT_FOUND",
        _ => $"DDS return code {code}",
    };

    /// <summary>Returns a non-negative <paramref name="result"/> (an entity handle or a count), throws otherwise.</summary>
    internal static int Check(int result, string operation) =>
        result >= 0 ? result : throw new DdsException(operation, result);
}

/// <summary>The Cyclone DDS library is not installed (or not loadable) on this machine.</summary>
public sealed class DdsUnavailableException : DdsException
{
    public DdsUnavailableException(Exception innerException)
        : base($"Cyclone DDS ({DdsNative.Library}) could not be loaded: {innerException.Message} " +
            "Install it with: apt-get install libddsc0debian (Debian 12's Cyclone DDS 0.10.2).", innerException)
    {
    }
}
