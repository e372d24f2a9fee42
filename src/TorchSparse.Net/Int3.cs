namespace TorchSparse;

/// <summary>A per-axis (x, y, z) integer triple: kernel sizes, strides, dilations, paddings, tensor strides.</summary>
public readonly record struct Int3(int X, int Y, int Z)
{
    public static Int3 One { get; } = new(1, 1, 1);

    public int Volume => checked(X * Y * Z);

    public int this[int axis] => axis switch
    {
        0 => X,
        1 => Y,
        2 => Z,
        _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, "axis is 0, 1 or 2"),
    };

    public static implicit operator Int3(int value) => new(value, value, value);

    public static Int3 operator *(Int3 a, Int3 b) => new(checked(a.X * b.X), checked(a.Y * b.Y), checked(a.Z * b.Z));

    public bool AllEqual(int value) => X == value && Y == value && Z == value;

    public bool AnyGreaterThan(int value) => X > value || Y > value || Z > value;

    public override string ToString() => X == Y && Y == Z ? X.ToString() : $"({X}, {Y}, {Z})";

    internal void RequirePositive(string name)
    {
        if (X <= 0 || Y <= 0 || Z <= 0)
        {
            throw new ArgumentOutOfRangeException(name, this, $"{name} must be positive on every axis.");
        }
    }
}
