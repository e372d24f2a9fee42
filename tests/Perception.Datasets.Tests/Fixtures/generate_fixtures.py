#!/usr/bin/python3
"""Writes the peer-made fixtures for the point-cloud and LZF tests.

Independent peers, not our code, produce every file here:
  * liblzf 3.6 (Debian liblzf1, via ctypes) compresses the LZF vectors;
  * PCL 1.13 (Debian pcl-tools) converts hand-written ascii PCD files to binary / binary_compressed PCD and to
    ascii / binary little-endian PLY, and VTK (inside pcl_converter) writes a binary PLY mesh with faces;
  * Python's struct module writes PLY files (big- and little-endian) with list-property elements around the
    vertices, straight from the PLY format description.
Then, with --decode-ours, PCL decodes the files our writers produced (ours/*.pcd, ours/*.ply, made by the
WriterGoldenTests) into ascii PCD, so the tests can check that a real peer reads our output.

Run through generate.sh (Debian's /usr/bin/python3; needs pcl-tools and liblzf1).
"""
import ctypes
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------------------- LZF vectors

def lzf_vectors():
    lib = ctypes.CDLL("liblzf.so.1")
    lib.lzf_compress.restype = ctypes.c_uint
    lib.lzf_compress.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p, ctypes.c_uint]
    rng = random.Random(20240611)

    def rand_bytes(n):
        return bytes(rng.randrange(256) for _ in range(n))

    far = bytearray(rand_bytes(9000))
    far[8191 + 100:8191 + 150] = far[100:150]        # match at distance 8191 (largest offset)
    far[8600:8650] = far[600 - 193:600 - 193 + 50]    # beyond the window: must stay literal or shorter
    smooth = b"".join(struct.pack("<f", 0.01 * i) for i in range(1000))
    cases = [
        ("empty", b""),
        ("one", b"a"),
        ("two", b"ab"),
        ("three", b"abc"),
        ("random32", rand_bytes(32)),
        ("random33", rand_bytes(33)),
        ("random1000", rand_bytes(1000)),
        ("run300", b"a" * 300),
        ("run264", b"z" * 266),
        ("period8", b"abcdefgh" * 100),
        ("text", b"The quick brown fox jumps over the lazy dog. " * 20),
        ("far", bytes(far)),
        ("floats", smooth),
    ]
    with open(path("lzf_vectors.txt"), "w") as out:
        out.write("# name input-hex liblzf-3.6-compressed-hex ('-' for empty)\n")
        for name, data in cases:
            capacity = len(data) + len(data) // 16 + 64
            buffer = ctypes.create_string_buffer(capacity)
            n = lib.lzf_compress(data, len(data), buffer, capacity) if data else 0
            assert data == b"" or n > 0, name
            out.write(f"{name} {data.hex() or '-'} {buffer.raw[:n].hex() or '-'}\n")


# ---------------------------------------------------------------------------------------------- PCD / PLY

HEADER = """# .PCD v0.7 - Point Cloud Data file format
VERSION 0.7
FIELDS {names}
SIZE {sizes}
TYPE {types}
COUNT {counts}
WIDTH {n}
HEIGHT 1
VIEWPOINT 0.5 -1 2 1 0 0 0
POINTS {n}
DATA ascii
"""

# The "known" cloud: one field of every PCD type, a COUNT-3 field, nan, extremes that PCL keeps exactly
# (PCL parses ascii integers through double, so 64-bit values stay below 2^53). The C# tests hold the same values.
KNOWN_FIELDS = [("x", 4, "F", 1), ("y", 4, "F", 1), ("z", 4, "F", 1), ("intensity", 4, "F", 1),
                ("ring", 2, "U", 1), ("time", 8, "F", 1), ("i8", 1, "I", 1), ("u8", 1, "U", 1),
                ("i16", 2, "I", 1), ("i32", 4, "I", 1), ("u32", 4, "U", 1), ("i64", 8, "I", 1),
                ("u64", 8, "U", 1), ("normal", 4, "F", 3)]
KNOWN_ROWS = [
    "1.5 -2.25 3 0.5 7 1700000000.123456 -5 200 -300 -2147483648 4294967295 -9000000000000000 9000000000000000 0 0 1",
    "nan 0.1 -0 1 65535 0 127 255 32767 2147483647 0 0 0 0.25 -0.5 nan",
    "1e-30 3.4028235e+38 -7.75 255 0 -1e-300 -128 0 -32768 0 1 1 1 1 2 3",
    "4 5 6 7 1 2.5 0 1 1 -1 123456 -42 42 -1 -2 -3",
]

# The PLY subset: PLY has no 64-bit integers and PCL writes COUNT > 1 as a list property.
PLY_FIELDS = KNOWN_FIELDS[:11]
PLY_ROWS = [" ".join(row.split()[:11]) for row in KNOWN_ROWS]


