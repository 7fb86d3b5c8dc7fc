"""Platforms' own CSAM / child-sexual-exploitation transparency figures -> data/platform_transparency.csv.

Inputs (all under ``sources_dir``):

* ``meta/meta-*.csv``: Meta Community Standards Enforcement data (PRIMARY). Every value is
  taken from the newest vintage that holds it; ``vintage`` names that file. Earlier vintages
  that printed a different value are listed in ``notes`` (Meta revises back data).
* ``discord/discord-*.csv``: Discord transparency data (PRIMARY).
* ``microsoft/microsoft-*.xlsx``: Microsoft Digital Safety Content Report (PRIMARY).
* ``x/x-2024-h1.pdf``: X Global Transparency Report H1 2024 (PRIMARY).
* ``transcriptions/platform-self-disclosures.csv``: R. Grimm's transcription (SECONDARY) for
  platforms and periods not covered by the primary files above. Only rows whose source URL
  is tied to the row's period (or is the platform's only source) are used.

Shares are stored in ``value_pct`` (0-100), counts in ``value``; exactly one of them is set.
"""
from __future__ import annotations

import calendar
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd

OUTPUTS: dict[str, list[str]] = {
    "platform_transparency.csv": [
        "platform_id", "period_start", "period_end", "policy_area", "measure", "source_id",
    ]
}

COLUMNS = [
    "platform_id", "period_start", "period_end", "policy_area", "measure", "value", "value_pct",
    "unit", "vintage", "source_id", "locator", "notes",
]

GRIMM = "as transcribed by R. Grimm, https://github.com/apparebit/diaphanous"


# ----------------------------------------------------------------------------- helpers
def _num(text: str) -> int:
    text = str(text).strip().rstrip("*")
    if not re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", text):
        raise ValueError(f"not a count: {text!r}")
    return int(text.replace(",", ""))


def _pct_from_fraction(x: float) -> float:
    return float(Decimal(repr(float(x))) * 100)


def _quarter(year: int, q: int) -> tuple[str, str]:
    m0, m1 = 3 * q - 2, 3 * q
    return f"{year}-{m0:02d}-01", f"{year}-{m1:02d}-{calendar.monthrange(year, m1)[1]:02d}"


def _half(year: int, h: int) -> tuple[str, str]:
    return (f"{year}-01-01", f"{year}-06-30") if h == 1 else (f"{year}-07-01", f"{year}-12-31")


def _month(year: int, name: str) -> tuple[str, str]:
    m = list(calendar.month_name).index(name.strip())
    return f"{year}-{m:02d}-01", f"{year}-{m:02d}-{calendar.monthrange(year, m)[1]:02d}"


def _period(label: str) -> tuple[str, str]:
    """'2023 Q4', '2024 H1', '2023' -> (start, end)."""
    m = re.fullmatch(r"(\d{4}) Q([1-4])", label)
    if m:
        return _quarter(int(m[1]), int(m[2]))
    m = re.fullmatch(r"(\d{4}) H([12])", label)
    if m:
        return _half(int(m[1]), int(m[2]))
    m = re.fullmatch(r"(\d{4})", label)
    if m:
        return f"{m[1]}-01-01", f"{m[1]}-12-31"
    raise ValueError(f"unknown period label {label!r}")


def _row(platform_id, period, policy_area, measure, unit, source_id, locator, *, value=None,
         value_pct=None, vintage="", notes=""):
    if (value is None) == (value_pct is None):
        raise ValueError("exactly one of value / value_pct must be set")
    return dict(platform_id=platform_id, period_start=period[0], period_end=period[1],
                policy_area=policy_area, measure=measure, value=value, value_pct=value_pct,
                unit=unit, vintage=vintage, source_id=source_id, locator=locator, notes=notes)


