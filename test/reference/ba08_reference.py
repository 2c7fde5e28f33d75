"""Independent reference implementation of Boore & Atkinson (2008), Earthquake Spectra 24(1),
eqs 1-13, PGA and PGV rows of Tables 3, 6, 7 and 8, written from the paper for the test suite.
Prints JSON: [[M, Rjb, Vs30, mechanism, pga_g, pgv_cms], ...] for a grid of cases."""
import json
import math

COEF = {
    # c1, c2, c3, h, e1(U), e2(SS), e3(NS), e4(RS), e5, e6, e7, Mh, blin, b1, b2
    "pga": (-0.66050, 0.11970, -0.01151, 1.35, -0.53804, -0.50350, -0.75472, -0.50970, 0.28805, -0.10164, 0.0, 6.75, -0.36, -0.64, -0.14),
    "pgv": (-0.87370, 0.10060, -0.00334, 2.54, 5.00121, 5.04727, 4.63188, 5.08210, 0.18322, -0.12736, 0.0, 8.50, -0.60, -0.50, -0.06),
}
MECH = {"U": 4, "SS": 5, "NS": 6, "RS": 7}


def f_m(c, m, mech):
    e, e5, e6, e7, mh = c[MECH[mech]], c[8], c[9], c[10], c[11]
    return e + e5 * (m - mh) + e6 * (m - mh) ** 2 if m <= mh else e + e7 * (m - mh)


def f_d(c, m, rjb):
    r = math.sqrt(rjb ** 2 + c[3] ** 2)
    return (c[0] + c[1] * (m - 4.5)) * math.log(r / 1.0) + c[2] * (r - 1.0)


def b_nl(c, v):
    b1, b2 = c[13], c[14]
    if v <= 180:
        return b1
    if v <= 300:
        return (b1 - b2) * math.log(v / 300) / math.log(180 / 300) + b2
    if v < 760:
        return b2 * math.log(v / 760) / math.log(300 / 760)
    return 0.0


def f_nl(c, pga4nl, v):
    b = b_nl(c, v)
    a1, a2, plow = 0.03, 0.09, 0.06
    if pga4nl <= a1:
        return b * math.log(plow / 0.1)
    if pga4nl <= a2:
        dx = math.log(a2 / a1)
        dy = b * math.log(a2 / plow)
        cc = (3 * dy - b * dx) / dx ** 2
        dd = -(2 * dy - b * dx) / dx ** 3
        x = math.log(pga4nl / a1)
        return b * math.log(plow / 0.1) + cc * x ** 2 + dd * x ** 3
    return b * math.log(pga4nl / 0.1)


def median(imt, m, rjb, v, mech):
    c = COEF[imt]
    p = COEF["pga"]
    pga4nl = math.exp(f_m(p, m, mech) + f_d(p, m, rjb))
    return math.exp(f_m(c, m, mech) + f_d(c, m, rjb) + c[12] * math.log(v / 760) + f_nl(c, pga4nl, v))


rows = []
for m in (5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0):
    for rjb in (0, 1, 5, 10, 20, 50, 100, 200):
        for v in (180, 250, 360, 560, 760, 1100):
            for mech in ("U", "SS", "NS", "RS"):
                rows.append([m, rjb, v, mech, median("pga", m, rjb, v, mech), median("pgv", m, rjb, v, mech)])
print(json.dumps(rows))
