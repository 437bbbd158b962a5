#!/usr/bin/env python3
"""Generate seedplan source-model XML files (one per 125I seed model) from the
TG-43 reference data in shared/reference/tg43.

Usage:
    python3 tools/make_source_xml.py [--ref REF_DIR] [--out OUT_DIR]

Defaults (relative to the repository root, i.e. the parent of tools/):
    --ref  ../shared/reference/tg43
    --out  dosimetry/sources

Standard library only. Numbers are copied exactly as written in the CSV text.
The script validates every table before writing anything and exits non-zero
with a message if a table is incomplete or invalid. Known-incomplete extra
models (AgX100) are skipped with a printed note.
"""

import argparse
import csv
import math
import os
import re
import sys
from xml.sax.saxutils import escape, quoteattr

SCHEMA_VERSION = "1"

# The six requested models, in output order.
REQUESTED = ["6711", "6702", "2301", "I25S06", "IAI125A", "130002"]

# Extra models known to have incomplete tables: skipped (with a printed note)
# unless their tables turn out to be complete.
KNOWN_INCOMPLETE_EXTRA = {"AgX100"}

# Preferred values where models.csv lists alternatives ("a | b") or where the
# README "Decisions for the open points" fixes a value.  key: (model, column)
PREFERRED = {
    ("130002", "L_cm_geometry_function"): "0.34",
    ("2301", "L_cm_geometry_function"): "0.40",
}

# Table files chosen by decision, where a model has several tabulations.
TABLE_CHOICE = {
    "130002": {
        "gL": "130002_gL_karaiskos_grid.csv",
        "F": "130002_F_karaiskos_grid.csv",
    },
}

# Table-row values fixed by a README decision: (model, kind, r text) -> value.
# The script checks that the CSV's preferred column holds the decided value.
DECIDED_VALUES = {
    ("6702", "gL", "6"): "0.332",
}

# Notes from README "Known open points" (per model).
OPEN_POINTS = {
    "6702": ["g_L(6 cm) is 0.332 or 0.322: TPOR gives 0.332, SLICER gives 0.322; "
             "the primary table was not accessible to resolve it."],
    "130002": ["The active length L used in G_L is 0.3 cm in one transcription (TPOR) and "
               "0.34 cm in another (ENGER); the egs_brachy geometry of the seed models a "
               "0.34 cm long coated Ag core."],
    "2301": ["The active length L is 0.40 cm in TPOR and 0.375 cm in AFOR; 0.40 cm is the "
             "only value that reproduces the published g_P table from g_L."],
    "I25S06": ["I25S06 data (g_L, F, phi_an) come from one repository only (TPOR/TPOR-M); "
               "no independent second source was found."],
}

# Notes from README "Decisions for the open points" (per model).
DECISIONS = {
    "6702": ["g_L(6 cm) = 0.332 (TPOR) is used; the conflicting value 0.322 (SLICER) is "
             "flagged, not used."],
    "130002": ["The Karaiskos grid (r 0.1-10 cm, theta 0.5-90 deg; complete and rectangular) "
               "is used, with L = 0.34 cm (the egs_brachy geometry's active core length). "
               "L is UNCERTAIN: 0.3 cm in one transcription (TPOR).",
               "The consensus-style grid (130002_gL_consensus_grid.csv, "
               "130002_F_consensus_grid.csv) has missing F cells and is not used; nothing "
               "is invented to fill it.",
               "Below the first tabulated angle (0.5 deg) F is held at its 0.5 deg value."],
    "2301": ["L = 0.40 cm is used (AFOR's 0.375 cm is not)."],
}

SINGLE_SOURCE_NOTE = "data from one transcription only; use with caution"

# Row notes in the tables that carry no information beyond the status column.
TRIVIAL_ROW_NOTE = re.compile(r"^(F\(r,90deg\)=1 by definition.*|ENGER lists 0-180 deg.*)$")


class DataError(Exception):
    pass


class IncompleteTable(DataError):
    pass


# --------------------------------------------------------------------------
# Reading and validation
# --------------------------------------------------------------------------

def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def num(text, what):
    try:
        v = float(text)
    except ValueError:
        raise DataError("%s: not a number: %r" % (what, text))
    if not math.isfinite(v):
        raise DataError("%s: not finite: %r" % (what, text))
    return v