# ----------------------------------------------------------------------------- Meta
META_AREAS = ["Child Endangerment: Sexual Exploitation", "Child Nudity & Sexual Exploitation"]
META_MEASURES = {
    "Content Actioned": ("content_actioned", "pieces of content"),
    "Proactive rate": ("proactive_rate_pct", "percent"),
    "Content Appealed": ("content_appealed", "pieces of content"),
    "Content Restored with appeal": ("content_restored_with_appeal", "pieces of content"),
    "Content Restored without appeal": ("content_restored_without_appeal", "pieces of content"),
}


def _meta(sources_dir: Path) -> list[dict]:
    files = sorted((sources_dir / "meta").glob("meta-20??-q?.csv"))
    if not files:
        raise FileNotFoundError("no Meta CSV vintages found")
    seen: dict[tuple, list[tuple[str, str]]] = {}  # key -> [(vintage, value), ...] oldest first
    for f in files:
        vintage = f.stem.removeprefix("meta-").replace("-q", "Q")  # 2024Q2
        d = pd.read_csv(f, dtype=str, keep_default_na=False)
        if list(d.columns) != ["app", "policy_area", "metric", "period", "value"]:
            raise ValueError(f"{f.name}: unexpected columns {list(d.columns)}")
        d = d[d.policy_area.isin(META_AREAS) & d.metric.isin(META_MEASURES)]
        for r in d.itertuples():
            v = r.value.strip()
            if v in ("", "N/A"):
                continue
            seen.setdefault((r.app, r.policy_area, r.metric, r.period), []).append((vintage, v))
    rows = []
    for (app, area, metric, period), history in seen.items():
        vintage, raw = history[-1]
        measure, unit = META_MEASURES[metric]
        earlier = [f"{vin}: {v}" for vin, v in history[:-1] if v != raw]
        notes = []
        if area == "Child Nudity & Sexual Exploitation":
            notes.append("old policy area, replaced from 2021 Q2 by 'Child Endangerment: "
                         "Sexual Exploitation' and '... Nudity and Physical Abuse'")
        if earlier:
            notes.append("Meta revised this value; earlier vintages printed " + "; ".join(earlier))
        m = re.fullmatch(r"(\d{4})Q([1-4])", period)
        per = _quarter(int(m[1]), int(m[2]))
        if metric == "Proactive rate":
            if not raw.endswith("%"):
                raise ValueError(f"Meta proactive rate without %: {raw!r}")
            kw = dict(value_pct=float(raw.rstrip("%")))
        else:
            kw = dict(value=_num(raw))
            notes.insert(0, "counts are rounded by Meta")
        rows.append(_row(app.lower(), per, area, measure, unit, f"meta-csv-{vintage.lower()}",
                         f"file meta-{vintage[:4]}-q{vintage[-1]}.csv, rows app='{app}', "
                         f"policy_area='{area}', metric='{metric}', period='{period}'",
                         vintage=vintage, notes="; ".join(notes), **kw))
    return rows


# ----------------------------------------------------------------------------- Discord
DISCORD_FILES = {  # file stem -> (year, months covered or quarter, source_id)
    "discord-2020-h2": 2020, "discord-2021-h1": 2021, "discord-2021-h2": 2021,
    "discord-2022-q1": 2022, "discord-2022-q2": 2022, "discord-2022-q3": 2022,
    "discord-2022-q4": 2022, "discord-2023-q1": 2023, "discord-2023-q2": 2023,
    "discord-2023-q3": 2023, "discord-2023-q4": 2023,
}
DISCORD_UNIT_NOTE = ("Discord counts accounts reported to NCMEC, not CyberTipline reports "
                     "(Q4 2022 report: 'we reported 11,589 accounts to NCMEC')")


