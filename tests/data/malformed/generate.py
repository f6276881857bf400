#!/usr/bin/env python3
"""Writes the malformed-input corpus next to this script (song_data/, log_data/) and
expected_load_errors.tsv, the load_errors rows `sparkify etl` must produce for it.

Every case is declared once below with what must happen to it: a line of a log file or a song
file is either accepted (its good data loads) or rejected with a reason class, a substring of
the reason in load_errors. Run it after changing a case and commit what it writes:
    python3 tests/data/malformed/generate.py
The 10 MB lines are not committed: tests/e2e/malformed_corpus_test.cpp writes them (and knows
their expected rows) at test time. See README.md for the classes and their handling.
"""
import json
import os
import shutil

ROOT = os.path.dirname(os.path.abspath(__file__))
BOM = b"\xef\xbb\xbf"

# The sample's field order (log_json_path.json); values of a typical NextSong event.
EVENT_FIELDS = ["artist", "auth", "firstName", "gender", "itemInSession", "lastName", "length",
                "level", "location", "method", "page", "registration", "sessionId", "song",
                "status", "ts", "userAgent", "userId"]


def event(ts, user="10", page="NextSong", drop=(), **overrides):
    """One event as compact JSON text, in the sample's field order."""
    e = {"artist": "Des'ree", "auth": "Logged In", "firstName": "Kaylee", "gender": "F",
         "itemInSession": 1, "lastName": "Summers", "length": 246.30812, "level": "free",
         "location": "Phoenix-Mesa-Scottsdale, AZ", "method": "PUT", "page": page,
         "registration": 1540344794796.0, "sessionId": 139, "song": "You Gotta Be",
         "status": 200, "ts": ts, "userAgent": "Mozilla/5.0 (Windows NT 6.1; WOW64)",
         "userId": user}
    if page != "NextSong":
        e.update(artist=None, length=None, song=None, method="GET")
    for k in drop:
        del e[k]
    e.update(overrides)
    return json.dumps(e, separators=(",", ":"), ensure_ascii=False)


def replace(text, field, raw):
    """`text` (an event) with the JSON value of `field` replaced by the raw text `raw`."""
    obj = json.loads(text)
    marker = "\x01MARK\x01"
    obj[field] = marker
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).replace(
        json.dumps(marker), raw)


def song(song_id, artist_id, title, **overrides):
    s = {"num_songs": 1, "artist_id": artist_id, "artist_latitude": 35.14968,
         "artist_longitude": -90.04892, "artist_location": "Memphis, TN",
         "artist_name": "Artist " + artist_id, "song_id": song_id, "title": title,
         "duration": 218.93179, "year": 2004}
    s.update(overrides)
    return s


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False)


# --- song files: (relative path, bytes, reason class or None when accepted) ----------------
SONGS = []


def song_file(name, data, reason=None):
    if isinstance(data, str):
        data = data.encode("utf-8")
    SONGS.append(("song_data/" + name, data, reason))


GOOD = song("SOAAAAA12A8C13B001", "ARAAAAA1187B9AC001", "Plain Song")
song_file("accepted/plain.json", dumps(GOOD))  # the sample's shape: no trailing newline
song_file("accepted/pretty_crlf.json",
          json.dumps(song("SOAAAAA12A8C13B002", "ARAAAAA1187B9AC001", "Pretty CRLF"),
                     indent=4).replace("\n", "\r\n") + "\r\n")
song_file("accepted/bom.json",
          BOM + dumps(song("SOAAAAA12A8C13B003", "ARAAAAA1187B9AC002", "With BOM")).encode())
song_file("accepted/extra_fields.json",
          dumps(dict(song("SOAAAAA12A8C13B004", "ARAAAAA1187B9AC002", "Extra Fields"),
                     genre={"tags": ["rock", {"deep": [1, 2, None]}]}, bpm=120)))
# Documented conversions: a number for a text field, strings holding exactly a number.
song_file("accepted/converted_types.json",
          '{"num_songs": 1.0, "artist_id": "ARAAAAA1187B9AC003", "artist_latitude": "35.5", '
          '"artist_longitude": null, "artist_location": "", "artist_name": 112, '
          '"song_id": "SOAAAAA12A8C13B005", "title": 1999, "duration": "218.93179", '
          '"year": "2004"}')
song_file("accepted/escapes.json",
          '{"song_id": "SOAAAAA12A8C13B006", "artist_id": "ARAAAAA1187B9AC003", '
          '"title": "Caf\\u00e9 \\ud83c\\udfb5 AC\\/DC \\"live\\"\\ttab", "year": 0}')
