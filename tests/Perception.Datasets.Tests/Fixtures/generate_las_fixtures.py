#!/usr/bin/python3
"""Writes the LAS fixtures (las/*.las) from las/points.txt and checks the peers' dumps of them.

No Debian package of bookworm reads or writes LAS (pdal, liblas, laspy and LAStools are not packaged; its
CloudCompare and SAGA are built without LAS support), so:
  * Python's struct module writes the files, straight from the ASPRS LAS 1.2 / 1.3 / 1.4 (R15) specifications:
    one file per supported version and point format, plus files with VLRs, padding and undescribed extra bytes,
    an Extra Bytes VLR, and an EVLR after the points;
  * two independent JavaScript readers from npm decode them (las_peer_dump.js): copc.js (LAS 1.2 and 1.4, every
    attribute of formats 0-3 and 6-8, extra bytes) and loaders.gl's LAS loader (LAS 1.2 and 1.3, formats 0-3:
    coordinates, intensity, the classification byte and colour). Their dumps (name.copc.txt, name.loadersgl.txt)
    are what the C# tests compare against.
  * --check (run by generate.sh after the dumps) checks that the peers read back exactly points.txt, so a bug in
    this writer cannot slip into the expectations.
generate.sh also has the peers dump the files our writer produced (las/ours/*.las, from the LasWriterTests
goldens), so the tests can check that independent readers read back what we wrote.
"""
import glob
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAS = os.path.join(HERE, "las")

COLUMNS = ("X Y Z intensity return_number number_of_returns scan_direction_flag edge_of_flight_line "
           "classification synthetic key_point withheld overlap scanner_channel scan_angle user_data "
           "point_source_id gps_time red green blue nir").split()

# Scale and offset per minor version: coarse georeferenced, millimetre, and mixed per-axis with odd offsets.
SCALE_OFFSET = {
    2: ((0.01, 0.01, 0.01), (500000.0, 4300000.0, 0.0)),
    3: ((0.001, 0.001, 0.001), (0.0, 0.0, 0.0)),
    4: ((0.0001, 0.001, 0.01), (-1000.5, 250.0, -12.25)),
}
HEADER_SIZE = {2: 227, 3: 235, 4: 375}
RECORD_SIZE = {0: 20, 1: 28, 2: 26, 3: 34, 6: 30, 7: 36, 8: 38}