def _discord_ncmec_block(lines: list[list[str]]) -> tuple[list[tuple[str, int, int]], tuple | None]:
    """Return the monthly (month, media, grooming) rows of the NCMEC table and the first
    printed (media, grooming) total after them, or None if the file prints no total."""
    names = set(calendar.month_name[1:])
    start = next(i for i, c in enumerate(lines) if c and c[0].strip() == "Month")
    months, total = [], None
    for c in lines[start + 1:]:
        c = [x.strip() for x in c] + [""] * 3
        if c[0] in names:
            months.append((c[0], _num(c[1]), _num(c[2])))
        elif c[0] in ("", "SUM", "Total") and c[1]:
            total = (_num(c[1]), _num(c[2]) if c[2] else None)
            break
        elif c[0] not in ("",):
            break
    return months, total


def _discord(sources_dir: Path) -> list[dict]:
    import csv
    rows = []
    for stem, year in DISCORD_FILES.items():
        path = sources_dir / "discord" / f"{stem}.csv"
        lines = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        sid = stem.replace("discord-", "discord-transparency-").replace("-h", "h").replace("-q", "q")
        sid = re.sub(r"(\d{4})(h|q)", r"\1-\2", sid)
        months, total = _discord_ncmec_block(lines)
        if total is not None:
            media_sum = sum(m for _, m, _ in months)
            groom_sum = sum(g for _, _, g in months)
            if (media_sum, groom_sum) != total:
                raise ValueError(f"{stem}: months sum to {(media_sum, groom_sum)}, printed {total}")
        kind, n = stem[-2], int(stem[-1])
        if stem == "discord-2022-q4":
            # The month labels in this file read January-March, but the file covers Q4 2022
            # (Discord's Q4 2022 report gives the same 11,589 total), so only the quarter
            # totals are used.
            per = _quarter(2022, 4)
            for measure, val, what in (("accounts_reported_to_ncmec_media", total[0], "Media Reports"),
                                       ("accounts_reported_to_ncmec_grooming", total[1],
                                        "Grooming or Endangerment Escalations")):
                rows.append(_row("discord", per, "NCMEC", measure, "accounts", sid,
                                 f"section 'NCMEC', row 'Total', column '{what}'", value=val,
                                 notes=DISCORD_UNIT_NOTE + "; the file labels its three months "
                                 "January-March although it is the Q4 2022 file, so only the "
                                 "quarter total is used"))
        else:
            for month, media, groom in months:
                per = _month(year, month)
                groom_col = "Escalations" if stem == "discord-2020-h2" else \
                    "Grooming or Endangerment Escalations"
                rows.append(_row("discord", per, "NCMEC", "accounts_reported_to_ncmec_media",
                                 "accounts", sid, f"NCMEC table, row '{month}', column 'Media Reports'",
                                 value=media, notes=DISCORD_UNIT_NOTE))
                rows.append(_row("discord", per, "NCMEC", "accounts_reported_to_ncmec_grooming",
                                 "accounts", sid, f"NCMEC table, row '{month}', column '{groom_col}'",
                                 value=groom, notes=DISCORD_UNIT_NOTE))
        if kind == "q" and (year, n) >= (2022, 4):
            per = _quarter(year, n)
            rows += _discord_child_safety(lines, stem, sid, per)
    return rows


