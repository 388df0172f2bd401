"""Reference values for Disan's geodesy (engine/format/src/geodesy.rs), computed with PROJ.

Run from the repository root with pyproj from PyPI (not needed by the tests, which read the CSV):

    python3 -m venv /tmp/pyproj && /tmp/pyproj/bin/pip install pyproj
    /tmp/pyproj/bin/python engine/format/tests/data/geodesy/make_reference.py

Writes reference.csv beside this script: one conversion per row,
`from,to,a,b,h,out_a,out_b,out_h,place`, coordinates in the order `disan coords` (and cs2cs) use:
`lat lon h` for geographic systems, `easting northing h` for projected ones.

The datum shift is always EPSG:6960 "VN-2000 to WGS 84 (2)", the official 7-parameter set of
Decision 05/2007/QĐ-BTNMT, chosen explicitly (EPSG also registers an older set for the Mekong
delta), also for the islands outside its stated area of use; projections are done within one datum.
"""
import csv
import os

import pyproj
from pyproj import Transformer
from pyproj.transformer import TransformerGroup

VN2000_TO_WGS84 = next(t for t in TransformerGroup(4756, 4326, always_xy=False).transformers
                       if t.to_json_dict().get("id", {}).get("code") == 6960)


def wgs84_to_vn2000(lat, lon, h):
    return VN2000_TO_WGS84.transform(lat, lon, h, direction=pyproj.enums.TransformDirection.INVERSE)


# TM-3 zones by central meridian (EPSG codes of "VN-2000 / TM-3 ...").
TM3 = {102.0: 5896, 103.0: 9205, 104.0: 9206, 104.5: 9207, 104.75: 9208, 105.0: 5897, 105.5: 9209,
       105.75: 9210, 106.0: 9211, 106.25: 9212, 106.5: 9213, 107.0: 9214, 107.25: 9215,
       107.5: 9216, 107.75: 5899, 108.0: 5898, 108.25: 9217, 108.5: 9218}

# (place, WGS84 lat, lon, ellipsoidal height, TM-3 meridian its province uses)
POINTS = [
    # Hải Phòng, over the city and its islands (TM-3 105°45′)
    ("Đình Hàng Kênh", 20.8463, 106.6844, 5.0, 105.75),
    ("Nhà hát lớn Hải Phòng", 20.8577, 106.6839, 4.0, 105.75),
    ("Đền Nghè", 20.8601, 106.6817, 4.0, 105.75),
    ("Chùa Dư Hàng", 20.8390, 106.6930, 4.0, 105.75),
    ("Đình Kiền Bái, Thủy Nguyên", 20.9635, 106.6170, 6.0, 105.75),
    ("Bạch Đằng Giang, Thủy Nguyên", 20.9390, 106.7560, 3.0, 105.75),
    ("Việt Khê, Thủy Nguyên", 20.9580, 106.6220, 5.0, 105.75),
    ("Đồ Sơn", 20.7100, 106.7870, 20.0, 105.75),
    ("Kiến Thụy", 20.7540, 106.6710, 3.0, 105.75),
    ("Tiên Lãng", 20.7220, 106.5500, 2.0, 105.75),
    ("Vĩnh Bảo, đền thờ Trạng Trình", 20.6870, 106.4600, 3.0, 105.75),
    ("An Lão", 20.8200, 106.5550, 4.0, 105.75),
    ("Cát Bà", 20.7270, 107.0480, 30.0, 105.75),
    ("Bạch Long Vĩ", 20.1330, 107.7280, 15.0, 105.75),
    ("Côn Sơn, Chí Linh (former Hải Dương)", 21.1460, 106.3850, 60.0, 105.75),
    ("Văn Miếu Mao Điền (former Hải Dương)", 20.9520, 106.2460, 5.0, 105.75),
    # The rest of the country, each in its own province's TM-3 zone
    ("Lũng Cú, Tuyên Quang", 23.3640, 105.3160, 1470.0, 105.5),
    ("Điện Biên Phủ", 21.3860, 103.0230, 480.0, 103.0),
    ("A Pa Chải, Điện Biên", 22.3960, 102.1440, 1800.0, 103.0),
    ("Hà Nội, Văn Miếu", 21.0285, 105.8355, 15.0, 105.0),
    ("Hạ Long, Quảng Ninh", 20.9510, 107.0800, 10.0, 107.75),
    ("Móng Cái, Quảng Ninh", 21.5250, 107.9660, 8.0, 107.75),
    ("Vinh, Nghệ An", 18.6790, 105.6810, 5.0, 104.75),
    ("Huế", 16.4690, 107.5770, 10.0, 107.0),
    ("Đà Nẵng", 16.0680, 108.2120, 5.0, 107.75),
    ("Hội An", 15.8770, 108.3270, 3.0, 107.75),
    ("Quy Nhơn", 13.7760, 109.2230, 5.0, 108.25),
    ("Nha Trang", 12.2450, 109.1940, 5.0, 108.25),
    ("Đà Lạt", 11.9400, 108.4580, 1500.0, 107.75),
    ("Phan Thiết", 10.9280, 108.1000, 5.0, 108.5),
    ("TP Hồ Chí Minh", 10.7760, 106.7010, 5.0, 105.75),
    ("Cần Thơ", 10.0340, 105.7880, 3.0, 105.0),
    ("Phú Quốc", 10.2270, 103.9640, 5.0, 104.5),
    ("Cà Mau, Mũi Cà Mau", 8.6150, 104.7190, 2.0, 104.5),
    ("Côn Đảo", 8.6830, 106.6090, 10.0, 106.5),
    ("Hoàng Sa", 16.5330, 111.6090, 5.0, 108.0),
    ("Trường Sa", 8.6450, 111.9200, 3.0, 108.0),
    ("Kon Tum", 14.3500, 108.0000, 520.0, 107.5),
    ("Buôn Ma Thuột", 12.6670, 108.0380, 500.0, 108.5),
]