def positive(text, what):
    v = num(text, what)
    if not v > 0:
        raise DataError("%s: must be > 0, got %r" % (what, text))
    return v


def split_sources(text):
    """Split 'A=1;B=2 (x; y)' at top-level ';' (ignoring ';' inside parentheses
    or quotes) and return the list of keys (text before '=')."""
    parts, depth, cur, inq = [], 0, [], False
    for ch in text:
        if ch == '"':
            inq = not inq
        elif not inq and ch == "(":
            depth += 1
        elif not inq and ch == ")":
            depth -= 1
        if ch == ";" and depth == 0 and not inq:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    keys = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if "=" not in p:
            raise DataError("cannot parse source entry %r in %r" % (p, text))
        keys.append(p.split("=", 1)[0].strip())
    return keys


def check_increasing(vals, what):
    for a, b in zip(vals, vals[1:]):
        if not b > a:
            raise DataError("%s: not strictly increasing (%r then %r)" % (what, a, b))


def load_1d(path, col, what):
    rows = read_csv(path)
    if not rows:
        raise DataError("%s: empty table" % what)
    out = []
    for i, row in enumerate(rows):
        r = row["r_cm"].strip()
        v = row[col].strip()
        positive(r, "%s row %d r_cm" % (what, i + 2))
        positive(v, "%s row %d %s" % (what, i + 2, col))
        out.append({"r": r, "v": v, "status": row["status"].strip(),
                    "sources": row["values_by_source"].strip(),
                    "note": row.get("note", "").strip()})
    check_increasing([float(x["r"]) for x in out], what + " radii")
    return out


def load_2d(path, what):
    rows = read_csv(path)
    if not rows:
        raise DataError("%s: empty table" % what)
    cells = {}
    r_text, t_text = {}, {}
    notes = []
    for i, row in enumerate(rows):
        rt, tt, ft = row["r_cm"].strip(), row["theta_deg"].strip(), row["F"].strip()
        r = positive(rt, "%s row %d r_cm" % (what, i + 2))
        t = num(tt, "%s row %d theta_deg" % (what, i + 2))
        if not 0 <= t <= 90:
            raise DataError("%s row %d: theta %s outside [0, 90]" % (what, i + 2, tt))
        positive(ft, "%s row %d F" % (what, i + 2))
        if r_text.setdefault(r, rt) != rt or t_text.setdefault(t, tt) != tt:
            raise DataError("%s row %d: the same number is written differently (%r/%r)"
                            % (what, i + 2, rt, tt))
        if (r, t) in cells:
            raise DataError("%s: duplicate cell r=%s theta=%s" % (what, rt, tt))
        cells[(r, t)] = {"v": ft, "status": row["status"].strip(),
                         "sources": row["values_by_source"].strip()}
        note = row.get("note", "").strip()
        if note:
            notes.append((rt, tt, note))
    radii = sorted(r_text)
    angles = sorted(t_text)
    missing = [(r_text[r], t_text[t]) for r in radii for t in angles if (r, t) not in cells]
    if missing:
        raise IncompleteTable("%s: not rectangular: %d of %d cells missing (%d radii x %d angles), "
                              "e.g. r=%s theta=%s"
                              % (what, len(missing), len(radii) * len(angles), len(radii),
                                 len(angles), missing[0][0], missing[0][1]))
    check_increasing(radii, what + " radii")
    check_increasing(angles, what + " angles")
    table = {"angles": [t_text[t] for t in angles], "rows": [], "notes": notes}
    for r in radii:
        row_cells = [cells[(r, t)] for t in angles]
        statuses = []
        for c in row_cells:
            if c["status"] not in statuses:
                statuses.append(c["status"])
        table["rows"].append({"r": r_text[r], "values": [c["v"] for c in row_cells],
                              "status": ";".join(statuses),
                              "sources": [c["sources"] for c in row_cells]})
    return table


def status_token(text):
    """'single_group (TPOR-M is ...)' -> ('single_group', 'TPOR-M is ...')."""
    text = text.strip()
    m = re.match(r"^([A-Za-z0-9_]+)\s*(?:\((.*)\))?\s*$", text, re.S)
    if m:
        return m.group(1), (m.group(2) or "").strip()
    return text, ""