def _discord_child_safety(lines, stem, sid, per) -> list[dict]:
    out = []
    # Accounts disabled for Child Safety: read from the Appeals table, whose first column
    # repeats the accounts disabled. (In discord-2023-q3.csv the 'Accounts Disabled' table
    # is shifted by one row, so it cannot be read directly.)
    i = next(k for k, c in enumerate(lines) if c and c[0] == "Appeal Category")
    cs = lines[i + 1]
    if cs[0] != "Child Safety":
        raise ValueError(f"{stem}: Appeals table does not start with Child Safety")
    note = ("Discord policy category 'Child Safety' (wider than CSAM); read from the Appeals "
            "table, column 'Accounts Disabled'")
    if stem == "discord-2023-q3":
        note += ("; the file's 'Accounts Disabled' table is shifted by one row (its Child "
                 "Safety cell reads 'Accounts Disabled'), so the Appeals table is used")
    else:
        j = next(k for k, c in enumerate(lines) if c and c[0] == "Accounts Disabled Category")
        if lines[j + 1][0] != "Child Safety" or _num(lines[j + 1][1]) != _num(cs[1]):
            raise ValueError(f"{stem}: Accounts Disabled and Appeals tables disagree")
    out.append(_row("discord", per, "Child Safety", "accounts_disabled", "accounts", sid,
                    "table 'Appeals', row 'Child Safety', column 'Accounts Disabled'",
                    value=_num(cs[1]), notes=note))
    k = next(k for k, c in enumerate(lines) if c and c[0] == "Servers Removed Category")
    cs = lines[k + 1]
    if cs[0] != "Child Safety":
        raise ValueError(f"{stem}: Servers Removed table does not start with Child Safety")
    pro, rea, tot = _num(cs[1]), _num(cs[2]), _num(cs[3])
    if pro + rea != tot:
        raise ValueError(f"{stem}: servers removed {pro}+{rea} != {tot}")
    for measure, val, col in (("servers_removed_proactive", pro, "Servers Removed Proactive"),
                              ("servers_removed_reactive", rea, "Servers Removed Reactive"),
                              ("servers_removed", tot, "Total Servers Removed")):
        out.append(_row("discord", per, "Child Safety", measure, "servers", sid,
                        f"table 'Servers Removed', row 'Child Safety', column '{col}'", value=val,
                        notes="Discord policy category 'Child Safety' (wider than CSAM)"))
    return out


# ----------------------------------------------------------------------------- Microsoft
def _microsoft(sources_dir: Path) -> list[dict]:
    import openpyxl
    rows = []
    for path in sorted((sources_dir / "microsoft").glob("microsoft-20??-h?.xlsx")):
        year, h = int(path.stem[10:14]), int(path.stem[-1])
        per = _half(year, h)
        sid = f"microsoft-dscr-{year}-h{h}"
        ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
        if "Child Sexual Exploitation & Abuse Imagery (CSEAI) - Hosted Consumer Services" != ws["C3"].value \
                or ws["G3"].value != "CSEAI - Bing Search Engine":
            raise ValueError(f"{path.name}: unexpected layout")
        heads = [ws[f"{c}4"].value for c in "CDEFGH"]
        if heads != ["Content Actioned", "Content Detected Proactively", "Accounts Actioned",
                     "Accounts Reinstated", "Content Actioned", "Content Detected Proactively"]:
            raise ValueError(f"{path.name}: unexpected headers {heads}")
        note_cell = next(ws[f"B{r}"].value for r in (6, 7) if ws[f"B{r}"].value)
        m = re.search(r"total NCMEC CyberTip Reports for this period is ([\d,]+)", note_cell)
        if not m:
            raise ValueError(f"{path.name}: no NCMEC total in note")
        hosted = "Child Sexual Exploitation & Abuse Imagery (CSEAI) - Hosted Consumer Services"
        acc = ws["E5"].value
        acc_note = ""
        if isinstance(acc, str) and acc.endswith("*"):
            acc_note = ("Microsoft footnote: 'Accounts Actioned number has been restated from "
                        "the originally published report due to a calculation error'")
        bing_note = ""
        if (year, h) >= (2022, 1):
            bing_note = ("from Jan-Jun 2022 Bing counts only content 'confirmed as apparent CSEAI "
                         "and actioned' and reported to NCMEC; series breaks here")
        frac_note = "published as a fraction; stored as percent"
        rows += [
            _row("microsoft", per, hosted, "content_actioned", "pieces of content", sid,
                 "cell C5 'Content Actioned'", value=int(ws["C5"].value)),
            _row("microsoft", per, hosted, "content_detected_proactively_pct", "percent", sid,
                 "cell D5 'Content Detected Proactively'",
                 value_pct=_pct_from_fraction(ws["D5"].value), notes=frac_note),
            _row("microsoft", per, hosted, "accounts_actioned", "accounts", sid,
                 "cell E5 'Accounts Actioned'", value=_num(acc), notes=acc_note),
            _row("microsoft", per, hosted, "accounts_reinstated_pct", "percent", sid,
                 "cell F5 'Accounts Reinstated'", value_pct=_pct_from_fraction(ws["F5"].value),
                 notes=frac_note + "; share of accounts actioned that were reinstated"),
            _row("bing", per, "CSEAI - Bing Search Engine", "content_actioned", "pieces of content",
                 sid, "cell G5 'Content Actioned'", value=int(ws["G5"].value), notes=bing_note),
            _row("bing", per, "CSEAI - Bing Search Engine", "content_detected_proactively_pct",
                 "percent", sid, "cell H5 'Content Detected Proactively'",
                 value_pct=_pct_from_fraction(ws["H5"].value),
                 notes="; ".join(x for x in (frac_note, bing_note) if x)),
        ]
        ncmec_note = ("all Microsoft consumer services incl. Bing, excl. LinkedIn and GitHub")
        if "January to June 2023" in note_cell and (year, h) == (2023, 2):
            ncmec_note += ("; the file's note says 'January to June 2023' although its header "
                           "says July - December 2023; the header period is used")
        rows.append(_row("microsoft", per, "Child Sexual Exploitation & Abuse Imagery (CSEAI)",
                         "ncmec_reports", "CyberTipline reports", sid,
                         f"note in cell B{6 if ws['B6'].value else 7}", value=_num(m[1]),
                         notes=ncmec_note))
    return rows


