#!/usr/bin/env python3
"""Writes the synthetic demo cohort of seedplan's outcome analyses (patients.csv).

The cohort mimics the motivating study: PD-1 inhibitor alone (group PD1) versus PD-1 inhibitor
plus 125I seed implantation (group PD1_I125) for extrahepatic metastases of hepatocellular
carcinoma, 80 patients, 40 per group. Every number comes from the stated distributions below
and a fixed seed, so the file is identical on every machine and Python 3 version (only
random.Random.random() is used; every other draw is derived from it here).

Usage: python3 make_cohort.py [OUTPUT.csv]   (default: patients.csv beside this script)

Model (times in months, hazards per month, exponential survival):
  progression anywhere but the index lesion  rate 0.07 (PD1), x 0.80 (PD1_I125)
  local progression of the index lesion      rate 0.05 (PD1), x 0.40 (PD1_I125),
                                             x exp(-0.025 (D90 - 120 Gy)) with seeds
  death                                      rate ln2/15 (PD1), x 0.68 (PD1_I125)
  every rate x exp(0.35 [Child-Pugh B] + 0.25 ECOG + 0.18 (log10 AFP - 2));
  progression rates x 0.5 (CR/PR), 0.9 (SD), 1.6 (PD) by best response (local: by local
  response); loss to follow-up rate 0.01; enrolment uniform over 900 days from 2019-03-01,
  data cut-off 2022-12-31 (administrative censoring).
  PFS = first of progression (local or elsewhere) and death; LPFS = first of local progression
  and death; OS = death; each censored at the first of loss to follow-up and cut-off.
  Event dates are whole days after start_date; *_months = days / 30.4375 (6 decimals), so
  --from-dates gives the same times.
"""

import math
import os
import random
import sys
from datetime import date, timedelta

SEED = 20240517
PATIENTS_PER_GROUP = 40
DAYS_PER_MONTH = 30.4375
ENROLMENT_START = date(2019, 3, 1)
ENROLMENT_DAYS = 900
CUTOFF = date(2022, 12, 31)

BEST_RESPONSE = {  # CR, PR, SD, PD
    "PD1": [0.03, 0.17, 0.35, 0.45],
    "PD1_I125": [0.08, 0.30, 0.40, 0.22],
}
LOCAL_RESPONSE = {
    "PD1": [0.02, 0.15, 0.43, 0.40],
    "PD1_I125": [0.15, 0.45, 0.30, 0.10],
}
RESPONSES = ["CR", "PR", "SD", "PD"]
PROGRESSION_FACTOR = {"CR": 0.5, "PR": 0.5, "SD": 0.9, "PD": 1.6}