# --------------------------------------------------------------------------
# Model assembly
# --------------------------------------------------------------------------

def table_files(model_row):
    return [f.strip() for f in model_row["table_files"].split(";") if f.strip()]


def pick_file(mid, kind, files, suffix):
    if mid in TABLE_CHOICE and kind in TABLE_CHOICE[mid]:
        name = TABLE_CHOICE[mid][kind]
        match = [f for f in files if os.path.basename(f) == name]
        if not match:
            raise DataError("%s: chosen %s table %s not listed in models.csv" % (mid, kind, name))
        return match[0]
    match = [f for f in files if os.path.basename(f) == "%s_%s.csv" % (mid, suffix)]
    if len(match) > 1:
        raise DataError("%s: several %s tables: %s" % (mid, kind, match))
    return match[0] if match else None


def scalar(mid, m, col, what):
    text = m[col].strip()
    alternatives = None
    if "|" in text:
        alternatives = [a.strip() for a in text.split("|")]
        if (mid, col) not in PREFERRED:
            raise DataError("%s: %s has alternatives %r and no preferred value is decided"
                            % (mid, what, text))
    if (mid, col) in PREFERRED:
        pref = PREFERRED[(mid, col)]
        if alternatives is not None and pref not in alternatives:
            raise DataError("%s: preferred %s %s is not among %r" % (mid, what, pref, alternatives))
        if alternatives is None and num(pref, what) != num(text, what):
            raise DataError("%s: preferred %s %s differs from models.csv %s" % (mid, what, pref, text))
        if alternatives is None:
            pref = text  # keep the CSV text
        text = pref
    positive(text, "%s %s" % (mid, what))
    return text, alternatives