# ----------------------------------------------------------------------------- X
def _x(sources_dir: Path) -> list[dict]:
    from .pdf import pdf_lines
    lines = pdf_lines(sources_dir / "x" / "x-2024-h1.pdf")
    per, sid, rows = _half(2024, 1), "x-transparency-2024-h1", []

    def find(prefix, page, after=None, before=None):
        texts = [l.text for l in lines if l.page == page]
        lo = texts.index(after) if after else 0
        hi = next(i for i, t in enumerate(texts) if t.startswith(before)) if before else len(texts)
        hits = [t for t in texts[lo:hi] if t.startswith(prefix)]
        if len(hits) != 1:
            raise ValueError(f"X PDF: {len(hits)} lines start with {prefix!r} on p. {page}")
        return hits[0]

    for label, stem, unit in (("NCMEC Reports", "ncmec_reports", "CyberTipline reports"),
                              ("Accounts Suspended", "accounts_suspended", "accounts"),
                              ("Content Removed", "content_removed", "pieces of content")):
        tokens = find(label, 7, "CHILD SAFETY", "ABUSE, HARASSMENT")[len(label):].split()
        if label == "Accounts Suspended" and tokens[0] == "1":  # footnote marker
            tokens = tokens[1:]
        nums = [_num(t) for t in tokens]
        if len(nums) != 3 or nums[1] + nums[2] != nums[0]:
            raise ValueError(f"X PDF: {label} {nums} (automated + human != total)")
        note = ("accounts suspended for engaging with CSAM 'are not reportable to NCMEC' "
                "(footnote 1)") if stem == "accounts_suspended" else ""
        for suffix, val, col in (("", nums[0], "TOTAL ACTIONS"), ("_automated", nums[1], "AUTOMATED"),
                                 ("_human", nums[2], "HUMAN")):
            rows.append(_row("x_twitter", per, "Child Safety", stem + suffix, unit, sid,
                             f"p. 7, section 'Child Safety', row '{label}', column '{col}'",
                             value=val, notes=note))
    t = find("Child Safety", 4).split()
    rows.append(_row("x_twitter", per, "Child Safety", "user_reports", "user reports", sid,
                     "p. 4, table 'User reports', row 'Child Safety'", value=_num(t[2]),
                     notes="user reports to X, not reports to NCMEC"))
    rows.append(_row("x_twitter", per, "Child Safety", "user_reports_share_pct", "percent", sid,
                     "p. 4, table 'User reports', row 'Child Safety', column '% of total reports'",
                     value_pct=float(t[3].rstrip("%")),
                     notes="share of all user reports excluding platform manipulation and spam"))
    return rows