class Draws:
    """Every random draw, built on random.Random.random() alone."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def uniform(self, low=0.0, high=1.0):
        return low + (high - low) * self.rng.random()

    def normal(self, mean, sd):
        # Box-Muller with two uniforms; 1 - u keeps the logarithm finite.
        u1 = 1.0 - self.rng.random()
        u2 = self.rng.random()
        return mean + sd * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def exponential(self, rate):
        return -math.log(1.0 - self.rng.random()) / rate

    def choice(self, values, weights):
        u = self.rng.random() * sum(weights)
        for value, weight in zip(values, weights):
            if u < weight:
                return value
            u -= weight
        return values[-1]


def months(days):
    return f"{days / DAYS_PER_MONTH:.6f}"


def make_patient(draws, number, group):
    seeds = group == "PD1_I125"
    age = int(round(min(max(draws.normal(56, 9), 30), 80)))
    sex = draws.choice(["M", "F"], [0.86, 0.14])
    child_pugh = draws.choice(["A", "B"], [0.72, 0.28])
    ecog = draws.choice([0, 1, 2], [0.45, 0.48, 0.07])
    afp = min(max(math.exp(draws.normal(math.log(150.0), 2.0)), 1.5), 60000.0)
    site = draws.choice(["lung", "bone", "lymph_node", "adrenal"], [0.35, 0.30, 0.25, 0.10])
    n_extrahepatic = draws.choice([1, 2, 3], [0.5, 0.3, 0.2])
    agent = draws.choice(["camrelizumab", "sintilimab", "tislelizumab", "pembrolizumab"],
                         [0.35, 0.30, 0.20, 0.15])
    start = ENROLMENT_START + timedelta(days=int(draws.uniform(0, ENROLMENT_DAYS)))

    dose = {"seed_activity_mci": "", "n_seeds": "", "prescribed_dose_gy": "", "d90_gy": "",
            "v100_pct": ""}
    d90 = 120.0
    if seeds:
        diameter_cm = draws.uniform(2.0, 6.0)
        rx = draws.choice([110, 120, 130, 140], [0.2, 0.4, 0.25, 0.15])
        d90 = min(max(rx * draws.normal(1.05, 0.12), 0.6 * rx), 1.5 * rx)
        dose = {
            "seed_activity_mci": f"{draws.choice([0.5, 0.6, 0.7, 0.8], [0.2, 0.3, 0.3, 0.2]):.1f}",
            "n_seeds": str(int(round(6 + 9 * diameter_cm))),
            "prescribed_dose_gy": str(rx),
            "d90_gy": f"{d90:.1f}",
            "v100_pct": f"{min(max(draws.normal(93, 4), 75.0), 99.9):.1f}",
        }

    best = draws.choice(RESPONSES, BEST_RESPONSE[group])
    local = draws.choice(RESPONSES, LOCAL_RESPONSE[group])
    risk = math.exp(0.35 * (child_pugh == "B") + 0.25 * ecog + 0.18 * (math.log10(afp) - 2.0))
    distant_rate = 0.07 * (0.80 if seeds else 1.0) * risk * PROGRESSION_FACTOR[best]
    local_rate = 0.05 * (0.40 if seeds else 1.0) * risk * PROGRESSION_FACTOR[local]
    if seeds:
        local_rate *= math.exp(-0.025 * (d90 - 120.0))
    death_rate = math.log(2.0) / 15.0 * (0.68 if seeds else 1.0) * risk

    t_distant = draws.exponential(distant_rate)
    t_local = draws.exponential(local_rate)
    t_death = draws.exponential(death_rate)
    t_lost = draws.exponential(0.01)
    t_cutoff = (CUTOFF - start).days / DAYS_PER_MONTH
    t_censor = min(t_lost, t_cutoff)

    def outcome(event_times):
        first = min(event_times)
        if first <= t_censor:
            return max(1, int(round(first * DAYS_PER_MONTH))), 1
        return max(1, int(math.floor(t_censor * DAYS_PER_MONTH))), 0

    pfs_days, pfs_event = outcome([t_distant, t_local, t_death])
    lpfs_days, lpfs_event = outcome([t_local, t_death])
    os_days, os_event = outcome([t_death])
    # Rounding to whole days keeps PFS <= LPFS <= OS.
    lpfs_days = max(lpfs_days, pfs_days)
    os_days = max(os_days, lpfs_days)

    vas_baseline = int(round(min(max(draws.normal(5.8, 1.4), 2), 9)))
    relief = draws.normal(3.0, 1.5) if seeds else draws.normal(0.8, 1.3)
    vas_followup = int(round(min(max(vas_baseline - relief, 0), 10)))

    row = {
        "patient_id": f"P{number:03d}",
        "group": group,
        "age": str(age),
        "sex": sex,
        "child_pugh": child_pugh,
        "ecog": str(ecog),
        "afp_ng_ml": f"{afp:.1f}",
        "lesion_site": site,
        "n_extrahepatic": str(n_extrahepatic),
        "pd1_agent": agent,
        **dose,
        "best_response": best,
        "start_date": start.isoformat(),
        "pfs_date": (start + timedelta(days=pfs_days)).isoformat(),
        "pfs_event": str(pfs_event),
        "os_date": (start + timedelta(days=os_days)).isoformat(),
        "os_event": str(os_event),
        "lpfs_date": (start + timedelta(days=lpfs_days)).isoformat(),
        "lpfs_event": str(lpfs_event),
        "pfs_months": months(pfs_days),
        "os_months": months(os_days),
        "lpfs_months": months(lpfs_days),
        "local_response": local,
        "vas_baseline": str(vas_baseline),
        "vas_followup": str(vas_followup),
    }
    return row


COLUMNS = ["patient_id", "group", "age", "sex", "child_pugh", "ecog", "afp_ng_ml", "lesion_site",
           "n_extrahepatic", "pd1_agent", "seed_activity_mci", "n_seeds", "prescribed_dose_gy",
           "d90_gy", "v100_pct", "best_response", "start_date", "pfs_date", "pfs_event",
           "os_date", "os_event", "lpfs_date", "lpfs_event", "pfs_months", "os_months",
           "lpfs_months", "local_response", "vas_baseline", "vas_followup"]


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "patients.csv")
    draws = Draws(SEED)
    groups = ["PD1"] * PATIENTS_PER_GROUP + ["PD1_I125"] * PATIENTS_PER_GROUP
    for i in range(len(groups) - 1, 0, -1):  # Fisher-Yates shuffle of the allocation
        j = int(draws.uniform() * (i + 1))
        groups[i], groups[j] = groups[j], groups[i]
    rows = [make_patient(draws, number + 1, group) for number, group in enumerate(groups)]
    with open(output, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(COLUMNS) + "\n")
        for row in rows:
            out.write(",".join(row[column] for column in COLUMNS) + "\n")


if __name__ == "__main__":
    main()