def build_model(mid, m, ref, tier):
    files = table_files(m)
    notes = []  # (kind, text)
    what = "model %s" % mid

    # Tables
    gl_file = pick_file(mid, "gL", files, "gL")
    f_file = pick_file(mid, "F", files, "F")
    gp_file = pick_file(mid, "gP", files, "gP")
    phi_file = pick_file(mid, "phi_an", files, "phi_an")
    if gl_file is None or f_file is None:
        raise DataError("%s: g_L or F table missing" % what)
    for f in (gl_file, f_file, gp_file, phi_file):
        if f is not None and not os.path.isfile(os.path.join(ref, f)):
            raise DataError("%s: table file %s not found in %s" % (what, f, ref))

    F = load_2d(os.path.join(ref, f_file), f_file)  # may raise IncompleteTable
    gL = load_1d(os.path.join(ref, gl_file), "gL", gl_file)
    gP = load_1d(os.path.join(ref, gp_file), "gP", gp_file) if gp_file else None
    phi = load_1d(os.path.join(ref, phi_file), "phi_an", phi_file) if phi_file else None

    lam, lam_alt = scalar(mid, m, "Lambda_cGy_per_h_per_U", "Lambda")
    L, L_alt = scalar(mid, m, "L_cm_geometry_function", "active length L")
    lam_status, lam_status_extra = status_token(m["Lambda_status"])
    L_status, L_status_extra = status_token(m["L_status"])

    model = {"id": mid, "name": m["model"].strip(), "dataset": m["dataset_origin"].strip(),
             "tier": tier, "Lambda": lam, "Lambda_status": lam_status, "L": L,
             "L_status": L_status, "tables": []}

    for (dm, kind, r), val in DECIDED_VALUES.items():
        if dm != mid:
            continue
        tab = {"gL": gL, "gP": gP, "phi_an": phi}[kind]
        hit = [x for x in tab if x["r"] == r]
        if not hit or hit[0]["v"] != val:
            raise DataError("%s: decided %s(%s) = %s but the table has %s"
                            % (mid, kind, r, val, hit[0]["v"] if hit else "no such radius"))

    model.update({"gL": gL, "gL_file": gl_file, "gP": gP, "gP_file": gp_file,
                  "F": F, "F_file": f_file, "phi": phi, "phi_file": phi_file})
    model["tables"] = ["g_L"] + (["g_P"] if gP else []) + ["F"] + (["phi_an"] if phi else [])

    # Transcription keys used by this model
    keys = []
    def add_keys(text):
        for k in split_sources(text):
            if k not in keys:
                keys.append(k)
    add_keys(m["Lambda_values_by_source"])
    add_keys(m["L_values_by_source"])
    for tab in (gL, gP, phi):
        for x in tab or []:
            add_keys(x["sources"])
    for row in F["rows"]:
        for s in row["sources"]:
            add_keys(s)
    model["source_keys"] = keys

    # Notes
    for t in OPEN_POINTS.get(mid, []):
        notes.append(("open-point", t))
    if m["notes"].strip():
        notes.append(("open-point", m["notes"].strip()))
    if lam_alt:
        notes.append(("open-point", "Lambda alternatives in the sources: %s (%s); %s is used."
                      % (" | ".join(lam_alt), m["Lambda_values_by_source"].strip(), lam)))
    if L_alt:
        notes.append(("open-point", "Active length alternatives in the sources: %s cm (%s); "
                      "%s cm is used." % (" | ".join(L_alt), m["L_values_by_source"].strip(), L)))
    if lam_status_extra:
        notes.append(("open-point", "Lambda status: %s" % m["Lambda_status"].strip()))
    if L_status_extra:
        notes.append(("open-point", "Active length status: %s" % m["L_status"].strip()))
    # Informative row notes from the tables (deduplicated, with the radii they concern)
    row_notes = []
    def collect(fname, label, items):
        for r, note in items:
            if not note or TRIVIAL_ROW_NOTE.match(note):
                continue
            for entry in row_notes:
                if entry[0] == fname and entry[2] == note:
                    entry[1].append(r)
                    break
            else:
                row_notes.append([fname, [r], note, label])
    collect(gl_file, "g_L", [(x["r"], x["note"]) for x in gL])
    if gP:
        collect(gp_file, "g_P", [(x["r"], x["note"]) for x in gP])
    if phi:
        collect(phi_file, "phi_an", [(x["r"], x["note"]) for x in phi])
    collect(f_file, "F", [("%s cm, %s deg" % (r, t), n) for r, t, n in F["notes"]])
    for fname, rs, note, label in row_notes:
        unit = "" if label == "F" else " cm"
        if label == "F":
            where = ("; ".join(rs) if len(rs) <= 3 else
                     "%d of %d cells, e.g. %s" % (len(rs), len(F["rows"]) * len(F["angles"]), rs[0]))
        elif len(rs) == len({"g_L": gL, "g_P": gP, "phi_an": phi}[label]):
            where = "all radii"
        else:
            where = ", ".join(rs) + unit
        notes.append(("open-point", "%s (%s, %s): %s" % (label, os.path.basename(fname), where, note)))
    for t in DECISIONS.get(mid, []):
        notes.append(("decision", t))
    if tier != "requested":
        notes.append(("single-source", SINGLE_SOURCE_NOTE))
    model["notes"] = notes
    return model


def references_for(model, sources):
    refs = ["LIT-TG43U1"]
    ds = model["dataset"]
    if "TG-43U1S1" in ds or "2007" in ds:
        refs.append("LIT-TG43U1S1")
    if "TG-43U1S2" in ds or "2017" in ds:
        refs.append("LIT-TG43U1S2")
    if model["id"] == "130002":
        refs.append("LIT-KARAISKOS2001")
    refs.append("LIT-HEBD")
    for r in refs:
        if r not in sources:
            raise DataError("reference %s not in sources.csv" % r)
    return refs


def doi_of(text):
    m = re.search(r"doi:\s*(10\.[^\s;,]+)", text, re.I)
    return m.group(1).rstrip(".)") if m else None


# Keys in values_by_source that are literature, not transcriptions in sources.csv.
LITERATURE_KEYS = {"Karaiskos 2001 abstract": "LIT-KARAISKOS2001"}

# Extra transcriptions that support a decision for a model (not in values_by_source).
EXTRA_TRANSCRIPTIONS = {"130002": ["EGSBRACHY-SELECTSEED"]}


# --------------------------------------------------------------------------
# XML writing
# --------------------------------------------------------------------------

def attr(name, value):
    return " %s=%s" % (name, quoteattr(value))


