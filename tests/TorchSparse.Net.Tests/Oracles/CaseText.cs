namespace TorchSparse.Tests.Oracles;

/// <summary>Theory rows carry kernel, stride and similar triples as text ("3" or "3,1,3") so each row is a
/// serialisable, separately listed test case.</summary>
internal static class CaseText
{
    public static Int3 Int3(string text)
    {
        int[] v = Array3(text);
        return new Int3(v[0], v[1], v[2]);
    }

    public static int[] Array3(string text)
    {
        int[] parts = text.Split(',').Select(int.Parse).ToArray();
        return parts.Length == 1 ? [parts[0], parts[0], parts[0]] : parts;
    }
}