# ----------------------------------------------------------------------------- transcription
# (platform in transcription, metric) -> (platform_id, policy_area, measure, unit, note)
TRANSCRIBED = {
    ("Google", "reports"): ("google", "Child sexual abuse material (CSAM)", "ncmec_reports",
                            "CyberTipline reports", "Google excluding YouTube; Google's metric "
                            "includes supplemental CyberTipline reports"),
    ("Google", "pieces"): ("google", "Child sexual abuse material (CSAM)",
                           "content_reported_to_ncmec", "pieces of content",
                           "Google excluding YouTube"),
    ("Google", "accounts"): ("google", "Child sexual abuse material (CSAM)", "accounts_disabled",
                             "accounts", "Google and YouTube together (Google does not split "
                             "account counts by platform)"),
    ("Google", "urls"): ("google", "Child sexual abuse material (CSAM)", "urls_deindexed", "URLs",
                         "Google and YouTube together; URLs de-indexed from Google Search"),
    ("YouTube", "reports"): ("youtube", "Child sexual abuse material (CSAM)", "ncmec_reports",
                             "CyberTipline reports", "YouTube only; from Google's Transparency "
                             "Report; includes supplemental reports"),
    ("YouTube", "pieces"): ("youtube", "Child sexual abuse material (CSAM)",
                            "content_reported_to_ncmec", "pieces of content", "YouTube only"),
    ("Snap", "reports"): ("snapchat", "Child Sexual Exploitation and Abuse Imagery (CSEAI)",
                          "ncmec_reports", "CyberTipline reports", ""),
    ("Snap", "pieces"): ("snapchat", "Child Sexual Exploitation and Abuse Imagery (CSEAI)",
                         "content_enforced", "pieces of content", ""),
    ("Snap", "accounts"): ("snapchat", "Child Sexual Exploitation and Abuse Imagery (CSEAI)",
                           "accounts_deleted", "accounts", ""),
    ("Amazon", "reports"): ("amazon", "Child sexual abuse material (CSAM)", "ncmec_reports",
                            "CyberTipline reports", "includes Twitch; do not add Twitch rows"),
    ("Meta", "reports"): ("meta", "Child sexual exploitation", "ncmec_reports",
                          "CyberTipline reports", "rounded as published by Meta; Meta's Q2 2023 "
                          "page says these are CyberTips from Facebook and Instagram; whether "
                          "later quarters include WhatsApp or Threads is not stated"),
    ("Microsoft", "reports"): ("microsoft", "Child Sexual Exploitation & Abuse Imagery (CSEAI)",
                               "ncmec_reports", "CyberTipline reports",
                               "the transcription's third line per half-year, which in 2020-2023 "
                               "is the NCMEC CyberTip total (no 2024 file in the pack to confirm)"),
    ("Microsoft", "accounts"): ("microsoft",
                                "Child Sexual Exploitation & Abuse Imagery (CSEAI) - Hosted "
                                "Consumer Services", "accounts_actioned", "accounts",
                                "only the Hosted Consumer Services line has account counts"),
    ("Microsoft", "reinstated accounts"): ("microsoft",
                                           "Child Sexual Exploitation & Abuse Imagery (CSEAI) - "
                                           "Hosted Consumer Services", "accounts_reinstated_pct",
                                           "percent", "published as a percentage"),
    ("Discord", "accounts (CSAM)"): ("discord", "NCMEC", "accounts_reported_to_ncmec_media",
                                     "accounts", DISCORD_UNIT_NOTE),
    ("Discord", "accounts (grooming or endangerment)"): ("discord", "NCMEC",
                                                         "accounts_reported_to_ncmec_grooming",
                                                         "accounts", DISCORD_UNIT_NOTE),
    ("Reddit", "reports"): ("reddit", "Child sexual exploitation", "ncmec_reports",
                            "CyberTipline reports", ""),
    ("Pinterest", "reports"): ("pinterest", "Child sexual exploitation", "ncmec_reports",
                               "CyberTipline reports", ""),
    ("Twitch", "reports"): ("twitch", "Child sexual exploitation", "ncmec_reports",
                            "CyberTipline reports", "Twitch counts are also included in "
                            "Amazon's yearly disclosures (do not add to Amazon)"),
}
PCT_MEASURES = {"accounts_reinstated_pct"}
TIED = {"period named in the URL", "period named in the URL (by its end date)",
        "period named in the URL (year and quarter number)", "year named in the URL",
        "period named in the URL (mid-year report)", "only source the module lists for this platform",
        "half-year containing this quarter named in the URL"}