def render(model, sources, constants):
    o = []
    w = o.append
    w('<?xml version="1.0" encoding="UTF-8"?>')
    w("<!-- Generated by tools/make_source_xml.py from shared/reference/tg43; do not edit by hand. -->")
    w('<seedplanSourceModel schemaVersion="%s">' % SCHEMA_VERSION)
    w("  <id>%s</id>" % escape(model["id"]))
    w("  <name>%s</name>" % escape(model["name"]))
    w("  <isotope>I-125</isotope>")
    w("  <dataStatus>%s</dataStatus>" % ("consensus" if model["tier"] == "requested" else "single-source"))
    w("  <halfLifeDays>%s</halfLifeDays>" % escape(constants["half_life"]))
    w('  <strengthPerActivity unit="U/mCi">%s</strengthPerActivity>' % escape(constants["sk_per_mci"]))
    w('  <doseRateConstant unit="cGy/(h U)"%s>%s</doseRateConstant>'
      % (attr("status", model["Lambda_status"]), escape(model["Lambda"])))
    w('  <activeLength unit="cm"%s>%s</activeLength>'
      % (attr("status", model["L_status"]), escape(model["L"])))

    def one_d(tag, extra, fname, rows):
        w("  <%s%s%s>" % (tag, extra, attr("file", fname)))
        for x in rows:
            w("    <value%s%s%s>%s</value>" % (attr("r_cm", x["r"]), attr("status", x["status"]),
                                               attr("sources", x["sources"]), escape(x["v"])))
        w("  </%s>" % tag)

    one_d("radialDoseFunction", ' geometry="line"', model["gL_file"], model["gL"])
    if model["gP"]:
        one_d("radialDoseFunction", ' geometry="point"', model["gP_file"], model["gP"])
    F = model["F"]
    w("  <anisotropyFunction%s>" % attr("file", model["F_file"]))
    w('    <angles unit="deg">%s</angles>' % escape(" ".join(F["angles"])))
    for row in F["rows"]:
        w("    <row%s%s>%s</row>" % (attr("r_cm", row["r"]), attr("status", row["status"]),
                                     escape(" ".join(row["values"]))))
    w("  </anisotropyFunction>")
    if model["phi"]:
        one_d("anisotropyFactor", "", model["phi_file"], model["phi"])

    w("  <provenance>")
    w("    <dataset>%s</dataset>" % escape(model["dataset"]))
    refs = references_for(model, sources)
    trans = []
    for k in model["source_keys"] + EXTRA_TRANSCRIPTIONS.get(model["id"], []):
        if k in LITERATURE_KEYS:
            if LITERATURE_KEYS[k] not in refs:
                refs.append(LITERATURE_KEYS[k])
            continue
        if k not in sources:
            raise DataError("%s: source key %r not in sources.csv" % (model["id"], k))
        if k not in trans:
            trans.append(k)
    for k in refs:
        s = sources[k]
        doi = doi_of(s["description"])
        w("    <reference%s%s>%s</reference>" % (attr("key", k), attr("doi", doi) if doi else "",
                                                escape(s["description"].strip())))
    order = list(sources)
    for k in sorted(trans, key=order.index):
        s = sources[k]
        commit = s["commit"].strip()
        w("    <transcription%s%s%s>%s</transcription>"
          % (attr("key", k), attr("location", s["location"].strip()),
             attr("commit", commit) if re.fullmatch(r"[0-9a-f]{40}", commit) else "",
             escape(s["description"].strip())))
    w("  </provenance>")
    w("  <notes>")
    for kind, text in model["notes"]:
        w("    <note%s>%s</note>" % (attr("kind", kind), escape(text)))
    w("  </notes>")
    w("</seedplanSourceModel>")
    return "\n".join(o) + "\n"