def project(epsg_from, epsg_to, a, b, h):
    return Transformer.from_crs(epsg_from, epsg_to, always_xy=False).transform(a, b, h)


def main():
    rows = []
    for place, lat, lon, h, meridian in POINTS:
        vlat, vlon, vh = wgs84_to_vn2000(lat, lon, h)
        utm_vn = 3405 if lon < 108.0 else 3406
        utm_wgs = 32648 if lon < 108.0 else 32649
        tm3 = TM3[meridian]
        # VN-2000 projected coordinates come from VN-2000 geographic ones: a conversion, no datum.
        # pyproj returns projected systems' axes in their declared order, easting first for these.
        e9210, n9210, _ = project(4756, 9210, vlat, vlon, vh)
        e_tm3, n_tm3, _ = project(4756, tm3, vlat, vlon, vh)
        e_utm, n_utm, _ = project(4756, utm_vn, vlat, vlon, vh)
        e_wutm, n_wutm, _ = project(4326, utm_wgs, lat, lon, h)
        rows += [
            (4326, 4756, lat, lon, h, vlat, vlon, vh),
            (4756, 4326, vlat, vlon, vh, lat, lon, h),
            (4326, 9210, lat, lon, h, e9210, n9210, vh),
            (9210, 4326, e9210, n9210, vh, lat, lon, h),
            (4756, tm3, vlat, vlon, vh, e_tm3, n_tm3, vh),
            (tm3, 4756, e_tm3, n_tm3, vh, vlat, vlon, vh),
            (4326, utm_vn, lat, lon, h, e_utm, n_utm, vh),
            (utm_vn, 9210, e_utm, n_utm, vh, e9210, n9210, vh),
            (4326, utm_wgs, lat, lon, h, e_wutm, n_wutm, h),
            (utm_wgs, tm3, e_wutm, n_wutm, h, e_tm3, n_tm3, vh),
        ]
        rows = [r + (place,) if len(r) == 8 else r for r in rows]
    # Check the projected axis order assumption once: eastings within about 700 km of 500 km, northings above 900 km (Vietnam lies north of 8°).
    assert all(100_000 < r[5] < 1_200_000 for r in rows if r[1] not in (4326, 4756))
    assert all(r[6] > 900_000 for r in rows if r[1] not in (4326, 4756))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.csv")
    with open(out, "w", newline="", encoding="utf-8") as f:
        f.write(f"# Computed with pyproj {pyproj.__version__}, PROJ {pyproj.proj_version_str}, by make_reference.py.\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["from", "to", "a", "b", "h", "out_a", "out_b", "out_h", "place"])
        for r in rows:
            w.writerow([r[0], r[1]] + [f"{v:.10f}" if abs(v) < 1000 else f"{v:.5f}" for v in r[2:8]] + [r[8]])
    print(f"{len(rows)} rows written to {out}")


if __name__ == "__main__":
    main()