# An unknown key given twice is still an unknown key: ignored like any other.
song_file("accepted/duplicate_unknown_key.json",
          '{"song_id": "SOAAAAA12A8C13B007", "artist_id": "ARAAAAA1187B9AC003", '
          '"title": "Dup Unknown", "genre": "a", "genre": "b"}')

text = dumps(song("SOBBBBB12A8C13B001", "ARBBBBB1187B9AC001", "Truncated"))
song_file("rejected/truncated_in_string.json", text[:text.index("Truncated") + 4],
          "malformed JSON")
song_file("rejected/truncated_after_comma.json", text[:text.index('"title"')], "malformed JSON")
song_file("rejected/invalid_utf8.json",
          dumps(song("SOBBBBB12A8C13B002", "ARBBBBB1187B9AC001", "XX")).encode().replace(
              b'"XX"', b'"Bj\xf6rk"'),  # Latin-1, not UTF-8
          "invalid UTF-8")
song_file("rejected/year_is_a_word.json",
          dumps(song("SOBBBBB12A8C13B003", "ARBBBBB1187B9AC001", "t", year="two thousand")),
          'field "year": expected an integer, found the string "two thousand"')
song_file("rejected/year_has_a_fraction.json",
          dumps(song("SOBBBBB12A8C13B004", "ARBBBBB1187B9AC001", "t", year=2004.5)),
          'field "year": expected an integer, found 2004.5')
song_file("rejected/duration_is_a_boolean.json",
          dumps(song("SOBBBBB12A8C13B005", "ARBBBBB1187B9AC001", "t", duration=True)),
          'field "duration": expected a number, found a boolean')
song_file("rejected/title_is_an_object.json",
          dumps(song("SOBBBBB12A8C13B006", "ARBBBBB1187B9AC001", {"text": "t"})),
          'field "title": expected a string, found an object')
song_file("rejected/song_id_is_an_array.json",
          dumps(song(["SOBBBBB12A8C13B007"], "ARBBBBB1187B9AC001", "t")),
          'field "song_id": expected a string, found an array')
no_song_id = song("x", "ARBBBBB1187B9AC001", "t")
del no_song_id["song_id"]
song_file("rejected/missing_song_id.json", dumps(no_song_id), 'required field "song_id" is missing')
no_artist_id = song("SOBBBBB12A8C13B008", "x", "t")
del no_artist_id["artist_id"]
song_file("rejected/missing_artist_id.json", dumps(no_artist_id),
          'required field "artist_id" is missing')
song_file("rejected/null_song_id.json", dumps(song(None, "ARBBBBB1187B9AC001", "t")),
          'required field "song_id" is null')
song_file("rejected/empty.json", b"", "empty file")
song_file("rejected/whitespace_only.json", b" \r\n\t\n", "empty file")
song_file("rejected/bom_only.json", BOM, "empty file")
song_file("rejected/nan_duration.json",
          dumps(song("SOBBBBB12A8C13B009", "ARBBBBB1187B9AC001", "t")).replace(
              "218.93179", "NaN"), "not JSON numbers (found NaN)")
song_file("rejected/infinity_latitude.json",
          dumps(song("SOBBBBB12A8C13B010", "ARBBBBB1187B9AC001", "t")).replace(
              "35.14968", "Infinity"), "not JSON numbers (found Infinity)")
song_file("rejected/duplicate_song_id.json",
          '{"song_id": "SOBBBBB12A8C13B011", "artist_id": "ARBBBBB1187B9AC001", '
          '"song_id": "SOBBBBB12A8C13B012", "title": "t"}', 'duplicate key "song_id"')
song_file("rejected/deeply_nested.json",
          '{"song_id": "SOBBBBB12A8C13B013", "artist_id": "ARBBBBB1187B9AC001", "junk": ' +
          "[" * 5000 + "]" * 5000 + "}", 'field "junk": malformed JSON: nested too deeply')
song_file("rejected/array_of_one_song.json",
          "[" + dumps(song("SOBBBBB12A8C13B014", "ARBBBBB1187B9AC001", "t")) + "]",
          "expected a JSON object, found an array")
song_file("rejected/two_songs.json",
          dumps(song("SOBBBBB12A8C13B015", "ARBBBBB1187B9AC001", "t")) + "\n" +
          dumps(song("SOBBBBB12A8C13B016", "ARBBBBB1187B9AC001", "t")),
          "expected exactly one JSON object")
song_file("rejected/scalar.json", '"SOBBBBB12A8C13B017"', "expected a JSON object, found a string")
song_file("rejected/nul_escape_in_title.json",
          dumps(song("SOBBBBB12A8C13B018", "ARBBBBB1187B9AC001", "a\u0000b")),
          "NUL character")