def read_points():
    sections = {}
    current = None
    with open(os.path.join(LAS, "points.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                current = sections.setdefault(line.strip("[]"), [])
                continue
            values = line.split()
            assert len(values) == len(COLUMNS), line
            current.append({c: (float(v) if c == "gps_time" else int(v)) for c, v in zip(COLUMNS, values)})
    return sections


def record(fmt, p):
    """One point record of format fmt, field by field as the specification lays it out."""
    if fmt <= 3:
        flags = p["return_number"] | p["number_of_returns"] << 3 | p["scan_direction_flag"] << 6 | \
            p["edge_of_flight_line"] << 7
        cls = p["classification"] | p["synthetic"] << 5 | p["key_point"] << 6 | p["withheld"] << 7
        out = struct.pack("<iiiHBBbBH", p["X"], p["Y"], p["Z"], p["intensity"], flags, cls, p["scan_angle"],
                          p["user_data"], p["point_source_id"])
        if fmt in (1, 3):
            out += struct.pack("<d", p["gps_time"])
        if fmt in (2, 3):
            out += struct.pack("<HHH", p["red"], p["green"], p["blue"])
    else:
        returns = p["return_number"] | p["number_of_returns"] << 4
        flags = p["synthetic"] | p["key_point"] << 1 | p["withheld"] << 2 | p["overlap"] << 3 | \
            p["scanner_channel"] << 4 | p["scan_direction_flag"] << 6 | p["edge_of_flight_line"] << 7
        out = struct.pack("<iiiHBBBBhHd", p["X"], p["Y"], p["Z"], p["intensity"], returns, flags,
                          p["classification"], p["user_data"], p["scan_angle"], p["point_source_id"], p["gps_time"])
        if fmt in (7, 8):
            out += struct.pack("<HHH", p["red"], p["green"], p["blue"])
        if fmt == 8:
            out += struct.pack("<H", p["nir"])
    assert len(out) == RECORD_SIZE[fmt]
    return out


def vlr(user, record_id, payload, description=b""):
    return struct.pack("<H16sHH32s", 0, user, record_id, len(payload), description) + payload


def evlr(user, record_id, payload, description=b""):
    return struct.pack("<H16sHQ32s", 0, user, record_id, len(payload), description) + payload


def extra_bytes_descriptor(data_type, options, name, scale=(0.0, 0.0, 0.0), offset=(0.0, 0.0, 0.0)):
    return struct.pack("<2sBB32s4s24s24s24s3d3d32s", b"", data_type, options, name, b"", b"", b"", b"",
                       *scale, *offset, b"")


def header(minor, fmt, record_length, points, vlr_count, header_size, data_offset, evlr_start=0, evlr_count=0):
    """The public header block (LAS 1.2 table 3, 1.3 table 4, 1.4 table 3), padded to header_size."""
    scale, offset = SCALE_OFFSET[minor]
    world = [[p[a] * scale[i] + offset[i] for p in points] for i, a in enumerate("XYZ")]
    by_return = [sum(1 for p in points if p["return_number"] == r) for r in range(1, 16)]
    legacy = fmt <= 3
    out = b"LASF" + struct.pack("<HH16sBB32s32sHHHIIBHI5I", 0, 0x10 if not legacy else 0, b"", 1, minor,
                                b"struct LAS fixture", b"generate_las_fixtures.py", 100, 2024, header_size,
                                data_offset, vlr_count, fmt, record_length, len(points) if legacy else 0,
                                *(by_return[:5] if legacy else [0] * 5))
    out += struct.pack("<3d3d", *scale, *offset)
    for axis in range(3):
        out += struct.pack("<dd", max(world[axis]), min(world[axis]))
    assert len(out) == 227
    if minor >= 3:
        out += struct.pack("<Q", 0)
    if minor >= 4:
        out += struct.pack("<QIQ15Q", evlr_start, evlr_count, len(points), *by_return)
    assert len(out) == HEADER_SIZE[minor]
    return out + bytes(header_size - len(out))


def write(name, minor, fmt, points, vlrs=(), header_padding=0, gap=0, extra=b"", evlrs=()):
    header_size = HEADER_SIZE[minor] + header_padding
    vlr_bytes = b"".join(vlrs)
    data_offset = header_size + len(vlr_bytes) + gap
    record_length = RECORD_SIZE[fmt] + len(extra)
    data = b"".join(record(fmt, p) + extra for p in points)
    evlr_start = data_offset + len(data) if evlrs else 0
    out = header(minor, fmt, record_length, points, len(vlrs), header_size, data_offset, evlr_start, len(evlrs))
    out += vlr_bytes + b"\xee" * gap + data + b"".join(evlrs)
    with open(os.path.join(LAS, name), "wb") as f:
        f.write(out)


def generate():
    sections = read_points()
    for minor in (2, 3, 4):
        for fmt in (0, 1, 2, 3) + ((6, 7, 8) if minor == 4 else ()):
            write(f"v1{minor}_f{fmt}.las", minor, fmt, sections["legacy" if fmt <= 3 else "extended"])

    # Header 2 bytes longer than 1.2's, a GeoKey-like and an empty VLR, 3 bytes of gap before the points, and 5
    # undescribed extra bytes per record: the reader must follow the header size, VLR lengths and offsets.
    write("v12_f1_vlrs.las", 2, 1, sections["legacy"], header_padding=2, gap=3, extra=b"\xab\xcd\xef\x01\x02",
          vlrs=[vlr(b"LASF_Projection", 34735, struct.pack("<4H", 1, 1, 0, 0), b"GeoKeyDirectoryTag"),
                vlr(b"Perception", 7, b"", b"empty")])

    # An Extra Bytes VLR: a scaled and offset uint16, a plain uint8, 3 undocumented bytes, an int32 whose name
    # has a space, and one byte no descriptor covers.
    descriptors = b"".join([
        extra_bytes_descriptor(3, 0x18, b"range", scale=(0.01, 0, 0), offset=(100.0, 0, 0)),
        extra_bytes_descriptor(1, 0, b"ring"),
        extra_bytes_descriptor(0, 3, b"opaque"),
        extra_bytes_descriptor(6, 0, b"tag id"),
    ])
    points = sections["extended"]
    extras = [struct.pack("<HB3si", 1000 * i + 7, 60 + i, b"xyz", -100000 * i + 3) + b"\x99"  # as check() expects
              for i in range(len(points))]
    write_with_extras("v14_f6_extra.las", points, extras,
                      [vlr(b"LASF_Spec", 4, descriptors, b"Extra Bytes Record")])

    # An EVLR after the point records (1.4 header fields 235-246): the point block must end where it says.
    write("v14_f8_evlr.las", 4, 8, sections["extended"],
          evlrs=[evlr(b"Perception", 1, b"trailing extended VLR payload", b"after the points")])


def write_with_extras(name, points, extras, vlrs):
    """Like write() for format 6 at 1.4, with a different extra-bytes payload per point."""
    header_size = HEADER_SIZE[4]
    vlr_bytes = b"".join(vlrs)
    data_offset = header_size + len(vlr_bytes)
    record_length = RECORD_SIZE[6] + len(extras[0])
    data = b"".join(record(6, p) + e for p, e in zip(points, extras))
    with open(os.path.join(LAS, name), "wb") as f:
        f.write(header(4, 6, record_length, points, len(vlrs), header_size, data_offset) + vlr_bytes + data)


def read_dump(path):
    """A peer dump: 'key values...' header lines, a 'fields' line, then one row per point."""
    meta, rows = {}, []
    fields = None
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            parts = line.split()
            if fields is None:
                if parts[0] == "fields":
                    fields = parts[1:]
                else:
                    meta[parts[0]] = parts[1:]
            else:
                rows.append(dict(zip(fields, (float(v) for v in parts))))
    return meta, rows


COPC_NAMES = {"X": "X", "Y": "Y", "Z": "Z", "Intensity": "intensity", "ReturnNumber": "return_number",
              "NumberOfReturns": "number_of_returns", "ScanDirectionFlag": "scan_direction_flag",
              "EdgeOfFlightLine": "edge_of_flight_line", "Classification": "classification",
              "Synthetic": "synthetic", "KeyPoint": "key_point", "Withheld": "withheld", "Overlap": "overlap",
              "ScannerChannel": "scanner_channel", "ScanAngle": "scan_angle", "UserData": "user_data",
              "PointSourceId": "point_source_id", "GpsTime": "gps_time", "Red": "red", "Green": "green",
              "Blue": "blue", "Infrared": "nir"}


def check():
    """Every peer dump of a fixture agrees with points.txt."""
    sections = read_points()
    dumps = sorted(glob.glob(os.path.join(LAS, "v1*.las.*.txt")))
    assert dumps, "no peer dumps: run las_peer_dump.js first"
    for dump in dumps:
        meta, rows = read_dump(dump)
        minor = int(os.path.basename(dump)[2])  # v12_..., v13_..., v14_...
        fmt = int(meta["point_format"][0])
        points = sections["legacy" if fmt <= 3 else "extended"]
        scale, offset = SCALE_OFFSET[minor]
        assert len(rows) == len(points), dump
        for p, row in zip(points, rows):
            for axis, a in enumerate("XYZ"):
                assert abs(row[a] - (p[a] * scale[axis] + offset[axis])) <= scale[axis] * 1e-3, (dump, a, row)
            if dump.endswith(".copc.txt"):
                for peer, ours in COPC_NAMES.items():
                    if peer in row and peer not in "XYZ":
                        expected = p[ours] * 0.006 if ours == "scan_angle" and fmt >= 6 else p[ours]
                        assert abs(row[peer] - expected) < 1e-9, (dump, peer, row[peer], expected)
                if "range:raw" in row:
                    i = points.index(p)
                    assert (row["range:raw"], row["ring"], row["tag_id"]) == (1000 * i + 7, 60 + i, -100000 * i + 3)
            else:
                full = p["classification"] | p["synthetic"] << 5 | p["key_point"] << 6 | p["withheld"] << 7
                assert row["intensity"] == p["intensity"] and row["classification"] == full, (dump, row)
                for c in ("red", "green", "blue"):
                    assert c not in row or row[c] == p[c] >> 8, (dump, c, row)
        print(f"ok {os.path.basename(dump)}: {len(rows)} points")


if __name__ == "__main__":
    if "--check" in sys.argv:
        check()
    else:
        generate()
