using System.Text.RegularExpressions;
using TorchSparse.Gpu.OpenCl;

namespace TorchSparse.Gpu.Tests.OpenCl;

[Collection(ClTestGroup.Name)]
public class ClBufferTests(ClDeviceFixture fixture)
{
    private readonly ClDevice device = fixture.Device;

    [Fact]
    public void Enumerate_finds_a_described_device()
    {
        IReadOnlyList<ClDeviceInfo> devices = ClDevice.Enumerate();
        Assert.NotEmpty(devices);
        Assert.All(devices, d =>
        {
            Assert.False(string.IsNullOrWhiteSpace(d.DeviceName));
            Assert.False(string.IsNullOrWhiteSpace(d.PlatformName));
            Assert.StartsWith("OpenCL C ", d.OpenClCVersion, StringComparison.Ordinal);
            Assert.True(d.MaxWorkGroupSize > 0);
            Assert.True(d.LocalMemBytes > 0);
            Assert.True(d.GlobalMemBytes > 0);
            Assert.True(d.ComputeUnits > 0);
        });
        Assert.Equal(devices[0].DeviceName, device.Info.DeviceName);
    }

    [Fact]
    public void Cache_key_is_a_safe_file_name_naming_the_device()
    {
        Assert.Matches(new Regex("^[A-Za-z0-9._-]+$"), device.CacheKey);
        string firstWord = device.Info.DeviceName.Split(' ', '-')[0];
        Assert.Contains(firstWord, device.CacheKey, StringComparison.Ordinal);
    }

    [Fact]
    public void Floats_round_trip()
    {
        float[] data = ClTestKernels.RandomFloats(new Random(1), 1000);
        using ClBuffer buffer = device.Allocate(data.Length * sizeof(float));
        device.Write<float>(buffer, data);
        var back = new float[data.Length];
        device.Read<float>(buffer, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void Ints_round_trip_at_byte_offsets()
    {
        var random = new Random(2);
        int[] data = Enumerable.Range(0, 300).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray();
        using ClBuffer buffer = device.Allocate(4096);
        device.Fill(buffer, (byte)0, 0, 4096);
        device.Write<int>(buffer, data, byteOffset: 12);

        var back = new int[data.Length];
        device.Read<int>(buffer, back, byteOffset: 12);
        Assert.Equal(data, back);

        var shifted = new int[data.Length - 5];
        device.Read<int>(buffer, shifted, byteOffset: 12 + (5 * sizeof(int)));
        Assert.Equal(data[5..], shifted);

        var head = new int[3];
        device.Read<int>(buffer, head);
        Assert.Equal(new int[3], head);
    }

    [Fact]
    public void Unaligned_byte_offsets_work()
    {
        byte[] data = [1, 2, 3, 4, 5, 6, 7];
        using ClBuffer buffer = device.Allocate(16);
        device.Fill(buffer, (byte)0xAA, 0, 16);
        device.Write<byte>(buffer, data, byteOffset: 3);
        var all = new byte[16];
        device.Read<byte>(buffer, all);
        Assert.Equal(new byte[] { 0xAA, 0xAA, 0xAA, 1, 2, 3, 4, 5, 6, 7, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA }, all);
    }

    [Fact]
    public void Zero_byte_buffers_and_zero_length_transfers_work()
    {
        using ClBuffer empty = device.Allocate(0);
        Assert.Equal(0, empty.Bytes);
        device.Write<float>(empty, []);
        device.Read<float>(empty, []);
        device.Fill(empty, 0u, 0, 0);
        device.Copy(empty, 0, empty, 0, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Write<byte>(empty, [1]));

        using ClBuffer buffer = device.Allocate(8);
        device.Write<int>(buffer, [], byteOffset: 8);
        device.Read<int>(buffer, [], byteOffset: 8);
        device.Finish();
    }

    [Fact]
    public void Transfers_outside_the_buffer_are_rejected()
    {
        using ClBuffer buffer = device.Allocate(16);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Write<int>(buffer, new int[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Write<int>(buffer, new int[1], byteOffset: 13));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Read<int>(buffer, new int[1], byteOffset: -4));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Fill(buffer, 0u, 8, 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Allocate(-1));
    }

    [Fact]
    public void Fill_writes_the_pattern_only_inside_the_range()
    {
        var random = new Random(3);
        var before = new byte[256];
        random.NextBytes(before);
        using ClBuffer buffer = device.Allocate(before.Length);
        device.Write<byte>(buffer, before);

        device.Fill(buffer, 0xDEADBEEFu, 16, 64);
        device.Fill(buffer, 1.5f, 128, 32);
        device.Fill(buffer, (ushort)0x1234, 200, 6);

        byte[] expected = (byte[])before.Clone();
        for (int i = 16; i < 80; i += 4)
        {
            BitConverter.TryWriteBytes(expected.AsSpan(i), 0xDEADBEEFu);
        }

        for (int i = 128; i < 160; i += 4)
        {
            BitConverter.TryWriteBytes(expected.AsSpan(i), 1.5f);
        }

        for (int i = 200; i < 206; i += 2)
        {
            BitConverter.TryWriteBytes(expected.AsSpan(i), (ushort)0x1234);
        }

        var after = new byte[before.Length];
        device.Read<byte>(buffer, after);
        Assert.Equal(expected, after);
    }

    [Fact]
    public void Fill_rejects_patterns_OpenCL_cannot_repeat()
    {
        using ClBuffer buffer = device.Allocate(64);
        Assert.Throws<ArgumentException>(() => device.Fill(buffer, (Three)default, 0, 12));
        Assert.Throws<ArgumentException>(() => device.Fill(buffer, 0u, 2, 8));
        Assert.Throws<ArgumentException>(() => device.Fill(buffer, 0u, 0, 6));
    }

    [Fact]
    public void Copy_moves_exactly_the_range()
    {
        var random = new Random(4);
        var source = new byte[300];
        var destination = new byte[200];
        random.NextBytes(source);
        random.NextBytes(destination);
        using ClBuffer sourceBuffer = device.Allocate(source.Length);
        using ClBuffer destinationBuffer = device.Allocate(destination.Length);
        device.Write<byte>(sourceBuffer, source);
        device.Write<byte>(destinationBuffer, destination);

        device.Copy(sourceBuffer, 8, destinationBuffer, 41, 100);

        byte[] expected = (byte[])destination.Clone();
        source.AsSpan(8, 100).CopyTo(expected.AsSpan(41));
        var after = new byte[destination.Length];
        device.Read<byte>(destinationBuffer, after);
        Assert.Equal(expected, after);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Copy(sourceBuffer, 250, destinationBuffer, 0, 51));
    }

    [Fact]
    public void Overlapping_copy_within_a_buffer_is_the_drivers_overlap_error()
    {
        using ClBuffer buffer = device.Allocate(64);
        var e = Assert.Throws<OpenClException>(() => device.Copy(buffer, 0, buffer, 8, 16));
        Assert.Equal("CL_MEM_COPY_OVERLAP", e.StatusName);
        Assert.Equal("clEnqueueCopyBuffer", e.Call);
    }

    [Fact]
    public void Disposed_buffers_cannot_be_used()
    {
        ClBuffer buffer = device.Allocate(16);
        buffer.Dispose();
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => device.Write<int>(buffer, [1]));
    }

    private readonly record struct Three(byte A, byte B, byte C);
}