song_file("rejected/raw_nul_byte_in_title.json",
          dumps(song("SOBBBBB12A8C13B019", "ARBBBBB1187B9AC001", "XX")).encode().replace(
              b'"XX"', b'"a\x00b"'), "NUL byte (0x00)")
song_file("rejected/junk_in_unknown_field.json",
          '{"song_id": "SOBBBBB12A8C13B020", "artist_id": "ARBBBBB1187B9AC001", '
          '"junk": [1,,2], "title": "t"}', 'field "junk": malformed JSON')
song_file("rejected/duration_out_of_range.json",
          dumps(song("SOBBBBB12A8C13B021", "ARBBBBB1187B9AC001", "t")).replace(
              "218.93179", "1e400"), 'field "duration": number out of range')
song_file("rejected/double_bom.json",
          BOM + BOM + dumps(song("SOBBBBB12A8C13B022", "ARBBBBB1187B9AC001", "t")).encode(),
          "byte order mark (BOM)")


# --- log files: (relative path, [(line bytes, reason class or None, counts as)]) ------------
# A line's "counts as": "play" (a good NextSong event), "event" (a good other event), "skip"
# (blank: skipped), None (rejected).
LOGS = []


def log_file(name, lines, eol=b"\n", final_eol=True, prefix=b""):
    LOGS.append(("log_data/" + name, lines, eol, final_eol, prefix))


def ok(text, kind="play"):
    return (text.encode("utf-8") if isinstance(text, str) else text, None, kind)


def bad(text, reason):
    return (text.encode("utf-8") if isinstance(text, str) else text, reason, None)


def blank(text):
    return (text.encode("utf-8") if isinstance(text, str) else text, None, "skip")


T = 1541030400000  # 2018-11-01 00:00:00 UTC
full = event(T + 1)
mixed = [
    ok(event(T + 1, user="10")),
    bad(full[:full.index("Kaylee") + 2], "malformed JSON"),
    bad(event(T + 2)[:event(T + 2).index('"ts"')], "malformed JSON"),
    bad(event(T + 3, artist="XX").encode().replace(b'"XX"', b'"Bj\xf6rk"'), "invalid UTF-8"),
    bad(event(T + 4, extra="XX").encode().replace(b'"XX"', b'"\xc3\x28"'), "invalid UTF-8"),
    bad(event("yesterday"), 'field "ts": expected an integer, found the string "yesterday"'),
    bad(event(T + 5, sessionId="abc"), 'field "sessionId": expected an integer, found the string'),
    bad(event(T + 6, length="long"), 'field "length": expected a number, found the string "long"'),
    bad(event(T + 7, page=True), 'field "page": expected a string, found a boolean'),
    bad(event(T + 8, userId={"id": 5}), 'field "userId": expected a string, found an object'),
    bad(event(T + 9, registration=[1, 2]), 'field "registration": expected a number, found an array'),
    bad(event(T + 10, itemInSession=1.5), 'field "itemInSession": expected an integer, found 1.5'),
    bad(replace(event(T + 11), "ts", "1e30"), 'field "ts": expected an integer, found 1e30'),
    # Documented conversions: strings holding exactly a number, a number for a text field,
    # an integral float for an integer.
    ok(replace(event(T + 12, sessionId="140", length="246.3", userId=11, status="200"), "ts",
               str(T + 12) + ".0")),
    bad(event(T + 13, drop=["ts"]), 'required field "ts" is missing'),
    bad(event(T + 14, drop=["page"]), 'required field "page" is missing'),
    bad(event(None), 'required field "ts" is null'),
    bad(event(T + 15, page=None), 'required field "page" is null'),
    ok(event(T + 16, extra={"nested": [1, 2, {"x": None}]}, another="y")),
    blank(""),
    bad(replace(event(T + 17), "length", "NaN"), "not JSON numbers (found NaN)"),
    bad(replace(event(T + 18), "length", "Infinity"), "not JSON numbers (found Infinity)"),
    bad(replace(event(T + 19), "length", "-Infinity"), "not JSON numbers (found -Infinity)"),
    bad(event(T + 20)[:-1] + ',"ts":' + str(T + 21) + "}", 'duplicate key "ts"'),
    ok(event(T + 22)[:-1] + ',"extra":1,"extra":2}'),
    bad(event(T + 23)[:-1] + ',"junk":' + "[" * 5000 + "]" * 5000 + "}",
        'field "junk": malformed JSON: nested too deeply'),
    bad("[" + event(T + 24) + "]", "expected a JSON object, found an array"),
    bad(event(T + 25) + " " + event(T + 26), "unexpected content after the JSON object"),
    bad(event(T + 27, song="a\u0000b"), "NUL character"),
    bad(event(T + 28, song="XX").encode().replace(b'"XX"', b'"a\x00b"'), "NUL byte (0x00)"),
    bad("42", "expected a JSON object, found a number"),
    ok(event(T + 29, user="11", page="Home"), "event"),
    bad("{}", 'required field "page" is missing'),
    bad(event(T + 30, song="XX").replace('"XX"', '"a\tb"'), "control character"),
    bad(event(T + 31)[:-1] + ',"junk":[1,,2]}', 'field "junk": malformed JSON'),
    bad(BOM + event(T + 32).encode(), "byte order mark (BOM) in the middle of the file"),
    bad(replace(event(T + 34), "length", "1e400"), 'field "length": number out of range'),
    bad(event(T + 35)[:-1] + ',"junk":[1,2}}', 'field "junk": malformed JSON'),
    bad(event(T + 36)[:-1] + ',"junk":{"a":[NaN]}}', 'field "junk": malformed JSON'),
    bad(event(T + 37) + "}", "unexpected content after the JSON object"),
    # Deep but well-formed nesting in an unknown field is ignored like any unknown value.
    ok(event(T + 38)[:-1] + ',"junk":' + "[" * 100 + "]" * 100 + "}"),
    ok(event(T + 39, user="12")),
]
log_file("2018/11/2018-11-01-mixed.json", mixed)