def write_ascii_pcd(name, fields, rows):
    with open(path(name), "w") as out:
        out.write(HEADER.format(names=" ".join(f[0] for f in fields), sizes=" ".join(str(f[1]) for f in fields),
                                types=" ".join(f[2] for f in fields), counts=" ".join(str(f[3]) for f in fields),
                                n=len(rows)))
        for row in rows:
            out.write(row + "\n")


def grid_rows(n):
    # A larger smooth cloud (like a scan) so binary_compressed carries real LZF back references.
    rows = []
    for i in range(n):
        x = round(10 + 0.01 * i, 2)
        rows.append(f"{x} {round(-5 + 0.002 * i, 3)} {round(-1.5 + (i % 64) * 0.03125, 5)} {(i * 7) % 100 / 100} {i % 64}")
    return rows


def pcl_fixtures():
    write_ascii_pcd("known.pcd", KNOWN_FIELDS, KNOWN_ROWS)
    run("pcl_convert_pcd_ascii_binary", path("known.pcd"), path("known.pcl.binary.pcd"), "1")
    run("pcl_convert_pcd_ascii_binary", path("known.pcd"), path("known.pcl.binary_compressed.pcd"), "2")

    grid = [("x", 4, "F", 1), ("y", 4, "F", 1), ("z", 4, "F", 1), ("intensity", 4, "F", 1), ("ring", 2, "U", 1)]
    write_ascii_pcd("grid.pcd", grid, grid_rows(2000))
    run("pcl_convert_pcd_ascii_binary", path("grid.pcd"), path("grid.pcl.binary_compressed.pcd"), "2")

    write_ascii_pcd("known_ply.pcd", PLY_FIELDS, PLY_ROWS)
    run("pcl_pcd2ply", "-format", "0", path("known_ply.pcd"), path("known.pcl.ascii.ply"))
    run("pcl_pcd2ply", "-format", "1", path("known_ply.pcd"), path("known.pcl.binary_le.ply"))

    obj = path("tetra.obj")
    with open(obj, "w") as out:
        out.write("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 3 4\nf 1 4 2\nf 2 4 3\n")
    run("pcl_converter", obj, path("tetra.vtk.binary_le.ply"), "-f", "binary")
    os.remove(obj)


def struct_ply(name, fmt, endian):
    """Faces (list properties) before and a 'camera' element after the vertices, mixed property types."""
    vertices = [(1.0, 2.0, 3.0, 0.25, 7, -3), (-1.5, 0.0, 2.5, 1.0, 65535, 127), (4.0, 5.0, 6.0, 0.0, 0, -128)]
    faces = [(0, 1, 2), (2, 1, 0, 1)]
    header = ["ply", f"format {fmt} 1.0", "comment written by struct from the PLY format description",
              f"element face {len(faces)}", "property list uchar int vertex_indices", "property uchar flags",
              f"element vertex {len(vertices)}", "property float x", "property float32 y", "property double z",
              "property float reflectance", "property ushort ring", "property char tag",
              "element camera 1", "property float focal", "property list uint short extra", "end_header"]
    with open(path(name), "wb") as out:
        out.write(("\n".join(header) + "\n").encode("ascii"))
        if fmt == "ascii":
            for f in faces:
                out.write((f"{len(f)} " + " ".join(map(str, f)) + " 9\n").encode())
            for v in vertices:
                out.write(" ".join(map(str, v)).encode() + b"\n")
            out.write(b"35.5 2 -1 1\n")
            return
        for f in faces:
            out.write(struct.pack(f"{endian}B{len(f)}iB", len(f), *f, 9))
        for v in vertices:
            out.write(struct.pack(f"{endian}ffdfHb", *v))
        out.write(struct.pack(f"{endian}fIhh", 35.5, 2, -1, 1))


def decode_ours():
    """PCL reads what our writers wrote; its ascii PCD (17 digits) is what the tests compare with."""
    ours = path("ours")
    for name in sorted(os.listdir(ours)):
        source = os.path.join(ours, name)
        if name.endswith(".pcl.pcd"):
            continue
        decoded = source + ".pcl.pcd"
        if name.endswith(".pcd"):
            run("pcl_convert_pcd_ascii_binary", source, decoded, "0", "17")
        elif name.endswith(".ply"):
            binary = source + ".tmp.pcd"
            run("pcl_ply2pcd", "-format", "1", source, binary)
            run("pcl_convert_pcd_ascii_binary", binary, decoded, "0", "17")
            os.remove(binary)


def main():
    if "--decode-ours" in sys.argv:
        decode_ours()
        return
    lzf_vectors()
    pcl_fixtures()
    struct_ply("faces.struct.binary_be.ply", "binary_big_endian", ">")
    struct_ply("faces.struct.binary_le.ply", "binary_little_endian", "<")
    struct_ply("faces.struct.ascii.ply", "ascii", "")


if __name__ == "__main__":
    main()
