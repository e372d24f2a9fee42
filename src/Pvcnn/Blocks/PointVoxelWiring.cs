using System.Diagnostics;
using TorchSparse;
using TorchSparse.Autograd;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace Pvcnn.Blocks;

/// <summary>
/// SPVConv's forward (spvnas core/models/semantic_kitti/spvcnn.py): the voxel U-Net with a point branch that is
/// devoxelized (trilinear) after the stem, the encoder and each half of the decoder, refined by a point transform,
/// and voxelized again (mean) before the next voxel stage. The classifier runs on the final point features. In
/// training the voxelized features entering each decoder half go through dropout, as in spvnas.
/// </summary>
internal static class PointVoxelWiring
{
    public static Tensor Run(
        UNet unet, IReadOnlyList<LinearBn> transforms, Linear classifier, SparseTensor voxels, PointTensor points,
        Func<Tensor, Tensor>? dropout, ForwardProfile? profile)
    {
        // Each intermediate goes back to the active pool (if any) once nothing later reads it.
        SparseTensor x0 = unet.Stem(voxels, profile);
        PointTensor z0 = Timed(profile, () => PointVoxel.Devoxelize(x0, points));

        SparseTensor v0 = Timed(profile, () => PointVoxel.PointToVoxel(x0, z0));
        SparseTensor x1 = unet.Down[0].Forward(v0, profile);
        UNet.Recycle(v0);
        SparseTensor x2 = unet.Down[1].Forward(x1, profile);
        SparseTensor x3 = unet.Down[2].Forward(x2, profile);
        SparseTensor x4 = unet.Down[3].Forward(x3, profile);
        PointTensor z1 = Refine(Timed(profile, () => PointVoxel.Devoxelize(x4, z0)), transforms[0], z0, profile);
        TensorPool.Recycle(z0.Feats);

        SparseTensor v1 = Timed(profile, () => PointVoxel.PointToVoxel(x4, z1));
        UNet.Recycle(x4);
        SparseTensor y1 = unet.Up[0].Forward(Drop(v1, dropout), profile, x3);
        UNet.Recycle(v1, x3);
        SparseTensor y2 = unet.Up[1].Forward(y1, profile, x2);
        UNet.Recycle(y1, x2);
        PointTensor z2 = Refine(Timed(profile, () => PointVoxel.Devoxelize(y2, z1)), transforms[1], z1, profile);
        TensorPool.Recycle(z1.Feats);

        SparseTensor v2 = Timed(profile, () => PointVoxel.PointToVoxel(y2, z2));
        UNet.Recycle(y2);
        SparseTensor y3 = unet.Up[2].Forward(Drop(v2, dropout), profile, x1);
        UNet.Recycle(v2, x1);
        SparseTensor y4 = unet.Up[3].Forward(y3, profile, x0);
        UNet.Recycle(y3, x0);
        PointTensor z3 = Refine(Timed(profile, () => PointVoxel.Devoxelize(y4, z2)), transforms[2], z2, profile);
        TensorPool.Recycle(z2.Feats);
        UNet.Recycle(y4);

        long start = Stopwatch.GetTimestamp();
        profile?.AddMacs((long)z3.Count * classifier.InFeatures * classifier.OutFeatures);
        Tensor logits = classifier.Forward(z3.Feats);
        profile?.Add(ForwardProfile.Head, start);
        TensorPool.Recycle(z3.Feats);
        return logits;
    }

    /// <summary>z.F + transform(previous.F): in place on the freshly devoxelized features in CPU inference, as a new
    /// recorded tensor in training (the tape holds z.F as the devoxelization's output).</summary>
    private static PointTensor Refine(PointTensor z, LinearBn transform, PointTensor previous, ForwardProfile? profile)
    {
        long start = Stopwatch.GetTimestamp();
        Tensor delta = transform.Forward(previous.Feats, profile);
        if (transform.Training || z.Feats.Device.Kind != DeviceKind.Cpu)
        {
            z = z.WithFeats(FeatureOps.Add(z.Feats, delta));
        }
        else
        {
            Span<float> target = z.Feats.AsSpan<float>();
            ReadOnlySpan<float> add = delta.AsSpan<float>();
            for (int i = 0; i < target.Length; i++)
            {
                target[i] += add[i];
            }

            TensorPool.Recycle(delta);
        }

        profile?.Add(ForwardProfile.PointOps, start);
        return z;
    }

    private static SparseTensor Drop(SparseTensor x, Func<Tensor, Tensor>? dropout) =>
        dropout is null ? x : x.WithFeats(dropout(x.Feats));

    private static T Timed<T>(ForwardProfile? profile, Func<T> op)
    {
        long start = Stopwatch.GetTimestamp();
        T result = op();
        profile?.Add(ForwardProfile.PointOps, start);
        return result;
    }

    /// <summary>Integer voxel coordinates as the float point coordinates spvnas gives its PointTensor.</summary>
    public static PointTensor PointsOf(SparseTensor input)
    {
        int[] c = input.Coords.ToArray<int>();
        var coords = new float[c.Length];
        for (int i = 0; i < c.Length; i++)
        {
            coords[i] = c[i];
        }

        return new PointTensor(input.Feats, Tensor.From<float>(coords, [input.Count, 4], input.Device));
    }
}