log_file("2018/11/2018-11-02-bom-crlf.json", [
    ok(event(T + 86400000 + 1, user="13")),
    ok(event(T + 86400000 + 2, user="13", page="Home"), "event"),
    bad(event("soon"), 'field "ts": expected an integer, found the string "soon"'),
    ok(event(T + 86400000 + 3, user="13")),
    blank(""),
    ok(event(T + 86400000 + 4, user="14")),
], eol=b"\r\n", prefix=BOM)

log_file("2018/11/2018-11-03-empty.json", [])

cut = event(T + 3 * 86400000 + 3, user="15")
log_file("2018/11/2018-11-04-truncated-tail.json", [
    ok(event(T + 3 * 86400000 + 1, user="15")),
    ok(event(T + 3 * 86400000 + 2, user="15")),
    bad(cut[:len(cut) // 2], "malformed JSON"),
], final_eol=False)

log_file("2018/11/2018-11-05-blank-lines.json", [
    blank("   "),
    blank("\t"),
    ok(event(T + 4 * 86400000 + 1, user="16")),
    blank(""),
    blank(" \r"),
    ok(event(T + 4 * 86400000 + 2, user="16", page="Logout"), "event"),
    blank(""),
])

# The zero-filled tail a crashed writer leaves behind (no final newline).
log_file("2018/11/2018-11-06-nul-padding.json", [
    ok(event(T + 5 * 86400000 + 1, user="17")),
    bad(b"\x00" * 100, "NUL byte (0x00)"),
], final_eol=False)


def main():
    for sub in ("song_data", "log_data"):
        shutil.rmtree(os.path.join(ROOT, sub), ignore_errors=True)
    expected = []
    for path, data, reason in SONGS:
        full_path = os.path.join(ROOT, path)
        os.makedirs(os.path.dirname(full_path), exist_ok=True)
        with open(full_path, "wb") as f:
            f.write(data)
        if reason:
            expected.append((path, 1, reason))
    counts = {"play": 0, "event": 0}
    for path, lines, eol, final_eol, prefix in LOGS:
        full_path = os.path.join(ROOT, path)
        os.makedirs(os.path.dirname(full_path), exist_ok=True)
        out = prefix
        for i, (data, reason, kind) in enumerate(lines):
            out += data
            if i + 1 < len(lines) or final_eol:
                out += eol
            if reason:
                expected.append((path, i + 1, reason))
            elif kind in counts:
                counts[kind] += 1
        with open(full_path, "wb") as f:
            f.write(out)
    expected.sort()
    with open(os.path.join(ROOT, "expected_load_errors.tsv"), "w") as f:
        f.write("# Written by generate.py. One row per load_errors row sparkify etl must produce\n"
                "# for this corpus: file (relative to the corpus root), 1-based line, and a reason\n"
                "# class that the reason must contain. The 10 MB lines are added by the test.\n")
        f.write("file\tline\treason_class\n")
        for path, line, reason in expected:
            f.write(f"{path}\t{line}\t{reason}\n")
    good_songs = sum(1 for _, _, r in SONGS if not r)
    print(f"{len(SONGS)} song files ({good_songs} good), {len(LOGS)} log files "
          f"({counts['play']} good plays, {counts['event']} other good events), "
          f"{len(expected)} expected load errors")


if __name__ == "__main__":
    main()
