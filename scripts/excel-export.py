#!/usr/bin/python3
"""Makes the files a Turkish municipality's Excel produces from a plain taskmap CSV (test inputs for importers).

    excel-export.py csv  IN.csv OUT.csv  [--encoding windows-1254|utf-8-sig|utf-8] [--delimiter ';']
                                         [--decimal-comma | --no-decimal-comma] [--date-style tr|tr-seconds|tr-date]
    excel-export.py xlsx IN.csv OUT.xlsx [--sheet Başvurular] [--text-dates]

IN.csv: UTF-8 (BOM allowed), comma-separated, header row (e.g. id,lon,lat,category,status,created_at,...).
Date columns are those whose header ends in `_at` or is `created`, `date` or `tarih`; their values are ISO 8601
(`2024-03-05T14:30:00`, `2024-03-05 14:30:00`, optional fraction, `+03:00` offset, or just a date) or empty. A
value without offset, or with +03:00, keeps its wall-clock time (the offset is dropped); any other offset,
including `Z`, is first converted to Europe/Istanbul local time, which is what an Excel sheet in Türkiye shows.
A date value that cannot be parsed is left as it is (counted in a warning). A "number" is a field matching
-?(0|[1-9][0-9]*)(.[0-9]+)? -- leading zeros (`007`) and other text stay text.

csv:  writes what Turkish Excel's "CSV (noktalı virgülle ayrılmış)" saves: `;` between fields, decimal comma
      in numbers (`36,951`), dates `05.03.2024 14:30` (tr; seconds truncated), `05.03.2024 14:30:15`
      (tr-seconds) or `05.03.2024` (tr-date), RFC 4180 quoting with the chosen delimiter, CRLF record ends,
      windows-1254 by default. A character the encoding cannot hold stops the run with the input line named;
      nothing is left at OUT then. Streams (csv module).
xlsx: writes an .xlsx with openpyxl in write-only mode: numbers as numeric cells (text if more than 15
      significant digits), dates as Excel date cells formatted `dd.mm.yyyy hh:mm` (or text with --text-dates),
      the rest as text cells (empty fields as empty cells; characters XML cannot hold are removed, counted in
      a warning; text starting with `=` or reading `#N/A` stays text, not a formula or error value).
Both print one line to stderr at the end: rows written and seconds. Exit status 1 on a data error, 2 on usage.
Standard library and openpyxl only.
"""
import argparse
import csv
import datetime as dt
import os
import re
import sys
import time

try:
    from zoneinfo import ZoneInfo
    ISTANBUL = ZoneInfo("Europe/Istanbul")
except Exception:  # no tz database: Türkiye has kept UTC+3 all year since 2016
    ISTANBUL = dt.timezone(dt.timedelta(hours=3))

PLUS3 = dt.timedelta(hours=3)
NUM = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?\Z")
EXCEL_MAX_ROWS = 1_048_576
csv.field_size_limit(1 << 30)


def fail(msg, code=1):
    print(f"excel-export: {msg}", file=sys.stderr)
    sys.exit(code)


def is_date_column(name):
    h = name.strip().replace("İ", "i").replace("I", "ı").lower()
    return h.endswith("_at") or h in ("created", "date", "tarih")


def parse_date(s):
    """Naive Istanbul wall-clock datetime for an ISO 8601 string, or None."""
    s = s.strip()
    if s[-1:] in ("Z", "z"):
        s = s[:-1] + "+00:00"
    try:
        d = dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    if d.tzinfo is not None:
        if d.utcoffset() != PLUS3:
            d = d.astimezone(ISTANBUL)
        d = d.replace(tzinfo=None)
    return d


DATE_FORMATS = {
    "tr": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year:04d} {d.hour:02d}:{d.minute:02d}",
    "tr-seconds": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year:04d} {d.hour:02d}:{d.minute:02d}:{d.second:02d}",
    "tr-date": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year:04d}",
}


class Input:
    """Streams the rows of a UTF-8 CSV; knows the header, the date columns and the current input line."""

    def __init__(self, path):
        self.path = path
        try:
            self.f = open(path, newline="", encoding="utf-8-sig")
        except OSError as e:
            fail(f"{path}: {e}", 2)
        self.reader = csv.reader(self.f)
        try:
            self.header = next(self.reader)
        except StopIteration:
            fail(f"{path}: empty file (no header)")
        except (UnicodeDecodeError, csv.Error) as e:
            fail(f"{path}: line 1: {e}")
        self.date_cols = [j for j, h in enumerate(self.header) if is_date_column(h)]
        self.line = 1
        self.bad_dates = 0
        self.first_bad = None

    def rows(self):
        prev = self.reader.line_num
        try:
            for row in self.reader:
                self.line = prev + 1  # the line the record starts on (a quoted field may span lines)
                prev = self.reader.line_num
                if row:  # csv gives [] for a blank line
                    yield row
        except (UnicodeDecodeError, csv.Error) as e:
            fail(f"{self.path}: line {self.reader.line_num + 1}: {e}")

    def date(self, row, j):
        """Parsed date of row[j] (None if empty or unparseable; unparseable ones are counted)."""
        v = row[j]
        if not v.strip():
            return None
        d = parse_date(v)
        if d is None:
            self.bad_dates += 1
            if self.first_bad is None:
                self.first_bad = (self.line, self.header[j], v)
        return d

    def warn(self):
        if self.bad_dates:
            line, col, v = self.first_bad
            print(f"excel-export: warning: {self.bad_dates} values in date columns are not ISO 8601 dates, left as "
                  f"they were (first: line {line}, column '{col}': {v!r})", file=sys.stderr)

    def column(self, j):
        return self.header[j] if j < len(self.header) else f"#{j + 1}"