def render_readme(models):
    o = ["# Source models (125I seeds)", "",
         "Generated by `tools/make_source_xml.py` from `shared/reference/tg43` (TG-43U1 data with",
         "per-value provenance). Do not edit the XML files by hand; regenerate them instead.", "",
         "| id | name | Λ (cGy h⁻¹ U⁻¹) | L (cm) | data status | tables |",
         "|---|---|---|---|---|---|"]
    for m in models:
        status = "consensus" if m["tier"] == "requested" else "single-source"
        L = m["L"] + (" (uncertain)" if m["id"] == "130002" else "")
        o.append("| %s | %s | %s | %s | %s | %s |" % (
            m["id"], m["name"].replace("|", "\\|"), m["Lambda"], L, status,
            ", ".join(m["tables"])))
    o += ["",
          "\"single-source\" models come from one transcription only: usable, but flag them to users.",
          "Each file's `<notes>` element lists the open points and decisions that concern the model.", "",
          "## Regenerate", "",
          "From the repository root:", "",
          "```sh",
          "python3 tools/make_source_xml.py                 # defaults below",
          "python3 tools/make_source_xml.py --ref ../shared/reference/tg43 --out dosimetry/sources",
          "```", "",
          "The script validates every table (rectangular F grid, strictly increasing radii and angles,",
          "angles in [0, 90], all values finite and > 0, Λ and L > 0) and exits non-zero if one fails.",
          "Models whose tables are incomplete (AgX100) are left out with a printed note.", ""]
    return "\n".join(o)


def main(argv=None):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref", default=os.path.join(repo, "..", "shared", "reference", "tg43"),
                    help="reference directory (default: ../shared/reference/tg43 from the repo root)")
    ap.add_argument("--out", default=os.path.join(repo, "dosimetry", "sources"),
                    help="output directory (default: dosimetry/sources in the repo)")
    args = ap.parse_args(argv)
    ref = os.path.normpath(args.ref)
    out = os.path.normpath(args.out)

    try:
        models_rows = read_csv(os.path.join(ref, "models.csv"))
        sources = {r["source_id"].strip(): r for r in read_csv(os.path.join(ref, "sources.csv"))}
        const_rows = read_csv(os.path.join(ref, "constants.csv"))
    except OSError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2

    def const(prefix):
        hit = [r for r in const_rows if r["quantity"].startswith(prefix)]
        if len(hit) != 1:
            raise DataError("constants.csv: need exactly one %r row" % prefix)
        return hit[0]["value"].strip()

    models, skipped = [], []
    try:
        constants = {"half_life": const("I-125 half-life"),
                     "sk_per_mci": const("S_K per apparent activity")}
        positive(constants["half_life"], "half-life")
        positive(constants["sk_per_mci"], "S_K per mCi")
        by_id = {r["model_id"].strip(): r for r in models_rows}
        for mid in REQUESTED:
            if mid not in by_id:
                raise DataError("requested model %s not in models.csv" % mid)
        order = REQUESTED + [r["model_id"].strip() for r in models_rows
                             if r["tier"].strip() == "extra_single_source"]
        for mid in order:
            m = by_id[mid]
            tier = m["tier"].strip()
            if mid not in REQUESTED and tier != "extra_single_source":
                continue
            try:
                models.append(build_model(mid, m, ref, "requested" if mid in REQUESTED else tier))
            except IncompleteTable as e:
                if mid in KNOWN_INCOMPLETE_EXTRA:
                    skipped.append((mid, str(e)))
                    continue
                raise
        # Check (and report) the 130002 consensus-style grid, which is not used.
        try:
            load_2d(os.path.join(ref, "130002_F_consensus_grid.csv"), "130002_F_consensus_grid.csv")
            unused_note = "130002_F_consensus_grid.csv is complete but not used (decision: Karaiskos grid)"
        except IncompleteTable as e:
            unused_note = "not used (decision: Karaiskos grid): %s" % e
        except OSError:
            unused_note = None
    except DataError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1

    os.makedirs(out, exist_ok=True)
    written = []
    for m in models:
        try:
            text = render(m, sources, constants)
        except DataError as e:
            print("error: %s" % e, file=sys.stderr)
            return 1
        path = os.path.join(out, "%s.xml" % m["id"])
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        written.append(path)
    readme = os.path.join(out, "README.md")
    with open(readme, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(render_readme(models))
    written.append(readme)

    for p in written:
        print("wrote %s" % p)
    for mid, why in skipped:
        print("note: left out %s (table incomplete; nothing invented): %s" % (mid, why))
    if unused_note:
        print("note: %s" % unused_note)
    print("%d source models written (%d consensus, %d single-source); %d left out"
          % (len(models), sum(m["tier"] == "requested" for m in models),
             sum(m["tier"] != "requested" for m in models), len(skipped)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