# periods already covered by a primary file in the pack
PRIMARY_COVERED = {("Microsoft", p) for p in [f"{y} H{h}" for y in range(2020, 2024) for h in (1, 2)]} | \
    {("Discord", p) for p in ["2020 H2", "2021 H1", "2021 H2"] +
     [f"{y} Q{q}" for y in (2022, 2023) for q in (1, 2, 3, 4)]}
SKIP = {("Reddit", "2022 H1"), ("Reddit", "2022 H2")}  # flagged redundant with the 2022 total


def transcription_source_id(platform: str, period: str) -> str:
    return f"{platform.lower()}-{period.lower().replace(' ', '')}-grimm"


def _transcribed(sources_dir: Path) -> list[dict]:
    d = pd.read_csv(sources_dir / "transcriptions" / "platform-self-disclosures.csv", dtype=str,
                    keep_default_na=False)
    rows = []
    for r in d.itertuples():
        key = (r.platform, r.metric)
        if key not in TRANSCRIBED or (r.platform, r.period) in PRIMARY_COVERED | SKIP:
            continue
        if r.url_match not in TIED:
            continue
        pid, area, measure, unit, note = TRANSCRIBED[key]
        if r.platform in ("Google", "YouTube"):
            sid = "google-transparency-csam-grimm"
        else:
            sid = transcription_source_id(r.platform, r.period)
        notes = "; ".join(x for x in (note, r.note if r.note and r.note not in note else "",
                                      "SECONDARY: " + GRIMM) if x)
        kw = dict(value_pct=float(r.value)) if measure in PCT_MEASURES else dict(value=int(r.value))
        if (r.platform, r.period) == ("Meta", "2023 Q2"):
            notes = "Meta: 'over 3.7 million' (lower bound); " + notes
        rows.append(_row(pid, _period(r.period), area, measure, unit, sid,
                         f"period '{r.period}', metric '{r.metric}' (transcription)", notes=notes, **kw))
    return rows


# ----------------------------------------------------------------------------- entry point
def extract(sources_dir: Path) -> dict[str, pd.DataFrame]:
    sources_dir = Path(sources_dir)
    trans_rows = _transcribed(sources_dir)
    rows = _meta(sources_dir) + _discord(sources_dir) + _microsoft(sources_dir) + _x(sources_dir) \
        + trans_rows
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["value"] = df["value"].astype("Int64")
    df["value_pct"] = df["value_pct"].astype("Float64")
    if (df["value_pct"].dropna() > 100).any() or (df["value_pct"].dropna() < 0).any():
        raise ValueError("a share lies outside 0-100")
    key = OUTPUTS["platform_transparency.csv"]
    dup = df[df.duplicated(key, keep=False)]
    if len(dup):
        raise ValueError(f"duplicate keys:\n{dup[key]}")
    df = df.sort_values(["platform_id", "policy_area", "measure", "period_start", "period_end"],
                        kind="stable").reset_index(drop=True)
    return {"platform_transparency.csv": df}