def cmd_csv(a):
    t0 = time.monotonic()
    if len(a.delimiter) != 1 or a.delimiter in '"\r\n':
        fail(f"--delimiter must be one character other than a quote or a line end, not {a.delimiter!r}", 2)
    inp = Input(a.input)
    fmt = DATE_FORMATS[a.date_style]
    date_set = set(inp.date_cols)
    tmp = a.output + ".tmp"
    n = 0
    try:
        with open(tmp, "w", newline="", encoding=a.encoding, errors="strict") as out:
            w = csv.writer(out, delimiter=a.delimiter, quotechar='"', doublequote=True,
                           quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            rows = inp.rows()
            row = inp.header
            while True:
                try:
                    w.writerow(row)
                except UnicodeEncodeError as e:
                    bad = [(j, ch) for j, v in enumerate(row) for ch in v if not can_encode(ch, a.encoding)]
                    j, ch = bad[0] if bad else (None, e.object[e.start:e.end])
                    where = "the header" if n == 0 else f"line {inp.line}"
                    col = f", column '{inp.column(j)}'" if j is not None else ""
                    fail(f"{a.input}: {where}{col}: character {ch!r} (U+{ord(ch[0]):04X}) cannot be encoded in "
                         f"{a.encoding}; nothing written")
                row = next(rows, None)
                if row is None:
                    break
                n += 1
                for j in inp.date_cols:
                    if j < len(row):
                        d = inp.date(row, j)
                        if d is not None:
                            row[j] = fmt(d)
                if a.decimal_comma:
                    for j, v in enumerate(row):
                        if "." in v and j not in date_set and NUM.match(v):
                            row[j] = v.replace(".", ",")
        os.replace(tmp, a.output)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    inp.warn()
    print(f"excel-export: csv: {n} rows written to {a.output} ({a.encoding}, delimiter {a.delimiter!r}, "
          f"{'decimal comma' if a.decimal_comma else 'decimal point'}, dates {a.date_style}) "
          f"in {time.monotonic() - t0:.2f} s", file=sys.stderr)


def can_encode(ch, encoding):
    try:
        ch.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def cmd_xlsx(a):
    t0 = time.monotonic()
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    inp = Input(a.input)
    wb = Workbook(write_only=True)
    try:
        ws = wb.create_sheet(title=a.sheet)
    except ValueError as e:
        fail(f"--sheet {a.sheet!r}: {e}", 2)
    date_set = set(inp.date_cols)
    date_cells = {}
    for j in inp.date_cols:
        c = WriteOnlyCell(ws)
        c.number_format = "dd.mm.yyyy hh:mm"
        date_cells[j] = c
    text_fmt = DATE_FORMATS["tr"]
    cleaned = 0

    def text(v):
        nonlocal cleaned
        if ILLEGAL_CHARACTERS_RE.search(v):
            cleaned += 1
            v = ILLEGAL_CHARACTERS_RE.sub("", v)
        if v.startswith("=") or v in ERROR_CODES:  # openpyxl would make a formula or an error value
            c = WriteOnlyCell(ws, value=v)
            c.data_type = "s"
            return c
        return v

    ws.append([text(h) if h else None for h in inp.header])
    n = 0
    tmp = a.output + ".tmp"
    try:
        for row in inp.rows():
            n += 1
            if n >= EXCEL_MAX_ROWS:
                fail(f"{a.input}: more than {EXCEL_MAX_ROWS - 1} data rows, more than an Excel sheet holds")
            cells = []
            for j, v in enumerate(row):
                if not v:
                    cells.append(None)
                elif j in date_set:
                    d = inp.date(row, j)
                    if d is None:
                        cells.append(text(v))
                    elif a.text_dates:
                        cells.append(text_fmt(d))
                    else:
                        c = date_cells[j]
                        c.value = d
                        cells.append(c)
                elif NUM.match(v) and len(v.replace("-", "").replace(".", "").lstrip("0")) <= 15:
                    cells.append(float(v) if "." in v else int(v))
                else:
                    cells.append(text(v))
            ws.append(cells)
        wb.save(tmp)
        os.replace(tmp, a.output)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    inp.warn()
    if cleaned:
        print(f"excel-export: warning: {cleaned} fields held characters an .xlsx cannot store (control characters); "
              f"they were removed", file=sys.stderr)
    print(f"excel-export: xlsx: {n} rows written to {a.output} (sheet {a.sheet!r}, "
          f"{'text dates' if a.text_dates else 'date cells dd.mm.yyyy hh:mm'}) in {time.monotonic() - t0:.2f} s",
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("csv", help="Turkish Excel's semicolon CSV")
    c.add_argument("input")
    c.add_argument("output")
    c.add_argument("--encoding", default="windows-1254", choices=["windows-1254", "utf-8-sig", "utf-8"])
    c.add_argument("--delimiter", default=";")
    c.add_argument("--decimal-comma", default=True, action=argparse.BooleanOptionalAction,
                   help="write numbers with a decimal comma (default; --no-decimal-comma keeps the point)")
    c.add_argument("--date-style", default="tr", choices=list(DATE_FORMATS))
    x = sub.add_parser("xlsx", help="an .xlsx workbook")
    x.add_argument("input")
    x.add_argument("output")
    x.add_argument("--sheet", default="Başvurular")
    x.add_argument("--text-dates", action="store_true", help="dates as text 05.03.2024 14:30, not date cells")
    a = ap.parse_args()
    {"csv": cmd_csv, "xlsx": cmd_xlsx}[a.cmd](a)


if __name__ == "__main__":
    main()
